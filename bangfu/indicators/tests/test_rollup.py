import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from bangfu.accounts.scopes import SYSTEM
from bangfu.core.testing import get_region, pairing
from bangfu.indicators import services
from bangfu.indicators.models import DuplicateRule, Indicator, Side
from bangfu.indicators.periods import Period
from bangfu.indicators.rollup import rollup
from bangfu.indicators.tests.helpers import approved
from bangfu.pairings.models import Meeting, MeetingKind, PairingLevel

Y2020 = Period.year(2020)
HECHI, SHENZHEN, LONGHUA = "451200000000", "440300000000", "440309000000"


@pytest.fixture
def pairings(world):
    street_town = pairing(
        get_region("440309001000"),
        get_region("451223101000"),
        level=PairingLevel.TOWNSHIP_TOWNSHIP,
        parent=world.longhua_fengshan,
    )
    baoan_duan = pairing(get_region("440306000000", "宝安区"), get_region("451228000000", "都安"))
    lf = world.longhua_fengshan
    approved(lf, Side.DONOR, "teachers_sent", "16", Y2020)
    approved(lf, Side.RECIPIENT, "teachers_sent", "15", Y2020)
    approved(street_town, Side.RECIPIENT, "teachers_sent", "4", Y2020)
    approved(baoan_duan, Side.RECIPIENT, "teachers_sent", "16", Y2020)
    return lf, street_town, baoan_duan


def total(
    code: str = "teachers_sent",
    region: str = HECHI,
    hierarchy: str = Side.RECIPIENT,
    user: Any = SYSTEM,
) -> Any:
    return rollup(
        user=user,
        indicator=Indicator.objects.get(code=code),
        period=Y2020,
        region_code=region,
        hierarchy=hierarchy,
    )


def set_rule(rule: str) -> None:
    Indicator.objects.filter(code="teachers_sent").update(duplicate_rule=rule)


def test_preferring_the_recipient_counts_each_achievement_once_and_shows_what_was_set_aside(
    pairings,
):
    lf, street_town, baoan_duan = pairings
    result = total()
    assert result.total == Decimal("31")
    assert [(c.pairing_id, c.side, c.value) for c in result.used] == [
        (lf.pk, "recipient", Decimal("15")),
        (baoan_duan.pk, "recipient", Decimal("16")),
    ]
    reasons = {(c.pairing_id, c.side): c.reason for c in result.set_aside}
    assert reasons[(lf.pk, "donor")] == "the recipient side's figure is preferred"
    assert reasons[(street_town.pk, "recipient")].startswith("included in the figure")


def test_the_donor_hierarchy_gives_the_same_total_without_double_counting(pairings):
    assert total(region=SHENZHEN, hierarchy=Side.DONOR).total == Decimal("31")
    assert total(region=LONGHUA, hierarchy=Side.DONOR).total == Decimal("15")


def test_max_takes_the_larger_side_and_the_larger_of_parent_and_children(pairings):
    set_rule(DuplicateRule.MAX)
    assert total().total == Decimal("32")


def test_sum_adds_every_report(pairings):
    set_rule(DuplicateRule.SUM)
    assert total().total == Decimal("51")
    assert total().set_aside == []


def test_prefer_donor_falls_back_to_the_recipient_when_the_donor_is_silent(pairings):
    set_rule(DuplicateRule.PREFER_DONOR)
    assert total().total == Decimal("32")  # 16 (donor of lf) + 16 (recipient of 宝安→都安)


def test_max_uses_the_children_when_their_sum_exceeds_the_parent(world):
    lf = world.longhua_fengshan
    set_rule(DuplicateRule.MAX)
    approved(lf, Side.RECIPIENT, "teachers_sent", "5", Y2020)
    for street in ("440309001000", "440309002000"):
        child = pairing(get_region(street), get_region("451223101000"), parent=lf)
        approved(child, Side.RECIPIENT, "teachers_sent", "4", Y2020)
    result = total()
    assert result.total == Decimal("8")
    assert result.set_aside[0].reason == "smaller than the sum of its sub-pairings"


def test_drafts_do_not_count_and_users_see_only_their_scope(world, pairings):
    services.data_value_set(
        actor=SYSTEM,
        indicator=Indicator.objects.get(code="teachers_sent"),
        period=Y2020,
        value="99",
        pairing=world.tianhe_nayong,
        reported_by=Side.RECIPIENT,
    )
    assert total(region="520000000000").total is None
    assert total(user=world.charlie).total is None
    assert total(user=world.alice).total == Decimal("15")


def test_computed_indicators_roll_up_from_the_records(world, pairings):
    lf, street_town, _ = pairings
    for pk, day in ((lf.pk, dt.date(2020, 8, 30)), (street_town.pk, dt.date(2020, 9, 1))):
        Meeting.objects.create(pairing_id=pk, kind=MeetingKind.JOINT_MEETING, date=day)
    Meeting.objects.create(pairing=lf, kind=MeetingKind.JOINT_MEETING, date=dt.date(2021, 1, 5))
    assert total(code="joint_meetings").total == Decimal(2)


def test_a_ratio_indicator_divides_the_rolled_up_parts(world):
    lf = world.longhua_fengshan
    approved(lf, Side.RECIPIENT, "park_firms", "77", Y2020)
    approved(lf, Side.RECIPIENT, "park_leading_firms", "67", Y2020)
    result = total(code="park_cluster_rate")
    assert result.total.quantize(Decimal("0.1")) == Decimal("87.0")
