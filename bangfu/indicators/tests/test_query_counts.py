"""List, grid and progress endpoints run a fixed number of queries however many rows they hold."""

from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bangfu.indicators.models import DataValue, Indicator, Side, Status, Target
from bangfu.indicators.periods import Period, PeriodKind, subperiods

Y2020 = Period.year(2020)


def client(user: Any) -> APIClient:
    c = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    c.force_authenticate(user)
    return c


def entered(indicators: list[Indicator], pairing: Any, periods: list[Period]) -> None:
    """Approved figures of both sides and a target for every indicator × period."""
    values, targets = [], []
    for indicator in indicators:
        for period in periods:
            for side in (Side.DONOR, Side.RECIPIENT):
                v = DataValue(
                    indicator=indicator, pairing=pairing, reported_by=side,
                    value=Decimal(7), status=Status.APPROVED,
                )  # fmt: skip
                v.set_period(period)
                values.append(v)
            t = Target(indicator=indicator, pairing=pairing, value=Decimal(10))
            t.set_period(period)
            targets.append(t)
    DataValue.objects.bulk_create(values)
    Target.objects.bulk_create(targets)


def queries(user: Any, url: str) -> int:
    client(user).get(url)  # warm the per-process caches (content types, catalogue)
    with CaptureQueriesContext(connection) as captured:
        response = client(user).get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def entered_indicators(count: int) -> list[Indicator]:
    return list(Indicator.objects.filter(is_computed=False)[:count])


def test_list_endpoints_run_the_same_queries_for_few_and_many_rows(world):
    lf = world.longhua_fengshan
    quarters = list(subperiods(2020, PeriodKind.QUARTER))
    entered(entered_indicators(1), lf, quarters[:1])
    urls = ["/api/indicator-values/", "/api/indicator-targets/", "/api/indicators/"]
    few = [queries(world.alice, url) for url in urls]
    entered(entered_indicators(10)[1:], lf, quarters)
    assert DataValue.objects.count() == 2 + 9 * 8
    assert [queries(world.alice, url) for url in urls] == few
    assert few[2] <= 6  # the catalogue: page, count, user's scope


def test_grid_and_progress_run_the_same_queries_for_few_and_many_rows(world):
    lf = world.longhua_fengshan
    periods = [Y2020, *subperiods(2020, PeriodKind.QUARTER)]
    entered(entered_indicators(1), lf, periods)
    urls = [
        f"/api/indicator-grid/{lf.pk}/?year=2020",
        f"/api/indicator-grid/{lf.pk}/progress/?year=2020",
    ]
    few = [queries(world.alice, url) for url in urls]
    entered(entered_indicators(12)[1:], lf, periods)
    assert Target.objects.count() == 12 * 5
    assert [queries(world.alice, url) for url in urls] == few


def test_the_party_grid_runs_the_same_queries_for_few_and_many_rows(world):
    indicators = entered_indicators(10)

    def party_rows(chosen: list[Indicator]) -> None:
        for indicator in chosen:
            v = DataValue(indicator=indicator, party_region=world.longhua,
                          reported_by=Side.PARTY, value=Decimal(3))  # fmt: skip
            v.set_period(Y2020)
            v.save()
            t = Target(indicator=indicator, party_region=world.longhua, value=Decimal(9))
            t.set_period(Y2020)
            t.save()

    party_rows(indicators[:1])
    base = f"party_region={world.longhua.pk}&year=2020"
    urls = [f"/api/indicator-grid/party/?{base}", f"/api/indicator-grid/party/progress/?{base}"]
    few = [queries(world.bob, url) for url in urls]
    party_rows(indicators[1:])
    assert [queries(world.bob, url) for url in urls] == few
