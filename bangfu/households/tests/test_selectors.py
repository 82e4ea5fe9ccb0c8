from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import SYSTEM
from bangfu.accounts.services import pii_grant_create
from bangfu.core.testing import get_region, make_user
from bangfu.households import selectors, services
from bangfu.households.models import Household
from bangfu.households.pii import present_collector, present_person
from bangfu.households.tests.helpers import NAYONG_VILLAGE, TONGLE, make_household, make_person
from bangfu.regions.models import Region

pytestmark = pytest.mark.django_db


def _grant(user: User, county: Region) -> None:
    pii_grant_create(actor=SYSTEM, user=user, county=county)


def test_recipient_side_users_see_the_households_of_their_subtree(world):
    mine = make_household()
    make_household(village_code=NAYONG_VILLAGE)
    assert list(selectors.visible_households(world.alice)) == [mine]
    guangxi_user = make_user(region=get_region("450000000000"))
    assert list(selectors.visible_households(guangxi_user)) == [mine]
    township_user = make_user(region=get_region("451223101000"))
    assert list(selectors.visible_households(township_user)) == [mine]


@pytest.mark.parametrize("name", ["bob", "charlie"])
def test_donor_side_and_unrelated_users_see_no_household_or_person(world, name):
    make_person(make_household())
    user = getattr(world, name)
    assert list(selectors.visible_households(user)) == []
    assert list(selectors.visible_persons(user)) == []


def test_anonymous_and_organisation_users_see_no_household(world):
    make_household()
    assert list(selectors.visible_households(AnonymousUser())) == []
    assert list(selectors.visible_households(make_user())) == []


def test_without_a_grant_personal_data_is_masked(world):
    person = make_person(
        make_household(collector_name="黄干部", collector_phone="13912345678"),
        name="张三",
        id_number="440524188001010014",
        phone="13812341234",
        bank_account="6222020200112233445",
    )
    person = selectors.visible_persons(world.alice).get(pk=person.pk)
    shown = present_person(person, world.alice)
    assert (shown.name, shown.id_number, shown.phone, shown.bank_account, shown.clear) == (
        "张*",
        "4405**********0014",
        "138****1234",
        "****3445",
        False,
    )
    collector = present_collector(person.household, world.alice)
    assert (collector.name, collector.phone) == ("黄**", "139****5678")


def test_with_a_grant_for_the_county_personal_data_is_clear(world):
    _grant(world.alice, world.fengshan)
    person = make_person(make_household(), name="张三", id_number="440524188001010014")
    person = selectors.visible_persons(world.alice).get(pk=person.pk)
    shown = present_person(person, world.alice)
    assert (shown.name, shown.id_number, shown.clear) == ("张三", "440524188001010014", True)


def test_a_grant_for_another_county_does_not_unmask(world):
    guangxi_user = make_user(region=get_region("450000000000"), roles=[Role.VIEWER])
    _grant(guangxi_user, get_region("451222000000", "天峨县"))
    person = make_person(make_household(), name="张三")
    person = selectors.visible_persons(guangxi_user).get(pk=person.pk)
    assert present_person(person, guangxi_user).name == "张*"


def test_a_superuser_without_a_grant_sees_masked_values(world):
    person = make_person(make_household(), name="张三")
    person = selectors.visible_persons(world.dana).get(pk=person.pk)
    assert present_person(person, world.dana).name == "张*"


def test_lookup_by_id_number_finds_the_person_in_any_id_form(world):
    person = make_person(make_household(), id_number="11010519491231002X")
    assert list(selectors.persons_with_id(world.alice, "110105491231002")) == [person]
    assert list(selectors.persons_with_id(world.alice, "11010519491231002x")) == [person]
    assert list(selectors.persons_with_id(world.bob, "11010519491231002X")) == []
    assert list(selectors.persons_with_id(world.alice, "bad")) == []


def test_duplicate_persons_across_households_are_reported_with_the_global_count(world):
    first = make_person(make_household(), id_number="11010519491231002X")
    second = make_person(make_household(), id_number="110105491231002")
    make_person(make_household(village_code=NAYONG_VILLAGE), id_number="11010519491231002X")
    make_person(make_household(), id_number="440524188001010014")
    report = selectors.duplicate_persons(world.alice)
    assert [(d.person, d.households_with_id) for d in report] == [(first, 3), (second, 3)]
    assert selectors.duplicate_persons(world.bob) == []


def test_threshold_lookup_prefers_the_province_and_falls_back_to_the_national_floor(world):
    guangxi = get_region("450000000000")
    services.threshold_set(actor=SYSTEM, province=guangxi, year=2023, yuan_per_person=7300)
    assert selectors.threshold_amount(region_code=TONGLE, year=2023) == Decimal("7300.00")
    assert selectors.threshold_amount(region_code=TONGLE, year=2022) == Decimal("6000.00")
    assert selectors.threshold_amount(region_code=NAYONG_VILLAGE, year=2023) == Decimal("6000.00")
    assert selectors.threshold_amount(region_code=TONGLE, year=2020) is None


def test_threshold_expression_annotates_each_household_set_based(world):
    guangxi = get_region("450000000000")
    services.threshold_set(actor=SYSTEM, province=guangxi, year=2023, yuan_per_person=7300)
    make_household(income_year=2023)
    make_household(income_year=2022)
    make_household(village_code=NAYONG_VILLAGE, income_year=2023)
    rows = (
        Household.objects.annotate(threshold=selectors.threshold_expression())
        .order_by("village_id", "income_year")
        .values_list("village_id", "income_year", "threshold")
    )
    assert list(rows) == [
        (TONGLE, 2022, Decimal("6000.00")),
        (TONGLE, 2023, Decimal("7300.00")),
        (NAYONG_VILLAGE, 2023, Decimal("6000.00")),
    ]


def test_thresholds_are_readable_by_signed_in_users_only(world):
    assert selectors.visible_thresholds(world.bob).count() == 1
    assert selectors.visible_thresholds(AnonymousUser()).count() == 0


def test_village_figures_are_visible_to_the_recipient_side_and_the_paired_donor(world):
    row = services.village_figures_set(actor=SYSTEM, village=get_region(TONGLE), year=2023)
    assert list(selectors.visible_village_figures(world.alice)) == [row]
    assert list(selectors.visible_village_figures(world.bob)) == [row]
    assert list(selectors.visible_village_figures(world.charlie)) == []
