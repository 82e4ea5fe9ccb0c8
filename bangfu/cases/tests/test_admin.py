"""The case admin: scoped, read-mostly, dismissal through the service."""

from __future__ import annotations

import pytest
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.cases.choices import CaseState
from bangfu.cases.models import Case
from bangfu.cases.tests.helpers import case_in, days_ago, open_case
from bangfu.core.models import AuditEvent
from bangfu.core.testing import get_region, make_user

pytestmark = pytest.mark.django_db

LIST = "/admin/cases/case/"


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(pk=user.pk))
    return client


def test_a_superuser_sees_the_list_with_its_filters_and_a_case_page(world):
    case = case_in(CaseState.COMPARED)

    response = client_for(world.dana).get(LIST)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [case]
    html = response.content.decode()
    for title in ("By state", "By monitoring category", "By source", "By overdue"):
        assert title in html
    page = client_for(world.dana).get(f"{LIST}{case.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "result: consistent with the application" in text
    assert f'href="/cases/{case.pk}/authorisation/"' in text
    assert "/media/" not in text
    assert "Save" not in text


def test_the_overdue_filter_keeps_only_late_cases(world):
    late = open_case(opened_on=days_ago(20))
    open_case(opened_on=days_ago(1))

    overdue = client_for(world.dana).get(LIST, {"overdue": "1"}).context["cl"].result_list
    on_time = client_for(world.dana).get(LIST, {"overdue": "0"}).context["cl"].result_list

    assert [c.pk for c in overdue] == [late.pk]
    assert late.pk not in [c.pk for c in on_time]


def test_the_state_filter_works(world):
    clue = open_case()
    recorded = case_in(CaseState.RECORDED)

    rows = client_for(world.dana).get(LIST, {"state__exact": "recorded"}).context["cl"].result_list

    assert [c.pk for c in rows] == [recorded.pk]
    assert clue.pk not in [c.pk for c in rows]


def test_a_viewer_without_staff_access_is_refused(world):
    case = open_case()
    viewer = make_user(region=get_region("451223000000"), roles=[Role.VIEWER])
    User.objects.filter(pk=viewer.pk).update(is_staff=False)

    list_response = client_for(viewer).get(LIST)
    page_response = client_for(viewer).get(f"{LIST}{case.pk}/change/")

    assert list_response.status_code == 302
    assert list_response["Location"].startswith("/admin/login/")
    assert page_response.status_code == 302


def test_users_outside_the_scope_see_no_case(world):
    case = open_case()

    for user in (world.bob, world.charlie):
        client = client_for(user)
        response = client.get(LIST)
        assert response.status_code in (200, 403)
        if response.status_code == 200:
            assert list(response.context["cl"].result_list) == []
        assert client.get(f"{LIST}{case.pk}/change/").status_code in (302, 403, 404)


def test_nothing_can_be_added_changed_or_deleted(world):
    case = open_case()
    client = client_for(world.dana)

    assert client.get(f"{LIST}add/").status_code == 403
    assert client.get(f"{LIST}{case.pk}/delete/").status_code == 403
    assert client.post(f"{LIST}{case.pk}/change/", {"state": "eliminated"}).status_code == 403
    assert Case.objects.get(pk=case.pk).state == CaseState.CLUE


def test_the_dismiss_action_goes_through_the_service_and_is_audited(world):
    case = open_case()
    before = AuditEvent.objects.filter(object_type="cases.case").count()

    response = client_for(world.alice).post(
        LIST,
        {"action": "dismiss_selected", "_selected_action": [case.pk], "reason": "重复申报"},
        follow=True,
    )

    assert "1 cases dismissed." in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.closed_reason) == (CaseState.DISMISSED, "重复申报")
    assert AuditEvent.objects.filter(object_type="cases.case").count() == before + 1


def test_the_dismiss_action_refuses_without_a_reason_or_the_role(world):
    case = open_case()
    viewer = make_user(region=get_region("451223000000"), roles=[Role.VIEWER])

    no_reason = client_for(world.alice).post(
        LIST, {"action": "dismiss_selected", "_selected_action": [case.pk]}, follow=True
    )
    no_role = client_for(viewer).post(
        LIST,
        {"action": "dismiss_selected", "_selected_action": [case.pk], "reason": "x"},
        follow=True,
    )

    assert f"Case {case.pk} was not dismissed: give the reason" in no_reason.content.decode()
    assert f"Case {case.pk} was not dismissed: This needs the role" in no_role.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.CLUE
