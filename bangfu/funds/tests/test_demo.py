"""The demo reproduces every fund and project figure of the seed reports exactly."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from bangfu.accounts.scopes import SYSTEM
from bangfu.core.money import parse_amount
from bangfu.core.testing import get_region, pairing
from bangfu.funds import demo as funds_demo
from bangfu.funds.models import FISCAL_SOURCES, FundFlow, SourceKind
from bangfu.funds.selectors import fund_totals
from bangfu.pairings.models import PairingKind, PairingLevel
from bangfu.projects import demo as projects_demo
from bangfu.projects.models import Project
from bangfu.projects.selectors import project_totals


@pytest.fixture
def demo(world) -> dict[str, Any]:
    """The demo pairings (built here in case the demo pairings module is not loaded), loaded."""
    made = {"tianhe_nayong": world.tianhe_nayong, "longhua_fengshan": world.longhua_fengshan}
    for key, (donor, recipient, parent) in projects_demo.PAIRINGS.items():
        if key in made:
            continue
        parent_pairing = made["guangming_chayu"] if parent else None
        made[key] = pairing(
            get_region(donor),
            get_region(recipient),
            kind=PairingKind.PAIRED_ASSISTANCE,
            level=PairingLevel.TOWNSHIP_TOWNSHIP if parent else PairingLevel.COUNTY_COUNTY,
            start=dt.date(2016, 1, 1),
            parent=parent_pairing,
        )
    funds_demo.load(SYSTEM)
    return made


def wan(text: str) -> Decimal:
    return parse_amount(text)


def check_tianhe_nayong_yearly_funds_and_75_projects(demo: dict[str, Any]) -> None:
    for year, (amount, count) in projects_demo.TIANHE_YEARS.items():
        totals = fund_totals(user=SYSTEM, pairing=demo["tianhe_nayong"], year=year)
        assert totals.planned == totals.arrived == totals.spent == parse_amount(amount)
        assert (
            project_totals(user=SYSTEM, pairing=demo["tianhe_nayong"], year=year).projects == count
        )
    projects = project_totals(user=SYSTEM, pairing=demo["tianhe_nayong"])
    assert projects.projects == 75
    assert projects.unspent_flagged == 0
    assert projects.funding.spent == wan("18467.349万元")


def check_baoan_longchuan_arrived_paid_out_and_sources(demo: dict[str, Any]) -> None:
    p = demo["baoan_longchuan"]
    totals = fund_totals(user=SYSTEM, pairing=p, years=(None, 2018))
    assert totals.arrived == wan("4.1565亿元")
    assert totals.paid_out == wan("2.3462亿元")
    assert totals.disbursement_rate == Decimal("0.5645")
    by_source = {
        kind: fund_totals(user=SYSTEM, pairing=p, source_kind=kind).arrived
        for kind in (
            SourceKind.FISCAL_DISTRICT,
            SourceKind.FISCAL_CITY_DEPARTMENTS,
            SourceKind.FISCAL_CITY_SOES,
        )
    }
    assert by_source == {
        SourceKind.FISCAL_DISTRICT: wan("2.7379亿元"),
        SourceKind.FISCAL_CITY_DEPARTMENTS: wan("4750万元"),
        SourceKind.FISCAL_CITY_SOES: wan("9436万元"),
    }
    assert project_totals(user=SYSTEM, pairing=p).funding.paid_out == wan("4100万元")


def check_longhua_fengshan_2021_fiscal_and_donations(demo: dict[str, Any]) -> None:
    p = demo["longhua_fengshan"]
    assert fund_totals(
        user=SYSTEM, pairing=p, year=2021, source_kind=FISCAL_SOURCES
    ).arrived == wan("4994万元")
    h1 = {"pairing": p, "date_from": dt.date(2021, 1, 1), "date_to": dt.date(2021, 6, 30)}
    assert fund_totals(user=SYSTEM, source_kind=SourceKind.DONATION_CASH, **h1).arrived == wan(
        "25.54万元"
    )
    assert fund_totals(user=SYSTEM, source_kind=SourceKind.DONATION_IN_KIND, **h1).arrived == wan(
        "41.45万元"
    )
    on_the_day = fund_totals(
        user=SYSTEM,
        pairing=p,
        source_kind=SourceKind.DONATION_CASH,
        date_from=dt.date(2021, 8, 30),
        date_to=dt.date(2021, 8, 30),
    )
    assert on_the_day.arrived == wan("300万元")


def check_guangming_tianlin_fund_and_beneficiaries(demo: dict[str, Any]) -> None:
    p = demo["guangming_tianlin"]
    assert fund_totals(user=SYSTEM, pairing=p).planned == wan("1.796亿元")
    totals = project_totals(user=SYSTEM, pairing=p)
    assert (
        totals.projects,
        totals.beneficiary_villages,
        totals.beneficiary_households,
        totals.beneficiary_people,
    ) == (65, 110, 12623, 49152)


def check_guangming_shanwei_and_chayu_projects(demo: dict[str, Any]) -> None:
    shanwei = project_totals(user=SYSTEM, pairing=demo["guangming_shanwei"])
    assert (shanwei.projects, shanwei.budget) == (15, wan("3212.2万元"))
    chayu = demo["guangming_chayu"]
    assert fund_totals(user=SYSTEM, pairing=chayu, include_nested=True).planned == wan("93万元")
    assert fund_totals(user=SYSTEM, pairing=demo["xinhu_xiachayu"]).planned == wan("49万元")
    assert fund_totals(user=SYSTEM, pairing=demo["yutang_shangchayu"]).planned == wan("44万元")
    assert project_totals(user=SYSTEM, pairing=chayu, include_nested=True).budget == wan("93万元")


def check_loading_twice_changes_nothing(demo: dict[str, Any]) -> None:
    flows, projects = FundFlow.objects.count(), Project.objects.count()
    messages = funds_demo.load(SYSTEM)
    assert (FundFlow.objects.count(), Project.objects.count()) == (flows, projects)
    assert all(" 0 created" in message for message in messages)


def test_the_demo_reproduces_every_reported_figure_and_loads_once(demo):
    # One test: loading the demo takes a while.
    check_tianhe_nayong_yearly_funds_and_75_projects(demo)
    check_baoan_longchuan_arrived_paid_out_and_sources(demo)
    check_longhua_fengshan_2021_fiscal_and_donations(demo)
    check_guangming_tianlin_fund_and_beneficiaries(demo)
    check_guangming_shanwei_and_chayu_projects(demo)
    check_loading_twice_changes_nothing(demo)


def test_a_missing_pairing_is_skipped_with_a_message(db):
    messages = funds_demo.load(SYSTEM)
    assert "funds: skipped baoan_longchuan, its pairing is not loaded" in messages
    assert FundFlow.objects.count() == 0
