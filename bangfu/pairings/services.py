"""Writes for organisations, pairings, agreements and meetings. Each one is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import (
    region_in_scope,
    require_pairing_role,
    require_party_in_scope,
    require_role,
)
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditAction
from bangfu.core.services import audit_record, model_update, snapshot
from bangfu.core.services import full_clean_or_refuse as _full_clean
from bangfu.core.services import save_or_refuse as _save
from bangfu.pairings.models import (
    Agreement,
    AgreementKind,
    Meeting,
    MeetingDocument,
    MeetingKind,
    Organisation,
    OrganisationKind,
    Pairing,
    PairingKind,
    PairingLevel,
)
from bangfu.regions.models import Region

M = TypeVar("M", Organisation, Agreement, Meeting)


def _update(instance: M, data: dict[str, Any]) -> tuple[M, dict[str, Any], bool]:
    """`model_update` with its validation and constraint errors turned into ValidationFailed."""
    try:
        with transaction.atomic():
            return model_update(instance=instance, data=data)
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc) from None
    except IntegrityError:
        raise ValidationFailed(_("The record conflicts with an existing one.")) from None


# Organisations ---------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, actor: Any, name: str, kind: OrganisationKind | str, region: Region, is_demo: bool = False
) -> Organisation:
    require_role(actor, Role.DATA_ENTRY)
    if not region_in_scope(actor, region.code):
        raise PermissionDenied(_("The organisation's region lies outside your scope."))
    organisation = Organisation(name=name.strip(), kind=kind, region=region, is_demo=is_demo)
    _full_clean(organisation)
    _save(organisation)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=organisation,
        after=snapshot(organisation),
        region_code=region.code,
    )
    return organisation


@transaction.atomic
def organisation_update(*, actor: Any, organisation: Organisation, **data: Any) -> Organisation:
    require_role(actor, Role.DATA_ENTRY)
    if not region_in_scope(actor, organisation.region_id):
        raise PermissionDenied(_("The organisation's region lies outside your scope."))
    if "region" in data and not region_in_scope(actor, data["region"].code):
        raise PermissionDenied(_("The organisation's region lies outside your scope."))
    organisation, before, changed = _update(organisation, data)
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=organisation,
            before=before,
            after=snapshot(organisation, before.keys()),
            region_code=organisation.region_id,
        )
    return organisation


# Pairings --------------------------------------------------------------------------------------


def _party_fields(side: str, party: Region | Organisation) -> dict[str, Any]:
    if isinstance(party, Region):
        return {f"{side}_region": party, f"{side}_organisation": None}
    if isinstance(party, Organisation):
        return {f"{side}_region": None, f"{side}_organisation": party}
    raise ValidationFailed({side: [_("A party must be a region or an organisation.")]})


def _check_pairing(pairing: Pairing) -> None:
    """Rules the database also enforces, checked first so the user gets a clear message."""
    errors: dict[str, list[str]] = {}
    same_region = pairing.donor_region_id and pairing.donor_region_id == pairing.recipient_region_id
    same_org = (
        pairing.donor_organisation_id
        and pairing.donor_organisation_id == pairing.recipient_organisation_id
    )
    if same_region or same_org:
        errors.setdefault("recipient", []).append(_("A party cannot be paired with itself."))
    if pairing.start_date is None:
        errors.setdefault("start_date", []).append(_("The start date is required."))
    elif pairing.end_date and pairing.end_date < pairing.start_date:
        errors.setdefault("end_date", []).append(_("The end date is before the start date."))
    if pairing.parent_id is not None and pairing.pk is not None:
        # Walk up by id; `seen` stops the walk even if the stored tree already holds a cycle.
        ancestor_id: int | None = pairing.parent_id
        seen: set[int] = set()
        while ancestor_id is not None and ancestor_id not in seen:
            if ancestor_id == pairing.pk:
                errors.setdefault("parent", []).append(_("A pairing cannot sit under itself."))
                break
            seen.add(ancestor_id)
            ancestor_id = (
                Pairing.objects.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()
            )
    if errors:
        raise ValidationFailed(errors)
    overlapping = Pairing.objects.filter(
        donor_region_id=pairing.donor_region_id,
        donor_organisation_id=pairing.donor_organisation_id,
        recipient_region_id=pairing.recipient_region_id,
        recipient_organisation_id=pairing.recipient_organisation_id,
        kind=pairing.kind,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=pairing.start_date))
    if pairing.end_date is not None:
        overlapping = overlapping.filter(start_date__lte=pairing.end_date)
    if pairing.pk is not None:
        overlapping = overlapping.exclude(pk=pairing.pk)
    existing = overlapping.first()
    if existing is not None:
        raise ValidationFailed(
            {
                "__all__": [
                    _("An active %(kind)s pairing of %(pairing)s already exists (from %(start)s).")
                    % {
                        "kind": existing.get_kind_display(),
                        "pairing": existing,
                        "start": existing.start_date,
                    }
                ]
            }
        )


@transaction.atomic
def pairing_create(
    *,
    actor: Any,
    donor: Region | Organisation,
    recipient: Region | Organisation,
    kind: PairingKind | str,
    level: PairingLevel | str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    parent: Pairing | None = None,
    notes: str = "",
    is_demo: bool = False,
) -> Pairing:
    require_party_in_scope(
        actor,
        regions=[p.code for p in (donor, recipient) if isinstance(p, Region)],
        organisations=[p.pk for p in (donor, recipient) if isinstance(p, Organisation)],
        role=Role.DATA_ENTRY,
    )
    if parent is not None:
        require_pairing_role(actor, parent, Role.DATA_ENTRY)
    pairing = Pairing(
        **_party_fields("donor", donor),
        **_party_fields("recipient", recipient),
        kind=kind,
        level=level,
        start_date=start_date,
        end_date=end_date,
        parent=parent,
        notes=notes,
        is_demo=is_demo,
    )
    _check_pairing(pairing)
    _full_clean(pairing)
    _save(pairing)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=pairing,
        after=snapshot(pairing),
        region_code=pairing.region_code(),
        pairing_id=pairing.pk,
    )
    return pairing


_PAIRING_EDITABLE = {"kind", "level", "start_date", "end_date", "parent", "notes"}


@transaction.atomic
def pairing_update(*, actor: Any, pairing: Pairing, **data: Any) -> Pairing:
    require_pairing_role(actor, pairing, Role.DATA_ENTRY)
    unknown = set(data) - _PAIRING_EDITABLE
    if unknown:
        raise ValidationFailed(
            {
                name: [_("Parties cannot change; end this pairing and create another.")]
                for name in unknown
            }
        )
    if data.get("parent") is not None:
        require_pairing_role(actor, data["parent"], Role.DATA_ENTRY)
    before = snapshot(pairing)
    for name, value in data.items():
        setattr(pairing, name, value)
    _check_pairing(pairing)
    _full_clean(pairing)
    after = snapshot(pairing)
    changed = {k for k in after if after[k] != before[k] and k != "updated_at"}
    if not changed:
        return pairing
    _save(pairing)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=pairing,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        region_code=pairing.region_code(),
        pairing_id=pairing.pk,
    )
    return pairing


# Agreements and meetings -----------------------------------------------------------------------


def _check_agreement(
    *,
    kind: AgreementKind | str,
    year: int | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
) -> None:
    """Rules the database also enforces, checked first so the user gets a clear message."""
    errors: dict[str, list[str]] = {}
    if kind == AgreementKind.ANNUAL and year is None:
        errors["year"] = [_("An annual agreement needs its year.")]
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = [_("The end date is before the start date.")]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    pairing: Pairing,
    kind: AgreementKind | str,
    title: str,
    signed_on: dt.date,
    year: int | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    document: File[Any] | None = None,
    notes: str = "",
) -> Agreement:
    require_pairing_role(actor, pairing, Role.DATA_ENTRY)
    agreement = Agreement(
        pairing=pairing,
        kind=kind,
        title=title.strip(),
        signed_on=signed_on,
        year=year,
        start_date=start_date,
        end_date=end_date,
        notes=notes,
    )
    _check_agreement(kind=kind, year=year, start_date=start_date, end_date=end_date)
    _full_clean(agreement, exclude=["document"])
    # Store the file only once the record is known to be valid, so a refusal leaves no orphan.
    if document is not None:
        agreement.document.save(document.name or "agreement", document, save=False)
    _save(agreement)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=agreement,
        after=snapshot(agreement),
        region_code=pairing.region_code(),
        pairing_id=pairing.pk,
    )
    return agreement


@transaction.atomic
def agreement_update(*, actor: Any, agreement: Agreement, **data: Any) -> Agreement:
    require_pairing_role(actor, agreement.pairing, Role.DATA_ENTRY)
    if "pairing" in data and data["pairing"] != agreement.pairing:
        require_pairing_role(actor, data["pairing"], Role.DATA_ENTRY)
    _check_agreement(
        kind=data.get("kind", agreement.kind),
        year=data.get("year", agreement.year),
        start_date=data.get("start_date", agreement.start_date),
        end_date=data.get("end_date", agreement.end_date),
    )
    agreement, before, changed = _update(agreement, data)
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=agreement,
            before=before,
            after=snapshot(agreement, before.keys()),
            region_code=agreement.pairing.region_code(),
            pairing_id=agreement.pairing_id,
        )
    return agreement


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    pairing: Pairing,
    kind: MeetingKind | str,
    date: dt.date,
    place: str = "",
    participants: str = "",
    summary: str = "",
    is_demo: bool = False,
) -> Meeting:
    require_pairing_role(actor, pairing, Role.DATA_ENTRY)
    meeting = Meeting(
        pairing=pairing,
        kind=kind,
        date=date,
        place=place.strip(),
        participants=participants,
        summary=summary,
        is_demo=is_demo,
    )
    _full_clean(meeting)
    _save(meeting)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=meeting,
        after=snapshot(meeting),
        region_code=pairing.region_code(),
        pairing_id=pairing.pk,
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, **data: Any) -> Meeting:
    require_pairing_role(actor, meeting.pairing, Role.DATA_ENTRY)
    if "pairing" in data and data["pairing"] != meeting.pairing:
        require_pairing_role(actor, data["pairing"], Role.DATA_ENTRY)
    meeting, before, changed = _update(meeting, data)
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=meeting,
            before=before,
            after=snapshot(meeting, before.keys()),
            region_code=meeting.pairing.region_code(),
            pairing_id=meeting.pairing_id,
        )
    return meeting


@transaction.atomic
def meeting_document_add(
    *, actor: Any, meeting: Meeting, title: str, file: File[Any]
) -> MeetingDocument:
    require_pairing_role(actor, meeting.pairing, Role.DATA_ENTRY)
    document = MeetingDocument(meeting=meeting, title=title.strip())
    _full_clean(document, exclude=["file"])
    # Store the file only once the record is known to be valid, so a refusal leaves no orphan.
    document.file.save(file.name or "document", file, save=False)
    _save(document)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=document,
        after=snapshot(document),
        region_code=meeting.pairing.region_code(),
        pairing_id=meeting.pairing_id,
    )
    return document
