import datetime as dt
from decimal import Decimal

import pytest

from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditEvent
from bangfu.funds.models import FundFlow
from bangfu.funds.services import fund_flow_record
from bangfu.indicators.models import DataValue, Source, Target
from bangfu.ingest import selectors, services
from bangfu.ingest.models import FactKind, FactStatus
from bangfu.pairings.models import Pairing

# Figures of the current year, so the period is still open for entry.
YEAR = dt.date.today().year
REPORT = (
    f"{YEAR}-01-06 09:00 龙华区通讯\n"
    f"{YEAR}年,深圳市龙华区对口帮扶凤山县,新建扶贫车间6个,吸纳就业240人。"
    f"全年捐赠资金150万元。计划{YEAR + 1}年培训贫困劳动力800人。"
)


def upload(world, actor=None, **kwargs):
    return services.document_upload(
        actor=actor or world.bob,
        source_name="briefing.txt",
        text=REPORT,
        pairing=kwargs.pop("pairing", world.longhua_fengshan),
        **kwargs,
    )


def fact_with_text(document, text):
    return next(f for f in document.facts.all() if f.payload.get("text") == text)


@pytest.mark.django_db
def test_uploading_a_report_proposes_its_quantities_and_pairings_with_spans(world):
    document = upload(world)
    quantities = [f for f in document.facts.all() if f.kind == FactKind.QUANTITY]
    assert [(f.payload["text"], f.payload["unit"]) for f in quantities] == [
        ("6个", "count"),
        ("240人", "person"),
        ("150万元", "yuan"),
        ("800人", "person"),
    ]
    for fact in quantities:
        assert REPORT[fact.span_start : fact.span_end] == fact.payload["text"]
    pairings = [f.payload for f in document.facts.all() if f.kind == FactKind.PAIRING]
    assert [(p["donor_code"], p["recipient_code"]) for p in pairings] == [
        ("440309000000", "451223000000")
    ]
    assert document.report_date == dt.date(YEAR, 1, 6)
    assert AuditEvent.objects.filter(object_type="ingest.document").count() == 1


@pytest.mark.django_db
def test_accepting_a_figure_creates_a_data_value_pointing_at_the_span(world):
    document = upload(world)
    fact = fact_with_text(document, "240人")
    assert fact.payload["indicator"] == "workshop_employed"
    accepted = services.fact_accept(actor=world.bob, fact=fact)
    assert accepted.status == FactStatus.ACCEPTED
    value = DataValue.objects.get(pk=accepted.record_id)
    assert (value.indicator.code, value.value, value.source) == (
        "workshop_employed",
        Decimal(240),
        Source.EXTRACTED,
    )
    assert (value.span_start, value.span_end) == (fact.span_start, fact.span_end)
    assert value.document_ref == f"/ingest/documents/{document.pk}/#fact-{fact.pk}"
    assert (value.period_start.isoformat(), value.period_end.isoformat()) == (
        f"{YEAR}-01-01",
        f"{YEAR}-12-31",
    )
    assert value.reported_by == "donor"
    source = selectors.document_for_record(world.bob, "indicators.datavalue", str(value.pk))
    assert source == accepted


@pytest.mark.django_db
def test_editing_before_accepting_records_the_edit(world):
    document = upload(world)
    fact = fact_with_text(document, "6个")
    accepted = services.fact_accept(
        actor=world.bob, fact=fact, changes={"value": "7", "indicator": "workshops"}
    )
    assert accepted.status == FactStatus.EDITED
    assert DataValue.objects.get(pk=accepted.record_id).value == Decimal(7)


@pytest.mark.django_db
def test_a_money_figure_of_a_fund_stage_becomes_a_fund_flow(world):
    fund_flow_record(
        actor=world.bob,
        pairing=world.longhua_fengshan,
        year=YEAR,
        stage="planned",
        amount=Decimal(2000000),
        source_kind="donation_cash",
        reported_by="donor",
    )
    document = upload(world)
    fact = fact_with_text(document, "150万元")
    assert fact.payload["indicator"] == "donation_cash"
    accepted = services.fact_accept(actor=world.bob, fact=fact)
    flow = FundFlow.objects.get(pk=accepted.record_id)
    assert (flow.amount, flow.source_kind, flow.year) == (Decimal(1500000), "donation_cash", YEAR)
    assert f"#fact-{fact.pk}" in flow.description


@pytest.mark.django_db
def test_a_plan_becomes_a_target(world):
    document = upload(world)
    fact = fact_with_text(document, "800人")
    assert fact.payload["is_target"] is True
    accepted = services.fact_accept(actor=world.bob, fact=fact)
    target = Target.objects.get(pk=accepted.record_id)
    assert (target.value, target.period_start.year) == (Decimal(800), YEAR + 1)


@pytest.mark.django_db
def test_accepting_a_stated_pairing_reuses_the_existing_one(world):
    document = upload(world)
    fact = next(f for f in document.facts.all() if f.kind == FactKind.PAIRING)
    accepted = services.fact_accept(actor=world.bob, fact=fact)
    assert int(accepted.record_id) == world.longhua_fengshan.pk
    assert Pairing.objects.count() == 2


@pytest.mark.django_db
def test_a_reviewed_fact_cannot_be_reviewed_again(world):
    document = upload(world)
    fact = fact_with_text(document, "6个")
    services.fact_reject(actor=world.bob, fact=fact, reason="duplicate")
    with pytest.raises(ValidationFailed):
        services.fact_accept(actor=world.bob, fact=fact)


@pytest.mark.django_db
def test_a_figure_without_an_indicator_must_be_given_one(world):
    document = services.document_upload(
        actor=world.bob,
        source_name="note.txt",
        text="天气晴好,到场12人。",
        pairing=world.longhua_fengshan,
    )
    fact = document.facts.get()
    with pytest.raises(ValidationFailed) as refused:
        services.fact_accept(actor=world.bob, fact=fact)
    assert list(refused.value.errors) == ["indicator"]


@pytest.mark.django_db
def test_users_outside_the_pairing_can_neither_upload_nor_review(world):
    with pytest.raises(PermissionDenied):
        upload(world, actor=world.charlie)
    document = upload(world)
    fact = fact_with_text(document, "6个")
    with pytest.raises(PermissionDenied):
        services.fact_accept(actor=world.charlie, fact=fact)
    with pytest.raises(PermissionDenied):
        services.fact_reject(actor=world.charlie, fact=fact)
    assert selectors.document_get(world.charlie, document.pk) is None
    assert selectors.document_get(world.alice, document.pk) == document


@pytest.mark.django_db
def test_a_region_document_is_visible_inside_that_region_only(world):
    document = services.document_upload(
        actor=world.alice, source_name="county.txt", text="培训劳动力30人。", region=world.fengshan
    )
    assert selectors.document_get(world.alice, document.pk) == document
    assert selectors.document_get(world.bob, document.pk) is None
    with pytest.raises(PermissionDenied):
        services.document_upload(
            actor=world.bob, source_name="x.txt", text="培训30人。", region=world.fengshan
        )
