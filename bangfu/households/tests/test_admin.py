import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.accounts.scopes import SYSTEM
from bangfu.accounts.services import pii_grant_create
from bangfu.households.tests.helpers import make_household, make_person

pytestmark = pytest.mark.django_db

PLAIN_ID = "440524188001010014"


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def person(world):
    return make_person(make_household(), name="张三丰", id_number=PLAIN_ID, phone="13812341234")


def test_the_person_list_shows_masked_values_only_even_with_a_grant(world, person):
    pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    page = client_for(world.alice).get("/admin/households/person/").content.decode()
    assert "张**" in page
    assert "4405**********0014" in page
    assert PLAIN_ID not in page
    assert "张三丰" not in page


def test_the_person_page_shows_clear_values_with_the_grant_and_masked_without(world, person):
    url = f"/admin/households/person/{person.pk}/change/"
    page = client_for(world.alice).get(url).content.decode()
    assert "张**" in page
    assert PLAIN_ID not in page
    pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    page = client_for(world.alice).get(url).content.decode()
    assert "张三丰" in page
    assert PLAIN_ID in page


def test_search_by_id_number_finds_the_person_through_the_token(world, person):
    page = client_for(world.alice).get("/admin/households/person/", {"q": "110105491231002"})
    assert person.number not in page.content.decode()
    page = client_for(world.alice).get("/admin/households/person/", {"q": PLAIN_ID})
    assert person.number in page.content.decode()


@pytest.mark.parametrize("name", ["bob", "charlie"])
def test_donor_side_and_unrelated_users_see_no_person_in_the_admin(world, person, name):
    client = client_for(getattr(world, name))
    assert person.number not in client.get("/admin/households/person/").content.decode()
    assert client.get(f"/admin/households/person/{person.pk}/change/").status_code in (302, 404)


def test_the_admin_cannot_add_or_change_households(world, person):
    client = client_for(world.alice)
    assert client.get("/admin/households/household/add/").status_code == 403
    url = f"/admin/households/household/{person.household_id}/change/"
    assert client.post(url, {"household_size": 9}).status_code == 403
