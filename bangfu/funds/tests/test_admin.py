from decimal import Decimal
from typing import Any

from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.core.testing import make_user
from bangfu.funds.models import FundFlow, ReportedBy, SourceKind, Stage
from bangfu.funds.services import fund_flow_record

URL = "/admin/funds/fundflow/"


def admin_client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def flow(world: Any) -> Any:
    return fund_flow_record(
        actor=world.bob,
        pairing=world.longhua_fengshan,
        year=2021,
        stage=Stage.PLANNED,
        amount="100万元",
        source_kind=SourceKind.FISCAL_DISTRICT,
        reported_by=ReportedBy.DONOR,
        reference="A",
    ).flow


def form(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "pairing": str(world.longhua_fengshan.pk),
        "year": "2021",
        "stage": "planned",
        "amount": "4994.00",
        "source_kind": "fiscal_district",
        "reported_by": "donor",
        "project": "",
        "source_organisation": "",
        "receiving_organisation": "",
        "date": "",
        "description": "",
        "reference": "LH-1",
    }
    data.update(overrides)
    return data


def test_bob_adds_an_entry_through_the_service(world):
    response = admin_client(world.bob).post(f"{URL}add/", form(world))
    assert response.status_code == 302
    assert FundFlow.objects.get(reference="LH-1").amount == Decimal("4994.00")


def test_a_refused_entry_shows_the_services_message(world):
    response = admin_client(world.bob).post(f"{URL}add/", form(world, reported_by="recipient"))
    assert response.status_code == 200
    assert "own side" in str(response.context["adminform"].form.errors)
    assert FundFlow.objects.count() == 0


def test_entries_cannot_be_changed_or_deleted(world):
    entry = flow(world)
    client = admin_client(world.bob)
    client.post(f"{URL}{entry.pk}/change/", form(world, amount="1"))
    assert FundFlow.objects.get(pk=entry.pk).amount == Decimal("1000000.00")
    assert client.post(f"{URL}{entry.pk}/delete/", {"post": "yes"}).status_code == 403


def test_reverse_action_needs_a_reason_and_records_a_reversal(world):
    entry = flow(world)
    client = admin_client(world.bob)
    action = {"action": "reverse_selected", "_selected_action": [str(entry.pk)]}
    client.post(URL, {**action, "reason": ""})
    assert FundFlow.objects.count() == 1
    client.post(URL, {**action, "reason": "entered twice"})
    reversal = FundFlow.objects.get(reverses=entry)
    assert reversal.reason == "entered twice"


def test_charlie_sees_no_entries_and_a_viewer_cannot_add(world):
    flow(world)
    assert list(admin_client(world.charlie).get(URL).context["cl"].result_list) == []
    viewer = make_user(region=world.longhua, roles=[Role.VIEWER])
    assert admin_client(viewer).post(f"{URL}add/", form(world)).status_code == 403
    assert FundFlow.objects.count() == 1
