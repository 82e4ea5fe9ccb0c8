import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.indicators import scorecards, selectors, services
from bangfu.indicators.models import (
    DataValue,
    Indicator,
    ScorecardConfig,
    ScorecardItem,
    ScorecardSnapshot,
    Side,
    Target,
)
from bangfu.indicators.periods import Period
from bangfu.indicators.tests.helpers import approved

Y2020 = Period.year(2020)


def target(world: Any, code: str, value: str, period: Period = Y2020) -> Any:
    return services.target_set(
        actor=SYSTEM,
        indicator=Indicator.objects.get(code=code),
        pairing=world.longhua_fengshan,
        period=period,
        value=value,
    )


def test_progress_projects_the_year_end_from_the_pace_so_far(world):
    lf = world.longhua_fengshan
    target(world, "labour_trained", "900")
    approved(lf, Side.RECIPIENT, "labour_trained", "200", Period.quarter(2020, 1))
    [early] = selectors.pairing_progress(user=world.alice, pairing=lf, year=2020)
    assert early.actual.value == Decimal("200")
    assert early.actual.basis == "quarters"
    assert early.percent == Decimal("22.2")
    assert early.projection == Decimal("804.40")  # 200 over 91 of 366 days
    assert early.behind_pace is True
    approved(lf, Side.RECIPIENT, "labour_trained", "250", Period.quarter(2020, 2))
    [later] = selectors.pairing_progress(user=world.alice, pairing=lf, year=2020)
    assert later.actual.value == Decimal("450")
    assert later.projection == Decimal("904.95")
    assert later.behind_pace is False


def test_a_cumulative_figure_from_the_start_of_the_year_counts_as_the_actual(world):
    lf = world.longhua_fengshan
    target(world, "products_purchased", "30000000")
    so_far = Period.cumulative(dt.date(2020, 1, 1), dt.date(2020, 3, 13))
    approved(lf, Side.DONOR, "products_purchased", "10900000", so_far)
    [progress] = selectors.pairing_progress(user=world.bob, pairing=lf, year=2020)
    assert (progress.actual.value, progress.actual.basis) == (Decimal("10900000"), "cumulative")
    assert progress.percent == Decimal("36.3")


def test_progress_is_empty_outside_the_users_scope(world):
    target(world, "labour_trained", "900")
    assert (
        selectors.pairing_progress(user=world.charlie, pairing=world.longhua_fengshan, year=2020)
        == []
    )


def test_the_grid_puts_targets_beside_both_sides_figures(world):
    lf = world.longhua_fengshan
    target(world, "teachers_sent", "16")
    approved(lf, Side.DONOR, "teachers_sent", "16", Y2020)
    approved(lf, Side.RECIPIENT, "teachers_sent", "15", Y2020)
    result = selectors.grid(user=world.alice, owner=selectors.Owner(pairing=lf), year=2020)
    assert result.periods == ["2020", "2020Q1", "2020Q2", "2020Q3", "2020Q4"]
    row = next(r for r in result.rows if r.indicator.code == "teachers_sent")
    cell = row.cells[0]
    assert (cell.target, cell.actual) == (Decimal("16"), Decimal("15"))
    assert set(cell.values) == {"donor", "recipient"}
    meetings = next(r for r in result.rows if r.indicator.code == "joint_meetings")
    assert meetings.editable is False


def test_grid_save_writes_targets_and_figures_in_one_go(world, this_year):
    cells = [
        services.GridCellInput("labour_trained", str(this_year), "target", "900"),
        services.GridCellInput("labour_trained", str(this_year), "value", "450", Side.RECIPIENT),
    ]
    assert services.grid_save(actor=world.alice, pairing=world.longhua_fengshan, cells=cells) == 2
    assert Target.objects.get().value == Decimal("900")
    assert DataValue.objects.get().value == Decimal("450")


def test_grid_save_writes_nothing_when_one_cell_is_refused(world, this_year):
    cells = [
        services.GridCellInput("labour_trained", str(this_year), "target", "900"),
        services.GridCellInput("labour_trained", "2020Q5", "value", "1"),
        services.GridCellInput("joint_meetings", str(this_year), "value", "3", Side.RECIPIENT),
        services.GridCellInput("teachers_sent", str(this_year), "value", "3", Side.DONOR),
    ]
    with pytest.raises(ValidationFailed) as exc:
        services.grid_save(actor=world.alice, pairing=world.longhua_fengshan, cells=cells)
    assert sorted(exc.value.errors) == ["cells.1", "cells.2", "cells.3"]
    assert "2020Q5" in exc.value.errors["cells.1"][0]
    assert Target.objects.count() == DataValue.objects.count() == 0


def test_grid_save_refuses_users_outside_the_pairing(world, this_year):
    cells = [services.GridCellInput("labour_trained", str(this_year), "target", "900")]
    with pytest.raises(PermissionDenied):
        services.grid_save(actor=world.charlie, pairing=world.longhua_fengshan, cells=cells)


@pytest.fixture
def config_2020(world):
    config = ScorecardConfig.objects.create(
        year=2020, good_from=90, fairly_good_from=75, average_from=60
    )
    for code, weight in (("labour_trained", 60), ("teachers_sent", 40)):
        ScorecardItem.objects.create(
            config=config, indicator=Indicator.objects.get(code=code), weight=weight
        )
    target(world, "labour_trained", "900")
    target(world, "teachers_sent", "16")
    return config


def test_the_scorecard_weighs_achievement_against_targets_and_grades_it(world, config_2020):
    lf = world.longhua_fengshan
    approved(lf, Side.RECIPIENT, "labour_trained", "450", Y2020)
    approved(lf, Side.RECIPIENT, "teachers_sent", "16", Y2020)
    card = scorecards.compute(user=world.alice, pairing=lf, year=2020)
    assert [line.score for line in card.lines] == ["30.00", "40.00"]
    assert (card.score, card.grade) == ("70.00", "一般")


def test_an_approved_scorecard_stays_frozen_when_figures_and_weights_change(
    world, config_2020, hechi_reviewer
):
    lf = world.longhua_fengshan
    trained = approved(lf, Side.RECIPIENT, "labour_trained", "450", Y2020)
    approved(lf, Side.RECIPIENT, "teachers_sent", "16", Y2020)
    with pytest.raises(PermissionDenied):
        scorecards.scorecard_approve(actor=world.alice, pairing=lf, year=2020)
    frozen = scorecards.scorecard_approve(actor=hechi_reviewer, pairing=lf, year=2020)
    services.data_value_send_back(actor=SYSTEM, data_value=trained, reason="recount")
    approved(lf, Side.RECIPIENT, "labour_trained", "900", Y2020)
    ScorecardItem.objects.filter(indicator__code="teachers_sent").update(weight=10)
    assert scorecards.compute(user=hechi_reviewer, pairing=lf, year=2020).grade == "好"
    stored = ScorecardSnapshot.objects.get(pk=frozen.pk)
    assert (stored.grade, stored.card["score"]) == ("一般", "70.00")
    assert stored.card["lines"][0]["actual"] == "450.0000"
    with pytest.raises(ValidationFailed):
        scorecards.scorecard_approve(actor=hechi_reviewer, pairing=lf, year=2020)


def test_setting_an_unchanged_target_writes_no_audit_event(world):
    from bangfu.core.models import AuditEvent

    target(world, "labour_trained", "900")
    events = AuditEvent.objects.count()
    target(world, "labour_trained", "900.00")
    assert AuditEvent.objects.count() == events
    target(world, "labour_trained", "950")
    assert AuditEvent.objects.count() == events + 1
    assert Target.objects.get(indicator__code="labour_trained").value == Decimal("950")
