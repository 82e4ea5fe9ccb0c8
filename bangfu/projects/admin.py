"""Projects in the admin: create and edit through the services; status moves by an action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import scope_for
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.pairings.admin import ServiceAdmin
from bangfu.pairings.selectors import pairing_list
from bangfu.projects import selectors, services
from bangfu.projects.models import Project, ProjectDocument, ProjectStatusChange, Status


class TransitionActionForm(ActionForm):
    to_status = forms.ChoiceField(
        label=gettext_lazy("New status"), choices=[("", "—"), *Status.choices], required=False
    )
    date = forms.DateField(label=gettext_lazy("Date"), required=False)


class StatusChangeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ProjectStatusChange
    fields = ("from_status", "to_status", "date", "note", "actor")
    readonly_fields = ("from_status", "to_status", "date", "note", "actor")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DocumentInline(admin.TabularInline):  # type: ignore[type-arg]
    """The project's documents and photos, each with a scope-checked download link."""

    model = ProjectDocument
    fields = ("kind", "title", "taken_on", "download")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=gettext_lazy("file"))
    def download(self, document: ProjectDocument) -> str:
        url = reverse(
            "project-document-file", kwargs={"pk": document.project_id, "document_id": document.pk}
        )
        return format_html('<a href="{}">{}</a>', url, _("download"))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # shown only on a project found through the scoped selectors


class DocumentUploadInline(admin.TabularInline):  # type: ignore[type-arg]
    """Upload new documents and photos; ProjectAdmin.save_formset stores them via the service."""

    model = ProjectDocument
    fields = ("kind", "title", "file", "taken_on")
    extra = 1
    can_delete = False
    verbose_name = gettext_lazy("new document or photo")
    verbose_name_plural = gettext_lazy("add documents and photos")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProjectDocument]:
        return ProjectDocument.objects.none()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and scope_for(request.user).has_role(Role.DATA_ENTRY)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ServiceAdmin):
    list_display = ["code", "name", "pairing", "category", "start_year", "budget", "status"]
    list_filter = ["category", "status", "start_year", "is_demo"]
    search_fields = ["code", "name"]
    raw_id_fields = ["region"]
    fields = [
        "pairing", "code", "name", "region", "category", "start_year", "end_year", "budget",
        "status", "beneficiary_villages", "beneficiary_households", "beneficiary_people",
        "linked_people", "linked_registered_poor", "outputs", "description",
    ]  # fmt: skip
    editable_fields = tuple(sorted(services.EDITABLE_FIELDS))
    inlines = [StatusChangeInline, DocumentInline, DocumentUploadInline]
    action_form = TransitionActionForm
    actions = ["transition_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return selectors.project_list(user=request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "pairing":
            kwargs["queryset"] = pairing_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Project | None = None) -> Any:
        return ("pairing", "code", "status") if obj is not None else ()

    def run_service(self, request: HttpRequest, form: Any, *, dry_run: bool) -> Project:
        data = form.cleaned_data
        if form.instance.pk is not None:
            return services.project_update(
                actor=request.user, project=self.fresh(form), **self.changed(form)
            )
        fields: dict[str, Any] = {str(name): data[name] for name in data if name in self.fields}
        return services.project_create(actor=request.user, **fields)

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        inlines = super().get_inline_instances(request, obj)
        if obj is None:  # documents are added to a project that exists
            inlines = [i for i in inlines if i.model is not ProjectDocument]
        return inlines

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not ProjectDocument:
            super().save_formset(request, form, formset, change)
            return
        project = self.fresh(form)
        # The admin's change message reads these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for upload in formset.forms:
            data = getattr(upload, "cleaned_data", None)
            if not upload.has_changed() or not data or not data.get("file"):
                continue
            document = services.project_document_add(
                actor=request.user,
                project=project,
                kind=data["kind"],
                title=data["title"],
                file=data["file"],
                taken_on=data.get("taken_on"),
            )
            formset.new_objects.append(document)

    @admin.action(description=gettext_lazy("Move the selected projects to the status chosen"))
    def transition_selected(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        # The action form's own `action` field is validated by the admin; read the extra fields.
        to_status = request.POST.get("to_status", "")
        try:
            date = forms.DateField(required=False).clean(request.POST.get("date", ""))
        except forms.ValidationError:
            date = None
            to_status = ""
        if to_status not in Status.values:
            self.message_user(request, _("Choose the new status."), level=messages.ERROR)
            return
        for project in queryset:
            try:
                services.project_transition(
                    actor=request.user, project=project, to_status=to_status, date=date
                )
            except (ValidationFailed, PermissionDenied) as exc:
                self.message_user(request, f"{project.code}: {exc}", level=messages.ERROR)
            else:
                self.message_user(request, _("%s moved.") % project.code, level=messages.SUCCESS)
