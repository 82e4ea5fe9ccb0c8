"""Read-only admin of the household registry: scoped lists with personal data masked.

Writes go through the API and services (validation, ID checks, audit). List pages always show
masked values, even to users holding a PII grant; a person's own page shows what
pii.present_person allows. Encrypted columns are never rendered from the model directly.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.scopes import scope_for
from bangfu.households import idcards, selectors
from bangfu.households.fields import EncryptedTextField
from bangfu.households.models import Household, Measure, Person, Threshold, VillageFigures
from bangfu.households.pii import id_token, masked, present_collector, present_person


def _may_view(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff) and not scope_for(user).sees_nothing


# Admin classes are not subscriptable at run time (django-stubs' monkeypatch is not installed).
class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_view(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Per-request object: the page's personal-data fields are shown as this user may.
            obj._admin_viewer = request.user
        return obj

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        plain = [
            f.name
            for f in self.model._meta.fields
            if not isinstance(f, EncryptedTextField) and f.name not in {"id", "id_token"}
        ]
        return [*plain, *self.shown_personal_fields]

    shown_personal_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)


class MeasureInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Measure
    fields = ("category", "date", "description")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "village",
        "household_type",
        "monitoring_category",
        "household_size",
        "per_capita_net_income",
        "collector_masked",
    ]
    list_filter = ["household_type", "monitoring_category", "income_year"]
    search_fields = ["number"]
    list_select_related = ["village"]
    inlines = [MeasureInline]
    shown_personal_fields = ("collector",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Household]:
        return selectors.visible_households(request.user)

    @admin.display(description=_("data collector"))
    def collector_masked(self, household: Household) -> str:
        return masked(household.collector_name, "household.collector_name")

    @admin.display(description=_("data collector"))
    def collector(self, household: Household) -> str:
        shown = present_collector(household, getattr(household, "_admin_viewer", None))
        return f"{shown.name} {shown.phone}".strip()


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["number", "household", "name_masked", "id_masked", "sex", "birth_date"]
    list_filter = ["relation", "sex", "labour_skill", "health"]
    search_fields = ["number"]
    search_help_text = _("Person number, or an ID number (matched exactly through its token).")
    list_select_related = ["household"]
    shown_personal_fields = ("personal_data",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return selectors.visible_persons(request.user)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Person], search_term: str
    ) -> tuple[QuerySet[Person], bool]:
        try:
            parsed = idcards.parse_id(search_term)
        except idcards.InvalidId:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(id_token=id_token(parsed.canonical)), False

    @admin.display(description=_("name"))
    def name_masked(self, person: Person) -> str:
        return masked(person.name, "person.name")

    @admin.display(description=_("ID number"))
    def id_masked(self, person: Person) -> str:
        return masked(person.id_number, "person.id_number")

    @admin.display(description=_("personal data"))
    def personal_data(self, person: Person) -> str:
        shown = present_person(person, getattr(person, "_admin_viewer", None))
        return " · ".join(
            v for v in (shown.name, shown.id_number, shown.phone, shown.bank_account) if v
        )


@admin.register(Threshold)
class ThresholdAdmin(ReadOnlyAdmin):
    list_display = ["year", "province", "yuan_per_person", "source"]
    list_filter = ["year"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Threshold]:
        return selectors.visible_thresholds(request.user)


@admin.register(VillageFigures)
class VillageFiguresAdmin(ReadOnlyAdmin):
    list_display = ["village", "year", "households", "population", "collective_income"]
    list_filter = ["year"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[VillageFigures]:
        return selectors.visible_village_figures(request.user)
