import datetime as dt

import pytest
from django.test import Client

from bangfu.core.testing import TEST_PASSWORD
from bangfu.indicators.models import DataValue
from bangfu.ingest import services
from bangfu.ingest.models import FactStatus, ProposedFact

YEAR = dt.date.today().year
TEXT = f"{YEAR}年,深圳市龙华区结对帮扶凤山县,开设扶贫车间3个,吸纳就业45人。"


def client_for(user):
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


@pytest.fixture
def document(world):
    return services.document_upload(
        actor=world.bob, source_name="notes.txt", text=TEXT, pairing=world.longhua_fengshan
    )


@pytest.mark.django_db
def test_the_review_page_marks_every_span_beside_the_facts(world, document):
    response = client_for(world.alice).get(f"/ingest/documents/{document.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for fact in document.facts.all():
        assert f'<a id="fact-{fact.pk}"></a>' in page
        assert f'href="#fact-{fact.pk}" data-span="span-{fact.pk}"' in page
    fact = document.facts.get(payload__text="45人")
    assert f'<mark id="span-{fact.pk}" class="fact fact--proposed" title="数量">45人</mark>' in page


@pytest.mark.django_db
def test_accepting_on_the_page_creates_the_record_and_links_back(world, document):
    fact = document.facts.get(payload__text="45人")
    client = client_for(world.bob)
    response = client.post(
        f"/ingest/facts/{fact.pk}/accept/",
        {"value": "45", "indicator": "workshop_employed", "period": str(YEAR)},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/ingest/documents/{document.pk}/#fact-{fact.pk}"
    fact.refresh_from_db()
    assert fact.status == FactStatus.ACCEPTED
    value = DataValue.objects.get(pk=fact.record_id)
    response = client.get(f"/ingest/sources/indicators.datavalue/{value.pk}/")
    assert response["Location"] == value.document_ref


@pytest.mark.django_db
def test_uploading_pasted_text_on_the_page_opens_its_review(world):
    response = client_for(world.bob).post(
        "/ingest/",
        {"pairing": world.longhua_fengshan.pk, "source_name": "paste", "text": TEXT},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/ingest/documents/")


@pytest.mark.django_db
def test_pages_outside_the_scope_answer_404_and_change_nothing(world, document):
    fact = document.facts.get(payload__text="45人")
    client = client_for(world.charlie)
    assert client.get(f"/ingest/documents/{document.pk}/").status_code == 404
    assert client.post(f"/ingest/facts/{fact.pk}/accept/", {}).status_code == 404
    assert client.post(f"/ingest/facts/{fact.pk}/reject/", {}).status_code == 404
    assert client.get("/ingest/").content.decode().count("notes.txt") == 0
    response = client.post(
        "/ingest/", {"pairing": world.longhua_fengshan.pk, "source_name": "x", "text": TEXT}
    )
    assert response.status_code == 400
    fact.refresh_from_db()
    assert fact.status == FactStatus.PROPOSED


@pytest.mark.django_db
def test_pages_need_a_signed_in_user(document):
    response = Client().get(f"/ingest/documents/{document.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_the_api_lists_documents_and_facts_in_scope(world, document):
    client = client_for(world.alice)
    listed = client.get("/api/ingest/documents/").json()
    assert [d["id"] for d in listed] == [document.pk]
    facts = client.get(f"/api/ingest/documents/{document.pk}/facts/").json()
    assert [f["payload"]["text"] for f in facts if f["kind"] == "quantity"] == ["3个", "45人"]
    assert client_for(world.charlie).get("/api/ingest/documents/").json() == []
    assert client_for(world.charlie).get(f"/api/ingest/documents/{document.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_api_uploads_accepts_and_rejects(world):
    client = client_for(world.bob)
    created = client.post(
        "/api/ingest/documents/",
        {"pairing": world.longhua_fengshan.pk, "source_name": "api.txt", "text": TEXT},
        content_type="application/json",
    )
    assert created.status_code == 201
    facts = ProposedFact.objects.filter(document_id=created.json()["id"])
    workshop = facts.get(payload__text="3个")
    accepted = client.post(
        f"/api/ingest/facts/{workshop.pk}/accept/",
        {"changes": {"period": str(YEAR)}},
        content_type="application/json",
    )
    assert accepted.status_code == 200
    assert accepted.json()["record_type"] == "indicators.datavalue"
    rejected = client.post(
        f"/api/ingest/facts/{facts.get(payload__text='45人').pk}/reject/",
        {"reason": "counted twice"},
        content_type="application/json",
    )
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")


@pytest.mark.django_db
def test_the_api_refuses_reviews_outside_the_scope(world, document):
    fact = document.facts.get(payload__text="45人")
    client = client_for(world.charlie)
    assert client.post(f"/api/ingest/facts/{fact.pk}/accept/", {}).status_code == 404
    assert client.post(f"/api/ingest/facts/{fact.pk}/reject/", {}).status_code == 404
    created = client.post(
        "/api/ingest/documents/",
        {"pairing": world.longhua_fengshan.pk, "text": TEXT},
        content_type="application/json",
    )
    assert created.status_code == 404
    assert Client().get("/api/ingest/documents/").status_code in (401, 403)


@pytest.mark.django_db
def test_the_review_page_names_units_and_qualifiers_in_chinese(world, document):
    page = client_for(world.alice).get(f"/ingest/documents/{document.pk}/").content.decode()
    assert "45 人 · 精确" in page
    assert "3 个 · 精确" in page
    assert "person ·" not in page
    assert "exact" not in page


@pytest.mark.django_db
def test_an_organisation_pairing_is_reviewed_and_accepted_on_the_page(world):
    text = f"{YEAR}-04-01 简报\n深圳市龙华区人民医院与凤山县人民医院携手结对,开展义诊3次。"
    document = services.document_upload(
        actor=world.dana, source_name="医院.txt", text=text, region=world.fengshan
    )
    fact = document.facts.get(kind="pairing")
    page = client_for(world.dana).get(f"/ingest/documents/{document.pk}/").content.decode()
    assert 'data-testid="party-donor"' in page
    assert 'name="donor_organisation"' in page
    assert 'name="recipient_organisation_kind"' in page
    assert "深圳市龙华区人民医院 <small>(医院, 待新建)</small>" in page
    assert client_for(world.charlie).post(f"/ingest/facts/{fact.pk}/accept/").status_code == 404
    response = client_for(world.dana).post(
        f"/ingest/facts/{fact.pk}/accept/",
        {
            "donor": "深圳市龙华区人民医院",
            "donor_organisation_kind": "hospital",
            "donor_code": "440309000000",
            "recipient": "凤山县人民医院",
            "recipient_organisation_kind": "hospital",
            "recipient_code": "451223000000",
        },
    )
    assert response.status_code == 302
    fact.refresh_from_db()
    assert fact.status == FactStatus.ACCEPTED
    assert fact.record_type == "pairings.pairing"


@pytest.mark.django_db
def test_a_village_the_gazetteer_does_not_know_is_left_for_the_reviewer_to_give(world):
    text = f"{YEAR}-04-02 简报\n深圳市龙华区恒信电子有限公司帮扶凤山县青石村,修建村道2条。"
    document = services.document_upload(
        actor=world.bob, source_name="村企.txt", text=text, region=world.longhua
    )
    fact = document.facts.get(kind="pairing")
    assert fact.payload["recipient_code"] is None
    page = client_for(world.bob).get(f"/ingest/documents/{document.pk}/").content.decode()
    assert "不在区划库中；原文写在 451223000000" in page
