"""The dashboards in a real browser with the demo data: overview, pairing and region pages, a
filter through htmx, the annual workbook download, and an outsider's 404."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from python_calamine import CalamineWorkbook

from bangfu.accounts.models import User
from bangfu.core.testing import TEST_PASSWORD
from bangfu.dashboards import selectors
from bangfu.dashboards.templatetags.dashboards import figure, wan
from bangfu.demo.loader import demo_load
from bangfu.pairings.models import Pairing
from tests.conftest import TABLET, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO_PASSWORD = "demo-password-for-browser-tests"


def _card_of(page: Any, pairing: Pairing) -> Any:
    return page.locator(f"article.pairing-card[data-pairing='{pairing.pk}']")


def _wait_for_charts(page: Any) -> None:
    if not finders.find("vendor/echarts/echarts.min.js"):
        pytest.fail("ECharts is not installed: run `make deps` (npm ci)", pytrace=False)
    page.wait_for_selector("[data-chart][data-chart-drawn]")


def test_donor_and_recipient_see_their_dashboards_with_the_selectors_figures(page: Any) -> None:
    demo_load(password=DEMO_PASSWORD, households=240)  # a few per county: monitored households
    baoan = User.objects.get(username="baoan")
    cards = {c.pairing.recipient_name: c for c in selectors.overview_cards(user=baoan)}
    longchuan = cards["龙川县"]

    sign_in(page, "baoan", DEMO_PASSWORD)
    card = _card_of(page, longchuan.pairing)
    arrived = card.locator("[data-figure=funds_arrived]")
    assert arrived.inner_text() == wan(longchuan.headlines.funds.arrived)
    assert arrived.inner_text() == "41,565.00"  # 4.1565亿元, as the report says
    monitored = card.locator("[data-figure=monitored]")
    assert monitored.get_attribute("data-value") == str(longchuan.headlines.monitored_households)
    assert (longchuan.headlines.monitored_households or 0) > 0
    assert page.locator("article.pairing-card").count() == len(cards)
    screenshot(page, "dashboard-overview-baoan")

    # Click the figure: the records behind it add up to it.
    arrived.click()
    page.wait_for_load_state("networkidle")
    assert "/records/fund-flows/" in page.url
    screenshot(page, "dashboard-records-fund-flows")

    page.goto(f"/pairings/{longchuan.pairing.pk}/")
    _wait_for_charts(page)
    assert page.get_by_test_id("funds-chart").get_attribute("data-chart-ready") == ""
    out = page.locator("[data-testid=pairing-headlines] [data-figure=out_of_poverty]")
    assert out.count() == 1
    screenshot(page, "dashboard-pairing-baoan-longchuan")

    # A filter: another year arrives through htmx, the page is not reloaded.
    page.evaluate("window.__kept = true")
    page.select_option("[data-testid=pairing-filters] select[name=year]", "2019")
    page.wait_for_function(
        "document.querySelector('[data-testid=pairing-headlines] h2').textContent.includes('2019')"
    )
    assert page.evaluate("window.__kept") is True
    assert "year=2019" in page.url
    year_cards = selectors.figures(user=baoan, year=2019, tops=[longchuan.pairing.pk])
    expected = year_cards.headlines([longchuan.pairing.pk]).funds.arrived
    shown = page.locator("[data-testid=pairing-headlines] [data-figure=funds_arrived]")
    assert shown.inner_text() == wan(expected)

    # The annual workbook downloads with a sheet per work area.
    page.select_option("[data-testid=pairing-filters] select[name=year]", "2018")
    page.wait_for_function(
        "document.querySelector('[data-testid=pairing-headlines] h2').textContent.includes('2018')"
    )
    with page.expect_download() as download_info:
        page.get_by_test_id("annual-workbook").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        book = CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
    assert {"组织领导", "资金支持", "劳务协作", "消费帮扶", "人才交流"} <= set(book.sheet_names)

    page.goto(f"/regions/{baoan.region_id}/")
    columns = page.locator("[data-testid=region-columns] article")
    assert columns.count() == 3  # 龙川, 都安, 大化
    screenshot(page, "dashboard-region-baoan")

    page.set_viewport_size(TABLET)
    page.goto(f"/pairings/{longchuan.pairing.pk}/")
    _wait_for_charts(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(page, "dashboard-pairing-tablet")


def test_the_recipient_county_sees_its_donor_and_the_english_page(page: Any) -> None:
    demo_load(password=DEMO_PASSWORD)
    nayong = User.objects.get(username="nayong")
    [card] = selectors.overview_cards(user=nayong)
    sign_in(page, "nayong", DEMO_PASSWORD)
    shown = _card_of(page, card.pairing).locator("[data-figure=projects]")
    assert shown.inner_text() == figure(card.headlines.projects)
    assert card.headlines.projects > 0
    assert card.headlines.funds.arrived > Decimal(0)
    page.goto(f"/regions/{nayong.region_id}/")
    assert page.locator("[data-testid=region-columns] article h2").inner_text() == "天河区"
    page.goto(f"/pairings/{card.pairing.pk}/")
    _wait_for_charts(page)
    screenshot(page, "dashboard-pairing-nayong")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=funds] h2").inner_text() == "Funds by year and stage"
    screenshot(page, "dashboard-pairing-nayong-en")


def test_an_outsider_gets_404_for_another_pairing_and_region(page: Any, world: Any) -> None:
    sign_in(page, "charlie", TEST_PASSWORD)
    response = page.goto(f"/pairings/{world.longhua_fengshan.pk}/")
    assert response.status == 404
    response = page.goto(f"/pairings/{world.longhua_fengshan.pk}/workbook/2021/")
    assert response is None or response.status == 404
    response = page.goto(f"/regions/{world.fengshan.code}/")
    assert response.status == 404
    page.goto("/")
    assert page.locator("article.pairing-card").count() == 0
    screenshot(page, "dashboard-overview-charlie")
