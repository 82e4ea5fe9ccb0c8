"""Writes of the indicator app: catalogue, figures and their sign-off, targets.

Workflow of a figure: draft → submitted → approved → locked. A reviewer may send a submitted or
approved figure back to draft with a reason; an administrator may unlock a locked figure (with a
reason), which reopens it as a draft even after its period closed. Rights: see rights.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import can_view_pairing, require_pairing_role, require_role, scope_for
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditAction, AuditEvent
from bangfu.core.services import audit_record, snapshot
from bangfu.indicators import computed, rights, validation
from bangfu.indicators.expressions import ExpressionError
from bangfu.indicators.models import (
    DataValue,
    Indicator,
    Side,
    Source,
    Status,
    Target,
    ValidationRule,
)
from bangfu.indicators.periods import Period
from bangfu.pairings.models import Agreement, Organisation, Pairing
from bangfu.regions.models import Region


def _decimal(value: Any, name: str = "value") -> Decimal:
    if isinstance(value, bool | float):
        raise ValidationFailed({name: [_("Give the figure as text or a decimal, not a float.")]})
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            {name: [_("“%(value)s” is not a number.") % {"value": value}]}
        ) from None
    if not number.is_finite():
        raise ValidationFailed({name: [_("The figure must be a finite number.")]})
    return number


def _clean(instance: Any) -> None:
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


def _region_code(value: DataValue) -> str:
    return rights.reporter_code(value)


def _audit(actor: Any, value: DataValue, action: AuditAction, before: Any, **extra: Any) -> None:
    after = snapshot(value)
    after.update(extra)
    audit_record(
        actor=actor,
        action=action,
        instance=value,
        before=before,
        after=after,
        region_code=_region_code(value),
        pairing_id=value.pairing_id,
    )


# Catalogue --------------------------------------------------------------------------------------


@transaction.atomic
def indicator_create(
    *, actor: Any, code: str, name_zh: str, name_en: str, **fields: Any
) -> Indicator:
    """Add an indicator (administrators). A computed one needs a registered provider."""
    require_role(actor, Role.ADMINISTRATOR)
    indicator = Indicator(code=code, name_zh=name_zh, name_en=name_en, **fields)
    if indicator.is_computed and indicator.provider not in computed.provider_keys():
        raise ValidationFailed({"provider": [_("No computation is registered under this key.")]})
    if Indicator.objects.filter(code=code).exists():
        raise ValidationFailed({"code": [_("An indicator with this code exists.")]})
    _clean(indicator)
    indicator.save()
    audit_record(
        actor=actor, action=AuditAction.CREATE, instance=indicator, after=snapshot(indicator)
    )
    return indicator


@transaction.atomic
def validation_rule_create(
    *, actor: Any, code: str, left: str, operator: str, right: str, importance: str, **extra: Any
) -> ValidationRule:
    require_role(actor, Role.ADMINISTRATOR)
    try:
        validation.compile_rule(left, operator, right)
    except ExpressionError as exc:
        raise ValidationFailed({"left": [str(exc)]}) from None
    rule = ValidationRule(
        code=code, left=left, operator=operator, right=right, importance=importance, **extra
    )
    _clean(rule)
    rule.save()
    audit_record(actor=actor, action=AuditAction.CREATE, instance=rule, after=snapshot(rule))
    return rule


# Figures ----------------------------------------------------------------------------------------


@dataclass
class SetResult:
    value: DataValue
    created: bool
    warnings: list[str] = field(default_factory=list)


def _find(
    indicator: Indicator,
    period: Period,
    pairing: Pairing | None,
    reported_by: str,
    party_region: Region | None,
    party_organisation: Organisation | None,
) -> DataValue | None:
    return (
        DataValue.objects.select_for_update(of=("self",))
        .filter(
            indicator=indicator,
            pairing=pairing,
            party_region=party_region,
            party_organisation=party_organisation,
            reported_by=reported_by,
            period_kind=period.kind.value,
            period_start=period.start,
            period_end=period.end,
        )
        .first()
    )


def _require_open(actor: Any, period_end: dt.date, value: DataValue | None) -> None:
    scope = scope_for(actor)
    if scope.is_superuser or scope.has_role(Role.ADMINISTRATOR):
        return
    if value is not None and value.reopened:
        return
    if rights.is_closed(period_end):
        raise ValidationFailed(
            {
                "period": [
                    _("This period closed on %(day)s; ask an administrator to reopen the figure.")
                    % {"day": rights.closes_on(period_end).isoformat()}
                ]
            }
        )


@transaction.atomic
def data_value_set(
    *,
    actor: Any,
    indicator: Indicator,
    period: Period,
    value: Any,
    pairing: Pairing | None = None,
    reported_by: str = "",
    party_region: Region | None = None,
    party_organisation: Organisation | None = None,
    source: str = Source.MANUAL,
    document_ref: str = "",
    span: tuple[int, int] | None = None,
    comment: str = "",
    is_demo: bool = False,
) -> SetResult:
    """Enter or correct a draft figure. Error rules refuse it; warnings are stored as flags."""
    if indicator.is_computed:
        raise ValidationFailed(
            {
                "indicator": [
                    _("%(code)s is computed from records and cannot be entered.")
                    % {"code": indicator.code}
                ]
            }
        )
    if not indicator.is_active:
        raise ValidationFailed({"indicator": [_("This indicator is no longer in use.")]})
    if pairing is not None:
        if reported_by not in (Side.DONOR, Side.RECIPIENT):
            raise ValidationFailed(
                {"reported_by": [_("Say which side reports: donor or recipient.")]}
            )
        if not can_view_pairing(actor, pairing):
            raise PermissionDenied(_("This pairing is outside your scope."))
    else:
        reported_by = Side.PARTY
        if (party_region is None) == (party_organisation is None):
            raise ValidationFailed({"pairing": [_("Give a pairing, or one reporting party.")]})
    number = _decimal(value)
    existing = _find(indicator, period, pairing, reported_by, party_region, party_organisation)
    figure = existing or DataValue(
        indicator=indicator,
        pairing=pairing,
        party_region=party_region,
        party_organisation=party_organisation,
        reported_by=reported_by,
        entered_by_id=getattr(actor, "pk", None),
        is_demo=is_demo,
    )
    figure.set_period(period)
    if not rights.may_enter(actor, figure):
        raise PermissionDenied(_("You may not enter figures for this side."))
    if existing is not None and existing.status != Status.DRAFT:
        raise ValidationFailed(
            {
                "status": [
                    _("This figure is %(status)s; it must be sent back before it changes.")
                    % {"status": existing.get_status_display()}
                ]
            }
        )
    _require_open(actor, period.end, existing)
    before = snapshot(existing) if existing is not None else None
    figure.value = number
    figure.source = source
    figure.document_ref = document_ref
    figure.span_start, figure.span_end = span if span is not None else (None, None)
    figure.comment = comment
    findings = validation.entry_findings(figure)
    errors = validation.errors_of(findings)
    if errors:
        raise ValidationFailed({"value": errors})
    figure.flags = [f.as_flag() for f in findings]
    _clean(figure)
    try:
        with transaction.atomic():
            figure.save()
    except IntegrityError:
        raise ValidationFailed(
            _("This figure was entered at the same time by someone else.")
        ) from None
    action = AuditAction.CREATE if existing is None else AuditAction.UPDATE
    _audit(actor, figure, action, before)
    return SetResult(figure, existing is None, [f.message for f in findings])


def _transition(
    actor: Any,
    value: DataValue,
    allowed_from: tuple[str, ...],
    to: str,
    reason: str = "",
    **changes: Any,
) -> DataValue:
    locked = (
        DataValue.objects.select_for_update(of=("self",))
        .select_related("indicator", "pairing", "party_organisation")
        .get(pk=value.pk)
    )
    if locked.status not in allowed_from:
        raise ValidationFailed(
            {
                "status": [
                    _("This cannot be done to a figure that is %(status)s.")
                    % {"status": locked.get_status_display()}
                ]
            }
        )
    before = snapshot(locked)
    locked.status = to
    for name, new in changes.items():
        setattr(locked, name, new)
    locked.save()
    _audit(actor, locked, AuditAction.UPDATE, before, step=to, reason=reason)
    value.refresh_from_db()
    return locked


@transaction.atomic
def data_value_submit(*, actor: Any, data_value: DataValue) -> DataValue:
    if not rights.may_enter(actor, data_value):
        raise PermissionDenied(_("You may not submit figures for this side."))
    _require_open(actor, data_value.period_end, data_value)
    return _transition(
        actor,
        data_value,
        (Status.DRAFT,),
        Status.SUBMITTED,
        submitted_by_id=getattr(actor, "pk", None),
        submitted_at=timezone.now(),
        sent_back_reason="",
    )


@transaction.atomic
def data_values_submit(*, actor: Any, data_values: Iterable[DataValue]) -> int:
    """Submit several figures, all or none (the first refusal undoes the others)."""
    count = 0
    for value in data_values:
        data_value_submit(actor=actor, data_value=value)
        count += 1
    return count


def _require_reviewer(actor: Any, value: DataValue) -> None:
    if not rights.may_review(actor, value):
        raise PermissionDenied(
            _("Only a reviewer of the level above or of the other side may review this figure.")
        )


@transaction.atomic
def data_value_approve(*, actor: Any, data_value: DataValue) -> DataValue:
    _require_reviewer(actor, data_value)
    return _transition(
        actor,
        data_value,
        (Status.SUBMITTED,),
        Status.APPROVED,
        approved_by_id=getattr(actor, "pk", None),
        approved_at=timezone.now(),
        reopened=False,
    )


@transaction.atomic
def data_values_approve(*, actor: Any, data_values: Iterable[DataValue]) -> int:
    """Approve several figures, all or none (the first refusal undoes the others)."""
    count = 0
    for value in data_values:
        data_value_approve(actor=actor, data_value=value)
        count += 1
    return count


@transaction.atomic
def data_value_send_back(*, actor: Any, data_value: DataValue, reason: str) -> DataValue:
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Say why the figure goes back.")]})
    _require_reviewer(actor, data_value)
    return _transition(
        actor,
        data_value,
        (Status.SUBMITTED, Status.APPROVED),
        Status.DRAFT,
        reason=reason.strip(),
        sent_back_reason=reason.strip(),
        approved_by_id=None,
        approved_at=None,
    )


@transaction.atomic
def data_value_lock(*, actor: Any, data_value: DataValue) -> DataValue:
    if not (scope_for(actor).has_role(Role.ADMINISTRATOR) or rights.may_review(actor, data_value)):
        raise PermissionDenied(_("Only a reviewer of this figure or an administrator may lock it."))
    return _transition(actor, data_value, (Status.APPROVED,), Status.LOCKED)


@transaction.atomic
def data_value_unlock(*, actor: Any, data_value: DataValue, reason: str) -> DataValue:
    require_role(actor, Role.ADMINISTRATOR)
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Say why the figure is unlocked.")]})
    return _transition(
        actor, data_value, (Status.LOCKED,), Status.DRAFT, reason=reason.strip(), reopened=True
    )


@transaction.atomic
def periods_close(*, actor: Any, today: dt.date | None = None) -> int:
    """Lock every approved figure whose period's deadline has passed; one audit event each."""
    require_role(actor, Role.ADMINISTRATOR)
    today = today or timezone.localdate()
    last_open_end = today - dt.timedelta(days=rights.deadline_days())
    due = DataValue.objects.select_for_update(of=("self",)).filter(
        status=Status.APPROVED, period_end__lt=last_open_end
    )
    rows = list(due.select_related("pairing", "party_organisation").order_by("pk"))
    due.filter(pk__in=[v.pk for v in rows]).update(status=Status.LOCKED, updated_at=timezone.now())
    actor_id = getattr(actor, "pk", None)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_id=actor_id,
                action=AuditAction.UPDATE,
                object_type=DataValue._meta.label_lower,
                object_id=str(v.pk),
                object_repr=f"{v.indicator_id} {v.period}"[:255],
                before={"status": Status.APPROVED},
                after={"status": Status.LOCKED, "step": "period_closed"},
                region_code=rights.reporter_code(v),
                pairing_id=v.pairing_id,
            )
            for v in rows
        ],
        batch_size=500,
    )
    return len(rows)


# Targets ----------------------------------------------------------------------------------------


def _owner_code(
    pairing: Pairing | None, party_region: Region | None, party_organisation: Organisation | None
) -> str:
    if pairing is not None:
        return pairing.region_code()
    if party_region is not None:
        return str(party_region.pk)
    assert party_organisation is not None
    return str(party_organisation.region_id)


def _require_target_right(
    actor: Any,
    pairing: Pairing | None,
    party_region: Region | None,
    party_organisation: Organisation | None,
) -> None:
    if pairing is not None:
        if party_region is not None or party_organisation is not None:
            raise ValidationFailed({"pairing": [_("Give a pairing, or one reporting party.")]})
        require_pairing_role(actor, pairing, Role.DATA_ENTRY)
        return
    if (party_region is None) == (party_organisation is None):
        raise ValidationFailed({"pairing": [_("Give a pairing, or one reporting party.")]})
    code = _owner_code(None, party_region, party_organisation)
    organisation_id = party_organisation.pk if party_organisation is not None else None
    if not rights.may_enter_for_party(actor, code=code, organisation_id=organisation_id):
        raise PermissionDenied(_("You may not set targets for this party."))


@transaction.atomic
def target_set(
    *,
    actor: Any,
    indicator: Indicator,
    period: Period,
    value: Any,
    pairing: Pairing | None = None,
    party_region: Region | None = None,
    party_organisation: Organisation | None = None,
    agreement: Agreement | None = None,
    comment: str = "",
    is_demo: bool = False,
) -> Target:
    """Set (or change) the target of an indicator for a pairing, or for one reporting party as
    a whole (a region or an organisation), and a period."""
    _require_target_right(actor, pairing, party_region, party_organisation)
    number = _decimal(value)
    if number < 0:
        raise ValidationFailed({"value": [_("A target cannot be negative.")]})
    if agreement is not None and (pairing is None or agreement.pairing_id != pairing.pk):
        raise ValidationFailed({"agreement": [_("The agreement belongs to another pairing.")]})
    target = (
        Target.objects.select_for_update(of=("self",))
        .filter(
            indicator=indicator,
            pairing=pairing,
            party_region=party_region,
            party_organisation=party_organisation,
            period_kind=period.kind.value,
            period_start=period.start,
            period_end=period.end,
        )
        .first()
    )
    before = snapshot(target) if target is not None else None
    if target is None:
        target = Target(
            indicator=indicator,
            pairing=pairing,
            party_region=party_region,
            party_organisation=party_organisation,
            is_demo=is_demo,
        )
        target.set_period(period)
    elif (target.value, target.agreement_id, target.comment) == (
        number,
        agreement.pk if agreement is not None else None,
        comment,
    ):
        return target  # unchanged: nothing to write, nothing to audit
    target.value, target.agreement, target.comment = number, agreement, comment
    _clean(target)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise ValidationFailed(_("This target was set at the same time by someone else.")) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=target,
        before=before,
        after=snapshot(target),
        region_code=_owner_code(pairing, party_region, party_organisation),
        pairing_id=pairing.pk if pairing is not None else None,
    )
    return target


# The entry grid ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCellInput:
    """One edited cell: a target, or a figure for one side."""

    indicator: str
    period: str
    kind: str  # "target" or "value"
    value: Any
    side: str = ""


@transaction.atomic
def grid_save(
    *,
    actor: Any,
    cells: list[GridCellInput],
    pairing: Pairing | None = None,
    party_region: Region | None = None,
    party_organisation: Organisation | None = None,
) -> int:
    """Save many targets and figures of a pairing (or of one party) at once; all or nothing,
    with an error per refused cell.

    Errors are keyed ``cells.<index>``. Returns the number of cells saved. A party's figures
    have no side: `side` is ignored for them.
    """
    from bangfu.indicators.periods import PeriodError
    from bangfu.indicators.periods import parse as parse_period

    _require_target_right(actor, pairing, party_region, party_organisation)
    owner: dict[str, Any] = {
        "pairing": pairing,
        "party_region": party_region,
        "party_organisation": party_organisation,
    }
    indicators = Indicator.objects.in_bulk([c.indicator for c in cells], field_name="code")
    errors: dict[str, list[str]] = {}
    for index, cell in enumerate(cells):
        key = f"cells.{index}"
        indicator = indicators.get(cell.indicator)
        try:
            if indicator is None:
                raise ValidationFailed(
                    _("No indicator has the code “%(code)s”.") % {"code": cell.indicator}
                )
            try:
                period = parse_period(cell.period)
            except PeriodError as exc:
                raise ValidationFailed(str(exc)) from None
            with transaction.atomic():
                if cell.kind == "target":
                    target_set(
                        actor=actor, indicator=indicator, period=period, value=cell.value, **owner
                    )
                elif cell.kind == "value":
                    data_value_set(
                        actor=actor,
                        indicator=indicator,
                        period=period,
                        value=cell.value,
                        reported_by=cell.side if pairing is not None else "",
                        **owner,
                    )
                else:
                    raise ValidationFailed(_("A cell is a “target” or a “value”."))
        except (ValidationFailed, PermissionDenied) as exc:
            messages = (
                [m for ms in exc.errors.values() for m in ms]
                if isinstance(exc, ValidationFailed)
                else [str(exc)]
            )
            errors[key] = messages
    if errors:
        raise ValidationFailed(errors)
    return len(cells)
