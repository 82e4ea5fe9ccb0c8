"""Dashboard figures against hand-computed values, scoping, downloads and query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from bangfu.accounts.models import User
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.testing import World, get_region, make_organisation, pairing
from bangfu.dashboards import selectors
from bangfu.dashboards.selectors import combine_periods
from bangfu.funds.services import fund_flow_record
from bangfu.households.tests.helpers import make_household
from bangfu.indicators.models import DataValue
from bangfu.indicators.periods import Period, PeriodKind
from bangfu.indicators.tests.helpers import approved
from bangfu.pairings.models import Pairing
from bangfu.projects.services import project_create

VILLAGE = "451223101201"


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _money(world: World, target: Pairing | None = None) -> None:
    p = target or world.longhua_fengshan
    for stage, amount in [("planned", 1000), ("arrived", 800), ("paid_out", 600)]:
        fund_flow_record(
            actor=SYSTEM,
            pairing=p,
            year=2021,
            stage=stage,
            amount=amount,
            source_kind="fiscal_district",
            reported_by="donor",
        )
    # The recipient reports the arrived money too: it counts instead of the donor's entry.
    fund_flow_record(
        actor=SYSTEM,
        pairing=p,
        year=2021,
        stage="arrived",
        amount=750,
        source_kind="fiscal_district",
        reported_by="recipient",
    )


def _fill(world: World) -> None:
    _money(world)
    child = pairing(
        world.longhua, get_region(VILLAGE), level="village_village", parent=world.longhua_fengshan
    )
    for stage in ["planned", "arrived"]:
        fund_flow_record(
            actor=SYSTEM,
            pairing=child,
            year=2022,
            stage=stage,
            amount=50,
            source_kind="donation_cash",
            reported_by="donor",
        )
    project_create(
        actor=SYSTEM,
        pairing=world.longhua_fengshan,
        code="P1",
        name="茶叶加工厂",
        region=world.fengshan,
        category="industry",
        start_year=2021,
        budget=500,
    )
    project_create(
        actor=SYSTEM,
        pairing=child,
        code="P2",
        name="村道硬化",
        region=get_region(VILLAGE),
        category="infrastructure",
        start_year=2022,
        budget=100,
    )
    approved(world.longhua_fengshan, "recipient", "employed_total", "120", Period.year(2021))
    approved(world.longhua_fengshan, "donor", "employed_total", "90", Period.year(2021))
    approved(world.longhua_fengshan, "recipient", "employed_total", "30", Period.quarter(2022, 1))
    approved(child, "recipient", "households_out_of_poverty", "7", Period.year(2021))
    for category in ["unstable", "marginal", "none"]:
        make_household(VILLAGE, monitoring_category=category)
    make_household(VILLAGE, monitoring_category="marginal", eliminated_on=dt.date(2024, 1, 1))


def test_combine_periods_takes_the_latest_cumulative_figure_and_later_years_once():
    figures = {
        Period(PeriodKind.CUMULATIVE, dt.date(2016, 1, 1), dt.date(2019, 12, 31)): Decimal(100),
        Period(PeriodKind.CUMULATIVE, dt.date(2016, 1, 1), dt.date(2018, 12, 31)): Decimal(70),
        Period.year(2019): Decimal(30),  # inside the cumulative figure: not added
        Period.year(2020): Decimal(40),
        Period.quarter(2021, 1): Decimal(5),
        Period.quarter(2021, 2): Decimal(6),
        Period.half(2021, 1): Decimal(11),  # preferred over the quarters of the same year
    }
    assert combine_periods(figures) == Decimal(151)
    assert combine_periods({}) is None


def test_overview_figures_equal_hand_computed_values(world):
    _fill(world)
    [card] = selectors.overview_cards(user=world.alice)
    h = card.headlines
    assert card.pairing == world.longhua_fengshan
    assert card.descendants == 1
    # arrived: the recipient's 750 replaces the donor's 800; plus the sub-pairing's 50
    assert h.funds.arrived == Decimal("800.00")
    assert h.funds.paid_out == Decimal("600.00")
    assert h.funds.planned == Decimal("1050.00")
    assert h.projects == 2
    # employed: recipient preferred in 2021 (120) + the 2022 quarter (30)
    assert h.indicator("employed").value == Decimal(150)
    assert h.indicator("out_of_poverty").value == Decimal(7)
    assert h.indicator("products").value is None
    # monitored: two with a category and no elimination
    assert h.monitored_households == 2


def test_a_year_filter_keeps_only_that_years_figures(world):
    _fill(world)
    [card] = selectors.overview_cards(user=world.bob, year=2022)
    h = card.headlines
    assert (h.funds.arrived, h.funds.paid_out) == (Decimal("50.00"), Decimal("0.00"))
    assert h.projects == 1
    assert h.indicator("employed").value == Decimal(30)


def test_charlie_sees_no_cards_and_gets_404_on_every_page_and_download(world):
    _fill(world)
    assert selectors.overview_cards(user=world.charlie) == []
    client = signed_in(world.charlie)
    pk = world.longhua_fengshan.pk
    flow = world.longhua_fengshan.fund_flows.first()
    for url in [
        f"/pairings/{pk}/",
        f"/pairings/{pk}/export/?table=funds",
        f"/pairings/{pk}/workbook/2021/",
        f"/regions/{world.fengshan.code}/",
        f"/regions/{world.fengshan.code}/export/",
        f"/regions/{world.longhua.code}/",
        f"/records/fund-flows/?pairing={pk}",
        f"/records/fund-flows/{flow.pk}/",
        f"/records/projects/?pairing={pk}",
        f"/records/values/?pairing={pk}",
    ]:
        assert client.get(url).status_code == 404, url
    html = client.get("/").content.decode()
    assert "凤山县" not in html


def test_bob_may_not_open_the_recipients_region_page_but_alice_may(world):
    _fill(world)
    assert signed_in(world.bob).get(f"/regions/{world.fengshan.code}/").status_code == 404
    response = signed_in(world.alice).get(f"/regions/{world.fengshan.code}/")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.mode == "recipient"
    assert [c.name for c in board.columns] == ["龙华区"]
    assert board.total.funds.arrived == Decimal("800.00")


def test_a_donor_region_page_puts_its_recipients_side_by_side(world):
    _fill(world)
    other = pairing(world.longhua, world.nayong)
    _money(world, other)
    response = signed_in(world.bob).get(f"/regions/{world.longhua.code}/")
    board = response.context["board"]
    assert board.mode == "donor"
    assert sorted(c.name for c in board.columns) == ["凤山县", "纳雍县"]
    assert board.total.funds.arrived == Decimal("1550.00")


def test_a_province_page_rolls_its_counties_up(world):
    _fill(world)
    response = signed_in(world.dana).get("/regions/450000000000/")
    board = response.context["board"]
    assert board.mode == "rollup"
    assert [(c.name, c.headlines.projects) for c in board.columns] == [("凤山县", 2)]


def test_the_overview_links_each_figure_to_its_records(world):
    _fill(world)
    html = signed_in(world.alice).get("/").content.decode()
    pk = world.longhua_fengshan.pk
    assert f"/records/fund-flows/?pairing={pk}&amp;nested=1&amp;stage=arrived" in html
    assert f"/records/projects/?pairing={pk}&amp;nested=1" in html
    assert "indicator=employed_total" in html
    assert f"/monitoring/?region={world.fengshan.code}" in html
    # The donor sees the monitored count but no link to the households.
    assert "/monitoring/?region=" not in signed_in(world.bob).get("/").content.decode()
    response = signed_in(world.alice).get(
        f"/records/fund-flows/?pairing={pk}&nested=1&stage=arrived"
    )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3


def test_the_pairing_page_shows_charts_rates_progress_and_filters_with_htmx(world):
    _fill(world)
    client = signed_in(world.alice)
    pk = world.longhua_fengshan.pk
    response = client.get(f"/pairings/{pk}/?year=2021")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.year == 2021
    assert board.year_funds.arrival_rate == Decimal("0.7500")
    assert board.year_funds.disbursement_rate == Decimal("0.8000")
    assert [r.key["year"] for r in board.funds_by_year] == [2021, 2022]
    html = response.content.decode()
    assert 'data-chart-source="funds-chart-data"' in html
    assert 'id="funds-chart-data"' in html
    assert "vendor/echarts/echarts.min.js" in html
    partial = client.get(f"/pairings/{pk}/?year=2022&work_area=labour", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert partial.context["board"].year == 2022


def test_the_annual_workbook_has_a_sheet_per_work_area_with_chinese_headers(world):
    _fill(world)
    response = signed_in(world.bob).get(f"/pairings/{world.longhua_fengshan.pk}/workbook/2021/")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    names = book.sheet_names
    for sheet in ["概况", "一组数据", "组织领导", "资金支持", "产业合作", "劳务协作", "消费帮扶"]:
        assert sheet in names
    rows = book.get_sheet_by_name("劳务协作").to_python()
    assert rows[0][:2] == ["指标代码", "指标名称"]
    employed = next(r for r in rows if r[0] == "employed_total")
    assert str(employed[4]) in {"120", "120.0"}


def test_every_table_downloads_as_xlsx(world):
    _fill(world)
    client = signed_in(world.alice)
    pk = world.longhua_fengshan.pk
    for url in [
        "/overview/export/",
        f"/regions/{world.fengshan.code}/export/",
        f"/pairings/{pk}/export/?table=funds",
        f"/pairings/{pk}/export/?table=progress&year=2021",
        f"/pairings/{pk}/export/?table=projects&year=2021",
        f"/records/fund-flows/?pairing={pk}&format=xlsx",
        f"/records/projects/?pairing={pk}&format=xlsx",
        f"/records/values/?pairing={pk}&format=xlsx",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/vnd.openxml"), url


def test_detail_pages_of_the_records(world):
    _fill(world)
    client = signed_in(world.alice)
    flow = world.longhua_fengshan.fund_flows.first()
    assert client.get(f"/records/fund-flows/{flow.pk}/").status_code == 200
    project = world.longhua_fengshan.projects.first()
    assert "茶叶加工厂" in client.get(f"/records/projects/{project.pk}/").content.decode()
    value = DataValue.objects.filter(pairing=world.longhua_fengshan).first()
    assert value is not None
    assert client.get(f"/records/values/{value.pk}/").status_code == 200


def _many_pairings(world: World, count: int) -> None:
    for number in range(count):
        donor = make_organisation(name=f"企业{number}", kind="enterprise", region=world.longhua)
        village = get_region(f"4512231012{number + 10:02d}", name=f"村{number}")
        p = pairing(donor, village, level="enterprise_village")
        _money(world, p)
        approved(p, "recipient", "employed_total", "5", Period.year(2021))
        project_create(
            actor=SYSTEM,
            pairing=p,
            code=f"M{number}",
            name=f"项目{number}",
            region=village,
            category="industry",
            start_year=2021,
        )


@pytest.mark.parametrize("count", [0, 12])
def test_pages_run_a_fixed_number_of_queries(world, django_assert_max_num_queries, count):
    _fill(world)
    _many_pairings(world, count)
    client = signed_in(User.objects.get(pk=world.bob.pk))
    pk = world.longhua_fengshan.pk
    pages = {
        "/": 12,
        f"/pairings/{pk}/?year=2021": 32,
        f"/regions/{world.longhua.code}/": 14,
        f"/records/fund-flows/?pairing={pk}&nested=1": 10,
        f"/records/projects/?pairing={pk}&nested=1": 10,
        f"/records/values/?pairing={pk}&nested=1": 11,
    }
    for url, limit in pages.items():
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200
