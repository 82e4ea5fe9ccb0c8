import datetime as dt

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from bangfu.accounts.models import User
from bangfu.core.models import AuditEvent
from bangfu.core.testing import World, make_organisation
from bangfu.pairings import services
from bangfu.pairings.models import Meeting, MeetingKind


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def api(user: User | None = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def page(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _alice_writes(world: World) -> Meeting:
    meeting = services.meeting_create(
        actor=world.alice,
        pairing=world.longhua_fengshan,
        kind=MeetingKind.JOINT_MEETING,
        date=dt.date(2024, 5, 1),
    )
    services.meeting_update(actor=world.alice, meeting=meeting, place="凤山县")
    return meeting


# API -------------------------------------------------------------------------------------------


def test_both_sides_see_the_audit_events_of_their_shared_pairing(world):
    meeting = _alice_writes(world)
    for user in (world.alice, world.bob):
        results = api(user).get("/api/audit-events/").json()["results"]
        assert [(e["action"], e["object_id"]) for e in results] == [
            ("update", str(meeting.pk)),
            ("create", str(meeting.pk)),
        ]
    update = api(world.bob).get("/api/audit-events/?action=update").json()["results"][0]
    assert update["actor"] == world.alice.pk
    assert update["actor_username"] == "alice"
    assert update["object_type"] == "pairings.meeting"
    assert (update["before"], update["after"]) == ({"place": ""}, {"place": "凤山县"})
    assert update["pairing_id"] == world.longhua_fengshan.pk


def test_charlie_sees_none_of_alices_audit_events(world):
    _alice_writes(world)
    client = api(world.charlie)
    assert client.get("/api/audit-events/").json()["results"] == []
    event = AuditEvent.objects.earliest("id")
    assert client.get(f"/api/audit-events/{event.pk}/").status_code == 404


def test_anonymous_users_cannot_read_the_audit_trail(world):
    assert api().get("/api/audit-events/").status_code == 403


def test_the_audit_api_is_read_only(world):
    _alice_writes(world)
    event = AuditEvent.objects.earliest("id")
    client = api(world.dana)
    assert client.post("/api/audit-events/", {}, format="json").status_code == 405
    assert client.delete(f"/api/audit-events/{event.pk}/").status_code == 405
    assert client.patch(f"/api/audit-events/{event.pk}/", {}, format="json").status_code == 405


def test_audit_events_are_filtered(world):
    meeting = _alice_writes(world)
    firm = services.organisation_create(
        actor=world.bob, name="龙华企业", kind="enterprise", region=world.longhua
    )
    client = api(world.dana)

    def objects(query: str) -> list[tuple[str, str]]:
        response = client.get(f"/api/audit-events/?{query}")
        assert response.status_code == 200, response.json()
        return [(e["object_type"], e["action"]) for e in response.json()["results"]]

    assert objects("object_type=pairings.organisation") == [("pairings.organisation", "create")]
    assert objects(f"object_type=pairings.meeting&object_id={meeting.pk}&action=create") == [
        ("pairings.meeting", "create")
    ]
    assert len(objects(f"pairing_id={world.longhua_fengshan.pk}")) == 2
    assert objects(f"actor={world.bob.pk}") == [("pairings.organisation", "create")]
    assert objects("created_after=2000-01-01T00:00:00Z&created_before=2000-01-02T00:00:00Z") == []
    assert len(objects("created_after=2000-01-01T00:00:00Z")) == 3
    assert firm.pk


def test_bob_sees_the_events_of_organisations_in_his_region_but_alice_does_not(world):
    services.organisation_create(
        actor=world.bob, name="龙华企业", kind="enterprise", region=world.longhua
    )
    assert len(api(world.bob).get("/api/audit-events/").json()["results"]) == 1
    assert api(world.alice).get("/api/audit-events/").json()["results"] == []


def test_the_audit_list_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    for number in range(30):
        make_organisation(name=f"企业{number}", region=world.longhua)
        services.organisation_create(
            actor=world.bob, name=f"公司{number}", kind="enterprise", region=world.longhua
        )
    client = api(User.objects.get(pk=world.bob.pk))
    # roles, count, page with actors
    with django_assert_num_queries(3):
        response = client.get("/api/audit-events/")
    assert response.json()["count"] == 30


# Page ------------------------------------------------------------------------------------------


def test_the_audit_page_shows_actor_action_object_and_changes(world):
    meeting = _alice_writes(world)
    response = page(world.bob).get("/audit/")
    assert response.status_code == 200
    assert [event.object_id for event, *_ in response.context["rows"]] == [str(meeting.pk)] * 2
    html = response.content.decode()
    assert "alice" in html
    assert "凤山县" in html
    assert "(Meeting or visit #" in html
    assert "pairings.meeting" not in html.split("<table")[1]


def test_the_audit_page_filters_by_object_type_and_action(world):
    _alice_writes(world)
    services.organisation_create(
        actor=world.bob, name="龙华企业", kind="enterprise", region=world.longhua
    )
    client = page(world.bob)
    rows = client.get("/audit/?object_type=pairings.organisation").context["rows"]
    assert [event.object_type for event, *_ in rows] == ["pairings.organisation"]
    rows = client.get("/audit/?action=update").context["rows"]
    assert [(event.object_type, event.action) for event, *_ in rows] == [
        ("pairings.meeting", "update")
    ]


def test_charlie_sees_no_event_on_the_audit_page(world):
    _alice_writes(world)
    response = page(world.charlie).get("/audit/")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "凤山县" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_login_from_the_audit_page(world):
    response = Client().get("/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/audit/"


def test_the_audit_page_is_paginated(world):
    for number in range(55):
        services.organisation_create(
            actor=world.bob, name=f"公司{number}", kind="enterprise", region=world.longhua
        )
    client = page(world.bob)
    assert len(client.get("/audit/").context["rows"]) == 50
    assert len(client.get("/audit/?page=2").context["rows"]) == 5


def test_the_audit_page_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    for number in range(30):
        services.organisation_create(
            actor=world.bob, name=f"公司{number}", kind="enterprise", region=world.longhua
        )
    client = page(User.objects.get(pk=world.bob.pk))
    # session, user, the user's unit, roles, object types, count, page with actors
    with django_assert_num_queries(7):
        response = client.get("/audit/")
    assert len(response.context["rows"]) == 30


def test_the_audit_page_names_object_types_by_their_translated_names(world):
    _alice_writes(world)
    services.organisation_create(
        actor=world.bob, name="龙华企业", kind="enterprise", region=world.longhua
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.bob)

    with translation.override("zh-hans"):
        response = client.get("/audit/")

    choices = dict(response.context["form"].fields["object_type"].choices)
    assert choices["pairings.organisation"] == "单位"
    assert choices["pairings.meeting"] == "会议或互访"
    html = response.content.decode()
    assert '<option value="pairings.organisation">单位</option>' in html
    assert "(会议或互访 #" in html
    assert ">pairings.meeting<" not in html


def test_an_audit_event_of_a_removed_model_keeps_its_code_as_label():
    from bangfu.core.views import object_type_label

    assert object_type_label("gone.model") == "gone.model"
    assert object_type_label("not-a-label") == "not-a-label"
