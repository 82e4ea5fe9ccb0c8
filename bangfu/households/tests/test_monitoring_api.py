"""API of monitoring runs and findings: scope, permissions, no personal data."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from bangfu.accounts.models import User
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.testing import make_user
from bangfu.households.monitoring.services import monitoring_run
from bangfu.households.tests.helpers import make_household, make_person

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2024, 6, 30)


def client_for(user: User | None = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


@pytest.fixture
def run(world: Any) -> Any:
    household = make_household(wage_income=Decimal("16000"), transfer_income=Decimal("4000"))
    make_person(household, phone="13812345678", critical_illness_insurance=False)
    return monitoring_run(actor=SYSTEM, region=world.fengshan, as_of=AS_OF)


def test_recipient_user_lists_runs_and_findings_by_number_only(world: Any, run: Any) -> None:
    client = client_for(world.alice)
    assert [r["id"] for r in client.get("/api/monitoring-runs/").json()["results"]] == [run.pk]
    response = client.get(f"/api/monitoring-runs/{run.pk}/findings/?rule=NO_MEDICAL_INSURANCE")
    rows = response.json()["results"]
    assert [(r["rule_code"], r["detail"], r["person"]) for r in rows] == [
        ("NO_MEDICAL_INSURANCE", "basic,critical", rows[0]["household"] + "01")
    ]
    body = json.dumps(response.json(), ensure_ascii=False)
    assert "韦小宝" not in body
    assert "13812345678" not in body
    assert "451223198005170134"[:10] not in body


def test_findings_filter_by_category(world: Any, run: Any) -> None:
    url = f"/api/monitoring-runs/{run.pk}/findings/?category=unstable"
    rows = client_for(world.alice).get(url).json()["results"]
    assert {r["rule_code"] for r in rows} == {
        "INCOME_IN_RANGE",
        "NO_MEDICAL_INSURANCE",
        "UNSTABLE_WORK",
    }
    assert {r["category"] for r in rows} == {"unstable"}


def test_donor_and_unrelated_users_get_404(world: Any, run: Any) -> None:
    for user in (world.bob, world.charlie):
        client = client_for(user)
        assert client.get("/api/monitoring-runs/").json()["results"] == []
        assert client.get(f"/api/monitoring-runs/{run.pk}/").status_code == 404
        assert client.get(f"/api/monitoring-runs/{run.pk}/findings/").status_code == 404
        url = f"/api/monitoring-runs/{run.pk}/diff/?against={run.pk}"
        assert client.get(url).status_code == 404


def test_anonymous_gets_nothing(world: Any, run: Any) -> None:
    assert client_for().get("/api/monitoring-runs/").status_code in (401, 403)
    assert client_for().post("/api/monitoring-runs/", {}).status_code in (401, 403)


def test_a_recipient_user_starts_a_run_of_their_region(world: Any, run: Any) -> None:
    response = client_for(world.alice).post(
        "/api/monitoring-runs/", {"as_of": "2024-06-30"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["region"] == "451223000000"


def test_starting_a_run_outside_ones_scope_or_without_the_role_is_refused(
    world: Any, run: Any
) -> None:
    outside = client_for(world.alice).post(
        "/api/monitoring-runs/", {"region": "520525000000"}, format="json"
    )
    assert outside.status_code == 403
    viewer = make_user(region=world.fengshan)
    assert client_for(viewer).post("/api/monitoring-runs/", {}, format="json").status_code == 403


def test_diff_counts_and_lists_a_part(world: Any, run: Any) -> None:
    make_household(wage_income=Decimal("8000"))
    later = monitoring_run(actor=SYSTEM, region=world.fengshan, as_of=AS_OF)
    client = client_for(world.alice)
    counts = client.get(f"/api/monitoring-runs/{later.pk}/diff/?against={run.pk}").json()
    assert counts["new"]["INCOME_IN_RANGE"] == 1
    assert counts["resolved"] == {}
    listed = client.get(f"/api/monitoring-runs/{later.pk}/diff/?against={run.pk}&part=new")
    assert {r["rule_code"] for r in listed.json()["results"]} >= {"INCOME_IN_RANGE"}
    bad = client.get(f"/api/monitoring-runs/{later.pk}/diff/?against=x")
    assert bad.status_code == 400
