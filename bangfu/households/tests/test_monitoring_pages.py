"""The monitoring page and its household drill-down: figures, scope, masking, query counts."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from bangfu.accounts.scopes import SYSTEM
from bangfu.accounts.services import pii_grant_create
from bangfu.cases.choices import CaseState
from bangfu.cases.tests.helpers import case_in, days_ago, open_case
from bangfu.core.testing import World, get_region
from bangfu.households.choices import MonitoringCategory, RiskType
from bangfu.households.models import Finding, Household, HouseholdRisk, MonitoringRun, RuleKind
from bangfu.households.monitoring import selectors
from bangfu.households.tests.helpers import (
    NAYONG_VILLAGE,
    TONGLE,
    make_household,
    make_id,
    make_person,
)

pytestmark = pytest.mark.django_db

OTHER_VILLAGE = "451223101202"  # a second village of 长洲镇, 凤山县
UNSTABLE, MARGINAL, SUDDEN = (
    MonitoringCategory.UNSTABLE,
    MonitoringCategory.MARGINAL,
    MonitoringCategory.SUDDEN_HARDSHIP,
)


def _household(village: str, category: str, *risks: str, **fields: Any) -> Household:
    household = make_household(village, monitoring_category=category, **fields)
    HouseholdRisk.objects.bulk_create(
        HouseholdRisk(household=household, risk_type=r) for r in risks
    )
    return household


def _run(as_of: dt.date, region_code: str = "451223000000") -> MonitoringRun:
    return MonitoringRun.objects.create(region=get_region(region_code), as_of=as_of)


def _finding(run: MonitoringRun, household: Household, rule: str = "INCOME_IN_RANGE") -> Finding:
    return Finding.objects.create(
        run=run,
        rule_code=rule,
        rule_version=1,
        kind=RuleKind.RISK,
        household=household,
        village_id=household.village_id,
    )


@pytest.fixture
def registry(world: World) -> dict[str, Any]:
    get_region(OTHER_VILLAGE, "下伦村委会")
    a = _household(TONGLE, UNSTABLE, RiskType.ILLNESS, RiskType.NO_LABOUR)
    b = _household(TONGLE, MARGINAL, RiskType.ILLNESS)
    c = _household(OTHER_VILLAGE, MARGINAL, RiskType.SCHOOLING)
    d = _household(OTHER_VILLAGE, SUDDEN, RiskType.ILLNESS, eliminated_on=dt.date(2024, 3, 1))
    _household(TONGLE, MonitoringCategory.NONE)  # not monitored
    outside = _household(NAYONG_VILLAGE, UNSTABLE, RiskType.ILLNESS)  # 纳雍县: nobody here
    make_person(a, name="韦小宝")
    # Two runs: a and b found first; then b (persisting) and c (new); a resolved.
    first, second = _run(dt.date(2024, 1, 31)), _run(dt.date(2024, 2, 29))
    for household in (a, b, outside):
        _finding(first, household)
    for household in (b, c):
        _finding(second, household)
    return {"a": a, "b": b, "c": c, "d": d, "first": first, "second": second}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_overview_counts_equal_hand_computed_figures(world, registry):
    overview = selectors.monitoring_overview(world.alice)
    assert [(r.category, r.monitored, r.eliminated) for r in overview.by_category] == [
        (UNSTABLE, 1, 0),
        (MARGINAL, 2, 0),
        (SUDDEN, 0, 1),
    ]
    assert [(r.key, r.count) for r in overview.by_risk] == [
        (RiskType.ILLNESS, 2),
        (RiskType.SCHOOLING, 1),
        (RiskType.NO_LABOUR, 1),
    ]
    assert [(v.code, v.by_category, v.total) for v in overview.by_village] == [
        (TONGLE, {UNSTABLE: 1, MARGINAL: 1}, 2),
        (OTHER_VILLAGE, {MARGINAL: 1}, 1),
    ]
    assert (overview.monitored, overview.eliminated, overview.village_count) == (3, 1, 2)


def test_trend_compares_each_run_with_the_one_before(world, registry):
    trend = selectors.monitoring_overview(world.alice).trend
    assert [(p.run, p.findings, p.new, p.resolved, p.persisting) for p in trend] == [
        (registry["first"], 2, None, None, None),  # 纳雍县's finding is not Alice's
        (registry["second"], 2, 1, 1, 1),
    ]
    diff = selectors.diff(world.alice, registry["first"], registry["second"])
    assert (diff.new.count(), diff.resolved.count(), diff.persisting.count()) == (1, 1, 1)


def test_region_filter_narrows_every_figure_to_the_village(world, registry):
    region = selectors.region_filter(world.alice, OTHER_VILLAGE)
    overview = selectors.monitoring_overview(world.alice, region=region)
    assert [(r.monitored, r.eliminated) for r in overview.by_category] == [(0, 0), (1, 0), (0, 1)]
    assert [p.findings for p in overview.trend] == [0, 1]
    assert [(p.new, p.resolved, p.persisting) for p in overview.trend[1:]] == [(1, 0, 0)]


def test_cases_by_state_count_overdue_ones_and_list_them_first(world, registry):
    open_case(registry["a"], opened_on=days_ago(400))  # a clue untouched for 400 days: overdue
    open_case(registry["b"], opened_on=days_ago(1))
    # Recorded more than a month ago without a measure: overdue too.
    recorded = case_in(CaseState.RECORDED)
    overview = selectors.monitoring_overview(world.alice)
    assert [(r.state, r.count, r.overdue) for r in overview.cases_by_state] == [
        (CaseState.CLUE, 2, 1),
        (CaseState.RECORDED, 1, 1),
    ]
    assert [c.household_id for c in overview.overdue_cases] == [
        registry["a"].pk,
        recorded.household_id,
    ]


def test_page_shows_figures_and_chart_data(world, registry):
    response = _client(world.alice).get(reverse("monitoring"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="figure-monitored"' in page
    assert response.context["overview"].monitored == 3
    option = response.context["charts"]["category"]
    assert option["series"][0]["data"] == [1, 2, 0]
    assert option["series"][1]["data"] == [0, 0, 1]
    assert 'data-chart-source="chart-category"' in page
    assert '<script id="chart-category" type="application/json">' in page
    assert response.context["charts"]["trend"]["series"][1]["data"] == [None, 1]


def test_page_filter_by_region_and_htmx_partial(world, registry):
    client = _client(world.alice)
    response = client.get(reverse("monitoring"), {"region": TONGLE}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["overview"].monitored == 2
    assert b"<html" not in response.content  # only the part htmx swaps in


def test_page_workbook_has_the_tables(world, registry):
    response = _client(world.alice).get(reverse("monitoring"), {"format": "xlsx"})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_name("监测对象类别").to_python()
    assert rows[0] == ["类别", "监测中（户）", "已消除风险（户）"]
    assert [row[1:] for row in rows[1:]] == [[1, 0], [2, 0], [0, 1]]


def test_charlie_sees_empty_figures_and_gets_404_for_alices_region(world, registry):
    client = _client(world.charlie)
    response = client.get(reverse("monitoring"))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert (overview.monitored, overview.by_village, overview.trend) == (0, [], [])
    assert client.get(reverse("monitoring"), {"region": TONGLE}).status_code == 404
    assert client.get(reverse("monitoring-households"), {"region": TONGLE}).status_code == 404
    household = registry["a"]
    assert client.get(reverse("monitoring-household", args=[household.pk])).status_code == 404


def test_donor_user_sees_no_household_and_no_personal_data(world, registry):
    client = _client(world.bob)
    response = client.get(reverse("monitoring-households"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "韦小宝" not in response.content.decode()
    assert client.get(reverse("monitoring-household", args=[registry["a"].pk])).status_code == 404


def test_anonymous_user_is_sent_to_sign_in(registry):
    response = Client().get(reverse("monitoring"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_household_list_masks_names_without_the_grant(world, registry):
    response = _client(world.alice).get(reverse("monitoring-households"), {"risk": "illness"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [h.number for h, _ in rows] == sorted([registry["a"].number, registry["b"].number])
    heads = {h.pk: head for h, head in rows}
    assert heads[registry["a"].pk].name == "韦**"
    assert "韦小宝" not in response.content.decode()


def test_household_list_and_detail_show_names_with_the_grant(world, registry):
    pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    client = _client(world.alice)
    response = client.get(reverse("monitoring-households"), {"category": UNSTABLE})
    assert [head.name for _, head in response.context["rows"]] == ["韦小宝"]
    detail = client.get(reverse("monitoring-household", args=[registry["a"].pk]))
    assert detail.status_code == 200
    assert [row.pii.name for row in detail.context["detail"].persons] == ["韦小宝"]
    assert 'data-testid="pii-masked"' not in detail.content.decode()


def test_household_detail_masks_id_numbers_without_the_grant(world, registry):
    response = _client(world.alice).get(reverse("monitoring-household", args=[registry["a"].pk]))
    assert response.status_code == 200
    person = response.context["detail"].persons[0]
    assert person.pii.clear is False
    assert person.pii.id_number.count("*") == 10
    assert [f.rule_code for f in response.context["detail"].findings] == []  # resolved by run 2


def test_household_detail_lists_findings_of_the_newest_run(world, registry):
    response = _client(world.alice).get(reverse("monitoring-household", args=[registry["b"].pk]))
    assert [f.run_id for f in response.context["detail"].findings] == [registry["second"].pk]


def _more(world: World, n: int) -> None:
    run = MonitoringRun.objects.order_by("-id").first()
    assert run is not None
    for index in range(n):
        household = _household(TONGLE, MARGINAL, RiskType.HOUSING, RiskType.ILLNESS)
        make_person(household, id_number=make_id(sequence=100 + index))
        _finding(run, household)
        open_case(household, opened_on=days_ago(300))


def _queries(client: Client, url: str) -> int:
    cache.clear()  # count the queries of a page whose trend is not cached yet
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "name", ["monitoring", "monitoring-households"], ids=["overview", "household-list"]
)
def test_pages_make_the_same_number_of_queries_for_more_rows(
    world, registry, name, django_assert_max_num_queries
):
    client = _client(world.alice)
    url = reverse(name)
    before = _queries(client, url)
    _more(world, 6)
    assert _queries(client, url) == before
    cache.clear()
    with django_assert_max_num_queries(before):
        client.get(url)


def test_trend_figures_are_cached_per_pair_of_runs_and_scope(world, registry):
    cache.clear()
    first = selectors.monitoring_overview(world.alice).trend
    with CaptureQueriesContext(connection) as captured:
        again = selectors.monitoring_overview(world.alice).trend
    assert again == first
    assert not any("COUNT" in q["sql"] and "households_finding" in q["sql"] for q in captured)
    village = selectors.region_filter(world.alice, OTHER_VILLAGE)
    narrowed = selectors.monitoring_overview(world.alice, region=village).trend
    assert [p.findings for p in narrowed] == [0, 1]  # another scope, not the cached figures


def test_household_detail_query_count_is_bounded(world, registry, django_assert_max_num_queries):
    client = _client(world.alice)
    with django_assert_max_num_queries(14):
        assert (
            client.get(reverse("monitoring-household", args=[registry["a"].pk])).status_code == 200
        )


def test_chart_json_is_valid_json(world, registry):
    page = _client(world.alice).get(reverse("monitoring")).content.decode()
    start = page.index('<script id="chart-village" type="application/json">')
    body = page[start:].split(">", 1)[1].split("</script>", 1)[0]
    option = json.loads(body)
    assert option["yAxis"]["data"] == ["长洲村委会", "下伦村委会"]
