"""Reads of documents and proposed facts, always through the user's scope.

A document is visible to users whose scope contains its pairing, or its region when it has no
pairing (an upload about one county's own work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, F, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Greatest, Substr
from django.urls import reverse

from bangfu.accounts.scopes import scope_for, visible_pairings
from bangfu.ingest.models import Document, FactStatus, ProposedFact

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


# ---------------------------------------------------------------------------------------------
# Provenance: where an accepted record came from


SENTENCE_WINDOW = 240  # characters read on each side of a span to find its sentence
_SENTENCE_ENDS = "。！？!?；;\n"


@dataclass(frozen=True)
class Provenance:
    """An accepted fact as shown beside its record: the document, the sentence, who and when.

    `title`, the sentence and `url` are empty when the viewer may not see the document.
    """

    fact_id: int
    document_id: int
    visible: bool
    title: str
    before: str
    span: str
    after: str
    reviewer: str
    reviewed_at: dt.datetime | None
    edited: bool

    @property
    def url(self) -> str:
        if not self.visible:
            return ""
        return f"{reverse('ingest-document', args=[self.document_id])}#fact-{self.fact_id}"


def record_key(record: Any) -> tuple[str, str]:
    """The (record_type, record_id) an accepted fact stores for `record` (e.g. funds.fundflow)."""
    return record._meta.label_lower, str(record.pk)


def _visible_expression(user: Any) -> Any:
    scope = scope_for(user)
    if scope.is_superuser:
        return Value(True)
    if scope.sees_nothing:
        return Value(False)
    return Case(
        When(document_q(user, "document__"), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _sentence(window: str, start: int, end: int, clipped_left: bool) -> tuple[str, str, str]:
    """Cut `window` (a piece of the text) to the sentence holding window[start:end]."""
    left = max(window.rfind(mark, 0, start) for mark in _SENTENCE_ENDS)
    lead = "…" if clipped_left else ""
    before = window[left + 1 : start] if left >= 0 else lead + window[:start]
    ends = [i for i in (window.find(mark, end) for mark in _SENTENCE_ENDS) if i >= 0]
    if ends:
        after = window[end : min(ends) + 1]
    else:
        after = window[end:] + ("…" if len(window) - end >= SENTENCE_WINDOW else "")
    return before.lstrip(), window[start:end], after.rstrip()


def provenances(user: Any, records: Iterable[Any]) -> dict[tuple[str, str], Provenance]:
    """The latest accepted fact behind each record, keyed by `record_key`, in one query.

    Records of any kind may be mixed (data values, targets, fund flows, pairings); records not
    created from a document are absent from the result.
    """
    wanted: dict[str, set[str]] = {}
    for record in records:
        if record is None or record.pk is None:
            continue
        kind, pk = record_key(record)
        wanted.setdefault(kind, set()).add(pk)
    if not wanted:
        return {}
    keys = Q(pk__in=[])
    for kind, pks in wanted.items():
        keys |= Q(record_type=kind, record_id__in=sorted(pks))
    window_start = Greatest(F("span_start") - SENTENCE_WINDOW, Value(0))
    rows = (
        ProposedFact.objects.filter(keys, status__in=[FactStatus.ACCEPTED, FactStatus.EDITED])
        .annotate(
            doc_title=F("document__source_name"),
            window_start=window_start,
            window=Substr(
                "document__original_text",
                window_start + 1,
                F("span_end") - window_start + SENTENCE_WINDOW,
                output_field=TextField(),
            ),
            visible=_visible_expression(user),
        )
        .select_related("reviewed_by")
        .only(
            "id",
            "document_id",
            "record_type",
            "record_id",
            "status",
            "span_start",
            "span_end",
            "reviewed_at",
            "reviewed_by__username",
            "reviewed_by__first_name",
            "reviewed_by__last_name",
        )
        .order_by("-reviewed_at", "-id")
    )
    found: dict[tuple[str, str], Provenance] = {}
    for row in rows:
        key = (row.record_type, row.record_id)
        if key in found:
            continue
        visible = bool(row.visible)
        offset = row.span_start - row.window_start
        before, span, after = ("", "", "")
        if visible:
            end = row.span_end - row.window_start
            before, span, after = _sentence(row.window or "", offset, end, row.window_start > 0)
        reviewer = row.reviewed_by
        found[key] = Provenance(
            fact_id=row.pk,
            document_id=row.document_id,
            visible=visible,
            title=row.doc_title if visible else "",
            before=before,
            span=span,
            after=after,
            reviewer=(reviewer.get_full_name() or reviewer.username) if reviewer else "",
            reviewed_at=row.reviewed_at,
            edited=row.status == FactStatus.EDITED,
        )
    return found


def provenance(user: Any, record: Any) -> Provenance | None:
    """The accepted fact behind one record (None when it was not read from a document)."""
    if record is None or getattr(record, "pk", None) is None:
        return None
    return provenances(user, [record]).get(record_key(record))
