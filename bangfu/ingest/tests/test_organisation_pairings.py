"""Pairings between organisations (and an organisation with a village) read from reports."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.ingest import services
from bangfu.ingest.extract import Extractor
from bangfu.ingest.models import FactKind
from bangfu.pairings.models import Organisation, Pairing, PairingLevel
from bangfu.pairings.services import organisation_create
from bangfu.regions.gazetteer import GazetteerIndex

ROWS = [
    ("440000000000", "广东省", "province"),
    ("440300000000", "深圳市", "prefecture"),
    ("440309000000", "龙华区", "county"),
    ("450000000000", "广西壮族自治区", "province"),
    ("451200000000", "河池市", "prefecture"),
    ("451223000000", "凤山县", "county"),
    ("451223101000", "长洲镇", "township"),
    ("451223101201", "长洲村委会", "village"),
]


def pairings(text):
    extraction = Extractor(GazetteerIndex.build(ROWS)).extract_text(text)
    return [p.as_payload() for p in extraction.pairings]


def sides(payload):
    return (
        payload["donor"],
        payload["donor_kind"],
        payload["recipient"],
        payload["recipient_kind"],
    )


def test_an_enterprise_paired_with_a_village_is_found():
    [found] = pairings("年初,龙华区恒信电子有限公司与凤山县长洲村结对,援建水池3座。")
    assert sides(found) == (
        "龙华区恒信电子有限公司",
        "organisation",
        "河池市凤山县长洲镇长洲村委会",
        "region",
    )
    assert found["donor_organisation_kind"] == "enterprise"
    assert found["donor_code"] == "440309000000"  # where the name places it
    assert found["recipient_code"] == "451223101201"


def test_schools_and_hospitals_paired_by_a_verb_or_with_each_other():
    text = (
        "龙华区第三实验学校对口帮扶凤山县城东中学,每学期送教2次。"
        "龙华区妇幼保健院和凤山县中医院签订帮扶协议并携手结对。"
    )
    found = pairings(text)
    assert [(p["donor"], p["recipient"]) for p in found] == [
        ("龙华区第三实验学校", "凤山县城东中学"),
        ("龙华区妇幼保健院", "凤山县中医院"),
    ]
    assert [(p["donor_organisation_kind"], p["recipient_organisation_kind"]) for p in found] == [
        ("school", "school"),
        ("hospital", "hospital"),
    ]


def test_a_village_missing_from_the_gazetteer_is_proposed_with_its_place():
    [found] = pairings("深圳某某农业集团帮扶凤山县青石村,发展养殖产业。")
    assert (found["donor"], found["recipient"]) == ("深圳某某农业集团", "凤山县青石村")
    assert (found["recipient_kind"], found["recipient_code"]) == ("region", None)
    assert found["recipient_located"] == "451223000000"  # a hint for the reviewer


def test_a_village_written_in_the_wrong_county_is_not_taken_for_another_one():
    rows = [*ROWS, ("520000000000", "贵州省", "province"), ("520500000000", "毕节市", "prefecture")]
    rows += [("520525000000", "纳雍县", "county"), ("520525104003", "大坡村委会", "village")]
    extraction = Extractor(GazetteerIndex.build(rows)).extract_text(
        "龙华区恒信电子有限公司帮扶凤山县大坡村。"
    )
    [found] = [p.as_payload() for p in extraction.pairings]
    assert (found["recipient"], found["recipient_code"]) == ("大坡村", None)
    assert found["recipient_located"] == "451223000000"


def test_kinds_of_organisation_and_donations_are_not_pairings():
    assert pairings("相关医院、各级学校积极参与帮扶工作。") == []
    assert pairings("龙华区恒信电子有限公司向凤山县捐赠物资一批。") == []
    assert pairings("完成凤山产业园和长洲技工学校两个共建项目。") == []


YEAR = dt.date.today().year
REPORT = f"{YEAR}-03-02 龙华区通讯\n龙华区恒信电子有限公司与凤山县长洲村结对,援建水池3座。"


def upload(world, text=REPORT, actor=None):
    document = services.document_upload(
        actor=actor or world.bob, source_name="企业结对.txt", text=text, region=world.longhua
    )
    return next(f for f in document.facts.all() if f.kind == FactKind.PAIRING)


@pytest.mark.django_db
def test_an_organisation_on_record_is_matched_and_the_pairing_created_with_provenance(world):
    company = organisation_create(
        actor=world.bob, name="龙华区恒信电子有限公司", kind="enterprise", region=world.longhua
    )
    fact = upload(world)
    assert fact.payload["donor_organisation"] == company.pk

    accepted = services.fact_accept(actor=world.bob, fact=fact)

    pairing = Pairing.objects.get(pk=accepted.record_id)
    assert (pairing.donor_organisation, pairing.recipient_region_id) == (company, "451223101201")
    assert pairing.level == PairingLevel.ENTERPRISE_VILLAGE
    request = RequestFactory().get("/")
    request.user = world.bob
    html = Template("{% load provenance %}{% provenance p %}").render(
        Context({"request": request, "p": pairing})
    )
    assert f"#fact-{fact.pk}" in html
    assert "<mark>" in html


@pytest.mark.django_db
def test_a_new_organisation_is_created_when_the_reviewer_confirms_it(world):
    fact = upload(world)
    assert "donor_organisation" not in fact.payload
    assert fact.payload["donor_code"] is None  # 龙华区 alone is ambiguous (深圳, 海口)
    accepted = services.fact_accept(
        actor=world.bob,
        fact=fact,
        changes={"donor": "深圳恒信电子有限公司", "donor_code": "440309000000"},
    )
    company = Organisation.objects.get(name="深圳恒信电子有限公司")
    assert (company.kind, company.region_id) == ("enterprise", "440309000000")
    assert Pairing.objects.get(pk=accepted.record_id).donor_organisation == company


@pytest.mark.django_db
def test_organisations_outside_the_reviewers_scope_are_not_created_and_nothing_is_written(world):
    text = f"{YEAR}-03-02 简报\n深圳市龙华区人民医院与凤山县人民医院携手结对,开展义诊3次。"
    fact = upload(world, text)
    assert (fact.payload["donor_code"], fact.payload["recipient_code"]) == (
        "440309000000",
        "451223000000",
    )
    with pytest.raises(PermissionDenied):
        services.fact_accept(actor=world.bob, fact=fact)  # 凤山县 is not Bob's to add to
    assert not Organisation.objects.exists()
    accepted = services.fact_accept(actor=world.dana, fact=fact)
    pairing = Pairing.objects.get(pk=accepted.record_id)
    assert pairing.level == PairingLevel.HOSPITAL_HOSPITAL
    assert {o.name for o in Organisation.objects.all()} == {
        "深圳市龙华区人民医院",
        "凤山县人民医院",
    }


@pytest.mark.django_db
def test_a_new_organisation_needs_its_region(world):
    fact = upload(world)
    with pytest.raises(ValidationFailed) as refused:
        services.fact_accept(actor=world.bob, fact=fact)
    assert list(refused.value.errors) == ["donor_code"]
