"""The indicator entry grid in a real browser: targets beside figures, one Save for all cells."""

import pytest

from bangfu.core.testing import TEST_PASSWORD
from bangfu.indicators import services
from bangfu.indicators.models import Indicator, Side, Target
from bangfu.indicators.periods import Period
from tests.conftest import screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_alice_enters_a_target_in_the_grid(page, world, settings):
    settings.BANGFU_PERIOD_DEADLINE_DAYS = 365 * 100  # keep 2020 open for entry
    lf = world.longhua_fengshan
    trained = Indicator.objects.get(code="labour_trained")
    for code, value in (("labour_trained", "900"), ("employed_total", "1000")):
        services.target_set(
            actor=world.alice, indicator=Indicator.objects.get(code=code),
            period=Period.year(2020), value=value, pairing=lf,
        )  # fmt: skip
    services.data_value_set(
        actor=world.alice, indicator=trained, period=Period.quarter(2020, 1), value="420",
        pairing=lf, reported_by=Side.RECIPIENT,
    )  # fmt: skip
    sign_in(page, "alice", TEST_PASSWORD)
    page.goto(f"/pairings/{lf.pk}/")
    page.click("a[href$='/indicators/']")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/pairings/{lf.pk}/indicators/")
    page.goto(f"/pairings/{lf.pk}/indicators/?year=2020")
    assert page.locator("select[name=year]").input_value() == "2020"
    page.select_option("select[name=work_area]", "labour")
    page.click("form.grid-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    grid = page.get_by_test_id("indicator-grid")
    assert grid.locator("input[name='target:labour_trained:2020']").input_value() == "900"
    assert grid.locator("input[name='value:labour_trained:2020Q1']").input_value() == "420"
    page.fill("input[name='target:labour_trained:2020Q2']", "300")
    page.click("form.grid-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".message--success").count() == 1
    assert Target.objects.get(indicator=trained, period_start="2020-04-01").value == 300
    assert grid.locator("input[name='target:labour_trained:2020Q2']").input_value() == "300"
    screenshot(page, "indicator-grid")
