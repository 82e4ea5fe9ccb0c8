from decimal import Decimal

import pytest

from bangfu.accounts.scopes import SYSTEM
from bangfu.core.testing import get_region, pairing
from bangfu.indicators import demo, selectors
from bangfu.indicators.models import DataValue, Status, Target
from bangfu.indicators.periods import parse

PAIRS = [
    (demo.LONGHUA, demo.FENGSHAN),
    (demo.BAOAN, demo.LONGCHUAN),
    (demo.BAOAN, demo.DUAN),
    (demo.BAOAN, demo.DAHUA),
    (demo.GUANGMING, demo.TIANLIN),
    (demo.GUANGMING, demo.SHANWEI),
    (demo.GUANGMING, demo.CHAYU),
    (demo.TIANHE, demo.NAYONG),
]


@pytest.fixture
def pairings(db):
    return {(d, r): pairing(get_region(d), get_region(r)) for d, r in PAIRS}


def test_every_seed_figure_is_listed_by_pairing_and_period(pairings):
    assert demo.load(SYSTEM) == []
    assert demo.load(SYSTEM) == []  # idempotent
    assert DataValue.objects.count() == len(demo.FIGURES) + len(demo.illustrative_figures())
    assert set(DataValue.objects.values_list("status", flat=True)) == {Status.APPROVED}
    for fig in demo.FIGURES:
        period = parse(fig.period)
        if fig.recipient:
            listed = selectors.value_list(
                user=SYSTEM, pairing=pairings[(fig.donor, fig.recipient)], period=period
            ).filter(indicator__code=fig.code)
        else:
            listed = selectors.value_list(user=SYSTEM, period=period).filter(
                party_region_id=fig.donor, indicator__code=fig.code
            )
        assert [v.value for v in listed] == [Decimal(fig.value)], fig


def test_the_seed_targets_show_progress(pairings):
    demo.load(SYSTEM)
    assert Target.objects.count() == 15 + len(demo.illustrative_targets())
    duan = pairings[(demo.BAOAN, demo.DUAN)]
    targets = {
        p.indicator.code: p.target
        for p in selectors.pairing_progress(user=SYSTEM, pairing=duan, year=2020)
    }
    assert targets["employed_poor"] == Decimal("1000")
    assert targets["medical_staff_sent"] == Decimal("29")


def test_baoans_purchase_target_shows_the_1090_wan_done_as_36_point_3_percent(pairings):
    demo.load(SYSTEM)
    baoan = selectors.Owner(party_region=get_region(demo.BAOAN))
    rows = selectors.progress(user=SYSTEM, owner=baoan, year=2020)
    assert [(p.indicator.code, p.target, p.actual.value, p.percent) for p in rows] == [
        ("products_purchased", Decimal("30000000"), Decimal("10900000"), Decimal("36.3"))
    ]


def test_tianlin_figures_of_2020_are_listed_for_that_year(pairings):
    demo.load(SYSTEM)
    tianlin = pairings[(demo.GUANGMING, demo.TIANLIN)]
    codes = sorted(
        selectors.value_list(user=SYSTEM, pairing=tianlin, period=parse("2020")).values_list(
            "indicator__code", flat=True
        )
    )
    assert codes == [
        "employed_poor", "job_fair_enterprises", "kindergarten_places", "posts_offered",
        "relocation_households_served", "returned_to_work_poor",
    ]  # fmt: skip


def test_missing_pairings_are_skipped_with_a_message(db):
    for code in (demo.LONGHUA, demo.FENGSHAN):
        get_region(code)
    messages = demo.load(SYSTEM)
    assert (
        "indicators demo: no pairing 440309000000 → 451223000000; its figures skipped" in messages
    )
    assert DataValue.objects.filter(pairing__isnull=False).count() == 0
