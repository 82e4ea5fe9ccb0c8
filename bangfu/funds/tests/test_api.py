import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook
from rest_framework.test import APIClient

from bangfu.accounts.models import Role, User
from bangfu.core.testing import make_user
from bangfu.funds.models import FundFlow, ReportedBy, SourceKind, Stage
from bangfu.funds.services import fund_flow_record


def client_for(user: Any = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def body(world: Any, **kwargs: Any) -> dict[str, Any]:
    data = {
        "pairing": world.longhua_fengshan.pk,
        "year": 2021,
        "stage": "planned",
        "amount": "4994万元",
        "source_kind": "fiscal_district",
        "reported_by": "donor",
    }
    data.update(kwargs)
    return data


@pytest.fixture
def flows(world):
    for stage, amount in ((Stage.PLANNED, "4994万元"), (Stage.ARRIVED, "4000万元")):
        fund_flow_record(
            actor=world.bob,
            pairing=world.longhua_fengshan,
            year=2021,
            stage=stage,
            amount=amount,
            source_kind=SourceKind.FISCAL_DISTRICT,
            reported_by=ReportedBy.DONOR,
            reference=f"R-{stage}",
        )
    fund_flow_record(
        actor=world.dana,
        pairing=world.tianhe_nayong,
        year=2016,
        stage=Stage.PLANNED,
        amount="1000万元",
        source_kind=SourceKind.FISCAL_DISTRICT,
        reported_by=ReportedBy.DONOR,
        reference="TH",
    )
    return FundFlow.objects.order_by("id")


def test_create_records_through_the_service_and_returns_exact_amounts(world):
    response = client_for(world.bob).post("/api/fund-flows/", body(world), format="json")
    assert response.status_code == 201, response.data
    assert response.data["amount"] == "49940000.00"
    assert response.data["amount_wan"] == "4994.0000"
    assert response.data["warnings"] == []


def test_create_with_a_unit_field(world):
    response = client_for(world.bob).post(
        "/api/fund-flows/", body(world, amount="25.54", amount_unit="wan"), format="json"
    )
    assert response.data["amount"] == "255400.00"


def test_create_refuses_a_negative_amount_with_400(world):
    response = client_for(world.bob).post(
        "/api/fund-flows/", body(world, amount="-1"), format="json"
    )
    assert response.status_code == 400
    assert "reversal" in response.data["amount"][0]


def test_a_stage_rule_warning_is_returned_with_201(world, settings):
    settings.BANGFU_FUND_STAGE_RULE = "warning"
    response = client_for(world.bob).post(
        "/api/fund-flows/", body(world, stage="arrived"), format="json"
    )
    assert response.status_code == 201
    assert len(response.data["warnings"]) == 1


def test_list_is_scoped_and_filtered(world, flows):
    response = client_for(world.alice).get("/api/fund-flows/", {"stage": "arrived"})
    assert [f["reference"] for f in response.data["results"]] == ["R-arrived"]
    response = client_for(world.dana).get("/api/fund-flows/", {"year": 2016})
    assert [f["reference"] for f in response.data["results"]] == ["TH"]


def test_charlie_sees_nothing_and_gets_404_for_details_and_pairings(world, flows):
    client = client_for(world.charlie)
    assert client.get("/api/fund-flows/").data["results"] == []
    assert client.get(f"/api/fund-flows/{flows[0].pk}/").status_code == 404
    assert (
        client.get("/api/fund-summary/", {"pairing": world.longhua_fengshan.pk}).status_code == 404
    )
    assert client.post("/api/fund-flows/", body(world), format="json").status_code == 404
    assert (
        client.post(f"/api/fund-flows/{flows[0].pk}/reverse/", {"reason": "x"}).status_code == 404
    )
    rows = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/api/fund-flows/export/").content))
    assert len(rows.get_sheet_by_index(0).to_python()) == 1


def test_a_viewer_cannot_write(world, flows):
    viewer = make_user(region=world.longhua, roles=[Role.VIEWER])
    client = client_for(viewer)
    assert client.get("/api/fund-flows/").status_code == 200
    assert client.post("/api/fund-flows/", body(world), format="json").status_code == 403
    assert (
        client.post(f"/api/fund-flows/{flows[0].pk}/reverse/", {"reason": "x"}).status_code == 403
    )
    upload = SimpleUploadedFile("f.csv", b"x")
    assert client.post("/api/fund-flows/import/", {"file": upload}).status_code == 403
    assert FundFlow.objects.count() == 3


@pytest.mark.parametrize(
    "url",
    [
        "/api/fund-flows/",
        "/api/fund-summary/",
        "/api/fund-reconciliation/?pairing=1&year=1",
        "/api/fund-flows/export/",
        "/api/fund-flows/template/",
    ],
)
def test_anonymous_requests_are_refused(world, url):
    assert client_for().get(url).status_code in (401, 403)


def test_reverse_action_records_a_reversal(world, flows):
    response = client_for(world.bob).post(
        f"/api/fund-flows/{flows[1].pk}/reverse/", {"reason": "wrong amount"}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["reverses"] == flows[1].pk
    assert response.data["signed_amount"] == "-40000000.00"
    again = client_for(world.bob).post(
        f"/api/fund-flows/{flows[1].pk}/reverse/", {"reason": "again"}, format="json"
    )
    assert again.status_code == 400


def test_fund_summary_with_rates(world, flows):
    response = client_for(world.bob).get(
        "/api/fund-summary/", {"pairing": world.longhua_fengshan.pk, "group_by": "pairing,year"}
    )
    assert response.status_code == 200
    assert response.data == [
        {
            "pairing": world.longhua_fengshan.pk,
            "year": 2021,
            "planned": "49940000.00",
            "arrived": "40000000.00",
            "paid_out": "0.00",
            "spent": "0.00",
            "arrival_rate": "0.8010",
            "disbursement_rate": "0.0000",
            "spending_rate": None,
        }
    ]
    assert (
        client_for(world.bob).get("/api/fund-summary/", {"group_by": "colour"}).status_code == 400
    )


def test_reconciliation_endpoint(world, flows, settings):
    settings.BANGFU_FUND_STAGE_RULE = "warning"
    fund_flow_record(
        actor=world.alice,
        pairing=world.longhua_fengshan,
        year=2021,
        stage=Stage.ARRIVED,
        amount="3900万元",
        source_kind=SourceKind.FISCAL_DISTRICT,
        reported_by=ReportedBy.RECIPIENT,
    )
    response = client_for(world.alice).get(
        "/api/fund-reconciliation/", {"pairing": world.longhua_fengshan.pk, "year": 2021}
    )
    assert response.data["differing"] == [
        {
            "stage": "arrived",
            "project": None,
            "source_kind": "fiscal_district",
            "donor_amount": "40000000.00",
            "recipient_amount": "39000000.00",
            "difference": "-1000000.00",
        }
    ]
    assert [line["stage"] for line in response.data["missing_on_recipient_side"]] == ["planned"]


def test_import_endpoint_reports_rows_and_writes_nothing(world):
    data = (
        "结对编号,年度,阶段,资金来源,金额(万元),报送方,编号\n"
        f"{world.longhua_fengshan.pk},2021,计划/下达,区级财政,10,帮扶方,A\n"
        f"{world.longhua_fengshan.pk},2021,计划/下达,区级财政,-10,帮扶方,B\n"
    ).encode()
    upload = SimpleUploadedFile("f.csv", data)
    response = client_for(world.bob).post("/api/fund-flows/import/", {"file": upload})
    assert response.status_code == 400
    assert response.data["errors"][0]["row"] == 3
    assert response.data["errors"][0]["column"] == "金额(万元)"
    assert FundFlow.objects.count() == 0
    good = SimpleUploadedFile("f.csv", data.rsplit(b"\n", 2)[0] + b"\n")
    response = client_for(world.bob).post("/api/fund-flows/import/", {"file": good})
    assert response.status_code == 200, response.data
    assert response.data["created"] == 1


def test_export_and_template_are_xlsx(world, flows):
    response = client_for(world.bob).get("/api/fund-flows/export/", {"year": 2021})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    assert [r[6] for r in rows.to_python()] == ["金额(万元)", 4994.0, 4000.0]
    assert client_for(world.bob).get("/api/fund-flows/template/").status_code == 200


def test_list_query_count_does_not_grow_with_rows(world, flows, django_assert_max_num_queries):
    client = client_for(world.dana)
    with django_assert_max_num_queries(6):
        response = client.get("/api/fund-flows/")
    assert response.data["count"] == 3
