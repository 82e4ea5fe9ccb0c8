import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.households import idcards
from bangfu.households.idcards import IdType, InvalidId, Sex, check_character, parse_id

TODAY = dt.date(2025, 6, 1)


def test_the_reference_ids_are_valid():
    assert parse_id("11010519491231002X", today=TODAY).birth_date == dt.date(1949, 12, 31)
    assert parse_id("440524188001010014", today=TODAY).birth_date == dt.date(1880, 1, 1)


def test_a_lower_case_x_is_accepted_and_normalised():
    parsed = parse_id(" 11010519491231002x ", today=TODAY)
    assert parsed.normalised == "11010519491231002X"
    assert parsed.id_type == IdType.RESIDENT_ID


def test_full_width_digits_are_folded_and_other_scripts_refused():
    assert (
        parse_id("４４０５２４１８８００１０１００１４", today=TODAY).normalised
        == "440524188001010014"
    )
    assert _code("44052418800101001٣")[0] == "characters"


def test_sex_comes_from_the_parity_of_the_sequence():
    assert parse_id("11010519491231002X", today=TODAY).sex == Sex.FEMALE  # sequence 002
    assert parse_id("440524188001010014", today=TODAY).sex == Sex.MALE  # sequence 001


def _code(raw: str) -> tuple[str, str]:
    with pytest.raises(InvalidId) as caught:
        parse_id(raw, today=TODAY)
    return caught.value.code, str(caught.value)


def test_a_wrong_length_is_refused_with_the_count_of_characters():
    assert _code("1101051949123100") == (
        "length",
        "ID number has 16 characters; it needs 18 (15 for an old card, 20 for a disability "
        "card number).",
    )


def test_a_letter_inside_the_number_is_refused():
    assert _code("1101051949A231002X")[0] == "characters"


def test_a_bad_check_character_names_the_expected_one_without_echoing_the_number():
    code, message = _code("110105194912310021")
    assert code == "check_character"
    assert message == "ID number has a bad check character (expected X)."
    assert "110105" not in message


def test_an_impossible_birth_date_is_refused():
    first17 = "11010519490230002"  # 30 February
    assert _code(first17 + check_character(first17))[0] == "birth_date"


def test_a_birth_date_in_the_future_is_refused():
    first17 = "11010520300101002"
    assert _code(first17 + check_character(first17)) == (
        "birth_date",
        "ID number has a birth date in the future.",
    )


def test_an_unknown_area_is_refused():
    first17 = "99010519491231002"
    assert _code(first17 + check_character(first17))[0] == "area"


def test_a_legacy_15_digit_id_reads_its_birth_year_as_19yy_and_upgrades_to_18():
    parsed = parse_id("110105491231002", today=TODAY)
    assert parsed.id_type == IdType.LEGACY_ID
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.canonical == "11010519491231002X"
    assert parsed.sex == Sex.FEMALE


def test_a_disability_card_number_carries_category_and_grade():
    parsed = parse_id("11010519491231002X43", today=TODAY)
    assert parsed.id_type == IdType.DISABILITY_CARD
    assert (parsed.disability_category, parsed.disability_grade) == (4, 3)
    assert parsed.canonical == "11010519491231002X"


def test_a_disability_card_with_a_bad_category_or_grade_is_refused():
    assert _code("11010519491231002X83")[0] == "disability_category"
    assert _code("11010519491231002X45")[0] == "disability_grade"
    assert _code("11010519491231002103")[0] == "check_character"


def test_the_no_id_form_is_accepted_without_birth_date_or_sex():
    parsed = parse_id("999999202300000123", today=TODAY)
    assert parsed.id_type == IdType.NO_ID
    assert (parsed.birth_date, parsed.sex) == (None, None)


def test_declared_sex_and_birth_date_are_checked_against_the_id():
    parsed = parse_id("440524188001010014", today=TODAY)
    assert idcards.declared_mismatches(parsed, sex=Sex.MALE, birth_date=dt.date(1880, 1, 1)) == {}
    assert idcards.declared_mismatches(parsed, sex=Sex.FEMALE, birth_date=dt.date(1880, 1, 2)) == {
        "sex": "The sex does not match the ID number.",
        "birth_date": "The birth date does not match the ID number.",
    }


provinces = st.sampled_from(sorted(idcards.PROVINCE_PREFIXES))


@st.composite
def valid_ids(draw):
    area = draw(provinces) + draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.text("0123456789", min_size=3, max_size=3))
    first17 = f"{area}{born:%Y%m%d}{sequence}"
    return first17 + check_character(first17)


@given(valid_ids())
def test_any_generated_valid_id_passes(number):
    parsed = parse_id(number, today=TODAY)
    assert parsed.canonical == number
    assert f"{parsed.birth_date:%Y%m%d}" == number[6:14]


@given(valid_ids(), st.integers(min_value=0, max_value=17), st.integers(1, 10))
def test_changing_any_one_character_fails(number, position, shift):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    replacement = alphabet[(current + shift) % len(alphabet)]
    if replacement == number[position]:
        return
    mutated = number[:position] + replacement + number[position + 1 :]
    assert not idcards.is_valid_id(mutated, today=TODAY)
