"""The audit page: who changed what and when, scoped like the data it describes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from bangfu.core import selectors
from bangfu.core.models import AuditAction

AUDIT_PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "—"), *AuditAction.choices]
    )

    def __init__(self, *args: Any, object_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["object_type"]
        assert isinstance(field, forms.ChoiceField)
        labelled = sorted(((object_type_label(t), t) for t in object_types), key=lambda p: p[0])
        field.choices = [("", "—"), *((t, label) for label, t in labelled)]


def object_type_label(object_type: str) -> str:
    """The model's translated verbose name for an audit event's "app_label.model" code."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type  # a model removed since the event was written
    return capfirst(str(model._meta.verbose_name))


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    events = selectors.audit_event_list(user=request.user)
    form = AuditFilterForm(
        request.GET or None, object_types=selectors.audit_object_types(user=request.user)
    )
    if form.is_valid():
        if form.cleaned_data["object_type"]:
            events = events.filter(object_type=form.cleaned_data["object_type"])
        if form.cleaned_data["action"]:
            events = events.filter(action=form.cleaned_data["action"])
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (event, selectors.audit_changes(event), object_type_label(event.object_type))
        for event in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )
