import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.core.models import AuditEvent
from bangfu.core.testing import get_region, make_user
from bangfu.pairings import services
from bangfu.pairings.models import Meeting, Organisation, Pairing


def admin_client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _pairing_form(**overrides: str) -> dict[str, str]:
    data = {
        "donor_region": "440309000000",
        "donor_organisation": "",
        "recipient_region": "451223101201",
        "recipient_organisation": "",
        "kind": "east_west",
        "level": "village_village",
        "start_date": "2024-01-01",
        "end_date": "",
        "parent": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_bob_and_dana_see_the_shared_pairing_in_the_admin_but_charlie_does_not(world):
    url = "/admin/pairings/pairing/"
    assert list(admin_client(world.bob).get(url).context["cl"].result_list) == [
        world.longhua_fengshan
    ]
    assert set(admin_client(world.dana).get(url).context["cl"].result_list) == {
        world.longhua_fengshan,
        world.tianhe_nayong,
    }
    charlie = admin_client(world.charlie)
    assert list(charlie.get(url).context["cl"].result_list) == []
    response = charlie.get(f"{url}{world.longhua_fengshan.pk}/change/")
    assert response.status_code == 302  # "does not exist", back to the admin index


def test_a_pairing_added_in_the_admin_goes_through_the_service(world):
    response = admin_client(world.bob).post("/admin/pairings/pairing/add/", _pairing_form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Pairing.objects.get(recipient_region="451223101201")
    event = AuditEvent.objects.get(object_type="pairings.pairing")
    assert (event.actor, event.object_id) == (world.bob, str(created.pk))


def test_a_refused_pairing_shows_the_services_message_in_the_form(world):
    response = admin_client(world.bob).post(
        "/admin/pairings/pairing/add/", _pairing_form(recipient_region="440309000000")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"__all__": ["A party cannot be paired with itself."]}
    assert AuditEvent.objects.count() == 0


def test_a_duplicate_active_pairing_is_refused_in_the_admin_form(world):
    response = admin_client(world.alice).post(
        "/admin/pairings/pairing/add/",
        _pairing_form(recipient_region="451223000000", level="county_county"),
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["__all__"]
    assert Pairing.objects.count() == 2


def test_a_pairing_is_ended_in_the_admin_and_cannot_be_deleted(world):
    client = admin_client(world.alice)
    url = f"/admin/pairings/pairing/{world.longhua_fengshan.pk}/change/"
    response = client.post(
        url,
        {
            "kind": "east_west",
            "level": "county_county",
            "start_date": "2021-01-01",
            "end_date": "2025-12-31",
            "parent": "",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.longhua_fengshan.refresh_from_db()
    assert world.longhua_fengshan.end_date == dt.date(2025, 12, 31)
    event = AuditEvent.objects.get(action="update")
    assert (event.before, event.after) == ({"end_date": None}, {"end_date": "2025-12-31"})
    delete = client.post(url.replace("change", "delete"), {"post": "yes"})
    assert delete.status_code == 403
    assert Pairing.objects.filter(pk=world.longhua_fengshan.pk).exists()


def test_a_viewer_cannot_add_in_the_admin(world):
    viewer = make_user(region=world.longhua, roles=[Role.VIEWER])
    client = admin_client(viewer)
    assert client.get("/admin/pairings/pairing/").status_code == 200
    assert client.post("/admin/pairings/pairing/add/", _pairing_form()).status_code == 403
    assert Pairing.objects.count() == 2


def test_an_organisation_outside_bobs_region_is_refused_in_the_admin_form(world):
    response = admin_client(world.bob).post(
        "/admin/pairings/organisation/add/",
        {"name": "五华企业", "kind": "enterprise", "region": world.wuhua.code},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": ["The organisation's region lies outside your scope."]
    }
    assert not Organisation.objects.exists()


def test_an_organisation_is_renamed_in_the_admin_through_the_service(world):
    firm = services.organisation_create(
        actor=world.bob, name="龙华企业", kind="enterprise", region=world.longhua
    )
    response = admin_client(world.bob).post(
        f"/admin/pairings/organisation/{firm.pk}/change/",
        {"name": "龙华实业", "kind": "enterprise", "region": world.longhua.code},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="update")
    assert (event.before, event.after) == ({"name": "龙华企业"}, {"name": "龙华实业"})


def test_an_agreement_with_a_document_is_added_in_the_admin(world):
    response = admin_client(world.alice).post(
        "/admin/pairings/agreement/add/",
        {
            "pairing": world.longhua_fengshan.pk,
            "kind": "annual",
            "title": "2024年度协议",
            "year": "2024",
            "signed_on": "2024-02-01",
            "start_date": "",
            "end_date": "",
            "document": SimpleUploadedFile("annual.pdf", b"%PDF"),
            "notes": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement = world.longhua_fengshan.agreements.get()
    assert agreement.document.read() == b"%PDF"
    assert AuditEvent.objects.filter(object_type="pairings.agreement").count() == 1


def test_a_meeting_with_a_document_is_added_in_the_admin(world):
    response = admin_client(world.bob).post(
        "/admin/pairings/meeting/add/",
        {
            "pairing": world.longhua_fengshan.pk,
            "kind": "leaders_visit",
            "date": "2024-04-01",
            "place": "凤山县",
            "participants": "",
            "summary": "",
            "documents-TOTAL_FORMS": "1",
            "documents-INITIAL_FORMS": "0",
            "documents-MIN_NUM_FORMS": "0",
            "documents-MAX_NUM_FORMS": "1000",
            "documents-0-title": "调研报告",
            "documents-0-file": SimpleUploadedFile("report.txt", b"report"),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting = Meeting.objects.get()
    assert [d.title for d in meeting.documents.all()] == ["调研报告"]
    assert sorted(AuditEvent.objects.values_list("object_type", flat=True)) == [
        "pairings.meeting",
        "pairings.meetingdocument",
    ]


def test_charlie_cannot_choose_the_shared_pairing_for_a_meeting(world):
    response = admin_client(world.charlie).post(
        "/admin/pairings/meeting/add/",
        {
            "pairing": world.longhua_fengshan.pk,
            "kind": "leaders_visit",
            "date": "2024-04-01",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["pairing"]
    assert not Meeting.objects.exists()


def test_the_audit_trail_is_read_only_in_the_admin(world):
    services.organisation_create(
        actor=world.bob, name="龙华企业", kind="enterprise", region=world.longhua
    )
    event = AuditEvent.objects.get()
    client = admin_client(world.dana)
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert (
        client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    view = client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert view.status_code == 200
    assert view.context["has_change_permission"] is False


def test_charlie_sees_no_audit_event_of_bob_in_the_admin(world):
    services.organisation_create(
        actor=world.bob, name="龙华企业", kind="enterprise", region=world.longhua
    )
    response = admin_client(world.charlie).get("/admin/core/auditevent/")
    assert list(response.context["cl"].result_list) == []
    assert get_region("440309000000") is not None
