"""Data entry of organisations, pairings, agreements and meetings (Chinese by default).

Lists show only what the user's scope allows; every save goes through the services, so it is
validated, permission-checked and audited like any other write. Nothing is deleted here: a
pairing is ended by giving it an end date.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import scope_for
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.pairings import selectors, services
from bangfu.pairings.forms import ServiceModelForm
from bangfu.pairings.models import Agreement, Meeting, MeetingDocument, Organisation, Pairing


def _may_view(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff) and not scope_for(user).sees_nothing


def _may_write(request: HttpRequest) -> bool:
    return _may_view(request) and scope_for(request.user).has_role(Role.DATA_ENTRY)


# Admin classes are not subscriptable at run time (django-stubs' monkeypatch is not installed).
class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A model admin that reads through selectors and writes through services."""

    form = ServiceModelForm
    # Fields a change may pass to the update service.
    editable_fields: tuple[str, ...] = ()

    def run_service(self, request: HttpRequest, form: Any, *, dry_run: bool) -> Any:
        raise NotImplementedError

    def changed(self, form: Any) -> dict[str, Any]:
        return {f: form.cleaned_data[f] for f in form.changed_data if f in self.editable_fields}

    def fresh(self, form: Any) -> Any:
        """The stored object (the form's instance may already carry the submitted values)."""
        return type(form.instance)._default_manager.get(pk=form.instance.pk)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Any]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"admin_request": request, "model_admin": self})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = self.run_service(request, form, dry_run=False)
        obj.pk = saved.pk
        obj._state.adding = False

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The form's dry run catches refusals first; this covers a write that raced it.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationFailed, PermissionDenied) as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_view(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_write(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_write(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_PAIRING_LABEL_RELATED = [
    "pairing__donor_region",
    "pairing__donor_organisation",
    "pairing__recipient_region",
    "pairing__recipient_organisation",
]


def _scoped_pairing_field(
    model_admin: admin.ModelAdmin[Any], db_field: Any, request: HttpRequest, **kwargs: Any
) -> Any:
    kwargs["queryset"] = selectors.pairing_list(user=request.user)
    return admin.ModelAdmin.formfield_for_foreignkey(model_admin, db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["region"]
    fields = ["name", "kind", "region"]
    editable_fields = ("name", "kind", "region")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return selectors.organisation_list(user=request.user)

    def run_service(self, request: HttpRequest, form: Any, *, dry_run: bool) -> Organisation:
        data = form.cleaned_data
        if form.instance.pk is None:
            return services.organisation_create(
                actor=request.user, name=data["name"], kind=data["kind"], region=data["region"]
            )
        return services.organisation_update(
            actor=request.user, organisation=self.fresh(form), **self.changed(form)
        )


@admin.register(Pairing)
class PairingAdmin(ServiceAdmin):
    list_display = [
        "__str__",
        "kind",
        "level",
        "start_date",
        "end_date",
        "parent",
    ]
    list_filter = ["kind", "level"]
    date_hierarchy = "start_date"
    raw_id_fields = ["donor_region", "recipient_region"]
    fields = [
        "donor_region",
        "donor_organisation",
        "recipient_region",
        "recipient_organisation",
        "kind",
        "level",
        "start_date",
        "end_date",
        "parent",
        "notes",
    ]
    editable_fields = ("kind", "level", "start_date", "end_date", "parent", "notes")
    _parties = ("donor_region", "donor_organisation", "recipient_region", "recipient_organisation")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Pairing]:
        return selectors.pairing_list(user=request.user).select_related(
            "parent__donor_region",
            "parent__donor_organisation",
            "parent__recipient_region",
            "parent__recipient_organisation",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Pairing | None = None) -> Any:
        # Parties never change: end the pairing and create another.
        return self._parties if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            return _scoped_pairing_field(self, db_field, request, **kwargs)
        if db_field.name in ("donor_organisation", "recipient_organisation"):
            kwargs["queryset"] = selectors.party_organisation_choices()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def run_service(self, request: HttpRequest, form: Any, *, dry_run: bool) -> Pairing:
        data = form.cleaned_data
        if form.instance.pk is not None:
            return services.pairing_update(
                actor=request.user, pairing=self.fresh(form), **self.changed(form)
            )
        parties: dict[str, Any] = {}
        for side in ("donor", "recipient"):
            region, organisation = data.get(f"{side}_region"), data.get(f"{side}_organisation")
            if (region is None) == (organisation is None):
                raise ValidationFailed(
                    {f"{side}_region": [_("Choose either a region or an organisation.")]}
                )
            parties[side] = region or organisation
        return services.pairing_create(
            actor=request.user,
            donor=parties["donor"],
            recipient=parties["recipient"],
            kind=data["kind"],
            level=data["level"],
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            parent=data.get("parent"),
            notes=data.get("notes", ""),
        )


@admin.register(Agreement)
class AgreementAdmin(ServiceAdmin):
    list_display = ["title", "pairing", "kind", "year", "signed_on"]
    list_filter = ["kind", "year"]
    search_fields = ["title"]
    fields = [
        "pairing",
        "kind",
        "title",
        "year",
        "signed_on",
        "start_date",
        "end_date",
        "document",
        "notes",
    ]
    editable_fields = (
        "pairing",
        "kind",
        "title",
        "year",
        "signed_on",
        "start_date",
        "end_date",
        "document",
        "notes",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agreement]:
        return selectors.agreement_list(user=request.user).select_related(*_PAIRING_LABEL_RELATED)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "pairing":
            return _scoped_pairing_field(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def run_service(self, request: HttpRequest, form: Any, *, dry_run: bool) -> Agreement:
        data = dict(form.cleaned_data)
        if dry_run:
            data["document"] = None  # the file is stored only by the real save
        if form.instance.pk is None:
            return services.agreement_create(
                actor=request.user,
                pairing=data["pairing"],
                kind=data["kind"],
                title=data["title"],
                signed_on=data["signed_on"],
                year=data.get("year"),
                start_date=data.get("start_date"),
                end_date=data.get("end_date"),
                document=data.get("document") or None,
                notes=data.get("notes", ""),
            )
        changes = self.changed(form)
        if dry_run or not changes.get("document"):
            changes.pop("document", None)  # cleared or unchanged: keep the stored file
        return services.agreement_update(actor=request.user, agreement=self.fresh(form), **changes)


class MeetingDocumentInline(admin.TabularInline):  # type: ignore[type-arg]
    """Documents are added through the service; stored ones are shown, not edited."""

    model = MeetingDocument
    fields = ["title", "file"]
    extra = 1
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_write(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_view(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ServiceAdmin):
    list_display = ["date", "kind", "pairing", "place"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["place", "summary"]
    fields = ["pairing", "kind", "date", "place", "participants", "summary"]
    editable_fields = ("pairing", "kind", "date", "place", "participants", "summary")
    inlines = [MeetingDocumentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meeting]:
        return selectors.meeting_list(user=request.user).select_related(*_PAIRING_LABEL_RELATED)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "pairing":
            return _scoped_pairing_field(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def run_service(self, request: HttpRequest, form: Any, *, dry_run: bool) -> Meeting:
        data = form.cleaned_data
        if form.instance.pk is None:
            return services.meeting_create(
                actor=request.user,
                pairing=data["pairing"],
                kind=data["kind"],
                date=data["date"],
                place=data.get("place", ""),
                participants=data.get("participants", ""),
                summary=data.get("summary", ""),
            )
        return services.meeting_update(
            actor=request.user, meeting=self.fresh(form), **self.changed(form)
        )

    def save_formset(
        self,
        request: HttpRequest,
        form: Any,
        formset: BaseInlineFormSet[Any, Any, Any],
        change: bool,
    ) -> None:
        meeting = selectors.meeting_get(user=request.user, pk=form.instance.pk)
        assert meeting is not None  # just saved by this user
        added = []
        for document_form in formset.extra_forms:
            if not document_form.has_changed():
                continue
            added.append(
                services.meeting_document_add(
                    actor=request.user,
                    meeting=meeting,
                    title=document_form.cleaned_data["title"],
                    file=document_form.cleaned_data["file"],
                )
            )
        # What the admin's change message reads after a save.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = added, [], []
