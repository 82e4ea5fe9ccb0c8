"""Writes: upload a report (runs extraction), accept, edit-then-accept or reject a fact.

Accepting creates the record through its own app's service, so the same permission checks and
validation apply as for hand entry: a data value (indicators.data_value_set with
source=extracted and the document and span), a target (indicators.target_set) for a plan, a
fund flow (funds.fund_flow_record) for a figure of a fund stage, or a pairing
(pairings.pairing_create). The record points back at the review page's anchor for the fact.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import (
    can_view_pairing,
    region_in_scope,
    require_pairing_role,
    require_role,
    scope_for,
)
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditAction
from bangfu.core.services import audit_record, snapshot
from bangfu.ingest.extract import Extraction, Extractor, get_extractor
from bangfu.ingest.models import Document, FactKind, FactStatus, ProposedFact
from bangfu.ingest.readers import read_bytes
from bangfu.ingest.selectors import document_q
from bangfu.pairings.models import (
    Organisation,
    OrganisationKind,
    Pairing,
    PairingKind,
    PairingLevel,
)
from bangfu.regions import codes
from bangfu.regions.models import Region

MAX_TEXT_CHARS = 500_000
# Fund-stage indicators → (stage, source kind) of the fund flow an accepted figure becomes.
FUND_FLOW_KINDS: dict[str, tuple[str, str]] = {
    "fiscal_assistance": ("arrived", "fiscal_district"),
    "donation_cash": ("arrived", "donation_cash"),
    "donation_in_kind": ("arrived", "donation_in_kind"),
    "fund_arrived": ("arrived", "fiscal_district"),
    "fund_paid_out": ("paid_out", "fiscal_district"),
}
EDITABLE = (
    "value",
    "indicator",
    "period",
    "is_target",
    "reported_by",
    "donor_code",
    "recipient_code",
    "kind",
    "level",
    # Organisation parties: the organisation chosen, or the name, kind and region of a new one.
    "donor",
    "recipient",
    "donor_kind",
    "recipient_kind",
    "donor_organisation",
    "recipient_organisation",
    "donor_organisation_kind",
    "recipient_organisation_kind",
)
SIDES = ("donor", "recipient")


def _audit(actor: Any, instance: Any, action: AuditAction, before: Any = None) -> None:
    document = instance if isinstance(instance, Document) else instance.document
    audit_record(
        actor=actor,
        action=action,
        instance=instance,
        before=before,
        after=snapshot(instance),
        region_code=document.region_id or "",
        pairing_id=document.pairing_id,
    )


def _require_scope(actor: Any, pairing: Pairing | None, region: Region | None) -> None:
    if pairing is None and region is None:
        raise ValidationFailed({"pairing": [_("Say which pairing or region the report is about.")]})
    if pairing is not None:
        require_pairing_role(actor, pairing, Role.DATA_ENTRY)
    elif region is not None:
        require_role(actor, Role.DATA_ENTRY)
        if not region_in_scope(actor, region.code):
            raise PermissionDenied(_("This region is outside your scope."))


@transaction.atomic
def document_upload(
    *,
    actor: Any,
    source_name: str,
    text: str | None = None,
    data: bytes | None = None,
    pairing: Pairing | None = None,
    region: Region | None = None,
    extractor: Extractor | None = None,
) -> Document:
    """Store a report (pasted `text`, or file `data` named `source_name`) and propose its facts."""
    _require_scope(actor, pairing, region)
    if text is None:
        if data is None:
            raise ValidationFailed({"file": [_("Give a file or paste the text.")]})
        text = read_bytes(data, source_name)
    if not text.strip():
        raise ValidationFailed({"text": [_("The report has no text.")]})
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationFailed({"text": [_("The report is too long to read.")]})
    extraction = (extractor or get_extractor()).extract_text(text)
    document = Document.objects.create(
        source_name=source_name.strip()[:255] or _("pasted text"),
        original_text=text,
        normalised_text=extraction.normalised.text,
        report_date=extraction.report_date,
        pairing=pairing,
        region=region,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    facts = _facts(document, extraction)
    _resolve_organisations(facts)
    ProposedFact.objects.bulk_create(facts)
    _audit(actor, document, AuditAction.CREATE)
    return document


def _facts(document: Document, extraction: Extraction) -> list[ProposedFact]:
    facts = [
        ProposedFact(
            document=document,
            kind=FactKind.QUANTITY,
            payload=q.as_payload(),
            span_start=q.start,
            span_end=q.end,
        )
        for q in extraction.quantities
    ]
    facts.extend(
        ProposedFact(
            document=document,
            kind=FactKind.PAIRING,
            payload=p.as_payload(),
            span_start=p.start,
            span_end=p.end,
        )
        for p in extraction.pairings
    )
    return facts


def _resolve_organisations(proposed: list[ProposedFact]) -> None:
    """Organisation parties of the proposed pairings, matched by name to the organisations on
    record (one with that name in the place the text locates it, else the only one with that
    name); the others stay proposals of new organisations for the reviewer to confirm."""
    facts = [f for f in proposed if f.kind == FactKind.PAIRING]
    names = {
        f.payload.get(side)
        for f in facts
        for side in SIDES
        if f.payload.get(f"{side}_kind") == "organisation"
    }
    if not names:
        return
    by_name: dict[str, list[Organisation]] = {}
    for organisation in Organisation.objects.filter(name__in=names).order_by("pk"):
        by_name.setdefault(organisation.name, []).append(organisation)
    for fact in facts:
        for side in SIDES:
            if fact.payload.get(f"{side}_kind") != "organisation":
                continue
            found = by_name.get(fact.payload.get(side) or "", [])
            near = str(fact.payload.get(f"{side}_code") or "")
            prefix = codes.prefix_of(near) if near else ""
            if prefix and len(found) > 1:
                found = [o for o in found if str(o.region_id).startswith(prefix)]
            if len(found) == 1:
                fact.payload[f"{side}_organisation"] = found[0].pk
                fact.payload[f"{side}_code"] = found[0].region_id


def _require_reviewable(actor: Any, fact: ProposedFact) -> ProposedFact:
    require_role(actor, Role.DATA_ENTRY)
    locked = (
        ProposedFact.objects.select_for_update(of=("self",))
        .filter(pk=fact.pk)
        .filter(document_q(actor, "document__"))
        .select_related("document", "document__pairing", "document__region")
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("This document is outside your scope."))
    if locked.status != FactStatus.PROPOSED:
        raise ValidationFailed({"status": [_("This fact has already been reviewed.")]})
    return locked


def provenance_link(fact: ProposedFact) -> str:
    url = reverse("ingest-document", args=[fact.document_id])
    return f"{url}#{fact.anchor}"


@transaction.atomic
def fact_accept(
    *, actor: Any, fact: ProposedFact, changes: dict[str, Any] | None = None
) -> ProposedFact:
    """Create the fact's record (with `changes` applied first, when the reviewer edited it)."""
    fact = _require_reviewable(actor, fact)
    before = snapshot(fact)
    edits = {k: v for k, v in (changes or {}).items() if k in EDITABLE}
    payload = {**fact.payload, **edits}
    if fact.kind == FactKind.PAIRING:
        record_type, record_id = _accept_pairing(actor, fact, payload)
    else:
        record_type, record_id = _accept_quantity(actor, fact, payload)
    edited = any(_differs(k, fact.payload.get(k), v) for k, v in edits.items())
    fact.payload = payload
    fact.status = FactStatus.EDITED if edited else FactStatus.ACCEPTED
    fact.record_type, fact.record_id = record_type, str(record_id)
    fact.reviewed_by = actor if getattr(actor, "pk", None) else None
    fact.reviewed_at = timezone.now()
    fact.save()
    _audit(actor, fact, AuditAction.UPDATE, before)
    return fact


def _differs(key: str, old: Any, new: Any) -> bool:
    """Whether the reviewer changed a field (the page sends every field back as text)."""
    if key == "period":
        return period_text(old) != period_text(new)
    if key == "value":
        try:
            return Decimal(str(old)) != Decimal(str(new))
        except InvalidOperation:
            return True
    if key == "is_target":
        return bool(old) != bool(new)
    return (old or "") != (new or "")


@transaction.atomic
def fact_reject(*, actor: Any, fact: ProposedFact, reason: str = "") -> ProposedFact:
    fact = _require_reviewable(actor, fact)
    before = snapshot(fact)
    fact.status = FactStatus.REJECTED
    fact.reason = reason.strip()
    fact.reviewed_by = actor if getattr(actor, "pk", None) else None
    fact.reviewed_at = timezone.now()
    fact.save()
    _audit(actor, fact, AuditAction.UPDATE, before)
    return fact


# ---------------------------------------------------------------------------------------------
# Quantities


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({"value": [_("Enter a number.")]}) from None


def period_text(period: Any, fallback_year: int | None = None) -> str:
    """The payload's period in the indicators' text form (2020, 2020H1, 2020-06, a..b)."""
    if isinstance(period, str):
        return period
    if not isinstance(period, dict):
        return str(fallback_year) if fallback_year else ""
    kind, start, end = period.get("kind"), period.get("start"), period.get("end")
    if kind == "year" and start:
        return str(start)[:4]
    if kind == "half_year" and start:
        return f"{str(start)[:4]}H{1 if str(start)[5:7] == '01' else 2}"
    if kind == "as_of" and end:
        return str(end)[:7]
    if end:
        return f"{start or str(end)[:4] + '-01-01'}..{end}"
    return str(fallback_year) if fallback_year else ""


def _period(payload: dict[str, Any], document: Document) -> Any:
    from bangfu.indicators.periods import PeriodError, parse

    year = document.report_date.year if document.report_date else None
    text = period_text(payload.get("period"), year)
    try:
        return parse(text)
    except PeriodError:
        raise ValidationFailed(
            {"period": [_("Give the period (2020, 2020H1, 2020-06 or 2016-01-01..2020-11-30).")]}
        ) from None


def _side(actor: Any, pairing: Pairing, payload: dict[str, Any]) -> str:
    chosen = payload.get("reported_by")
    if chosen in ("donor", "recipient"):
        return str(chosen)
    prefix = scope_for(actor).region_prefix
    donor_code = pairing.donor_region_id or (
        pairing.donor_organisation.region_id if pairing.donor_organisation else None
    )
    if prefix and donor_code and str(donor_code).startswith(prefix):
        return "donor"
    return "recipient"


def _accept_quantity(actor: Any, fact: ProposedFact, payload: dict[str, Any]) -> tuple[str, Any]:
    from bangfu.indicators.models import Indicator, Source
    from bangfu.indicators.services import data_value_set, target_set

    document = fact.document
    code = payload.get("indicator")
    if not code:
        raise ValidationFailed({"indicator": [_("Choose the indicator this figure belongs to.")]})
    value = _number(payload.get("value"))
    reference = provenance_link(fact)
    comment = _("From document %(doc)s, characters %(a)s–%(b)s") % {
        "doc": document.source_name,
        "a": fact.span_start,
        "b": fact.span_end,
    }
    if code in FUND_FLOW_KINDS:
        return _accept_fund_flow(actor, fact, payload, value, code, comment)
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise ValidationFailed({"indicator": [_("Unknown indicator %(code)s.") % {"code": code}]})
    period = _period(payload, document)
    pairing = document.pairing
    party_region = None if pairing is not None else document.region
    if payload.get("is_target"):
        target = target_set(
            actor=actor,
            indicator=indicator,
            period=period,
            value=value,
            pairing=pairing,
            party_region=party_region,
            comment=f"{comment} ({reference})",
        )
        return "indicators.target", target.pk
    result = data_value_set(
        actor=actor,
        indicator=indicator,
        period=period,
        value=value,
        pairing=pairing,
        reported_by=_side(actor, pairing, payload) if pairing is not None else "",
        party_region=party_region,
        source=Source.EXTRACTED,
        document_ref=reference,
        span=(fact.span_start, fact.span_end),
        comment=comment,
    )
    return "indicators.datavalue", result.value.pk


def _accept_fund_flow(
    actor: Any,
    fact: ProposedFact,
    payload: dict[str, Any],
    value: Decimal,
    code: str,
    comment: str,
) -> tuple[str, Any]:
    from bangfu.funds.services import fund_flow_record

    document = fact.document
    if document.pairing is None:
        raise ValidationFailed({"pairing": [_("Fund figures need the document's pairing.")]})
    period = _period(payload, document)
    stage, source_kind = FUND_FLOW_KINDS[code]
    result = fund_flow_record(
        actor=actor,
        pairing=document.pairing,
        year=period.end.year,
        stage=stage,
        amount=value,
        source_kind=source_kind,
        reported_by=_side(actor, document.pairing, payload),
        date=document.report_date,
        description=f"{comment} ({provenance_link(fact)})"[:255],
    )
    return "funds.fundflow", result.flow.pk


# ---------------------------------------------------------------------------------------------
# Pairings


_LEVELS = {
    ("county", "county"): PairingLevel.COUNTY_COUNTY,
    ("township", "township"): PairingLevel.TOWNSHIP_TOWNSHIP,
    ("township", "village"): PairingLevel.STREET_VILLAGE,
    ("village", "village"): PairingLevel.VILLAGE_VILLAGE,
}


_ORGANISATION_LEVELS = {
    ("enterprise", "village"): PairingLevel.ENTERPRISE_VILLAGE,
    ("social_organisation", "village"): PairingLevel.SOCIAL_ORG_VILLAGE,
    ("school", "school"): PairingLevel.SCHOOL_SCHOOL,
    ("hospital", "hospital"): PairingLevel.HOSPITAL_HOSPITAL,
}


def _party(actor: Any, side: str, payload: dict[str, Any]) -> Region | Organisation:
    """The pairing's party on `side`: a region by code, an organisation on record by id, or a
    new organisation (its name, kind and region as proposed or edited) created now."""
    from bangfu.pairings.selectors import party_organisation_get
    from bangfu.pairings.services import organisation_create

    code = str(payload.get(f"{side}_code") or "").strip()
    if payload.get(f"{side}_kind") != "organisation":
        region = Region.objects.filter(code=code).first() if code else None
        if region is None:
            raise ValidationFailed(
                {f"{side}_code": [_("Give the region codes of both sides of the pairing.")]}
            )
        return region
    chosen = payload.get(f"{side}_organisation")
    if chosen:
        try:
            organisation = party_organisation_get(pk=int(chosen))
        except (TypeError, ValueError):
            organisation = None
        if organisation is None:
            raise ValidationFailed({f"{side}_organisation": [_("No such organisation.")]})
        return organisation
    name = str(payload.get(side) or "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    if region is None:
        raise ValidationFailed(
            {
                f"{side}_code": [
                    _("Give the region code of the new organisation %(name)s.") % {"name": name}
                ]
            }
        )
    existing = Organisation.objects.filter(region=region, name=name).first()
    if existing is not None:
        return existing
    return organisation_create(
        actor=actor,
        name=name,
        kind=payload.get(f"{side}_organisation_kind") or OrganisationKind.OTHER,
        region=region,
    )


def _party_type(party: Region | Organisation) -> str:
    return party.level if isinstance(party, Region) else party.kind


def _party_filter(side: str, party: Region | Organisation) -> dict[str, Any]:
    if isinstance(party, Region):
        return {f"{side}_region": party, f"{side}_organisation__isnull": True}
    return {f"{side}_organisation": party, f"{side}_region__isnull": True}


def _accept_pairing(actor: Any, fact: ProposedFact, payload: dict[str, Any]) -> tuple[str, Any]:
    """The stated pairing, between regions or organisations (created on the way when the
    reviewer confirmed a new one); an existing pairing of the same parties is reused."""
    from bangfu.pairings.services import pairing_create

    donor = _party(actor, "donor", payload)
    recipient = _party(actor, "recipient", payload)
    types = (_party_type(donor), _party_type(recipient))
    regions = isinstance(donor, Region) and isinstance(recipient, Region)
    level = payload.get("level") or (
        _LEVELS.get(types) if regions else _ORGANISATION_LEVELS.get(types, PairingLevel.OTHER)
    )
    if level is None:
        raise ValidationFailed({"level": [_("Say at which level the pairing is made.")]})
    existing = Pairing.objects.filter(
        **_party_filter("donor", donor), **_party_filter("recipient", recipient)
    ).first()
    if existing is not None and can_view_pairing(actor, existing):
        return "pairings.pairing", existing.pk
    default_kind = PairingKind.EAST_WEST if regions else PairingKind.PAIRED_ASSISTANCE
    pairing = pairing_create(
        actor=actor,
        donor=donor,
        recipient=recipient,
        kind=payload.get("kind") or default_kind,
        level=level,
        start_date=fact.document.report_date or dt.date.today(),
        notes=_("From document %(doc)s, characters %(a)s–%(b)s (%(link)s)")
        % {
            "doc": fact.document.source_name,
            "a": fact.span_start,
            "b": fact.span_end,
            "link": provenance_link(fact),
        },
    )
    return "pairings.pairing", pairing.pk
