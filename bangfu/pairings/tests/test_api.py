import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bangfu.accounts.models import Role, User
from bangfu.core.models import AuditEvent
from bangfu.core.testing import World, get_region, make_organisation, make_user, pairing
from bangfu.pairings import services
from bangfu.pairings.models import Agreement, Meeting, MeetingKind, Organisation, Pairing


def fresh(user: User) -> User:
    """The user as a new request would load it (no scope cached on the object yet)."""
    return User.objects.get(pk=user.pk)


def client_for(user: User | None = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def _meeting(
    world: World,
    kind: str = MeetingKind.JOINT_MEETING,
    date: dt.date = dt.date(2024, 3, 1),
    on: Pairing | None = None,
) -> Meeting:
    return services.meeting_create(
        actor=world.alice, pairing=on or world.longhua_fengshan, kind=kind, date=date
    )


def _agreement(world: World) -> Agreement:
    return services.agreement_create(
        actor=world.bob,
        pairing=world.longhua_fengshan,
        kind="framework",
        title="框架协议",
        signed_on=dt.date(2021, 3, 1),
    )


# Pairings --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_both_sides_list_their_shared_pairing(world, name):
    response = client_for(getattr(world, name)).get("/api/pairings/")
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": world.longhua_fengshan.pk,
                "donor": {"type": "region", "code": "440309000000", "id": None, "name": "龙华区"},
                "recipient": {
                    "type": "region",
                    "code": "451223000000",
                    "id": None,
                    "name": "凤山县",
                },
                "kind": "east_west",
                "kind_label": "east–west cooperation (东西部协作)",
                "level": "county_county",
                "level_label": "county–county (县县)",
                "start_date": "2021-01-01",
                "end_date": None,
                "parent": None,
                "is_active": True,
                "notes": "",
            }
        ],
    }


def test_charlie_lists_no_pairing_and_gets_404_on_the_shared_one(world):
    client = client_for(world.charlie)
    assert client.get("/api/pairings/").json()["results"] == []
    assert client.get(f"/api/pairings/{world.longhua_fengshan.pk}/").status_code == 404
    assert (
        client.get(f"/api/pairings/{world.longhua_fengshan.pk}/meeting-counts/").status_code == 404
    )
    response = client.patch(
        f"/api/pairings/{world.longhua_fengshan.pk}/", {"notes": "x"}, format="json"
    )
    assert response.status_code == 404


def test_anonymous_requests_are_refused(world):
    client = client_for()
    for url in [
        "/api/pairings/",
        f"/api/pairings/{world.longhua_fengshan.pk}/",
        "/api/organisations/",
        "/api/agreements/",
        "/api/meetings/",
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post("/api/pairings/", {}, format="json").status_code == 403


def test_a_token_authenticates_api_requests(world):
    token = Token.objects.create(user=world.alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/pairings/")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [world.longhua_fengshan.pk]


def test_a_wrong_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/pairings/").status_code == 403


def test_bob_creates_a_sub_pairing_and_the_write_is_audited(world):
    village = get_region("451223101201")
    community = make_organisation(name="观湖社区", kind="community", region=world.longhua)
    response = client_for(world.bob).post(
        "/api/pairings/",
        {
            "donor_organisation": community.pk,
            "recipient_region": village.code,
            "kind": "east_west",
            "level": "street_village",
            "start_date": "2024-01-01",
            "parent": world.longhua_fengshan.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["donor"] == {
        "type": "organisation",
        "code": None,
        "id": community.pk,
        "name": "观湖社区",
    }
    assert body["recipient"]["name"] == village.name
    assert body["parent"] == world.longhua_fengshan.pk
    event = AuditEvent.objects.get(object_type="pairings.pairing")
    assert (event.actor, event.object_id) == (world.bob, str(body["id"]))


def test_a_duplicate_active_pairing_is_refused_with_a_message(world):
    response = client_for(world.bob).post(
        "/api/pairings/",
        {
            "donor_region": world.longhua.code,
            "recipient_region": world.fengshan.code,
            "kind": "east_west",
            "level": "county_county",
            "start_date": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "An active east–west cooperation (东西部协作) pairing of 龙华区 → 凤山县 already "
            "exists (from 2021-01-01)."
        ]
    }


def test_bad_pairing_input_gets_field_messages(world):
    response = client_for(world.bob).post(
        "/api/pairings/",
        {"donor_region": world.longhua.code, "kind": "nonsense", "start_date": "soon"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "level", "start_date"}


def test_a_pairing_needs_exactly_one_party_per_side(world):
    response = client_for(world.bob).post(
        "/api/pairings/",
        {
            "donor_region": world.longhua.code,
            "kind": "east_west",
            "level": "county_county",
            "start_date": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "recipient": ["Give exactly one of recipient_region and recipient_organisation."]
    }


def test_an_unknown_region_code_is_bad_input(world):
    response = client_for(world.bob).post(
        "/api/pairings/",
        {
            "donor_region": world.longhua.code,
            "recipient_region": "451223999999",
            "kind": "east_west",
            "level": "county_county",
            "start_date": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"recipient_region": ["No region has the code 451223999999."]}


def test_charlie_cannot_nest_a_pairing_under_the_shared_one(world):
    response = client_for(world.charlie).post(
        "/api/pairings/",
        {
            "donor_region": world.wuhua.code,
            "recipient_region": world.nayong.code,
            "kind": "east_west",
            "level": "county_county",
            "start_date": "2024-01-01",
            "parent": world.longhua_fengshan.pk,
        },
        format="json",
    )
    assert response.status_code == 404


def test_charlie_cannot_create_a_pairing_between_other_regions(world):
    response = client_for(world.charlie).post(
        "/api/pairings/",
        {
            "donor_region": world.tianhe.code,
            "recipient_region": world.fengshan.code,
            "kind": "paired_assistance",
            "level": "county_county",
            "start_date": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Neither party of this pairing lies in your scope."}


def test_a_viewer_in_scope_cannot_create_or_change(world):
    viewer = make_user(region=world.fengshan, roles=[Role.VIEWER])
    client = client_for(viewer)
    assert client.get(f"/api/pairings/{world.longhua_fengshan.pk}/").status_code == 200
    response = client.patch(
        f"/api/pairings/{world.longhua_fengshan.pk}/", {"notes": "x"}, format="json"
    )
    assert response.status_code == 403
    response = client.post(
        "/api/meetings/",
        {"pairing": world.longhua_fengshan.pk, "kind": "joint_meeting", "date": "2024-05-01"},
        format="json",
    )
    assert response.status_code == 403
    assert Meeting.objects.count() == 0


def test_alice_ends_the_pairing(world):
    response = client_for(world.alice).patch(
        f"/api/pairings/{world.longhua_fengshan.pk}/", {"end_date": "2020-12-31"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"end_date": ["The end date is before the start date."]}
    response = client_for(world.alice).patch(
        f"/api/pairings/{world.longhua_fengshan.pk}/", {"end_date": "2025-12-31"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["end_date"] == "2025-12-31"


def test_parties_cannot_be_changed_through_the_api(world):
    response = client_for(world.alice).patch(
        f"/api/pairings/{world.longhua_fengshan.pk}/",
        {"recipient_region": world.nayong.code},
        format="json",
    )
    # Unknown fields are ignored by the update serializer: nothing changes.
    assert response.status_code == 200
    assert response.json()["recipient"]["code"] == world.fengshan.code


def test_pairing_filters(world):
    village = get_region("451223101201")
    school = make_organisation(name="龙华中学", kind="school", region=world.longhua)
    child = pairing(school, village, level="school_school", parent=world.longhua_fengshan)
    ended = pairing(world.longhua, village, kind="paired_assistance", start=dt.date(2018, 1, 1))
    Pairing.objects.filter(pk=ended.pk).update(end_date=dt.date(2019, 12, 31))
    client = client_for(world.dana)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/pairings/?{query}")
        assert response.status_code == 200, response.json()
        return [p["id"] for p in response.json()["results"]]

    assert ids("kind=paired_assistance") == [ended.pk]
    assert ids("level=school_school") == [child.pk]
    assert ids("region=451223101201") == [ended.pk, child.pk]
    assert ids("region=440300000000") == [ended.pk, world.longhua_fengshan.pk, child.pk]
    assert ids(f"organisation={school.pk}") == [child.pk]
    assert ids(f"parent={world.longhua_fengshan.pk}") == [child.pk]
    assert ids("active_on=2019-06-01") == [world.tianhe_nayong.pk, ended.pk]
    assert client.get("/api/pairings/?region=12").status_code == 400


def test_meeting_counts_come_from_the_records(world):
    village = get_region("451223101201")
    child = pairing(world.longhua, village, level="village_village", parent=world.longhua_fengshan)
    _meeting(world, MeetingKind.JOINT_MEETING, dt.date(2023, 5, 1))
    _meeting(world, MeetingKind.JOINT_MEETING, dt.date(2024, 5, 1))
    _meeting(world, MeetingKind.LEADERS_VISIT, dt.date(2024, 6, 1))
    _meeting(world, MeetingKind.WORKING_VISIT, dt.date(2024, 7, 1), on=child)
    client = client_for(world.bob)
    url = f"/api/pairings/{world.longhua_fengshan.pk}/meeting-counts/"
    assert client.get(url).json() == {
        "joint_meetings": 2,
        "leaders_visits": 1,
        "working_visits": 0,
        "visits": 1,
    }
    assert client.get(f"{url}?start=2024-01-01&end=2024-12-31&nested=true").json() == {
        "joint_meetings": 1,
        "leaders_visits": 1,
        "working_visits": 1,
        "visits": 2,
    }
    assert client.get(f"{url}?start=yesterday").status_code == 400


def test_the_pairing_list_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    school = make_organisation(name="龙华中学", kind="school", region=world.longhua)
    for number in range(30):
        village = get_region(f"4512231012{number + 10:02d}", name=f"村{number}")
        pairing(school if number % 2 else world.longhua, village, parent=world.longhua_fengshan)
    client = client_for(fresh(world.bob))
    # roles of the user, count, page
    with django_assert_num_queries(3):
        response = client.get("/api/pairings/")
    assert response.json()["count"] == 31


# Organisations ---------------------------------------------------------------------------------


def test_organisations_are_scoped_and_filtered(world):
    longhua_school = make_organisation(name="龙华中学", kind="school", region=world.longhua)
    guanhu = make_organisation(name="观湖社区", kind="community", region=get_region("440309001000"))
    make_organisation(name="五华企业", region=world.wuhua)
    client = client_for(world.bob)
    names = [o["name"] for o in client.get("/api/organisations/").json()["results"]]
    assert sorted(names) == ["观湖社区", "龙华中学"]
    school_only = client.get("/api/organisations/?kind=school").json()["results"]
    assert [o["id"] for o in school_only] == [longhua_school.pk]
    township = client.get("/api/organisations/?region=440309001000").json()["results"]
    assert [o["id"] for o in township] == [guanhu.pk]
    assert client.get(f"/api/organisations/{guanhu.pk}/").json() == {
        "id": guanhu.pk,
        "name": "观湖社区",
        "kind": "community",
        "kind_label": "community",
        "region": {"code": "440309001000", "name": "观湖街道"},
    }


def test_charlie_sees_no_organisation_of_bob(world):
    firm = make_organisation(name="龙华企业", region=world.longhua)
    client = client_for(world.charlie)
    assert client.get("/api/organisations/").json()["results"] == []
    assert client.get(f"/api/organisations/{firm.pk}/").status_code == 404
    response = client.patch(f"/api/organisations/{firm.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 404


def test_bob_creates_and_renames_an_organisation(world):
    client = client_for(world.bob)
    response = client.post(
        "/api/organisations/",
        {"name": "龙华企业", "kind": "enterprise", "region": world.longhua.code},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = client.patch(f"/api/organisations/{pk}/", {"name": "龙华实业"}, format="json")
    assert response.status_code == 200
    assert Organisation.objects.get(pk=pk).name == "龙华实业"
    assert AuditEvent.objects.filter(object_type="pairings.organisation").count() == 2


def test_an_organisation_outside_the_users_region_is_forbidden(world):
    response = client_for(world.bob).post(
        "/api/organisations/",
        {"name": "五华企业", "kind": "enterprise", "region": world.wuhua.code},
        format="json",
    )
    assert response.status_code == 403


def test_a_viewer_cannot_create_an_organisation(world):
    viewer = make_user(region=world.longhua, roles=[Role.VIEWER])
    response = client_for(viewer).post(
        "/api/organisations/",
        {"name": "龙华企业", "kind": "enterprise", "region": world.longhua.code},
        format="json",
    )
    assert response.status_code == 403


def test_the_organisation_list_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    for number in range(30):
        make_organisation(name=f"企业{number}", region=world.longhua)
    client = client_for(fresh(world.bob))
    with django_assert_num_queries(3):
        response = client.get("/api/organisations/")
    assert response.json()["count"] == 30


# Agreements ------------------------------------------------------------------------------------


def test_an_agreement_is_created_with_its_document_by_multipart_upload(world):
    client = client_for(world.alice)
    response = client.post(
        "/api/agreements/",
        {
            "pairing": world.longhua_fengshan.pk,
            "kind": "annual",
            "title": "2024年度帮扶协议",
            "year": 2024,
            "signed_on": "2024-02-01",
            "document": SimpleUploadedFile("annual.pdf", b"%PDF-1.4 annual"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["document"] == f"http://testserver/agreements/{body['id']}/document/"
    download = client_for(world.bob)
    download.force_login(world.bob)
    file_response = download.get(f"/agreements/{body['id']}/document/")
    assert file_response.status_code == 200
    assert file_response.getvalue() == b"%PDF-1.4 annual"


def test_charlie_cannot_see_or_add_agreements_of_the_shared_pairing(world):
    agreement = _agreement(world)
    client = client_for(world.charlie)
    assert client.get("/api/agreements/").json()["results"] == []
    assert client.get(f"/api/agreements/{agreement.pk}/").status_code == 404
    response = client.post(
        "/api/agreements/",
        {
            "pairing": world.longhua_fengshan.pk,
            "kind": "framework",
            "title": "x",
            "signed_on": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 404
    assert client.patch(f"/api/agreements/{agreement.pk}/", {"title": "y"}).status_code == 404
    assert Agreement.objects.count() == 1


def test_an_annual_agreement_without_year_is_bad_input(world):
    response = client_for(world.alice).post(
        "/api/agreements/",
        {
            "pairing": world.longhua_fengshan.pk,
            "kind": "annual",
            "title": "年度协议",
            "signed_on": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"year": ["An annual agreement needs its year."]}


def test_agreements_are_filtered_by_pairing_kind_and_year(world):
    framework = _agreement(world)
    annual = services.agreement_create(
        actor=world.bob,
        pairing=world.longhua_fengshan,
        kind="annual",
        title="2024年度",
        signed_on=dt.date(2024, 1, 5),
        year=2024,
    )
    client = client_for(world.alice)

    def ids(query: str) -> list[int]:
        return [a["id"] for a in client.get(f"/api/agreements/?{query}").json()["results"]]

    assert ids(f"pairing={world.longhua_fengshan.pk}") == [framework.pk, annual.pk]
    assert ids("kind=annual") == [annual.pk]
    assert ids("year=2024") == [annual.pk]
    assert ids(f"pairing={world.tianhe_nayong.pk}") == []


def test_a_viewer_cannot_create_an_agreement(world):
    viewer = make_user(region=world.fengshan, roles=[Role.VIEWER])
    response = client_for(viewer).post(
        "/api/agreements/",
        {
            "pairing": world.longhua_fengshan.pk,
            "kind": "framework",
            "title": "x",
            "signed_on": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 403


def test_an_agreement_is_updated(world):
    agreement = _agreement(world)
    response = client_for(world.alice).patch(
        f"/api/agreements/{agreement.pk}/", {"title": "粤桂协作框架协议"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "粤桂协作框架协议"


def test_the_agreement_list_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    for number in range(30):
        services.agreement_create(
            actor=world.bob,
            pairing=world.longhua_fengshan,
            kind="annual",
            title=f"{2000 + number}年度",
            year=2000 + number,
            signed_on=dt.date(2000 + number, 1, 1),
        )
    client = client_for(fresh(world.bob))
    with django_assert_num_queries(3):
        response = client.get("/api/agreements/")
    assert response.json()["count"] == 30


# Meetings --------------------------------------------------------------------------------------


def test_alice_records_a_meeting_and_attaches_a_document(world):
    client = client_for(world.alice)
    response = client.post(
        "/api/meetings/",
        {
            "pairing": world.longhua_fengshan.pk,
            "kind": "joint_meeting",
            "date": "2024-05-01",
            "place": "凤山县",
            "participants": "县委书记；区委书记",
            "summary": "2024年联席会议",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    meeting_id = response.json()["id"]
    response = client.post(
        f"/api/meetings/{meeting_id}/documents/",
        {"title": "会议纪要", "file": SimpleUploadedFile("minutes.txt", b"minutes")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    document = response.json()
    assert document["title"] == "会议纪要"
    meeting = client_for(world.bob).get(f"/api/meetings/{meeting_id}/").json()
    assert meeting["documents"] == [
        {
            "id": document["id"],
            "title": "会议纪要",
            "url": f"http://testserver/meeting-documents/{document['id']}/",
        }
    ]


def test_charlie_cannot_see_or_add_meetings_of_the_shared_pairing(world):
    meeting = _meeting(world)
    client = client_for(world.charlie)
    assert client.get("/api/meetings/").json()["results"] == []
    assert client.get(f"/api/meetings/{meeting.pk}/").status_code == 404
    response = client.post(
        "/api/meetings/",
        {"pairing": world.longhua_fengshan.pk, "kind": "joint_meeting", "date": "2024-05-01"},
        format="json",
    )
    assert response.status_code == 404
    response = client.post(
        f"/api/meetings/{meeting.pk}/documents/",
        {"title": "x", "file": SimpleUploadedFile("x.txt", b"x")},
        format="multipart",
    )
    assert response.status_code == 404
    assert client.patch(f"/api/meetings/{meeting.pk}/", {"place": "y"}).status_code == 404


def test_meetings_are_filtered_by_pairing_kind_and_dates(world):
    first = _meeting(world, MeetingKind.JOINT_MEETING, dt.date(2023, 5, 1))
    second = _meeting(world, MeetingKind.LEADERS_VISIT, dt.date(2024, 6, 1))
    client = client_for(world.bob)

    def ids(query: str) -> list[int]:
        return [m["id"] for m in client.get(f"/api/meetings/?{query}").json()["results"]]

    assert ids(f"pairing={world.longhua_fengshan.pk}") == [first.pk, second.pk]
    assert ids("kind=leaders_visit") == [second.pk]
    assert ids("date_after=2024-01-01") == [second.pk]
    assert ids("date_before=2023-12-31") == [first.pk]


def test_a_meeting_is_updated(world):
    meeting = _meeting(world)
    response = client_for(world.bob).patch(
        f"/api/meetings/{meeting.pk}/", {"place": "龙华区"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["place"] == "龙华区"


def test_the_meeting_list_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    for number in range(30):
        meeting = _meeting(world, date=dt.date(2024, 1, 1) + dt.timedelta(days=number))
        services.meeting_document_add(
            actor=world.alice,
            meeting=meeting,
            title="纪要",
            file=SimpleUploadedFile("m.txt", b"m"),
        )
    # roles, count, page, documents of the page
    client = client_for(fresh(world.bob))
    with django_assert_num_queries(4):
        response = client.get("/api/meetings/")
    assert response.json()["count"] == 30
