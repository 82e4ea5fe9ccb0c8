"""The entry grid page: a pairing's indicators × periods, targets beside figures, saved at once."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from bangfu.accounts.models import Role
from bangfu.core.models import AuditEvent
from bangfu.core.testing import get_region, make_user
from bangfu.indicators import services
from bangfu.indicators.models import DataValue, Indicator, Side, Target
from bangfu.indicators.periods import Period, PeriodKind, subperiods
from bangfu.indicators.tests.helpers import approved

YEAR = 2020  # the demo's year
Q1 = f"{YEAR}Q1"


@pytest.fixture(autouse=True)
def periods_still_open(settings):
    """2020's periods closed long ago; keep them open so figures can be entered here."""
    settings.BANGFU_PERIOD_DEADLINE_DAYS = 365 * 100


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def url(pairing, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in {"year": YEAR, **query}.items())
    return f"{reverse('indicator-grid', args=[pairing.pk])}?{params}"


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


@pytest.fixture
def demo_like(world):
    """宝安区-like figures: a yearly training target of 900 with 420 trained in Q1, a target of
    1000 placed in work."""
    lf = world.longhua_fengshan
    for code, value in (("labour_trained", "900"), ("employed_total", "1000")):
        services.target_set(
            actor=world.alice, indicator=indicator(code), period=Period.year(YEAR), value=value,
            pairing=lf,
        )  # fmt: skip
    services.data_value_set(
        actor=world.alice, indicator=indicator("labour_trained"),
        period=Period.quarter(YEAR, 1), value="420", pairing=lf, reported_by=Side.RECIPIENT,
    )  # fmt: skip
    return lf


def test_alice_sees_her_pairings_grid_with_targets_beside_figures(world, demo_like):
    response = client_of(world.alice).get(url(demo_like, work_area="labour"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="target:labour_trained:{YEAR}" value="900"' in html
    assert f'name="value:labour_trained:{Q1}" value="420"' in html
    assert f'name="target:employed_total:{YEAR}" value="1000"' in html
    assert response.context["periods"] == [str(YEAR)] + [f"{YEAR}Q{q}" for q in (1, 2, 3, 4)]
    [(area, rows)] = response.context["groups"]
    assert area == "labour cooperation (劳务协作)"
    trained = next(r for r in rows if r.code == "labour_trained")
    assert (trained.name, trained.computed) == ("poor labourers trained", False)
    assert trained.cells[1].value == "420"
    # the yearly target's progress comes from the quarter reported so far
    assert trained.percent == Decimal("46.7")


def test_computed_rows_are_read_only_with_their_value(world, demo_like):
    response = client_of(world.alice).get(url(demo_like, work_area="leadership"))
    html = response.content.decode()
    rows = response.context["groups"][0][1]
    meetings = next(r for r in rows if r.code == "joint_meetings")
    assert (meetings.computed, meetings.computed_value) == (True, Decimal(0))
    assert 'name="target:joint_meetings:' not in html
    assert "computed from records" in html


def test_alice_saves_a_target_and_a_figure_at_once(world, demo_like):
    alice = client_of(world.alice)
    response = alice.post(
        url(demo_like),
        {
            f"target:labour_trained:{Q1}": "250",
            f"value:employed_total:{Q1}": "310",
            f"target:labour_trained:{YEAR}": "900",  # unchanged: not saved again
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(demo_like)
    target = Target.objects.get(indicator__code="labour_trained", period_kind=PeriodKind.QUARTER)
    assert (target.value, target.pairing_id, target.period) == (
        Decimal(250),
        demo_like.pk,
        Period.quarter(YEAR, 1),
    )
    figure = DataValue.objects.get(indicator__code="employed_total")
    assert (figure.value, figure.reported_by, figure.entered_by_id) == (
        Decimal(310),
        Side.RECIPIENT,
        world.alice.pk,
    )
    page = alice.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["2 cells saved."]
    assert f'name="value:employed_total:{Q1}" value="310"' in page.content.decode()


def test_a_bad_cell_shows_its_error_and_nothing_is_saved(world, demo_like):
    targets, figures, events = (
        Target.objects.count(),
        DataValue.objects.count(),
        AuditEvent.objects.count(),
    )
    response = client_of(world.alice).post(
        url(demo_like),
        {f"value:employed_total:{Q1}": "310", f"target:labour_trained:{Q1}": "-5"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved: correct the cells marked below." in html
    cell = response.context["groups"]
    trained = next(r for _, rows in cell for r in rows if r.code == "labour_trained")
    assert trained.cells[1].target_errors == ["A target cannot be negative."]
    assert trained.cells[1].target == "-5"  # what was typed stays in the input
    assert (Target.objects.count(), DataValue.objects.count(), AuditEvent.objects.count()) == (
        targets,
        figures,
        events,
    )


def test_a_figure_the_other_side_approved_is_shown_not_editable(world, demo_like):
    approved(demo_like, Side.RECIPIENT, "employed_total", "980", Period.year(YEAR))
    response = client_of(world.alice).get(url(demo_like, work_area="labour"))
    html = response.content.decode()
    assert f'name="value:employed_total:{YEAR}"' not in html
    employed = next(r for r in response.context["groups"][0][1] if r.code == "employed_total")
    assert (employed.cells[0].value, employed.cells[0].value_status) == ("980", "approved")


def test_charlie_gets_404_for_a_pairing_outside_his_scope(world, demo_like):
    assert client_of(world.charlie).get(url(demo_like)).status_code == 404
    response = client_of(world.charlie).post(url(demo_like), {f"target:labour_trained:{Q1}": "1"})
    assert response.status_code == 404
    assert not Target.objects.filter(period_kind=PeriodKind.QUARTER).exists()


def test_anonymous_is_sent_to_sign_in(world, demo_like):
    response = Client().get(url(demo_like))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_a_viewer_sees_no_inputs_and_may_not_post(world, demo_like):
    viewer = make_user(username="vera", region=get_region("451223000000"), roles=[Role.VIEWER])
    response = client_of(viewer).get(url(demo_like))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<input type="number"' not in html
    assert ">Save</button>" not in html
    assert 'data-testid="read-only-note"' in html
    posted = client_of(viewer).post(url(demo_like), {f"target:labour_trained:{Q1}": "1"})
    assert posted.status_code == 403
    assert not Target.objects.filter(period_kind=PeriodKind.QUARTER).exists()


def test_the_pairing_page_links_to_the_grid(world):
    lf = world.longhua_fengshan
    html = client_of(world.alice).get(reverse("pairing-page", args=[lf.pk])).content.decode()
    assert f'href="{reverse("indicator-grid", args=[lf.pk])}"' in html
    assert "Indicators and targets" in html


def _fill(pairing, indicators, periods):
    values, targets = [], []
    for ind in indicators:
        for period in periods:
            for side in (Side.DONOR, Side.RECIPIENT):
                v = DataValue(indicator=ind, pairing=pairing, reported_by=side, value=Decimal(7))
                v.set_period(period)
                values.append(v)
            t = Target(indicator=ind, pairing=pairing, value=Decimal(10))
            t.set_period(period)
            targets.append(t)
    DataValue.objects.bulk_create(values)
    Target.objects.bulk_create(targets)


def test_the_page_runs_the_same_queries_for_few_and_many_figures(
    world, django_assert_max_num_queries
):
    lf = world.longhua_fengshan
    periods = [Period.year(YEAR), *subperiods(YEAR, PeriodKind.QUARTER)]
    entered = list(Indicator.objects.filter(is_computed=False))
    _fill(lf, entered[:1], periods[:1])
    client = client_of(world.alice)
    client.get(url(lf))  # warm the per-process caches
    with django_assert_max_num_queries(GRID_QUERIES) as few:
        assert client.get(url(lf)).status_code == 200
    _fill(lf, entered[1:40], periods)
    assert DataValue.objects.count() == 2 + 39 * 5 * 2
    with django_assert_max_num_queries(GRID_QUERIES) as many:
        assert client.get(url(lf)).status_code == 200
    assert len(many) == len(few)


# session, user, roles, pairing; grid 3; progress 2; the year's figures: 1, the computed
# indicators 1 and one per computed indicator (16 in the shipped catalogue); 1 to spare
GRID_QUERIES = 29
