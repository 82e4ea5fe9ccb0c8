"""The whole demo (`bangfu demo`) read back through the indicator selectors: every seed
pairing's figures by period, the computed ones included (meetings, fund flows, projects).

The demo is loaded once for the module inside a transaction rolled back at the end.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import translation

from bangfu.accounts.scopes import SYSTEM
from bangfu.core.money import parse_amount
from bangfu.demo import data
from bangfu.demo.loader import demo_load
from bangfu.funds.selectors import fund_totals
from bangfu.indicators import demo, selectors
from bangfu.indicators.periods import Period, parse
from bangfu.pairings.models import Pairing
from bangfu.regions.models import Region

SEED_PAIRINGS = [
    (data.LONGHUA, data.FENGSHAN),
    (data.BAOAN, data.LONGCHUAN),
    (data.BAOAN, data.DUAN),
    (data.BAOAN, data.DAHUA),
    (data.GUANGMING, data.TIANLIN),
    (data.GUANGMING, data.SHANWEI_CHENGQU),
    (data.GUANGMING, data.CHAYU),
    (data.TIANHE, data.NAYONG),
]
YEARS = range(2016, 2022)


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), translation.override("en"), transaction.atomic():
        demo_load(password="demo-password-for-tests")
        yield
        transaction.set_rollback(True)


def owner(donor: str, recipient: str) -> selectors.Owner:
    found = Pairing.objects.get(donor_region=donor, recipient_region=recipient, parent=None)
    return selectors.Owner(pairing=found)


def listing(of: selectors.Owner) -> dict[str, dict[str, tuple[Decimal, str]]]:
    """period → indicator code → (value, basis): reported periods and the calendar years."""
    periods = {*selectors.periods_reported(user=SYSTEM, owner=of), *map(Period.year, YEARS)}
    result = {}
    for period in sorted(periods, key=lambda p: (p.start, p.end)):
        figures = selectors.figures(user=SYSTEM, owner=of, period=period)
        if figures:
            result[str(period)] = {f.indicator.code: (f.value, f.basis) for f in figures}
    return result


def wan(text: str) -> Decimal:
    return parse_amount(text)


@pytest.mark.parametrize(("donor", "recipient"), SEED_PAIRINGS)
def test_every_entered_seed_figure_is_listed_under_its_pairing_and_period(
    loaded: Any, db: Any, donor: str, recipient: str
) -> None:
    table = listing(owner(donor, recipient))
    expected = [f for f in demo.FIGURES if (f.donor, f.recipient) == (donor, recipient)]
    assert expected
    for fig in expected:
        period = str(parse(fig.period))
        assert table[period][fig.code] == (Decimal(fig.value), "reported"), fig


def test_tianhe_nayong_visits_and_joint_meetings_are_computed_from_the_meeting_records(
    loaded: Any, db: Any
) -> None:
    table = listing(owner(data.TIANHE, data.NAYONG))
    whole = table[str(parse(demo.TH_SUM))]
    assert whole["leaders_visits"] == (Decimal(12), "computed")
    assert whole["joint_meetings"] == (Decimal(8), "computed")
    assert whole["reserve_talents"] == (Decimal(350), "reported")
    by_year = {year: table[str(year)]["leaders_visits"][0] for year in YEARS}
    assert by_year == {y: Decimal(n) for y, n in zip(YEARS, (2, 2, 3, 2, 2, 1), strict=True)}


def test_tianhe_nayong_yearly_funds_and_projects_are_computed_from_the_ledger(
    loaded: Any, db: Any
) -> None:
    table = listing(owner(data.TIANHE, data.NAYONG))
    reported = {2016: ("1000万", 2), 2017: ("1100万", 8), 2018: ("3612.099万", 17),
                2019: ("5505.25万", 16), 2020: ("7250万", 32)}  # fmt: skip
    for year, (amount, projects) in reported.items():
        row = table[str(year)]
        assert row["fund_planned"] == row["fund_arrived"] == (wan(amount), "computed")
        assert row["fund_spent"] == (wan(amount), "computed")
        assert row["projects"] == (Decimal(projects), "computed")


def test_the_other_pairings_fund_figures_come_out_of_the_ledger(loaded: Any, db: Any) -> None:
    fengshan = listing(owner(data.LONGHUA, data.FENGSHAN))["2021"]
    assert fengshan["fiscal_assistance"] == (wan("4994万"), "computed")
    assert fengshan["donation_cash"] == (wan("25.54万") + wan("300万"), "computed")
    assert fengshan["donation_in_kind"] == (wan("41.45万") + wan("5万"), "computed")
    baoan = owner(data.BAOAN, data.LONGCHUAN)
    upto_2018 = {
        f.indicator.code: f.value
        for f in selectors.figures(user=SYSTEM, owner=baoan, period=parse("2016-01-01..2018-12-31"))
    }
    assert (upto_2018["fund_arrived"], upto_2018["fund_paid_out"]) == (
        wan("4.1565亿"),
        wan("2.3462亿"),
    )
    tianlin = owner(data.GUANGMING, data.TIANLIN)
    all_years = {
        f.indicator.code: f.value
        for f in selectors.figures(
            user=SYSTEM, owner=tianlin, period=parse("2016-01-01..2021-12-31")
        )
    }
    assert all_years["fund_planned"] == wan("1.796亿")
    assert [all_years[c] for c in ("projects", "project_villages", "project_households",
                                   "project_people")] == [65, 110, 12623, 49152]  # fmt: skip


@pytest.mark.parametrize(("donor", "recipient"), SEED_PAIRINGS)
def test_computed_fund_figures_equal_the_funds_selectors_every_year(
    loaded: Any, db: Any, donor: str, recipient: str
) -> None:
    of = owner(donor, recipient)
    for year in YEARS:
        totals = fund_totals(user=SYSTEM, pairing=of.pairing, year=year)
        computed = {
            f.indicator.code: f.value
            for f in selectors.figures(user=SYSTEM, owner=of, period=Period.year(year))
            if f.basis == "computed"
        }
        for code, stage in (("fund_planned", "planned"), ("fund_arrived", "arrived"),
                            ("fund_paid_out", "paid_out"), ("fund_spent", "spent")):  # fmt: skip
            assert computed.get(code, Decimal(0)) == getattr(totals, stage), (year, code)


def test_baoan_as_a_whole_shows_its_purchase_target_beside_the_1090_wan_done(
    loaded: Any, db: Any
) -> None:
    baoan = selectors.Owner(party_region=Region.objects.get(pk=data.BAOAN))
    rows = selectors.progress(user=SYSTEM, owner=baoan, year=2020)
    assert [(p.indicator.code, p.target, p.actual.value, p.percent) for p in rows] == [
        ("products_purchased", wan("3000万"), wan("1090万"), Decimal("36.3"))
    ]
    reported = selectors.figures(user=SYSTEM, owner=baoan, period=parse("2020-01-01..2020-03-13"))
    assert {f.indicator.code: f.value for f in reported if f.basis == "reported"} == {
        "products_purchased": wan("1090万"),
        "transferred_east": Decimal(6892),
        "transferred_east_poor": Decimal(2451),
    }


@pytest.mark.parametrize(("donor", "recipient", "size", "areas"), demo.ILLUSTRATIVE_PAIRINGS)
def test_pairings_the_reports_leave_empty_get_illustrative_figures_and_targets(
    loaded: Any, db: Any, donor: str, recipient: str, size: int, areas: tuple[str, ...]
) -> None:
    from bangfu.indicators.models import DataValue, Target

    pairing = Pairing.objects.get(donor_region=donor, recipient_region=recipient, parent=None)
    values = DataValue.objects.filter(pairing=pairing, comment=demo.ILLUSTRATIVE_COMMENT)
    targets = Target.objects.filter(pairing=pairing, comment=demo.ILLUSTRATIVE_COMMENT)

    assert set(values.values_list("indicator__work_area", flat=True)) == set(areas)
    assert set(values.values_list("status", flat=True)) == {"approved"}
    assert set(values.values_list("source", flat=True)) == {"manual"}
    assert values.filter(period_start__year=2026).exists()
    assert set(targets.values_list("indicator__work_area", flat=True)) == set(areas)
    fengshan_2025 = DataValue.objects.filter(
        pairing=pairing, indicator__code="cadres_sent", period_kind="year", period_start__year=2025
    )
    if donor == data.LONGHUA:
        assert [str(v.value.normalize()) for v in fengshan_2025] == ["9"]  # 12 × 80 %
