"""Reads of documents and proposed facts, always through the user's scope.

A document is visible to users whose scope contains its pairing, or its region when it has no
pairing (an upload about one county's own work).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from bangfu.accounts.scopes import scope_for, visible_pairings
from bangfu.ingest.models import Document, ProposedFact

_NOTHING = Q(pk__in=[])


def document_q(user: Any, path: str = "") -> Q:
    scope = scope_for(user)
    if scope.is_superuser:
        return Q()
    if scope.sees_nothing:
        return _NOTHING
    q = Q(**{f"{path}pairing__in": visible_pairings(user).values("pk")})
    if scope.region_prefix is not None:
        q |= Q(**{f"{path}region__code__startswith": scope.region_prefix})
    return q


def document_list(user: Any) -> QuerySet[Document]:
    return (
        Document.objects.filter(document_q(user))
        .select_related("pairing", "region", "uploaded_by")
        .order_by("-created_at", "-id")
    )


def document_get(user: Any, pk: int) -> Document | None:
    return document_list(user).filter(pk=pk).first()


def fact_list(user: Any, *, document: int | None = None) -> QuerySet[ProposedFact]:
    facts = ProposedFact.objects.filter(document_q(user, "document__")).select_related("document")
    if document is not None:
        facts = facts.filter(document_id=document)
    return facts.order_by("document_id", "span_start", "id")


def fact_get(user: Any, pk: int) -> ProposedFact | None:
    return fact_list(user).filter(pk=pk).first()


def document_for_record(user: Any, record_type: str, record_id: str) -> ProposedFact | None:
    """The accepted fact a record was created from (for "from document X, chars a–b")."""
    return (
        fact_list(user)
        .filter(record_type=record_type, record_id=str(record_id))
        .order_by("-reviewed_at")
        .first()
    )
