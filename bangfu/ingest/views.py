"""Pages: upload a report, review its proposed facts beside the text (thin over services)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts.scopes import visible_pairings
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.ingest import forms, labels, selectors, services
from bangfu.ingest.models import Document, FactKind, FactStatus, ProposedFact
from bangfu.pairings.models import OrganisationKind
from bangfu.regions.models import Region


def _messages_of(exc: ValidationFailed | PermissionDenied) -> list[str]:
    if isinstance(exc, ValidationFailed):
        return [m for ms in exc.errors.values() for m in ms]
    return [str(exc)]


@dataclass
class Segment:
    text: str
    mark: ProposedFact | None = None
    anchors: list[ProposedFact] = field(default_factory=list)


def highlighted(document: Document, facts: list[ProposedFact]) -> list[Segment]:
    """The original text cut at the facts' spans: non-overlapping spans are marked, and every
    fact has an anchor at its start (so a link can scroll to it)."""
    text = document.original_text
    segments: list[Segment] = []
    position = 0
    pending: list[ProposedFact] = []
    for fact in sorted(facts, key=lambda f: (f.span_start, f.span_end)):
        if fact.span_start < position:  # overlaps a marked span: anchor only
            pending.append(fact)
            continue
        if fact.span_start > position:
            segments.append(Segment(text[position : fact.span_start], anchors=pending))
            pending = []
        segments.append(
            Segment(text[fact.span_start : fact.span_end], mark=fact, anchors=[fact, *pending])
        )
        pending = []
        position = fact.span_end
    segments.append(Segment(text[position:], anchors=pending))
    return segments


@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pairing = None
        if data["pairing"]:
            pairing = visible_pairings(request.user).filter(pk=data["pairing"]).first()
            if pairing is None:
                errors.append(_("No such pairing in your scope."))
        region = Region.objects.filter(code=data["region"]).first() if data["region"] else None
        upload = data["file"]
        if not errors:
            try:
                document = services.document_upload(
                    actor=request.user,
                    source_name=(upload.name if upload else data["source_name"]) or "",
                    text=None if upload else data["text"],
                    data=upload.read() if upload else None,
                    pairing=pairing,
                    region=region,
                )
            except (ValidationFailed, PermissionDenied) as exc:
                errors.extend(_messages_of(exc))
            else:
                return redirect("ingest-document", pk=document.pk)
    return render(
        request,
        "ingest/document_list.html",
        {
            "documents": selectors.document_list(request.user)[:200],
            "form": form,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(request.user, pk)
    if document is None:
        raise Http404
    facts = list(selectors.fact_list(request.user, document=document.pk))
    return render(
        request,
        "ingest/document_detail.html",
        {
            "document": document,
            "facts": [(f, _initial(f, document)) for f in facts],
            "segments": highlighted(document, facts),
            "proposed": FactStatus.PROPOSED,
            "quantity": FactKind.QUANTITY,
        },
    )


def _initial(fact: ProposedFact, document: Document) -> dict[str, Any]:
    """The review form's values, and the fact's codes as words (units, qualifiers, parties)."""
    payload = fact.payload
    year = document.report_date.year if document.report_date else None
    return {
        "value": payload.get("value", ""),
        "indicator": payload.get("indicator") or "",
        "period": services.period_text(payload.get("period"), year),
        "is_target": bool(payload.get("is_target")),
        "unit_label": labels.unit_label(payload.get("unit"), payload.get("measure")),
        "qualifier_label": labels.qualifier_label(payload.get("qualifier")),
        "parties": [_party(payload, side) for side in services.SIDES],
    }


def _party(payload: dict[str, Any], side: str) -> dict[str, Any]:
    organisation = payload.get(f"{side}_kind") == "organisation"
    kind = payload.get(f"{side}_organisation_kind") or ""
    return {
        "side": side,
        "label": _("Donor") if side == "donor" else _("Recipient"),
        "name": payload.get(side) or "",
        "code": payload.get(f"{side}_code") or "",
        "located": payload.get(f"{side}_located") or "",
        "is_organisation": organisation,
        "organisation": payload.get(f"{side}_organisation") or "",
        "organisation_kind": kind,
        "kind_label": OrganisationKind(kind).label if kind in OrganisationKind.values else "",
        "kinds": OrganisationKind.choices,
    }


def _fact_or_404(request: HttpRequest, pk: int) -> ProposedFact:
    fact = selectors.fact_get(request.user, pk)
    if fact is None:
        raise Http404
    return fact


@login_required
@require_POST
def fact_accept(request: HttpRequest, pk: int) -> HttpResponse:
    fact = _fact_or_404(request, pk)
    form = forms.AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.fact_accept(actor=request.user, fact=fact, changes=form.changes())
        except (ValidationFailed, PermissionDenied) as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Accepted."))
    return redirect(services.provenance_link(fact))


@login_required
@require_POST
def fact_reject(request: HttpRequest, pk: int) -> HttpResponse:
    fact = _fact_or_404(request, pk)
    form = forms.RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.fact_reject(actor=request.user, fact=fact, reason=reason)
    except (ValidationFailed, PermissionDenied) as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    return redirect(services.provenance_link(fact))


@login_required
def record_source(request: HttpRequest, record_type: str, record_id: str) -> HttpResponse:
    """Where a record came from: the sentence of the document it was accepted from."""
    fact = selectors.document_for_record(request.user, record_type, record_id)
    if fact is None:
        raise Http404
    return redirect(services.provenance_link(fact))
