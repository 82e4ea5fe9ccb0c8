"""Monitoring cases in the admin: read-mostly, scoped like the case pages.

Lists filter by state, category, source, green channel and overdue; a case's page shows its
facts, timeline (in words), measures and visits. The one write is the "dismiss" action, made
through services.case_advance like every other move, so the guards and the audit apply; the
other moves are made on the case page, the API or `bangfu cases advance`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.cases import selectors, services
from bangfu.cases.choices import CaseState, RiskType
from bangfu.cases.models import Case, CaseMeasure, CaseStep, CaseVisit
from bangfu.cases.timeline import step_entries
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.households.admin import ReadOnlyAdmin


class DismissActionForm(ActionForm):
    reason = forms.CharField(label=gettext_lazy("Reason for dismissal"), required=False)


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", gettext_lazy("overdue")), ("0", gettext_lazy("not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        if self.value() not in ("0", "1"):
            return queryset
        overdue = selectors.overdue_q(timezone.localdate())
        return queryset.filter(overdue) if self.value() == "1" else queryset.exclude(overdue)


class _ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StepInline(_ReadOnlyInline):
    model = CaseStep
    fields = ("date", "to_state", "actor", "recorded")
    readonly_fields = fields
    ordering = ("created_at", "id")

    @admin.display(description=gettext_lazy("recorded"))
    def recorded(self, step: CaseStep) -> str:
        parts = [
            _("%(label)s: %(value)s") % {"label": label, "value": value}
            for label, value in step_entries(step)
        ]
        return _("; ").join(parts) or "—"


class MeasureInline(_ReadOnlyInline):
    model = CaseMeasure
    fields = ("measure", "category", "date", "before_identification")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("category"))
    def category(self, link: CaseMeasure) -> str:
        return link.measure.get_category_display()

    @admin.display(description=gettext_lazy("date"))
    def date(self, link: CaseMeasure) -> Any:
        return link.measure.date


class VisitInline(_ReadOnlyInline):
    model = CaseVisit
    fields = ("date", "visited_by", "notes")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "household",
        "village",
        "state",
        "source",
        "monitoring_category",
        "green_channel",
        "opened_on",
        "page",
    ]
    list_filter = [
        "state",
        "monitoring_category",
        "source",
        "green_channel",
        OverdueFilter,
    ]
    search_fields = ["household__number"]
    list_select_related = ["household", "household__village"]
    date_hierarchy = "opened_on"
    inlines = [StepInline, MeasureInline, VisitInline]
    action_form = DismissActionForm
    actions = ["dismiss_selected"]
    # Shown after the plain fields; the scan only through the scope-checked download page.
    shown_personal_fields = ("risk_type_labels", "authorisation")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return selectors.visible_cases(request.user)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        hidden = {"risk_types", "authorisation_scan"}
        return [f for f in super().get_fields(request, obj) if f not in hidden]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Without change permission Django would offer no action; this one checks its own.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=gettext_lazy("village"))
    def village(self, case: Case) -> str:
        return case.household.village.name

    @admin.display(description=gettext_lazy("risk types"))
    def risk_type_labels(self, case: Case) -> str:
        return "、".join(str(RiskType(r).label) for r in case.risk_types if r in RiskType.values)

    @admin.display(description=gettext_lazy("scan of the signed authorisation"))
    def authorisation(self, case: Case) -> str:
        if not case.authorisation_scan:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("case-authorisation", args=[case.pk]), _("download")
        )

    @admin.display(description=gettext_lazy("case page"))
    def page(self, case: Case) -> str:
        return format_html('<a href="{}">{}</a>', reverse("case-detail", args=[case.pk]), _("open"))

    @admin.action(description=gettext_lazy("Dismiss the selected cases (reason required)"))
    def dismiss_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        reason = (request.POST.get("reason") or "").strip()
        dismissed = 0
        for case in queryset:
            try:
                services.case_advance(
                    actor=request.user, case=case, to_state=CaseState.DISMISSED, reason=reason
                )
            except (PermissionDenied, ValidationFailed) as exc:
                text = (
                    "; ".join(m for ms in exc.errors.values() for m in ms)
                    if isinstance(exc, ValidationFailed)
                    else str(exc)
                )
                self.message_user(
                    request,
                    _("Case %(case)d was not dismissed: %(reason)s")
                    % {"case": case.pk, "reason": text},
                    messages.ERROR,
                )
            else:
                dismissed += 1
        if dismissed:
            self.message_user(
                request, _("%(count)d cases dismissed.") % {"count": dismissed}, messages.SUCCESS
            )
