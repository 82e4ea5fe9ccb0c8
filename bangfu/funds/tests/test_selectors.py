from decimal import Decimal
from typing import Any

import pytest

from bangfu.core.testing import get_region, make_organisation, pairing
from bangfu.funds.models import ReportedBy, SourceKind, Stage
from bangfu.funds.selectors import fund_flow_list, fund_summary, fund_totals, reconciliation
from bangfu.funds.services import fund_flow_record, fund_flow_reverse
from bangfu.pairings.models import PairingLevel


@pytest.fixture
def warn(settings):
    settings.BANGFU_FUND_STAGE_RULE = "warning"


def rec(
    world: Any,
    stage: str,
    amount: str,
    *,
    side: str = ReportedBy.DONOR,
    year: int = 2021,
    source: str = SourceKind.FISCAL_DISTRICT,
    pairing_: Any = None,
    project: Any = None,
    reference: str = "",
) -> Any:
    return fund_flow_record(
        actor=world.dana,
        pairing=pairing_ or world.longhua_fengshan,
        year=year,
        stage=stage,
        amount=amount,
        source_kind=source,
        reported_by=side,
        project=project,
        reference=reference,
    ).flow


def test_totals_and_rates_per_stage(world):
    rec(world, Stage.PLANNED, "4994万元")
    rec(world, Stage.ARRIVED, "4000万元")
    rec(world, Stage.PAID_OUT, "3000万元")
    rec(world, Stage.SPENT, "1500万元")
    totals = fund_totals(user=world.bob, pairing=world.longhua_fengshan, year=2021)
    assert (totals.planned, totals.arrived, totals.paid_out, totals.spent) == (
        Decimal("49940000.00"),
        Decimal("40000000.00"),
        Decimal("30000000.00"),
        Decimal("15000000.00"),
    )
    assert totals.arrival_rate == Decimal("0.8010")
    assert totals.disbursement_rate == Decimal("0.7500")
    assert totals.spending_rate == Decimal("0.5000")


def test_rates_are_none_when_nothing_came_before(world):
    totals = fund_totals(user=world.bob, pairing=world.longhua_fengshan)
    assert totals.planned == Decimal("0.00")
    assert (totals.arrival_rate, totals.disbursement_rate, totals.spending_rate) == (
        None,
        None,
        None,
    )


def test_reversals_subtract_from_totals(world):
    flow = rec(world, Stage.PLANNED, "100万元")
    rec(world, Stage.PLANNED, "50万元")
    fund_flow_reverse(actor=world.bob, flow=flow, reason="duplicate")
    assert fund_totals(user=world.bob, pairing=world.longhua_fengshan).planned == Decimal(
        "500000.00"
    )


def test_a_figure_both_sides_report_counts_once_with_the_recipients_amount(world, warn):
    rec(world, Stage.ARRIVED, "100万元", side=ReportedBy.DONOR)
    rec(world, Stage.ARRIVED, "98万元", side=ReportedBy.RECIPIENT)
    rec(world, Stage.ARRIVED, "10万元", side=ReportedBy.DONOR, source=SourceKind.DONATION_CASH)
    assert fund_totals(user=world.alice, pairing=world.longhua_fengshan).arrived == Decimal(
        "1080000.00"
    )


def test_cumulative_totals_summary_per_year_and_per_source(world):
    rec(world, Stage.PLANNED, "1000万元", year=2021)
    rec(world, Stage.PLANNED, "1100万元", year=2022)
    rec(world, Stage.PLANNED, "300万元", year=2022, source=SourceKind.DONATION_CASH)
    assert fund_totals(user=world.bob, pairing=world.longhua_fengshan).planned == Decimal(
        "24000000.00"
    )
    assert fund_totals(
        user=world.bob, pairing=world.longhua_fengshan, years=(None, 2021)
    ).planned == Decimal("10000000.00")
    by_year = fund_summary(user=world.bob, group_by=["year"])
    assert [(r.key["year"], r.totals.planned) for r in by_year] == [
        (2021, Decimal("10000000.00")),
        (2022, Decimal("14000000.00")),
    ]
    by_source = fund_summary(user=world.bob, group_by=["source_kind"], year=2022)
    assert {r.key["source_kind"]: r.totals.planned for r in by_source} == {
        "fiscal_district": Decimal("11000000.00"),
        "donation_cash": Decimal("3000000.00"),
    }


def test_nested_pairings_are_included_only_when_asked(world):
    street = make_organisation(name="观湖街道办", region=get_region("440309001000"))
    child = pairing(
        street,
        get_region("451223101000"),
        level=PairingLevel.TOWNSHIP_TOWNSHIP,
        parent=world.longhua_fengshan,
    )
    rec(world, Stage.PLANNED, "100万元")
    rec(world, Stage.PLANNED, "49万元", pairing_=child)
    assert fund_totals(user=world.bob, pairing=world.longhua_fengshan).planned == Decimal(
        "1000000.00"
    )
    assert fund_totals(
        user=world.bob, pairing=world.longhua_fengshan, include_nested=True
    ).planned == Decimal("1490000.00")


def test_summaries_run_in_one_query(world, django_assert_num_queries):
    for year in range(2016, 2021):
        rec(world, Stage.PLANNED, "1万元", year=year)
    with django_assert_num_queries(1):
        rows = fund_summary(user=world.dana, group_by=["pairing", "year"])
    assert len(rows) == 5


def test_charlie_sees_no_entries_and_zero_totals(world):
    rec(world, Stage.PLANNED, "100万元")
    assert list(fund_flow_list(user=world.charlie)) == []
    assert fund_totals(user=world.charlie, pairing=world.longhua_fengshan).planned == Decimal(
        "0.00"
    )
    assert (
        reconciliation(user=world.charlie, pairing=world.longhua_fengshan, year=2021).matched == []
    )


def test_reconciliation_lists_matched_missing_and_differing_with_the_difference(world, warn):
    pairing_ = world.longhua_fengshan
    # matched: both report 4994万 planned
    rec(world, Stage.PLANNED, "4994万元", side=ReportedBy.DONOR)
    rec(world, Stage.PLANNED, "4994万元", side=ReportedBy.RECIPIENT)
    # differing: arrived 4994万 vs 4900万
    rec(world, Stage.ARRIVED, "4994万元", side=ReportedBy.DONOR)
    rec(world, Stage.ARRIVED, "4900万元", side=ReportedBy.RECIPIENT)
    # missing on the recipient side: the donor reports a cash donation
    rec(world, Stage.ARRIVED, "300万元", side=ReportedBy.DONOR, source=SourceKind.DONATION_CASH)
    # missing on the donor side: the recipient reports paying out
    rec(world, Stage.PAID_OUT, "2000万元", side=ReportedBy.RECIPIENT)
    # reported and fully reversed by the donor: the recipient's entry is missing on the donor side
    gone = rec(world, Stage.SPENT, "10万元", side=ReportedBy.DONOR)
    fund_flow_reverse(actor=world.bob, flow=gone, reason="not ours to report")
    rec(world, Stage.SPENT, "10万元", side=ReportedBy.RECIPIENT)

    report = reconciliation(user=world.alice, pairing=pairing_, year=2021)
    assert [(line.stage, line.source_kind, line.donor_amount) for line in report.matched] == [
        ("planned", "fiscal_district", Decimal("49940000.00"))
    ]
    assert [(line.stage, line.difference) for line in report.differing] == [
        ("arrived", Decimal("-940000.00"))
    ]
    assert [
        (line.stage, line.source_kind, line.donor_amount)
        for line in report.missing_on_recipient_side
    ] == [("arrived", "donation_cash", Decimal("3000000.00"))]
    assert [(line.stage, line.recipient_amount) for line in report.missing_on_donor_side] == [
        ("paid_out", Decimal("20000000.00")),
        ("spent", Decimal("100000.00")),
    ]
    assert not report.is_reconciled


def test_reconciliation_without_source_compares_stage_totals(world, warn):
    rec(world, Stage.ARRIVED, "100万元", side=ReportedBy.DONOR, source=SourceKind.FISCAL_CITY)
    rec(
        world,
        Stage.ARRIVED,
        "100万元",
        side=ReportedBy.RECIPIENT,
        source=SourceKind.FISCAL_DISTRICT,
    )
    assert not reconciliation(
        user=world.bob, pairing=world.longhua_fengshan, year=2021
    ).is_reconciled
    report = reconciliation(
        user=world.bob, pairing=world.longhua_fengshan, year=2021, by_source=False
    )
    assert report.is_reconciled
    assert len(report.matched) == 1
