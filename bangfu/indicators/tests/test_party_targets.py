"""Targets stated for one party as a whole (no pairing): 宝安区 buys 3000万元 of products."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import ImportRefused, PermissionDenied, ValidationFailed
from bangfu.core.testing import get_region, make_user
from bangfu.indicators import io as indicator_io
from bangfu.indicators import selectors, services
from bangfu.indicators.models import Indicator, Source, Target
from bangfu.indicators.periods import Period, parse
from bangfu.indicators.tests.test_io import xlsx

Y2020 = Period.year(2020)


def client(user: Any) -> APIClient:
    c = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    c.force_authenticate(user)
    return c


def purchases() -> Indicator:
    return Indicator.objects.get(code="products_purchased")


def party_figure(region: Any, value: str, period: str) -> None:
    figure = services.data_value_set(
        actor=SYSTEM,
        indicator=purchases(),
        period=parse(period),
        value=value,
        party_region=region,
        source=Source.EXTRACTED,
    ).value
    services.data_value_submit(actor=SYSTEM, data_value=figure)
    services.data_value_approve(actor=SYSTEM, data_value=figure)


def test_a_district_target_shows_progress_from_the_districts_own_figure(world):
    services.target_set(
        actor=world.bob,
        indicator=purchases(),
        party_region=world.longhua,
        period=Y2020,
        value="30000000",
    )
    party_figure(world.longhua, "10900000", "2020-01-01..2020-03-13")
    rows = selectors.progress(
        user=world.bob, owner=selectors.Owner(party_region=world.longhua), year=2020
    )
    assert [(r.indicator.code, r.target, r.actual.value, r.percent) for r in rows] == [
        ("products_purchased", Decimal("30000000"), Decimal("10900000"), Decimal("36.3")),
    ]
    assert rows[0].actual.basis == "cumulative"
    # The district's target is not a target of its pairings.
    assert (
        selectors.pairing_progress(user=world.bob, pairing=world.longhua_fengshan, year=2020) == []
    )


def test_a_target_belongs_to_exactly_one_owner_in_the_database(world):
    base: dict[str, Any] = {
        "indicator": purchases(), "value": 1, "period_kind": "year",
        "period_start": Y2020.start, "period_end": Y2020.end,
    }  # fmt: skip
    for owners in ({}, {"pairing": world.longhua_fengshan, "party_region": world.longhua}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Target.objects.create(**base, **owners)
    Target.objects.create(**base, party_region=world.longhua)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(**base, party_region=world.longhua)  # the natural key


def test_only_the_partys_own_data_entry_users_set_its_targets(world):
    args: dict[str, Any] = {"indicator": purchases(), "period": Y2020, "value": "1"}
    with pytest.raises(PermissionDenied):
        services.target_set(actor=world.alice, party_region=world.longhua, **args)
    with pytest.raises(PermissionDenied):
        services.target_set(actor=world.charlie, party_region=world.longhua, **args)
    viewer = make_user(username="viewer", region=world.longhua, roles=[Role.VIEWER])
    with pytest.raises(PermissionDenied):
        services.target_set(actor=viewer, party_region=world.longhua, **args)
    with pytest.raises(ValidationFailed):
        services.target_set(
            actor=world.bob, pairing=world.longhua_fengshan, party_region=world.longhua, **args
        )
    assert Target.objects.count() == 0


def test_party_targets_are_listed_only_within_the_scope(world):
    services.target_set(
        actor=world.bob, indicator=purchases(), party_region=world.longhua, period=Y2020, value="5"
    )
    assert [t.value for t in selectors.target_list(user=world.bob)] == [Decimal("5")]
    assert list(selectors.target_list(user=world.charlie)) == []
    assert list(selectors.target_list(user=world.alice)) == []
    response = client(world.bob).get(f"/api/indicator-targets/?party_region={world.longhua.pk}")
    assert [(r["party_region"], r["pairing"]) for r in response.json()["results"]] == [
        (world.longhua.pk, None)
    ]
    assert client(world.charlie).get("/api/indicator-targets/").json()["results"] == []


def test_a_party_target_is_set_through_the_api_and_outsiders_get_404(world):
    body = {
        "indicator": "products_purchased",
        "party_region": world.longhua.pk,
        "period": "2020",
        "value": "30000000",
    }
    assert (
        client(world.charlie).post("/api/indicator-targets/", body, format="json").status_code
        == 404
    )
    assert (
        client(world.alice).post("/api/indicator-targets/", body, format="json").status_code == 404
    )
    both = {**body, "pairing": world.longhua_fengshan.pk}
    assert client(world.bob).post("/api/indicator-targets/", both, format="json").status_code == 400
    response = client(world.bob).post("/api/indicator-targets/", body, format="json")
    assert response.status_code == 201
    assert response.json()["party_region"] == world.longhua.pk
    assert Target.objects.get().party_region_id == world.longhua.pk


def test_the_party_grid_and_progress_endpoints(world):
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    year, code = today.year, world.longhua.pk
    cells = {
        "cells": [
            {"indicator": "products_purchased", "period": str(year), "kind": "target",
             "value": "300"},
            {"indicator": "products_purchased", "period": f"{year}Q{quarter}", "kind": "value",
             "value": "90"},
        ]
    }  # fmt: skip
    save = f"/api/indicator-grid/party/save/?party_region={code}"
    assert client(world.charlie).post(save, cells, format="json").status_code == 404
    assert client(world.alice).post(save, cells, format="json").status_code == 404
    assert client(world.bob).post(save, cells, format="json").json() == {"saved": 2}
    url = f"/api/indicator-grid/party/?party_region={code}&year={year}"
    grid = client(world.bob).get(url).json()
    assert grid["owner"]["party_region"] == code
    row = next(r for r in grid["rows"] if r["indicator"]["code"] == "products_purchased")
    assert (row["cells"][0]["target"], row["cells"][quarter]["actual"]) == ("300.0000", "90.0000")
    assert set(row["cells"][quarter]["values"]) == {"party"}
    progress = (
        client(world.bob)
        .get(f"/api/indicator-grid/party/progress/?party_region={code}&year={year}")
        .json()
    )
    assert [(p["target"], p["actual"]["value"], p["percent"]) for p in progress] == [
        ("300.0000", "90.0000", "30.0")
    ]
    assert client(world.charlie).get(url).status_code == 404
    assert client(world.bob).get(f"/api/indicator-grid/party/?year={year}").status_code == 400


def test_party_targets_import_and_export_by_region_code(world):
    headers = ["指标代码", "结对ID", "填报地区代码", "期间", "数值", "备注"]
    good = xlsx([headers, ["products_purchased", None, world.longhua.pk, "2020", 30000000, ""]])
    assert indicator_io.targets_import(actor=world.bob, source=good, filename="t.xlsx") == 1
    target = Target.objects.get()
    assert (target.party_region_id, target.pairing_id) == (world.longhua.pk, None)
    exported = indicator_io.targets_export(user=world.bob)
    Target.objects.all().delete()
    assert indicator_io.targets_import(actor=world.bob, source=exported, filename="e.xlsx") == 1
    assert Target.objects.get().value == Decimal("30000000")
    foreign = xlsx(
        [headers, ["products_purchased", None, get_region("530102000000").pk, "2020", 1, ""]]
    )
    with pytest.raises(ImportRefused) as refused:
        indicator_io.targets_import(actor=world.bob, source=foreign, filename="f.xlsx")
    assert [(e.row, e.column, e.reason) for e in refused.value.errors] == [
        (2, "填报地区代码", "no such region in your scope")
    ]
