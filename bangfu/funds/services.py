"""Writes to the fund-flow ledger. Append-only: record an entry or reverse one; nothing else.

There is deliberately no update or delete service. A wrong entry is corrected by a reversing
entry with a reason, and then (if needed) the right entry is recorded again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import require_pairing_role, scope_for
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditAction
from bangfu.core.money import AmountError, Unit, format_amount, parse_amount
from bangfu.core.services import audit_record, snapshot
from bangfu.funds.ledger import counted, next_stage, previous_stage, stage_totals
from bangfu.funds.models import FundFlow, ReportedBy, SourceKind, Stage
from bangfu.pairings.models import Organisation, Pairing
from bangfu.projects.models import Project
from bangfu.regions import codes


@dataclass(frozen=True)
class FundFlowResult:
    """The entry written, and the stage-rule warnings (when the rule is set to "warning")."""

    flow: FundFlow
    warnings: list[str] = field(default_factory=list)


def sides_for(actor: Any, pairing: Pairing) -> set[str]:
    """The sides of `pairing` the actor may report for: the side(s) their own scope lies on."""
    scope = scope_for(actor)
    if scope.is_superuser:
        return {ReportedBy.DONOR, ReportedBy.RECIPIENT}
    sides: set[str] = set()
    parent = pairing.parent
    for side in (ReportedBy.DONOR, ReportedBy.RECIPIENT):
        region_id = getattr(pairing, f"{side}_region_id")
        organisation: Organisation | None = getattr(pairing, f"{side}_organisation")
        if scope.region_prefix is not None:
            party_code = region_id or (organisation.region_id if organisation else "")
            if party_code and str(party_code).startswith(scope.region_prefix):
                sides.add(side)
        if scope.organisation_id is not None:
            parent_org = getattr(parent, f"{side}_organisation_id", None) if parent else None
            if scope.organisation_id in {getattr(pairing, f"{side}_organisation_id"), parent_org}:
                sides.add(side)
    return sides


def _require_side(actor: Any, pairing: Pairing, reported_by: str) -> None:
    if reported_by not in sides_for(actor, pairing):
        raise PermissionDenied(
            _("You may only report figures for your own side of this pairing (%(side)s).")
            % {"side": ReportedBy(reported_by).label}
        )


def _amount(value: Any, unit: Unit) -> Decimal:
    try:
        amount = parse_amount(value, unit)
    except AmountError as exc:
        raise ValidationFailed({"amount": [_("Not an exact amount: %s") % exc]}) from None
    if amount <= 0:
        raise ValidationFailed(
            {
                "amount": [
                    _(
                        "An amount must be greater than zero. To correct an entry, record a "
                        "reversal of it with a reason."
                    )
                ]
            }
        )
    return amount


def _choice(name: str, value: str, choices: type[Any]) -> None:
    if value not in choices.values:
        raise ValidationFailed(
            {
                name: [
                    _("“%(value)s” is not one of: %(allowed)s.")
                    % {"value": value, "allowed": ", ".join(choices.values)}
                ]
            }
        )


def _full_clean_and_save(flow: FundFlow) -> None:
    try:
        flow.full_clean()
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc) from None
    try:
        with transaction.atomic():
            flow.save()
    except IntegrityError as exc:
        raise ValidationFailed(_("The entry conflicts with an existing one: %s") % exc) from None


def stage_rule_messages(flow: FundFlow) -> list[str]:
    """Where this entry makes a stage exceed the stage before it beyond the tolerance.

    An entry adding to stage S compares S with the stage before it; a reversal (taking away from
    S) compares the stage after S with S. The check runs on the pairing's year as a whole and,
    when the entry has a project that has figures of the earlier stage of its own, on the project.
    """
    tolerance = Decimal(str(getattr(settings, "BANGFU_FUND_STAGE_TOLERANCE", 0)))
    earlier: str | None
    later: str | None
    if flow.reverses_id is None:
        earlier, later = previous_stage(flow.stage), flow.stage
    else:
        earlier, later = flow.stage, next_stage(flow.stage)
    if earlier is None or later is None:
        return []
    year_flows = FundFlow.objects.filter(pairing_id=flow.pairing_id, year=flow.year)
    groups: list[tuple[Any, str]] = [(year_flows, "")]
    if flow.project_id is not None:
        project_flows = year_flows.filter(project_id=flow.project_id)
        if counted(project_flows).filter(stage=earlier).exists():
            groups.append((project_flows, _(", project %s") % flow.project))
    messages = []
    for flows, where in groups:
        totals = stage_totals(flows)
        limit = totals.of(earlier) * (1 + tolerance / 100)
        if totals.of(later) > limit:
            messages.append(
                _(
                    "%(later)s would be %(later_total)s, more than %(earlier)s "
                    "(%(earlier_total)s) allows with a tolerance of %(tolerance)s%% "
                    "(%(year)s%(where)s)."
                )
                % {
                    "later": Stage(later).label,
                    "later_total": format_amount(totals.of(later)),
                    "earlier": Stage(earlier).label,
                    "earlier_total": format_amount(totals.of(earlier)),
                    "tolerance": tolerance,
                    "year": flow.year,
                    "where": where,
                }
            )
    return messages


def _apply_stage_rule(flow: FundFlow) -> list[str]:
    messages = stage_rule_messages(flow)
    if messages and getattr(settings, "BANGFU_FUND_STAGE_RULE", "error") != "warning":
        # Raising inside the service's transaction undoes the entry and its audit event.
        raise ValidationFailed({"amount": messages})
    return messages


def _audit(actor: Any, flow: FundFlow) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=flow,
        after=snapshot(flow),
        region_code=flow.pairing.region_code(),
        pairing_id=flow.pairing_id,
    )


def _new_reference(year: int, stage: str) -> str:
    return f"{year}-{stage}-{uuid.uuid4().hex[:10]}"


@transaction.atomic
def fund_flow_record(
    *,
    actor: Any,
    pairing: Pairing,
    year: int,
    stage: Stage | str,
    amount: Decimal | str | int,
    source_kind: SourceKind | str,
    reported_by: ReportedBy | str,
    unit: Unit = Unit.YUAN,
    source_organisation: Organisation | None = None,
    receiving_organisation: Organisation | None = None,
    project: Project | None = None,
    date: dt.date | None = None,
    evidence: File[Any] | None = None,
    description: str = "",
    reference: str = "",
    is_demo: bool = False,
) -> FundFlowResult:
    """Record one entry. `amount` is exact: a Decimal/int in `unit`, or text such as "4994万元"."""
    require_pairing_role(actor, pairing, Role.DATA_ENTRY)
    _choice("stage", str(stage), Stage)
    _choice("source_kind", str(source_kind), SourceKind)
    _choice("reported_by", str(reported_by), ReportedBy)
    _require_side(actor, pairing, str(reported_by))
    yuan = _amount(amount, unit)
    if project is not None and project.pairing_id != pairing.pk:
        raise ValidationFailed({"project": [_("The project belongs to another pairing.")]})
    reference = reference.strip() or _new_reference(year, str(stage))
    if FundFlow.objects.filter(
        pairing=pairing, reported_by=reported_by, reference=reference
    ).exists():
        raise ValidationFailed(
            {"reference": [_("The reference “%s” is already used on this side.") % reference]}
        )
    flow = FundFlow(
        pairing=pairing,
        year=year,
        stage=stage,
        amount=yuan,
        source_kind=source_kind,
        source_organisation=source_organisation,
        receiving_organisation=receiving_organisation,
        project=project,
        date=date,
        description=description,
        reported_by=reported_by,
        reference=reference,
        is_demo=is_demo,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if evidence is not None:
        flow.evidence.save(evidence.name or "evidence", evidence, save=False)
    _full_clean_and_save(flow)
    _audit(actor, flow)
    return FundFlowResult(flow, _apply_stage_rule(flow))


@transaction.atomic
def fund_flow_reverse(
    *,
    actor: Any,
    flow: FundFlow,
    reason: str,
    date: dt.date | None = None,
    reference: str = "",
) -> FundFlowResult:
    """Cancel an entry by recording its exact opposite, with the reason."""
    flow = FundFlow.objects.select_for_update().select_related("pairing").get(pk=flow.pk)
    require_pairing_role(actor, flow.pairing, Role.DATA_ENTRY)
    _require_side(actor, flow.pairing, flow.reported_by)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("A reversal needs a reason.")]})
    if flow.reverses_id is not None:
        raise ValidationFailed(
            _("A reversal cannot itself be reversed; record the entry again instead.")
        )
    if FundFlow.objects.filter(reverses=flow).exists():
        raise ValidationFailed(_("This entry has already been reversed."))
    reversal = FundFlow(
        pairing=flow.pairing,
        year=flow.year,
        stage=flow.stage,
        amount=flow.amount,
        source_kind=flow.source_kind,
        source_organisation_id=flow.source_organisation_id,
        receiving_organisation_id=flow.receiving_organisation_id,
        project_id=flow.project_id,
        date=date or timezone.localdate(),
        description=flow.description,
        reported_by=flow.reported_by,
        reference=reference.strip() or f"{flow.reference[:60]}-R",
        reverses=flow,
        reason=reason,
        is_demo=flow.is_demo,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _full_clean_and_save(reversal)
    _audit(actor, reversal)
    return FundFlowResult(reversal, _apply_stage_rule(reversal))


def region_within_recipient(pairing: Pairing, region_code: str) -> bool:
    """True when the region lies on the pairing's recipient side (where its projects are)."""
    recipient = pairing.recipient_region_id or (
        pairing.recipient_organisation.region_id if pairing.recipient_organisation else None
    )
    return bool(recipient) and codes.is_within(region_code, str(recipient))
