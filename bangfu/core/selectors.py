"""Reads of the audit trail, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bangfu.accounts.scopes import audit_q
from bangfu.core.models import AuditEvent


def audit_event_list(*, user: Any) -> QuerySet[AuditEvent]:
    """Audit events about objects the user may see, newest first, with their actors."""
    return (
        AuditEvent.objects.filter(audit_q(user))
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def audit_event_get(*, user: Any, pk: int) -> AuditEvent | None:
    return audit_event_list(user=user).filter(pk=pk).first()


def audit_object_types(*, user: Any) -> list[str]:
    """The object types present in the user's audit trail (for the page's filter)."""
    return sorted(
        set(AuditEvent.objects.filter(audit_q(user)).values_list("object_type", flat=True))
    )


def audit_changes(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every field the event mentions, in a stable order."""
    before = event.before or {}
    after = event.after or {}
    names = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [(name, before.get(name), after.get(name)) for name in names]
