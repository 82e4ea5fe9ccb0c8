from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from bangfu.accounts.models import Role
from bangfu.core.testing import make_user
from bangfu.indicators.models import DataValue, Indicator, Side, Status, Target
from bangfu.indicators.periods import Period
from bangfu.indicators.tests.helpers import approved


def client(user: Any) -> APIClient:
    c = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    c.force_authenticate(user)
    return c


def post_value(world: Any, user: Any, period: Period, value: str = "16") -> Any:
    return client(user).post(
        "/api/indicator-values/",
        {
            "indicator": "teachers_sent",
            "pairing": world.longhua_fengshan.pk,
            "reported_by": "recipient",
            "period": str(period),
            "value": value,
        },
        format="json",
    )


def test_the_catalogue_is_listed_for_every_signed_in_user(world):
    response = client(world.charlie).get("/api/indicators/?work_area=talent")
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert "teachers_sent" in codes
    assert APIClient().get("/api/indicators/").status_code in (401, 403)


def test_only_administrators_add_indicators(world, admin):
    body = {
        "code": "volunteer_hours", "name_zh": "志愿服务时长", "name_en": "volunteer hours",
        "unit": "count", "work_area": "social", "nature": "flow", "time_aggregation": "sum",
        "party_aggregation": "sum",
    }  # fmt: skip
    assert client(world.alice).post("/api/indicators/", body, format="json").status_code == 403
    response = client(admin).post("/api/indicators/", body, format="json")
    assert response.status_code == 201
    assert Indicator.objects.get(code="volunteer_hours").name_zh == "志愿服务时长"


def test_a_figure_is_entered_submitted_and_approved_through_the_api(
    world, this_year, hechi_reviewer
):
    response = post_value(world, world.alice, this_year)
    assert response.status_code == 201
    pk = response.json()["id"]
    assert client(world.alice).post(f"/api/indicator-values/{pk}/submit/").status_code == 200
    assert client(world.alice).post(f"/api/indicator-values/{pk}/approve/").status_code == 403
    approve = client(hechi_reviewer).post(f"/api/indicator-values/{pk}/approve/")
    assert approve.json()["status"] == "approved"
    back = client(hechi_reviewer).post(
        f"/api/indicator-values/{pk}/send-back/", {"reason": ""}, format="json"
    )
    assert back.status_code == 400
    assert client(hechi_reviewer).post(f"/api/indicator-values/{pk}/lock/").status_code == 200
    assert (
        client(hechi_reviewer)
        .post(f"/api/indicator-values/{pk}/unlock/", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert DataValue.objects.get().status == Status.LOCKED


def test_figures_outside_the_scope_are_invisible(world, this_year):
    pk = post_value(world, world.alice, this_year).json()["id"]
    assert client(world.charlie).get(f"/api/indicator-values/{pk}/").status_code == 404
    assert client(world.charlie).post(f"/api/indicator-values/{pk}/submit/").status_code == 404
    assert client(world.charlie).get("/api/indicator-values/").json()["count"] == 0
    assert post_value(world, world.charlie, this_year).status_code == 404
    assert (
        client(world.bob).get("/api/indicator-values/?indicator=teachers_sent").json()["count"] == 1
    )


def test_a_refused_figure_answers_400_with_the_rule(world, this_year):
    response = client(world.alice).post(
        "/api/indicator-values/",
        {"indicator": "poverty_incidence", "pairing": world.longhua_fengshan.pk,
         "reported_by": "recipient", "period": str(this_year), "value": "150"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "0..100" in response.json()["value"][0]


def test_targets_are_set_and_listed_in_scope(world, this_year):
    body = {"indicator": "labour_trained", "pairing": world.longhua_fengshan.pk,
            "period": str(this_year), "value": "900"}  # fmt: skip
    assert (
        client(world.charlie).post("/api/indicator-targets/", body, format="json").status_code
        == 404
    )
    viewer = make_user(region=world.fengshan, roles=[Role.VIEWER])
    assert client(viewer).post("/api/indicator-targets/", body, format="json").status_code == 403
    assert (
        client(world.alice).post("/api/indicator-targets/", body, format="json").status_code == 201
    )
    assert client(world.bob).get("/api/indicator-targets/").json()["count"] == 1
    assert client(world.charlie).get("/api/indicator-targets/").json()["count"] == 0


def test_the_grid_reads_and_saves_all_or_nothing(world, this_year):
    url = f"/api/indicator-grid/{world.longhua_fengshan.pk}/"
    cells = [
        {"indicator": "labour_trained", "period": str(this_year), "kind": "target", "value": "900"},
        {"indicator": "labour_trained", "period": "bad", "kind": "value", "value": "1",
         "side": "recipient"},
    ]  # fmt: skip
    refused = client(world.alice).post(url + "save/", {"cells": cells}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["cells.1"]
    assert Target.objects.count() == 0
    saved = client(world.alice).post(url + "save/", {"cells": cells[:1]}, format="json")
    assert saved.json() == {"saved": 1}
    grid = client(world.alice).get(url + f"?year={this_year.start.year}").json()
    row = next(r for r in grid["rows"] if r["indicator"]["code"] == "labour_trained")
    assert row["cells"][0]["target"] == "900.0000"
    assert client(world.charlie).get(url + "?year=2020").status_code == 404
    assert (
        client(world.charlie).post(url + "save/", {"cells": cells[:1]}, format="json").status_code
        == 404
    )
    assert client(world.alice).get(url).status_code == 400


def test_rollups_answer_with_used_and_set_aside_values(world):
    lf = world.longhua_fengshan
    approved(lf, Side.DONOR, "teachers_sent", "16", Period.year(2020))
    approved(lf, Side.RECIPIENT, "teachers_sent", "15", Period.year(2020))
    url = (
        "/api/indicator-rollups/?indicator=teachers_sent&period=2020"
        "&region=451200000000&hierarchy=recipient"
    )
    body = client(world.alice).get(url).json()
    assert Decimal(body["total"]) == Decimal("15")
    assert [c["side"] for c in body["set_aside"]] == ["donor"]
    assert client(world.charlie).get(url).json()["total"] is None


@pytest.mark.parametrize("who", ["charlie", "alice"])
def test_scorecards_need_scope_and_the_reviewer_role(world, who):
    from bangfu.indicators.models import ScorecardConfig

    ScorecardConfig.objects.create(year=2020, good_from=90, fairly_good_from=75, average_from=60)
    url = f"/api/scorecards/{world.longhua_fengshan.pk}/"
    user = getattr(world, who)
    expected = 404 if who == "charlie" else 403
    assert client(user).post(url + "approve/?year=2020").status_code == expected
    if who == "alice":
        assert client(user).get(url + "?year=2020").json()["grade"] == "差"
        assert client(user).get(url + "snapshot/?year=2020").status_code == 404
