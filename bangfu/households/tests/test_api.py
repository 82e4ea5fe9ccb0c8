import pytest
from rest_framework.test import APIClient

from bangfu.accounts.models import User
from bangfu.accounts.scopes import SYSTEM
from bangfu.accounts.services import pii_grant_create
from bangfu.core.models import AuditEvent
from bangfu.households.models import Person
from bangfu.households.tests.helpers import TONGLE, make_household, make_id, make_person

pytestmark = pytest.mark.django_db

PLAIN_ID = "440524188001010014"


def client_for(user: User | None = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


@pytest.fixture
def person(world):
    household = make_household(collector_name="黄干部", collector_phone="13912345678")
    return make_person(
        household, name="张三", id_number=PLAIN_ID, phone="13812341234", bank_account="622202020011"
    )


def test_anonymous_gets_nothing(world, person):
    for url in ["/api/households/", "/api/persons/", "/api/thresholds/", "/api/village-figures/"]:
        assert client_for().get(url).status_code in (401, 403)


def test_persons_are_masked_for_a_user_without_the_grant(world, person):
    response = client_for(world.alice).get("/api/persons/")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["name"] == "张*"
    assert row["id_number"] == "4405**********0014"
    assert row["phone"] == "138****1234"
    assert row["bank_account"] == "****0011"
    assert row["personal_data_clear"] is False
    assert "id_token" not in row
    assert PLAIN_ID not in response.content.decode()


def test_persons_are_clear_for_a_user_with_the_grant(world, person):
    pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    row = client_for(world.alice).get(f"/api/persons/{person.pk}/").json()
    assert (row["name"], row["id_number"], row["personal_data_clear"]) == ("张三", PLAIN_ID, True)
    household = client_for(world.alice).get(f"/api/households/{person.household_id}/").json()
    assert (household["collector_name"], household["collector_phone"]) == ("黄干部", "13912345678")


@pytest.mark.parametrize("name", ["bob", "charlie"])
def test_donor_side_and_unrelated_users_see_no_household_or_person(world, person, name):
    client = client_for(getattr(world, name))
    assert client.get("/api/households/").json()["results"] == []
    assert client.get("/api/persons/").json()["results"] == []
    assert client.get(f"/api/persons/{person.pk}/").status_code == 404
    assert client.get(f"/api/households/{person.household_id}/").status_code == 404
    assert client.post("/api/persons/lookup/", {"id_number": PLAIN_ID}).json() == []
    assert client.get("/api/persons/duplicates/").json() == []


@pytest.mark.parametrize("name", ["bob", "charlie"])
def test_donor_side_and_unrelated_users_cannot_write(world, person, name):
    client = client_for(getattr(world, name))
    response = client.post(
        "/api/households/",
        {
            "number": "X1",
            "village": TONGLE,
            "household_type": "ordinary",
            "household_size": 1,
            "income_year": 2023,
        },
    )
    assert response.status_code == 403
    assert client.patch(f"/api/persons/{person.pk}/", {"name": "李四"}).status_code == 404
    response = client.post(
        "/api/persons/",
        {
            "household": person.household_id,
            "name": "李四",
            "id_number": make_id(sequence=41),
            "relation": "son",
            "labour_skill": "ordinary",
        },
    )
    assert response.status_code == 404


def test_alice_creates_a_household_and_a_person_and_the_response_is_masked(world):
    client = client_for(world.alice)
    response = client.post(
        "/api/households/",
        {
            "number": "4512231012010001",
            "village": TONGLE,
            "household_type": "poverty_exited",
            "household_size": 2,
            "income_year": 2023,
            "wage_income": "15000.00",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["per_capita_net_income"] == "7500.00"
    household_id = response.json()["id"]
    response = client.post(
        "/api/persons/",
        {
            "household": household_id,
            "name": "王五",
            "id_number": PLAIN_ID,
            "relation": "head",
            "labour_skill": "ordinary",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "王*"
    assert response.json()["sex"] == "male"


def test_a_bad_id_answers_400_without_echoing_it(world, person):
    response = client_for(world.alice).post(
        "/api/persons/",
        {
            "household": person.household_id,
            "name": "李四",
            "id_number": "440524188001010015",
            "relation": "son",
            "labour_skill": "ordinary",
        },
    )
    assert response.status_code == 400
    assert response.json() == {"id_number": ["ID number has a bad check character (expected 4)."]}


def test_lookup_by_id_number_is_a_post_and_finds_the_person(world, person):
    rows = client_for(world.alice).post("/api/persons/lookup/", {"id_number": PLAIN_ID}).json()
    assert [row["id"] for row in rows] == [person.pk]
    assert client_for(world.alice).get("/api/persons/lookup/").status_code == 405


def test_duplicates_report_lists_the_person_in_both_households(world, person):
    other = make_household()
    make_person(other, id_number=PLAIN_ID)
    rows = client_for(world.alice).get("/api/persons/duplicates/").json()
    assert [(row["person"]["household"], row["households_with_id"]) for row in rows] == [
        (person.household_id, 2),
        (other.pk, 2),
    ]


def test_thresholds_list_the_floor_and_a_county_user_cannot_set_one(world):
    response = client_for(world.bob).get("/api/thresholds/")
    assert response.json()["results"] == [
        {
            "id": response.json()["results"][0]["id"],
            "province": None,
            "year": 2021,
            "yuan_per_person": "6000.00",
            "source": "2021 national floor (全国底线)",
        }
    ]
    response = client_for(world.alice).post(
        "/api/thresholds/", {"province": "450000000000", "year": 2023, "yuan_per_person": "7300"}
    )
    assert response.status_code == 403
    response = client_for(world.dana).post(
        "/api/thresholds/", {"province": "450000000000", "year": 2023, "yuan_per_person": "7300"}
    )
    assert response.status_code == 201


def test_village_figures_are_set_by_alice_and_refused_to_bob(world):
    body = {"village": TONGLE, "year": 2023, "households": 300, "collective_income": "125000"}
    assert client_for(world.alice).post("/api/village-figures/", body).status_code == 201
    assert client_for(world.bob).post("/api/village-figures/", body).status_code == 403
    assert len(client_for(world.bob).get("/api/village-figures/").json()["results"]) == 1
    assert client_for(world.charlie).get("/api/village-figures/").json()["results"] == []


def test_api_writes_are_audited_without_plaintext(world, person):
    response = client_for(world.alice).patch(f"/api/persons/{person.pk}/", {"phone": "13700001111"})
    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.filter(object_type="households.person")[0]
    assert event.after == {"phone": "137****1111"}
    assert Person.objects.count() == 1


def _list_queries(user: User, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/api/persons/", "/api/households/"])
def test_list_endpoints_use_a_constant_number_of_queries(world, url):
    pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    household = make_household(collector_name="黄干部")
    make_person(household)
    one = _list_queries(world.alice, url)
    for sequence in range(2, 7):
        other = make_household(collector_name="黄干部")
        make_person(other, id_number=make_id(sequence=sequence))
    assert _list_queries(world.alice, url) == one
