"""Fund flows in the admin: read-only ledger; new entries and reversals go through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.funds import selectors, services
from bangfu.funds.models import FundFlow
from bangfu.pairings.admin import ServiceAdmin
from bangfu.pairings.selectors import pairing_list


class ReverseActionForm(ActionForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the reversal"), required=False, max_length=500
    )


@admin.register(FundFlow)
class FundFlowAdmin(ServiceAdmin):
    list_display = [
        "reference", "pairing", "year", "stage", "amount", "source_kind", "reported_by",
        "project", "date", "reverses",
    ]  # fmt: skip
    list_filter = ["stage", "source_kind", "reported_by", "year", "is_demo"]
    search_fields = ["reference", "description"]
    fields = [
        "pairing", "year", "stage", "amount", "source_kind", "reported_by", "project",
        "source_organisation", "receiving_organisation", "date", "description", "reference",
        "evidence",
    ]  # fmt: skip
    raw_id_fields = ["project", "source_organisation", "receiving_organisation"]
    action_form = ReverseActionForm
    actions = ["reverse_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FundFlow]:
        return selectors.fund_flow_list(user=request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "pairing":
            kwargs["queryset"] = pairing_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: FundFlow | None = None) -> Any:
        if obj is None:
            return ()
        return [*self.fields, "reverses", "reason", "created_by", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the ledger is append-only: corrections are reversals

    def run_service(self, request: HttpRequest, form: Any, *, dry_run: bool) -> FundFlow:
        data = form.cleaned_data
        result = services.fund_flow_record(
            actor=request.user,
            pairing=data["pairing"],
            year=data["year"],
            stage=data["stage"],
            amount=data["amount"],
            source_kind=data["source_kind"],
            reported_by=data["reported_by"],
            project=data.get("project"),
            source_organisation=data.get("source_organisation"),
            receiving_organisation=data.get("receiving_organisation"),
            date=data.get("date"),
            description=data.get("description") or "",
            reference=data.get("reference") or "",
            evidence=data.get("evidence") or None,
        )
        if not dry_run:
            for warning in result.warnings:
                self.message_user(request, warning, level=messages.WARNING)
        return result.flow

    @admin.action(description=gettext_lazy("Reverse the selected entries (give a reason)"))
    def reverse_selected(self, request: HttpRequest, queryset: QuerySet[FundFlow]) -> None:
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, _("A reversal needs a reason."), level=messages.ERROR)
            return
        done = 0
        for flow in queryset:
            try:
                result = services.fund_flow_reverse(actor=request.user, flow=flow, reason=reason)
            except (ValidationFailed, PermissionDenied) as exc:
                self.message_user(request, f"{flow.reference}: {exc}", level=messages.ERROR)
                continue
            done += 1
            for warning in result.warnings:
                self.message_user(request, warning, level=messages.WARNING)
        if done:
            self.message_user(request, _("%d entries reversed.") % done, level=messages.SUCCESS)
