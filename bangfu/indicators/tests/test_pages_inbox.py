"""The approval inbox: what waits for whom, approving one or many, sending back with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bangfu.accounts.models import Role
from bangfu.core.testing import World, get_region, make_user
from bangfu.indicators import inbox, services
from bangfu.indicators.models import DataValue, Indicator, Side, Status
from bangfu.indicators.periods import Period

pytestmark = pytest.mark.django_db
YEAR = 2020


@pytest.fixture(autouse=True)
def periods_still_open(settings):
    settings.BANGFU_PERIOD_DEADLINE_DAYS = 365 * 100


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _submitted(world: World, code: str, value: str, quarter: int = 1) -> DataValue:
    """A figure 龙华区 (Bob) reports for its pairing with 凤山县 and submits."""
    figure = services.data_value_set(
        actor=world.bob,
        indicator=Indicator.objects.get(code=code),
        period=Period.quarter(YEAR, quarter),
        value=value,
        pairing=world.longhua_fengshan,
        reported_by=Side.DONOR,
    ).value
    return services.data_value_submit(actor=world.bob, data_value=figure)


@pytest.fixture
def reviewer(world: World) -> Any:
    """A 凤山县 reviewer: the counterpart of what 龙华区 reports."""
    return make_user(username="wei", region=world.fengshan, roles=[Role.VIEWER, Role.REVIEWER])


@pytest.fixture
def waiting(world: World) -> list[DataValue]:
    return [
        _submitted(world, "labour_trained", "420", 1),
        _submitted(world, "labour_trained", "380", 2),
        _submitted(world, "employed_total", "75", 1),
    ]


def test_inbox_lists_the_figures_awaiting_the_counterpart_reviewer(world, reviewer, waiting):
    assert [v.pk for v in inbox.review_inbox(reviewer)] == [v.pk for v in waiting]
    response = _client(reviewer).get(reverse("indicator-inbox"))
    assert response.status_code == 200
    assert [row["value"].pk for row in response.context["rows"]] == [v.pk for v in waiting]
    assert 'data-testid="inbox"' in response.content.decode()


def test_inbox_leaves_out_figures_the_reviewer_submitted(world, reviewer, waiting):
    make_user_roles = [Role.VIEWER, Role.DATA_ENTRY, Role.REVIEWER]
    bob_reviewer = make_user(username="bobr", region=world.longhua, roles=make_user_roles)
    assert inbox.review_inbox(bob_reviewer) == []  # his own side's figures: not his to approve
    assert inbox.review_inbox(world.bob) == []  # no reviewer role


def test_badge_counts_the_waiting_figures(world, reviewer, waiting):
    response = _client(reviewer).get(reverse("indicator-inbox-badge"))
    assert response.status_code == 200
    assert '<span class="badge badge--warn" data-testid="inbox-count"' in response.content.decode()
    assert ">3</span>" in response.content.decode()
    empty = _client(world.alice).get(reverse("indicator-inbox-badge"))
    assert empty.content.decode().strip() == ""


def test_approving_several_ticked_figures_at_once(world, reviewer, waiting):
    response = _client(reviewer).post(
        reverse("indicator-inbox-approve"), {"ids": [waiting[0].pk, waiting[2].pk]}, follow=True
    )
    assert response.status_code == 200
    statuses = [DataValue.objects.get(pk=v.pk).status for v in waiting]
    assert statuses == [Status.APPROVED, Status.SUBMITTED, Status.APPROVED]
    assert "2 figures approved." in response.content.decode()
    assert [row["value"].pk for row in response.context["rows"]] == [waiting[1].pk]


def test_send_back_needs_a_reason(world, reviewer, waiting):
    url = reverse("indicator-inbox-send-back", args=[waiting[0].pk])
    response = _client(reviewer).post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "Say why the figure goes back." in response.content.decode()
    assert DataValue.objects.get(pk=waiting[0].pk).status == Status.SUBMITTED


def test_send_back_with_a_reason_returns_the_figure_to_draft(world, reviewer, waiting):
    url = reverse("indicator-inbox-send-back", args=[waiting[0].pk])
    response = _client(reviewer).post(url, {"reason": "Q1 counted twice"})
    assert response.status_code == 302
    figure = DataValue.objects.get(pk=waiting[0].pk)
    assert (figure.status, figure.sent_back_reason) == (Status.DRAFT, "Q1 counted twice")


def test_viewer_without_the_reviewer_role_cannot_approve(world, waiting):
    client = _client(world.alice)  # 凤山县: sees the figures, holds no reviewer role
    page = client.get(reverse("indicator-inbox"))
    assert page.context["rows"] == []
    assert 'data-testid="not-reviewer"' in page.content.decode()
    response = client.post(reverse("indicator-inbox-approve"), {"ids": [waiting[0].pk]})
    assert response.status_code == 403
    send_back = reverse("indicator-inbox-send-back", args=[waiting[0].pk])
    assert client.post(send_back, {"reason": "no"}).status_code == 403
    assert DataValue.objects.get(pk=waiting[0].pk).status == Status.SUBMITTED


def test_a_refused_figure_approves_none_of_the_ticked_ones(world, reviewer, waiting):
    services.data_value_approve(actor=reviewer, data_value=waiting[1])  # no longer submitted
    response = _client(reviewer).post(
        reverse("indicator-inbox-approve"), {"ids": [waiting[0].pk, waiting[1].pk]}
    )
    assert response.status_code == 400
    assert DataValue.objects.get(pk=waiting[0].pk).status == Status.SUBMITTED


def test_charlie_gets_404_and_an_empty_inbox(world, waiting):
    charlie_reviewer = make_user(
        username="chen", region=get_region("530102000000"), roles=[Role.VIEWER, Role.REVIEWER]
    )
    client = _client(charlie_reviewer)
    assert client.get(reverse("indicator-inbox")).context["rows"] == []
    assert (
        client.post(reverse("indicator-inbox-approve"), {"ids": [waiting[0].pk]}).status_code == 404
    )
    url = reverse("indicator-inbox-send-back", args=[waiting[0].pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert client.post(reverse("indicator-inbox-approve"), {"ids": ["nonsense"]}).status_code == 404


def test_anonymous_is_sent_to_sign_in(waiting):
    for name in ("indicator-inbox", "indicator-inbox-badge"):
        assert Client().get(reverse(name)).status_code == 302


def test_inbox_query_count_does_not_grow_with_figures(
    world, reviewer, waiting, django_assert_max_num_queries
):
    client = _client(reviewer)
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("indicator-inbox"))
    before = len(captured)
    for quarter in (3, 4):
        _submitted(world, "employed_total", "10", quarter)
    with django_assert_max_num_queries(before):
        assert len(client.get(reverse("indicator-inbox")).context["rows"]) == 5
