import pytest
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import SYSTEM
from bangfu.accounts.services import pii_grant_create
from bangfu.cases.choices import CaseState
from bangfu.cases.models import Case
from bangfu.cases.tests.helpers import (
    BANK,
    PHONE,
    PLAIN_ID,
    case_in,
    days_ago,
    open_case,
    reviewer,
    scan,
)
from bangfu.core.testing import make_user

pytestmark = pytest.mark.django_db


def client_for(user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(User.objects.get(pk=user.pk))
    return client


def test_the_list_shows_overdue_cases_first(world):
    fresh = open_case(opened_on=days_ago(2))
    late = open_case(opened_on=days_ago(20))
    response = client_for(world.alice).get("/cases/")
    assert response.status_code == 200
    rows = list(response.context["cases"])
    assert [(c.pk, c.overdue) for c in rows] == [(late.pk, True), (fresh.pk, False)]
    assert "overdue" in response.content.decode()


def test_the_list_filters_by_state(world):
    open_case()
    response = client_for(world.alice).get("/cases/", {"state": "recorded"})
    assert list(response.context["cases"]) == []


def test_the_detail_offers_the_next_step_and_shows_the_refusal(world):
    case = case_in(CaseState.REVIEWED)
    client = client_for(world.alice)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="action-notice"' in page
    assert 'data-testid="action-dismiss"' in page
    response = client.post(
        f"/cases/{case.pk}/advance/notice/",
        {
            "notice-date": days_ago(300).isoformat(),
            "notice-notice_start": days_ago(300).isoformat(),
            "notice-notice_end": days_ago(298).isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["refusal"] == [
        "the notice is posted for 3 days; at least 5 are required"
    ]
    assert "the notice is posted for 3 days; at least 5 are required" in response.content.decode()


def test_a_step_posted_from_the_page_moves_the_case(world):
    case = case_in(CaseState.VERIFIED)
    response = client_for(world.alice).post(
        f"/cases/{case.pk}/advance/compared/", {"compare-result": "consistent"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.COMPARED


def test_home_verification_uploads_the_scan(world):
    case = open_case()
    head = case.household.persons.get()
    response = client_for(world.alice).post(
        f"/cases/{case.pk}/advance/verified/",
        {"verify-signer": str(head.pk), "verify-authorisation_scan": scan()},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.authorised_by_id) == (CaseState.VERIFIED, head.pk)
    download = client_for(world.alice).get(f"/cases/{case.pk}/authorisation/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed"  # type: ignore[attr-defined]
    assert client_for(world.bob).get(f"/cases/{case.pk}/authorisation/").status_code == 404


def test_a_data_entry_user_is_not_offered_the_township_review(world):
    case = case_in(CaseState.NOTICE)
    page = client_for(world.alice).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="action-township_review"' not in page
    assert (
        "action-township_review"
        in client_for(reviewer()).get(f"/cases/{case.pk}/").content.decode()
    )


def test_a_viewer_cannot_advance_from_the_page(world):
    viewer = make_user(region=world.fengshan, roles=[Role.VIEWER])
    case = case_in(CaseState.VERIFIED)
    client = client_for(viewer)
    assert 'data-testid="action-' not in client.get(f"/cases/{case.pk}/").content.decode()
    response = client.post(f"/cases/{case.pk}/advance/compared/", {"compare-result": "consistent"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == CaseState.VERIFIED


@pytest.mark.parametrize("name", ["bob", "charlie"])
def test_donor_side_and_unrelated_users_get_no_case_page(world, name):
    case = case_in(CaseState.NOTICE)
    client = client_for(getattr(world, name))
    assert list(client.get("/cases/").context["cases"]) == []
    for url in [f"/cases/{case.pk}/", f"/cases/{case.pk}/notice/"]:
        assert client.get(url).status_code == 404
    assert client.post(f"/cases/{case.pk}/advance/township_reviewed/").status_code == 404
    assert client.post(f"/cases/{case.pk}/measures/").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(world):
    case = open_case()
    for url in ["/cases/", f"/cases/{case.pk}/", f"/cases/{case.pk}/notice/"]:
        response = client_for().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_notice_page_has_no_id_phone_bank_or_health_data_even_with_the_grant(world):
    pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    case = case_in(CaseState.NOTICE)
    response = client_for(world.alice).get(f"/cases/{case.pk}/notice/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<td data-testid="head-name">张三</td>' in page
    for secret in (PLAIN_ID, "******", PHONE, PHONE[-4:], BANK[-4:], "因病", "illness", "健康"):
        assert secret not in page


def test_the_notice_page_masks_the_name_without_the_grant(world):
    case = case_in(CaseState.NOTICE)
    page = client_for(world.alice).get(f"/cases/{case.pk}/notice/").content.decode()
    assert '<td data-testid="head-name">张*</td>' in page
    assert "张三" not in page


def test_a_measure_added_from_the_page_is_linked_to_the_case(world):
    case = case_in(CaseState.RECORDED)
    response = client_for(world.alice).post(
        f"/cases/{case.pk}/measures/",
        {"measure-category": "health", "measure-date": days_ago(5).isoformat()},
    )
    assert response.status_code == 302
    assert [m.measure.category for m in case.case_measures.all()] == ["health"]


def test_opening_a_case_from_the_list_page(world):
    household = open_case().household
    Case.objects.filter(household=household).update(state=CaseState.DISMISSED)
    response = client_for(world.alice).post(
        "/cases/open/",
        {"household_number": household.number, "source": "application"},
    )
    assert response.status_code == 302
    assert Case.objects.filter(household=household, state=CaseState.CLUE).count() == 1


def test_the_timeline_shows_translated_labels_and_values_in_chinese(world):
    case = case_in(CaseState.RECORDED)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(pk=world.alice.pk))

    page = client.get(f"/cases/{case.pk}/").content.decode()

    timeline = page.split('data-testid="timeline"')[1].split("</table>")[0]
    assert "结果：与申报情况一致" in timeline
    assert "监测对象类别：脱贫不稳定户" in timeline
    assert "公示开始日期：" in timeline
    for raw in ("notice_start", "monitoring_category", "consistent", "result:", "source:"):
        assert raw not in timeline


def test_the_timeline_entries_leave_out_empty_values():
    from bangfu.cases.models import CaseStep
    from bangfu.cases.timeline import step_entries

    step = CaseStep(
        to_state=CaseState.RECORDED,
        data={"monitoring_category": "marginal", "risk_types": ["illness", "housing"], "notes": ""},
    )

    assert step_entries(step) == [
        ("monitoring category", "marginal household at risk of poverty (边缘易致贫户)"),
        ("risk types", "illness (因病)、housing safety (因安全住房)"),
    ]
