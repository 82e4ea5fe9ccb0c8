import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bangfu.accounts.models import Role, User
from bangfu.cases.choices import CaseState
from bangfu.cases.models import Case
from bangfu.cases.tests.helpers import case_in, days_ago, monitored_household, open_case, scan
from bangfu.core.models import AuditEvent
from bangfu.core.testing import make_user

pytestmark = pytest.mark.django_db


def client_for(user: User | None = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def test_a_clue_is_opened_and_advanced_through_the_api(world):
    household = monitored_household()
    client = client_for(world.alice)
    response = client.post(
        "/api/cases/",
        {
            "household": household.pk,
            "source": "department_alert",
            "department": "medical_insurance",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["department"], body["steps"][0]["to_state"]) == (
        "clue",
        "medical_insurance",
        "clue",
    )
    head = household.persons.get()
    response = client.post(
        f"/api/cases/{body['id']}/advance/",
        {"to_state": "verified", "signer": head.pk, "authorisation_scan": scan()},
        format="multipart",
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["authorisation_scan"]) == ("verified", True)


def test_a_refused_step_answers_400_with_the_failed_criterion(world):
    case = case_in(CaseState.ASSISTED)
    response = client_for(world.alice).post(
        f"/api/cases/{case.pk}/advance/",
        {"to_state": "elimination_checked", "way": "natural", "date": days_ago(284).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["monitored for 3 months; at least 6 are required"]
    }
    assert (
        AuditEvent.objects.filter(object_type="cases.case", after__step="elimination_check").count()
        == 0
    )


def test_measures_and_visits_through_the_api(world):
    case = case_in(CaseState.RECORDED)
    client = client_for(world.alice)
    response = client.post(
        f"/api/cases/{case.pk}/measures/",
        {"category": "health", "date": days_ago(10).isoformat()},
        format="json",
    )
    assert response.status_code == 201
    assert client.get(f"/api/cases/{case.pk}/measures/").json()[0]["category"] == "health"
    response = client.post(
        f"/api/cases/{case.pk}/visits/",
        {"date": days_ago(1).isoformat(), "visited_by": "李四", "notes": "stable"},
        format="json",
    )
    assert response.status_code == 201
    assert [v["visited_by"] for v in client.get(f"/api/cases/{case.pk}/visits/").json()] == ["李四"]


def test_the_list_filters_overdue_cases(world):
    late = open_case(opened_on=days_ago(30))
    open_case(opened_on=days_ago(1))
    rows = client_for(world.alice).get("/api/cases/", {"overdue": "true"}).json()["results"]
    assert [(r["id"], r["overdue"]) for r in rows] == [(late.pk, True)]


def test_the_list_answers_in_a_fixed_number_of_queries(world):
    open_case()
    client = client_for(world.alice)
    client.get("/api/cases/")  # the user's scope is computed once
    with CaptureQueriesContext(connection) as few:
        client.get("/api/cases/")
    for _ in range(3):
        open_case()
    with CaptureQueriesContext(connection) as many:
        client.get("/api/cases/")
    assert len(many) == len(few)


def test_anonymous_gets_nothing(world):
    case = open_case()
    assert client_for().get("/api/cases/").status_code in (401, 403)
    assert client_for().post(
        f"/api/cases/{case.pk}/advance/", {"to_state": "verified"}
    ).status_code in (401, 403)


@pytest.mark.parametrize("name", ["bob", "charlie"])
def test_donor_side_and_unrelated_users_see_and_change_no_case(world, name):
    case = case_in(CaseState.RECORDED)
    client = client_for(getattr(world, name))
    assert client.get("/api/cases/").json()["results"] == []
    assert client.get(f"/api/cases/{case.pk}/").status_code == 404
    assert (
        client.post(f"/api/cases/{case.pk}/advance/", {"to_state": "assisted"}).status_code == 404
    )
    assert client.get(f"/api/cases/{case.pk}/measures/").status_code == 404
    assert client.post(f"/api/cases/{case.pk}/visits/", {}).status_code == 404
    response = client.post(
        "/api/cases/", {"household": case.household_id, "source": "application"}, format="json"
    )
    assert response.status_code == 400
    assert Case.objects.count() == 1


def test_a_viewer_cannot_advance_through_the_api(world):
    viewer = make_user(region=world.fengshan, roles=[Role.VIEWER])
    case = case_in(CaseState.VERIFIED)
    client = client_for(viewer)
    assert client.get(f"/api/cases/{case.pk}/").status_code == 200
    response = client.post(
        f"/api/cases/{case.pk}/advance/", {"to_state": "compared", "result": "consistent"}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "This needs the role “data entry”."}
