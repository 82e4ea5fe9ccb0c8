"""Daily-work pages in a real browser: the monitoring page with a region filter, a figure
submitted from the grid and approved in the inbox, and an import refused with its row errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from bangfu.accounts.models import Role, User
from bangfu.core.testing import TEST_PASSWORD, get_region, make_user
from bangfu.demo.loader import demo_load
from bangfu.funds.models import FundFlow
from bangfu.households.choices import MonitoringCategory, RiskType
from bangfu.households.models import Finding, HouseholdRisk, MonitoringRun, RuleKind
from bangfu.households.monitoring import selectors
from bangfu.households.tests.helpers import make_household, make_person
from bangfu.indicators.models import DataValue, Status
from tests.conftest import TABLET, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO_PASSWORD = "demo-password-for-browser-tests"
FENGCHENG = "451223100000"  # 凤城镇
FENGCHENG_VILLAGES = ("451223100202", "451223100203")  # 巴旁村委会, 松仁村委会
CHANGZHOU_VILLAGE = "451223101202"  # 那拉村委会, 长洲镇


def _monitored(village: str, category: str, *risks: str, **fields: Any) -> Any:
    household = make_household(village, monitoring_category=category, **fields)
    HouseholdRisk.objects.bulk_create(
        HouseholdRisk(household=household, risk_type=r) for r in risks
    )
    make_person(household, name="覃玉兰")
    return household


def _registry() -> None:
    unstable, marginal = MonitoringCategory.UNSTABLE, MonitoringCategory.MARGINAL
    households = [
        _monitored(FENGCHENG_VILLAGES[0], unstable, RiskType.ILLNESS, RiskType.NO_LABOUR),
        _monitored(FENGCHENG_VILLAGES[0], marginal, RiskType.ILLNESS),
        _monitored(FENGCHENG_VILLAGES[1], marginal, RiskType.HOUSING),
        _monitored(CHANGZHOU_VILLAGE, MonitoringCategory.SUDDEN_HARDSHIP, RiskType.ACCIDENT),
        _monitored(CHANGZHOU_VILLAGE, unstable, RiskType.SCHOOLING),
    ]
    county = get_region("451223000000")
    for as_of, found in (
        (dt.date(2025, 1, 31), households[:3]),
        (dt.date(2025, 2, 28), households[1:]),
    ):
        run = MonitoringRun.objects.create(region=county, as_of=as_of)
        Finding.objects.bulk_create(
            Finding(
                run=run, rule_code="INCOME_IN_RANGE", rule_version=1, kind=RuleKind.RISK,
                household=h, village_id=h.village_id,
            )
            for h in found
        )  # fmt: skip


def _wait_for_charts(page: Any) -> None:
    """Every chart set up and its animation finished, so screenshots show whole bars."""
    page.wait_for_function(
        "[...document.querySelectorAll('[data-chart]')].every("
        "e => e.hasAttribute('data-chart-drawn'))"
    )


def _figure(page: Any, name: str) -> str:
    return page.get_by_test_id(f"figure-{name}").inner_text().strip()


def test_recipient_opens_the_monitoring_page_and_filters_by_township(page: Any) -> None:
    demo_load(password=DEMO_PASSWORD)
    _registry()
    fengshan = User.objects.get(username="fengshan")
    whole = selectors.monitoring_overview(fengshan)
    assert whole.monitored == 5

    sign_in(page, "fengshan", DEMO_PASSWORD)
    page.click(".site-nav a[href='/monitoring/']")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "防止返贫监测"
    assert _figure(page, "monitored") == str(whole.monitored)
    assert _figure(page, "villages") == str(whole.village_count)
    rows = page.get_by_test_id("by-category").locator("tbody tr")
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(3)] == [
        str(r.monitored) for r in whole.by_category
    ]
    trend = page.get_by_test_id("trend").locator("tbody tr")
    assert trend.nth(1).locator("td").all_inner_texts() == ["4", "2", "1", "2"]
    _wait_for_charts(page)
    screenshot(page, "monitoring-fengshan")

    township = selectors.monitoring_overview(fengshan, region=get_region(FENGCHENG))
    page.select_option("[data-testid=monitoring-filter] select[name=region]", FENGCHENG)
    page.wait_for_function(
        "document.querySelector('[data-testid=figure-monitored]').innerText.trim() === '3'"
    )
    assert page.url.endswith(f"/monitoring/?region={FENGCHENG}")  # htmx pushed the filter
    assert _figure(page, "monitored") == str(township.monitored) == "3"
    assert page.get_by_test_id("monitoring-region").inner_text().startswith("显示 凤城镇")
    _wait_for_charts(page)
    screenshot(page, "monitoring-fengshan-fengcheng")

    page.get_by_test_id("figure-monitored").locator("a").click()
    page.wait_for_load_state("networkidle")
    names = page.get_by_test_id("head-name").all_inner_texts()
    assert len(names) == 3
    assert all(name == "覃玉兰" for name in names)  # the county's own personal-data grant
    screenshot(page, "monitoring-households-fengshan")


def test_monitoring_page_fits_a_tablet_and_masks_names_without_a_grant(page: Any, world) -> None:
    _registry()
    page.set_viewport_size(TABLET)
    sign_in(page, "alice", TEST_PASSWORD)
    page.goto("/monitoring/")
    _wait_for_charts(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(page, "monitoring-alice-tablet")
    page.goto("/monitoring/households/")
    assert set(page.get_by_test_id("head-name").all_inner_texts()) == {"覃**"}


def test_charlie_gets_404_for_a_region_of_fengshan(page: Any, world) -> None:
    sign_in(page, "charlie", TEST_PASSWORD)
    response = page.goto(f"/monitoring/?region={FENGCHENG}")
    assert response.status == 404
    page.goto("/monitoring/")
    assert _figure(page, "monitored") == "0"


def test_a_figure_is_submitted_from_the_grid_and_approved_in_the_inbox(
    page: Any, world, settings
) -> None:
    settings.BANGFU_PERIOD_DEADLINE_DAYS = 365 * 100  # keep 2020 open for entry
    lf = world.longhua_fengshan
    make_user(
        username="hechi", region=get_region("451200000000"), roles=[Role.VIEWER, Role.REVIEWER]
    )

    sign_in(page, "alice", TEST_PASSWORD)
    page.goto(f"/pairings/{lf.pk}/indicators/?year=2020&work_area=labour")
    row = page.locator("tr[data-indicator=labour_trained]")
    row.locator("input[name='value:labour_trained:2020Q1']").fill("420")
    row.get_by_test_id("save-row").click()
    page.wait_for_selector("tr[data-indicator=labour_trained].is-saved")
    row = page.locator("tr[data-indicator=labour_trained]")
    assert row.locator("[data-status=draft]").count() == 1
    assert page.locator(".message--success").count() == 0  # saved in place, no reload
    screenshot(page, "grid-row-saved")
    page.reload()
    page.locator("tr[data-indicator=labour_trained]").get_by_test_id("submit-row").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".message--success").inner_text() == "已提交 1 个数值待审核。"
    figure = DataValue.objects.get(indicator__code="labour_trained")
    assert figure.status == Status.SUBMITTED
    assert page.locator("tr[data-indicator=labour_trained] [data-status=submitted]").count() == 1
    screenshot(page, "grid-row-submitted")
    page.click("form.sign-out button")

    sign_in(page, "hechi", TEST_PASSWORD)
    assert page.get_by_test_id("inbox-count").inner_text() == "1"
    page.click(".site-nav a[href='/indicators/review/']")
    page.wait_for_load_state("networkidle")
    inbox = page.get_by_test_id("inbox")
    assert inbox.locator("tbody tr").count() == 1
    assert "420" in inbox.locator("tbody tr td.num").inner_text()
    screenshot(page, "inbox-hechi")
    # Sending back without a reason is refused with the service's message.
    inbox.locator("form.send-back button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".form-errors").inner_text() == "请说明退回原因。"
    page.check(f"input[name=ids][value='{figure.pk}']")
    page.get_by_test_id("approve-selected").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".message--success").inner_text() == "已审核通过 1 个数值。"
    assert page.get_by_test_id("inbox-empty").count() == 1
    assert page.get_by_test_id("inbox-count").count() == 0
    figure.refresh_from_db()
    assert figure.status == Status.APPROVED
    screenshot(page, "inbox-hechi-done")


def _csv(rows: list[list[Any]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode()


def test_a_bad_file_is_refused_with_its_row_errors(page: Any, world, tmp_path) -> None:
    bad = tmp_path / "资金.csv"
    headers = ["结对编号", "年度", "阶段", "资金来源", "金额(万元)", "报送方", "编号"]
    pk = world.longhua_fengshan.pk
    bad.write_bytes(
        _csv(
            [
                headers,
                ["abc", 2021, "到位", "财政援助资金", "很多", "受援方", "R-1"],
                [pk, 2021, "飞走了", "财政援助资金", "10", "受援方", "R-2"],
            ]
        )
    )
    sign_in(page, "alice", TEST_PASSWORD)
    page.click(".site-nav a[href='/households/import/']")
    page.wait_for_load_state("networkidle")
    assert (
        page.locator("select[name=table] option[value=household]").inner_text()
        == "户表（户基本情况）"
    )
    screenshot(page, "import-page")
    page.select_option("select[name=table]", "fund_flows")
    page.set_input_files("input[name=file]", str(bad))
    page.get_by_test_id("import-form").locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=row-errors]")
    assert page.locator("#job-status").get_attribute("data-status") == "failed"
    rows = page.get_by_test_id("row-errors").locator("tbody tr")
    cells = [rows.nth(i).locator("td").all_inner_texts()[:3] for i in range(rows.count())]
    assert ["资金.csv", "2", "结对编号"] in cells
    assert ["资金.csv", "2", "金额(万元)"] in cells
    assert ["资金.csv", "3", "阶段"] in cells
    assert page.get_by_test_id("refused-note").inner_text().startswith("未写入任何数据")
    with page.expect_download() as download:
        page.get_by_test_id("report-xlsx").click()
    assert download.value.suggested_filename.endswith("-errors.xlsx")
    assert FundFlow.objects.count() == 0
    screenshot(page, "import-refused")
