from decimal import Decimal
from typing import Any

import pytest

from bangfu.accounts.models import Role
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditEvent
from bangfu.core.testing import make_user
from bangfu.funds.models import FundFlow, ReportedBy, SourceKind, Stage
from bangfu.funds.services import fund_flow_record, fund_flow_reverse


def record(world: Any, actor: Any = None, **kwargs: Any) -> Any:
    data = {
        "actor": actor or world.bob,
        "pairing": world.longhua_fengshan,
        "year": 2021,
        "stage": Stage.PLANNED,
        "amount": "100万元",
        "source_kind": SourceKind.FISCAL_DISTRICT,
        "reported_by": ReportedBy.DONOR,
    }
    data.update(kwargs)
    return fund_flow_record(**data)


def test_it_records_an_entry_in_exact_yuan_with_an_audit_event(world):
    result = record(world, amount="4994万元")
    assert result.flow.amount == Decimal("49940000.00")
    assert result.warnings == []
    event = AuditEvent.objects.get(object_type="funds.fundflow", object_id=str(result.flow.pk))
    assert event.after is not None
    assert event.after["amount"] == "49940000.00"
    assert event.pairing_id == world.longhua_fengshan.pk
    assert event.actor == world.bob


@pytest.mark.parametrize("amount", ["-5", "0", Decimal("-1"), 0])
def test_it_refuses_negative_and_zero_amounts_and_points_to_reversal(world, amount):
    with pytest.raises(ValidationFailed) as exc:
        record(world, amount=amount)
    assert "reversal" in exc.value.errors["amount"][0]
    assert FundFlow.objects.count() == 0


def test_it_refuses_a_float_amount(world):
    with pytest.raises(ValidationFailed):
        record(world, amount=1.5)


def test_a_donor_user_cannot_report_for_the_recipient_side(world):
    with pytest.raises(PermissionDenied):
        record(world, reported_by=ReportedBy.RECIPIENT)


def test_charlie_cannot_record_on_a_pairing_outside_his_scope(world):
    with pytest.raises(PermissionDenied):
        record(world, actor=world.charlie)


def test_a_viewer_cannot_record(world):
    viewer = make_user(region=world.longhua, roles=[Role.VIEWER])
    with pytest.raises(PermissionDenied):
        record(world, actor=viewer)


def test_a_reference_is_unique_per_pairing_and_side(world):
    record(world, reference="A-1")
    with pytest.raises(ValidationFailed) as exc:
        record(world, reference="A-1")
    assert "A-1" in exc.value.errors["reference"][0]


def test_a_reversal_cancels_an_entry_without_rewriting_it(world):
    original = record(world, amount="100万元").flow
    reversal = fund_flow_reverse(actor=world.bob, flow=original, reason="entered twice").flow
    original.refresh_from_db()
    assert original.amount == Decimal("1000000.00")
    assert reversal.amount == Decimal("1000000.00")
    assert reversal.signed_amount == Decimal("-1000000.00")
    assert reversal.reverses == original
    assert reversal.reason == "entered twice"
    assert (reversal.stage, reversal.year, reversal.pairing) == (
        original.stage,
        original.year,
        original.pairing,
    )
    assert reversal.reference == f"{original.reference}-R"


def test_a_reversal_needs_a_reason(world):
    original = record(world).flow
    with pytest.raises(ValidationFailed) as exc:
        fund_flow_reverse(actor=world.bob, flow=original, reason="  ")
    assert "reason" in exc.value.errors


def test_an_entry_can_be_reversed_only_once_and_a_reversal_not_at_all(world):
    original = record(world).flow
    reversal = fund_flow_reverse(actor=world.bob, flow=original, reason="wrong year").flow
    with pytest.raises(ValidationFailed, match="already been reversed"):
        fund_flow_reverse(actor=world.bob, flow=original, reason="again")
    with pytest.raises(ValidationFailed, match="cannot itself be reversed"):
        fund_flow_reverse(actor=world.bob, flow=reversal, reason="undo")


def test_the_other_side_cannot_reverse_an_entry_it_did_not_report(world):
    original = record(world).flow
    with pytest.raises(PermissionDenied):
        fund_flow_reverse(actor=world.alice, flow=original, reason="not ours")


def test_the_database_refuses_a_reversal_without_reason_and_a_negative_amount(world):
    from django.db import IntegrityError, transaction

    original = record(world).flow
    with pytest.raises(IntegrityError), transaction.atomic():
        FundFlow.objects.create(
            pairing=original.pairing,
            year=2021,
            stage=Stage.PLANNED,
            amount=Decimal("-1"),
            source_kind=SourceKind.FISCAL_DISTRICT,
            reported_by=ReportedBy.DONOR,
            reference="x",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FundFlow.objects.create(
            pairing=original.pairing,
            year=2021,
            stage=Stage.PLANNED,
            amount=Decimal("1"),
            source_kind=SourceKind.FISCAL_DISTRICT,
            reported_by=ReportedBy.DONOR,
            reference="y",
            reverses=original,
            reason="",
        )


def test_a_stage_beyond_the_stage_before_it_is_refused_when_the_rule_is_error(world, settings):
    settings.BANGFU_FUND_STAGE_RULE = "error"
    settings.BANGFU_FUND_STAGE_TOLERANCE = Decimal("0")
    record(world, amount="100万元")
    with pytest.raises(ValidationFailed) as exc:
        record(world, stage=Stage.ARRIVED, amount="100.01万元")
    assert str(Stage.ARRIVED.label) in exc.value.errors["amount"][0]
    assert FundFlow.objects.filter(stage=Stage.ARRIVED).count() == 0
    assert not AuditEvent.objects.filter(after__stage=Stage.ARRIVED).exists()
    assert record(world, stage=Stage.ARRIVED, amount="100万元").warnings == []


def test_the_tolerance_lets_a_stage_exceed_the_one_before_it_a_little(world, settings):
    settings.BANGFU_FUND_STAGE_RULE = "error"
    settings.BANGFU_FUND_STAGE_TOLERANCE = Decimal("5")
    record(world, amount="100万元")
    record(world, stage=Stage.ARRIVED, amount="105万元")
    with pytest.raises(ValidationFailed):
        record(world, stage=Stage.ARRIVED, amount="0.01")


def test_the_warning_rule_records_the_entry_and_returns_the_warning(world, settings):
    settings.BANGFU_FUND_STAGE_RULE = "warning"
    settings.BANGFU_FUND_STAGE_TOLERANCE = Decimal("0")
    result = record(world, stage=Stage.ARRIVED, amount="10万元")
    assert result.flow.pk is not None
    assert len(result.warnings) == 1
    assert "0.0000万元" in result.warnings[0]


def test_reversing_a_planned_entry_below_what_arrived_is_refused(world, settings):
    settings.BANGFU_FUND_STAGE_RULE = "error"
    planned = record(world, amount="100万元").flow
    record(world, stage=Stage.ARRIVED, amount="100万元")
    with pytest.raises(ValidationFailed):
        fund_flow_reverse(actor=world.bob, flow=planned, reason="wrong")
    assert FundFlow.objects.filter(reverses=planned).count() == 0
