import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditEvent
from bangfu.core.testing import get_region, make_user
from bangfu.households import services
from bangfu.households.choices import HouseholdType, IdType, LabourSkill, Relation, Sex
from bangfu.households.fields import Sealed, reveal
from bangfu.households.models import Household, Person
from bangfu.households.tests.helpers import TONGLE, make_household, make_id, make_person

pytestmark = pytest.mark.django_db


def test_household_create_computes_net_and_per_capita_income(world):
    household = make_household(
        wage_income=Decimal("20000"),
        business_income=Decimal("5000"),
        property_income=Decimal("300"),
        transfer_income=Decimal("4000"),
        business_costs=Decimal("2300"),
        household_size=3,
    )
    household.refresh_from_db()
    assert household.net_income == Decimal("27000.00")
    assert household.per_capita_net_income == Decimal("9000.00")


def test_household_update_recomputes_incomes_and_audits_the_change(world):
    household = make_household(household_size=4)
    services.household_update(actor=world.alice, household=household, household_size=3)
    household.refresh_from_db()
    assert household.per_capita_net_income == Decimal("8000.00")
    event = AuditEvent.objects.filter(object_type="households.household")[0]
    assert event.before == {"household_size": 4, "per_capita_net_income": "6000.00"}
    assert event.after == {"household_size": 3, "per_capita_net_income": "8000.00"}
    assert event.region_code == TONGLE


def test_the_database_refuses_a_per_capita_income_that_was_not_computed(world):
    household = make_household()
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=household.pk).update(per_capita_net_income=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=household.pk).update(net_income=Decimal("1"))


def test_a_household_must_be_in_a_village(world):
    with pytest.raises(ValidationFailed) as caught:
        make_household(village_code="451223101000")
    assert caught.value.errors == {"village": ["Choose a village (a 12-digit village code)."]}


@pytest.mark.parametrize("name", ["bob", "charlie"])
def test_donor_side_and_unrelated_users_cannot_write_households(world, name):
    with pytest.raises(PermissionDenied):
        services.household_create(
            actor=getattr(world, name),
            number="X1",
            village=get_region(TONGLE),
            household_type=HouseholdType.ORDINARY,
            household_size=1,
            income_year=2023,
        )


def test_a_viewer_cannot_write_households(world):
    viewer = make_user(region=world.fengshan, roles=[Role.VIEWER])
    household = make_household()
    with pytest.raises(PermissionDenied):
        services.household_update(actor=viewer, household=household, household_size=2)


def test_person_create_encrypts_and_tokenises_and_takes_sex_and_birth_date_from_the_id(world):
    household = make_household()
    person = make_person(household, id_number="440524188001010014", name="张三")
    person = Person.objects.get(pk=person.pk)
    assert isinstance(person.name, Sealed)
    assert str(person.name) == "[encrypted]"
    assert reveal(person.name) == "张三"
    assert reveal(person.id_number) == "440524188001010014"
    assert person.id_type == IdType.RESIDENT_ID
    assert (person.sex, person.birth_date) == (Sex.MALE, dt.date(1880, 1, 1))
    assert len(person.id_token) == 64


def test_person_audit_holds_masked_values_and_the_token_only(world):
    household = make_household()
    person = make_person(
        household,
        id_number="440524188001010014",
        name="张三",
        phone="13812341234",
        bank_account="6222020200112233445",
    )
    event = AuditEvent.objects.get(object_type="households.person", object_id=str(person.pk))
    assert event.after is not None
    assert event.after["name"] == "张*"
    assert event.after["id_number"] == "4405**********0014"
    assert event.after["phone"] == "138****1234"
    assert event.after["bank_account"] == "****3445"
    assert event.after["id_token"] == person.id_token
    assert "440524188001010014" not in str(event.after)


def test_a_bad_id_is_refused_without_echoing_it(world):
    household = make_household()
    with pytest.raises(ValidationFailed) as caught:
        make_person(household, id_number="440524188001010015")
    assert caught.value.errors == {
        "id_number": ["ID number has a bad check character (expected 4)."]
    }
    assert "440524188001010015" not in str(caught.value)


def test_a_declared_sex_or_birth_date_that_contradicts_the_id_is_refused(world):
    household = make_household()
    with pytest.raises(ValidationFailed) as caught:
        make_person(household, id_number="440524188001010014", sex=Sex.FEMALE)
    assert caught.value.errors == {"sex": ["The sex does not match the ID number."]}
    with pytest.raises(ValidationFailed) as caught:
        make_person(household, id_number="440524188001010014", birth_date=dt.date(1880, 1, 2))
    assert caught.value.errors == {"birth_date": ["The birth date does not match the ID number."]}


def test_a_declared_id_type_must_match_the_form_of_the_number(world):
    household = make_household()
    with pytest.raises(ValidationFailed) as caught:
        make_person(household, id_number="440524188001010014", id_type=IdType.DISABILITY_CARD)
    assert list(caught.value.errors) == ["id_type"]


def test_a_person_without_an_id_needs_a_declared_sex_and_birth_date(world):
    household = make_household()
    with pytest.raises(ValidationFailed):
        make_person(household, id_number="999999202300000001")
    person = make_person(
        household, id_number="999999202300000001", sex=Sex.FEMALE, birth_date=dt.date(2020, 3, 1)
    )
    assert person.id_type == IdType.NO_ID


def test_the_same_person_cannot_be_added_twice_to_a_household_in_any_id_form(world):
    household = make_household()
    make_person(household, id_number="11010519491231002X")
    with pytest.raises(ValidationFailed) as caught:
        make_person(household, id_number="110105491231002", relation=Relation.SPOUSE)
    assert caught.value.errors == {
        "id_number": ["A person with this ID number is already in this household."]
    }


def test_a_household_has_one_head(world):
    household = make_household()
    make_person(household)
    with pytest.raises(ValidationFailed) as caught:
        make_person(household, id_number=make_id(sequence=21))
    assert caught.value.errors == {"relation": ["This household already has a head."]}


def test_person_numbers_default_to_the_household_number_and_a_sequence(world):
    household = make_household()
    first = make_person(household)
    second = make_person(household, id_number=make_id(sequence=21), relation=Relation.SPOUSE)
    assert (first.number, second.number) == (f"{household.number}01", f"{household.number}02")


def test_phone_and_bank_account_are_validated_without_echoing_them(world):
    household = make_household()
    with pytest.raises(ValidationFailed) as caught:
        make_person(household, phone="12345")
    assert caught.value.errors == {
        "phone": ["The phone number is neither an 11-digit mobile nor a landline number."]
    }
    with pytest.raises(ValidationFailed) as caught:
        make_person(household, bank_account="12ab")
    assert caught.value.errors == {"bank_account": ["A bank account number has 10 to 30 digits."]}


def test_person_update_of_the_id_retokenises_and_rechecks_sex(world):
    household = make_household()
    person = make_person(household)
    old_token = person.id_token
    female_id = make_id(sequence=22)
    with pytest.raises(ValidationFailed):
        services.person_update(actor=world.alice, person=person, id_number=female_id, sex=Sex.MALE)
    person = Person.objects.get(pk=person.pk)
    services.person_update(actor=world.alice, person=person, id_number=female_id)
    person.refresh_from_db()
    assert person.sex == Sex.FEMALE
    assert person.id_token != old_token
    assert reveal(person.id_number) == female_id
    event = AuditEvent.objects.filter(object_type="households.person")[0]
    assert event.after is not None
    assert event.after["id_number"] == female_id[:4] + "*" * 10 + female_id[-4:]
    assert female_id not in str(event.before) + str(event.after)


def test_person_update_with_the_same_values_writes_nothing(world):
    household = make_household()
    person = make_person(household, name="张三")
    person = Person.objects.get(pk=person.pk)
    count = AuditEvent.objects.count()
    services.person_update(actor=world.alice, person=person, name="张三")
    assert AuditEvent.objects.count() == count


def test_charlie_cannot_add_or_change_persons_in_alices_county(world):
    household = make_household()
    person = make_person(household)
    with pytest.raises(PermissionDenied):
        services.person_update(actor=world.charlie, person=person, name="李四")
    with pytest.raises(PermissionDenied):
        services.person_create(
            actor=world.bob,
            household=household,
            name="李四",
            id_number=make_id(sequence=31),
            relation=Relation.SON,
            labour_skill=LabourSkill.ORDINARY,
        )


def test_threshold_set_by_a_province_user_and_refused_to_a_county_user(world):
    guangxi = get_region("450000000000")
    province_user = make_user(region=guangxi, roles=[Role.DATA_ENTRY])
    threshold = services.threshold_set(
        actor=province_user, province=guangxi, year=2023, yuan_per_person=Decimal("7300")
    )
    assert threshold.yuan_per_person == Decimal("7300.00")
    with pytest.raises(PermissionDenied):
        services.threshold_set(
            actor=world.alice, province=guangxi, year=2024, yuan_per_person=Decimal("7500")
        )
    with pytest.raises(PermissionDenied):
        services.threshold_set(
            actor=province_user, province=None, year=2024, yuan_per_person=Decimal("6000")
        )


def test_threshold_set_twice_updates_the_row(world):
    guangxi = get_region("450000000000")
    services.threshold_set(actor=SYSTEM, province=guangxi, year=2023, yuan_per_person=7300)
    services.threshold_set(actor=SYSTEM, province=guangxi, year=2023, yuan_per_person=7400)
    event = AuditEvent.objects.filter(object_type="households.threshold")[0]
    assert (event.before, event.after) == (
        {"yuan_per_person": "7300.00", "source": ""},
        {"yuan_per_person": "7400.00", "source": ""},
    )


def test_village_figures_set_stores_collective_income_in_yuan(world):
    village = get_region(TONGLE)
    row = services.village_figures_set(
        actor=world.alice,
        village=village,
        year=2023,
        households=320,
        population=1290,
        collective_income=services.wan_to_yuan("12.5"),
        has_clinic=True,
    )
    assert row.collective_income == Decimal("125000.00")
    again = services.village_figures_set(actor=world.alice, village=village, year=2023, doctors=2)
    assert again.pk == row.pk
    with pytest.raises(PermissionDenied):
        services.village_figures_set(actor=world.bob, village=village, year=2023, doctors=3)


def test_measures_are_added_by_recipient_side_data_entry_only(world):
    household = make_household()
    measure = services.measure_add(
        actor=world.alice, household=household, category="employment", date=dt.date(2024, 3, 1)
    )
    assert measure.household == household
    with pytest.raises(PermissionDenied):
        services.measure_add(
            actor=world.bob, household=household, category="employment", date=dt.date(2024, 3, 1)
        )
