import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from bangfu.accounts.models import Role, User
from bangfu.core.testing import get_region, make_user
from bangfu.projects.models import Category, Project, Status
from bangfu.projects.services import project_create


def client_for(user: Any = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def body(world: Any, **kwargs: Any) -> dict[str, Any]:
    get_region("451223101201")
    data = {
        "pairing": world.longhua_fengshan.pk,
        "code": "FS-1",
        "name": "同乐村饮水工程",
        "region": "451223101201",
        "category": "drinking_water",
        "start_year": 2021,
        "budget": "49万元",
    }
    data.update(kwargs)
    return data


@pytest.fixture
def project(world):
    return project_create(
        actor=world.alice,
        pairing=world.longhua_fengshan,
        code="FS-0",
        name="核桃基地",
        region=world.fengshan,
        category=Category.INDUSTRY,
        start_year=2020,
        end_year=2021,
        status_date=dt.date(2020, 1, 1),
    )


def test_create_and_detail(world):
    response = client_for(world.alice).post("/api/projects/", body(world), format="json")
    assert response.status_code == 201, response.data
    assert response.data["budget"] == "490000.00"
    assert response.data["status"] == "planned"
    assert response.data["funded_planned"] == "0.00"
    assert [c["to_status"] for c in response.data["status_changes"]] == ["planned"]


def test_transition_action_moves_one_step_and_refuses_skips(world, project):
    client = client_for(world.alice)
    url = f"/api/projects/{project.pk}/transition/"
    response = client.post(url, {"to_status": "approved", "date": "2020-03-01"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "approved"
    response = client.post(url, {"to_status": "in_use"}, format="json")
    assert response.status_code == 400
    assert "status" in response.data


def test_partial_update_refuses_status(world, project):
    client = client_for(world.alice)
    response = client.patch(f"/api/projects/{project.pk}/", {"name": "核桃产业园"}, format="json")
    assert response.data["name"] == "核桃产业园"
    response = client.patch(f"/api/projects/{project.pk}/", {"status": "completed"}, format="json")
    assert Project.objects.get(pk=project.pk).status == Status.PLANNED


def test_filters(world, project):
    client = client_for(world.bob)
    client_for(world.alice).post("/api/projects/", body(world), format="json")

    def codes(**q: Any) -> list[str]:
        return [p["code"] for p in client.get("/api/projects/", q).data["results"]]

    assert codes() == ["FS-0", "FS-1"]
    assert codes(year=2020) == ["FS-0"]
    assert codes(category="drinking_water") == ["FS-1"]
    assert codes(region="451223101000") == ["FS-1"]
    assert codes(status="approved") == []
    assert client.get("/api/projects/", {"region": "12"}).status_code == 400


def test_charlie_sees_nothing_and_cannot_write(world, project):
    client = client_for(world.charlie)
    assert client.get("/api/projects/").data["results"] == []
    assert client.get(f"/api/projects/{project.pk}/").status_code == 404
    assert client.post("/api/projects/", body(world), format="json").status_code == 404
    assert (
        client.patch(f"/api/projects/{project.pk}/", {"name": "x"}, format="json").status_code
        == 404
    )
    url = f"/api/projects/{project.pk}/transition/"
    assert client.post(url, {"to_status": "approved"}, format="json").status_code == 404


def test_a_viewer_cannot_write(world, project):
    client = client_for(make_user(region=world.fengshan, roles=[Role.VIEWER]))
    assert client.get(f"/api/projects/{project.pk}/").status_code == 200
    assert client.post("/api/projects/", body(world), format="json").status_code == 403
    assert (
        client.patch(f"/api/projects/{project.pk}/", {"name": "x"}, format="json").status_code
        == 403
    )
    url = f"/api/projects/{project.pk}/transition/"
    assert client.post(url, {"to_status": "approved"}, format="json").status_code == 403
    assert Project.objects.get(pk=project.pk).name == "核桃基地"


@pytest.mark.parametrize(
    "url", ["/api/projects/", "/api/projects/export/", "/api/projects/template/"]
)
def test_anonymous_requests_are_refused(world, url):
    assert client_for().get(url).status_code in (401, 403)


def test_export_is_an_xlsx(world, project):
    response = client_for(world.alice).get("/api/projects/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="projects.xlsx"'
