"""The provenance tag: a record accepted from a report shows its document, sentence and reviewer."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from bangfu.funds.models import FundFlow
from bangfu.funds.services import fund_flow_record
from bangfu.indicators.models import DataValue, Target
from bangfu.ingest import selectors, services
from bangfu.ingest.models import FactKind
from bangfu.pairings.models import Pairing

YEAR = dt.date.today().year
REPORT = (
    f"{YEAR}-02-03 10:00 工作简报\n"
    f"{YEAR}年,深圳市龙华区对口帮扶凤山县。两地共建扶贫车间5个,车间吸纳就业310人。"
    f"当年捐赠资金90万元。计划{YEAR + 1}年培训贫困劳动力600人。"
)


def accepted_records(world):
    fund_flow_record(
        actor=world.bob,
        pairing=world.longhua_fengshan,
        year=YEAR,
        stage="planned",
        amount=Decimal(1000000),
        source_kind="donation_cash",
        reported_by="donor",
    )
    document = services.document_upload(
        actor=world.bob, source_name="简报第3期.txt", text=REPORT, pairing=world.longhua_fengshan
    )
    facts = {f.payload.get("text"): f for f in document.facts.all()}
    pairing_fact = next(f for f in document.facts.all() if f.kind == FactKind.PAIRING)
    accept = lambda fact: services.fact_accept(actor=world.bob, fact=fact)  # noqa: E731
    records = {
        "value": DataValue.objects.get(pk=accept(facts["310人"]).record_id),
        "target": Target.objects.get(pk=accept(facts["600人"]).record_id),
        "flow": FundFlow.objects.get(pk=accept(facts["90万元"]).record_id),
        "pairing": Pairing.objects.get(pk=accept(pairing_fact).record_id),
    }
    return document, facts, records


def render(user, text, **context):
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load provenance %}" + text).render(Context({"request": request, **context}))


@pytest.mark.django_db
def test_every_kind_of_accepted_record_shows_its_document_sentence_and_reviewer(world):
    document, facts, records = accepted_records(world)
    for name, record in records.items():
        html = render(world.bob, "{% provenance record %}", record=record)
        assert 'data-testid="provenance"' in html, name
        assert "简报第3期.txt" in html
        assert f"/ingest/documents/{document.pk}/#fact-" in html
        assert "bob" in html
    value_html = render(world.bob, "{% provenance record %}", record=records["value"])
    assert "车间吸纳就业<mark>310人</mark>。" in value_html
    assert "对口帮扶" not in value_html  # only the span's own sentence
    assert f'href="/ingest/documents/{document.pk}/#fact-{facts["310人"].pk}"' in value_html


@pytest.mark.django_db
def test_a_record_entered_by_hand_renders_nothing(world):
    flow = fund_flow_record(
        actor=world.bob,
        pairing=world.longhua_fengshan,
        year=YEAR,
        stage="planned",
        amount=Decimal(5),
        source_kind="donation_cash",
        reported_by="donor",
    ).flow
    assert render(world.bob, "{% provenance record %}", record=flow).strip() == ""
    assert render(world.bob, "{% provenance record %}", record=None).strip() == ""


@pytest.mark.django_db
def test_a_user_who_may_not_see_the_document_gets_no_link_nor_text(world):
    document, _facts, records = accepted_records(world)
    html = render(world.charlie, "{% provenance record %}", record=records["value"])
    assert "/ingest/documents/" not in html
    assert "简报第3期" not in html
    assert "310人" not in html
    assert (
        render(world.alice, "{% provenance record %}", record=records["value"]).count(
            f"/ingest/documents/{document.pk}/"
        )
        == 1
    )


@pytest.mark.django_db
def test_one_query_for_a_record_and_one_for_a_whole_list(world, django_assert_num_queries):
    _document, _facts, records = accepted_records(world)
    world.bob.role_assignments.all()  # scope computed before counting
    selectors.provenance(world.bob, records["value"])
    with django_assert_num_queries(1):
        assert selectors.provenance(world.bob, records["flow"]) is not None
    with django_assert_num_queries(1):
        html = render(
            world.bob,
            "{% provenance_map records as sources %}"
            "{% for r in records %}{% provenance r sources %}{% endfor %}",
            records=list(records.values()),
        )
    assert html.count('data-testid="provenance"') == 4


def test_the_sentence_is_cut_at_sentence_ends():
    text = "前一句。这一句有12人参加;后面还有"
    start = text.index("12人")
    assert selectors._sentence(text, start, start + 3, False) == ("这一句有", "12人", "参加;")
    assert selectors._sentence("很长的开头12人", 5, 8, True) == ("…很长的开头", "12人", "")
