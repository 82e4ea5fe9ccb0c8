import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bangfu.accounts.models import User
from bangfu.core.testing import World, get_region, make_organisation, pairing
from bangfu.pairings import services
from bangfu.pairings.models import MeetingKind


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_the_login_page(world):
    client = Client()
    for url in ["/", f"/pairings/{world.longhua_fengshan.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"


def test_home_lists_the_users_pairings_with_sub_pairings_nested(world):
    village = get_region("451223101201")
    school = make_organisation(name="龙华中学", kind="school", region=world.longhua)
    child = pairing(school, village, level="school_school", parent=world.longhua_fengshan)
    response = signed_in(world.bob).get("/")
    assert response.status_code == 200
    cards = response.context["cards"]
    assert [c.pairing for c in cards] == [world.longhua_fengshan]
    assert cards[0].descendants == 1
    html = response.content.decode()
    assert "龙华区" in html
    assert "凤山县" in html
    assert f'href="/pairings/{child.pk}/"' not in html  # sub-pairings are on the pairing page
    assert "east–west cooperation (东西部协作)" in html
    assert "2021-01-01" in html
    assert "天河区" not in html


def test_home_of_charlie_shows_none_of_alice_and_bobs_pairings(world):
    response = signed_in(world.charlie).get("/")
    assert response.status_code == 200
    assert response.context["cards"] == []
    assert "凤山县" not in response.content.decode()


def test_home_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    for number in range(25):
        village = get_region(f"4512231012{number + 10:02d}", name=f"村{number}")
        pairing(world.longhua, village, parent=world.longhua_fengshan)
    client = signed_in(world.bob)
    # session, user, the user's unit, roles, pairings, then grouped queries for fund flows,
    # projects, figures (indicator rules, cumulative figures, sums) and monitored households
    with django_assert_num_queries(11):
        response = client.get("/")
    assert response.context["cards"][0].descendants == 25


def _fill(world: World) -> None:
    services.agreement_create(
        actor=world.bob,
        pairing=world.longhua_fengshan,
        kind="framework",
        title="粤桂协作框架协议",
        signed_on=dt.date(2021, 3, 1),
        document=SimpleUploadedFile("framework.pdf", b"%PDF"),
    )
    for number, kind in enumerate(
        [MeetingKind.JOINT_MEETING, MeetingKind.JOINT_MEETING, MeetingKind.LEADERS_VISIT]
    ):
        meeting = services.meeting_create(
            actor=world.alice,
            pairing=world.longhua_fengshan,
            kind=kind,
            date=dt.date(2024, 1 + number, 1),
            place=f"地点{number}",
        )
        services.meeting_document_add(
            actor=world.alice,
            meeting=meeting,
            title=f"纪要{number}",
            file=SimpleUploadedFile("m.txt", b"m"),
        )


def test_the_pairing_page_shows_agreements_meetings_counts_and_sub_pairings(world):
    _fill(world)
    village = get_region("451223101201")
    child = pairing(world.longhua, village, level="village_village", parent=world.longhua_fengshan)
    services.meeting_create(
        actor=world.bob, pairing=child, kind=MeetingKind.WORKING_VISIT, date=dt.date(2024, 9, 1)
    )
    response = signed_in(world.alice).get(f"/pairings/{world.longhua_fengshan.pk}/")
    assert response.status_code == 200
    detail = response.context["detail"]
    assert (detail.counts.joint_meetings, detail.counts.visits) == (2, 1)
    assert (detail.nested_counts.joint_meetings, detail.nested_counts.visits) == (2, 2)
    assert detail.children == [child]
    html = response.content.decode()
    agreement = detail.agreements[0]
    assert f'href="/agreements/{agreement.pk}/document/"' in html
    assert "粤桂协作框架协议" in html
    assert "纪要2" in html
    assert f'href="/pairings/{child.pk}/"' in html


def test_charlie_gets_404_on_the_shared_pairing_page_and_its_documents(world):
    _fill(world)
    client = signed_in(world.charlie)
    assert client.get(f"/pairings/{world.longhua_fengshan.pk}/").status_code == 404
    agreement = world.longhua_fengshan.agreements.get()
    document = world.longhua_fengshan.meetings.first().documents.get()
    assert client.get(f"/agreements/{agreement.pk}/document/").status_code == 404
    assert client.get(f"/meeting-documents/{document.pk}/").status_code == 404
    assert signed_in(world.bob).get(f"/meeting-documents/{document.pk}/").status_code == 200


def test_the_pairing_page_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    _fill(world)
    client = signed_in(User.objects.get(pk=world.alice.pk))
    # The dashboard: a fixed number of queries (see bangfu/dashboards/tests for 1 vs many),
    # one of them the scope check made before the (here disabled) page cache.
    with django_assert_num_queries(28):
        response = client.get(f"/pairings/{world.longhua_fengshan.pk}/")
    assert response.status_code == 200
