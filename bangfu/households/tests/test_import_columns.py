"""Column conversions: the one-pass fast paths give the same values and errors as cell by cell."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bangfu.households import crypto, idcards
from bangfu.households.importing import columns as cols
from bangfu.households.importing import prepare as prep
from bangfu.households.importing.mapping import HOUSEHOLD, PERSON
from bangfu.households.pii import id_token
from bangfu.households.tests.helpers import make_id

SPECS = {spec.key: spec for spec in (*HOUSEHOLD, *PERSON)}


def test_amounts_in_plain_text_convert_in_one_pass():
    values, errors = cols.convert_column(SPECS["wage_income"], ["12000", " 800.5 ", "0"])
    assert (values, errors) == ([Decimal("12000.00"), Decimal("800.50"), Decimal("0.00")], [])


def test_amounts_with_commas_or_from_a_spreadsheet_still_convert():
    values, errors = cols.convert_column(SPECS["wage_income"], ["1,200.5", 3.25, 7])
    assert (values, errors) == ([Decimal("1200.50"), Decimal("3.25"), Decimal("7.00")], [])


def test_a_bad_amount_is_named_by_its_row_whatever_the_rest():
    _values, errors = cols.convert_column(SPECS["wage_income"], ["5", "-1", "NaN", "x", "2"])
    assert errors == [
        (1, "The value must lie between 0 and 100000000."),
        (2, "Not a number."),
        (3, "Not a number."),
    ]


def test_whole_numbers_and_their_range():
    assert cols.convert_column(SPECS["household_size"], ["3", " 4 "]) == ([3, 4], [])
    _values, errors = cols.convert_column(SPECS["household_size"], ["3", "60", "2.5"])
    assert errors == [(1, "The value must lie between 1 and 50."), (2, "Not a whole number.")]


def test_phones_with_blanks_inside_are_joined():
    values, errors = cols.convert_column(SPECS["phone"], ["138 1234 5678", "0776-1234567"])
    assert (values, errors) == (["13812345678", "0776-1234567"], [])
    _values, errors = cols.convert_column(SPECS["phone"], ["13812345678", "12345"])
    assert [index for index, _reason in errors] == [1]


def test_choices_and_flags_take_the_cell_by_cell_path_for_odd_cells():
    assert cols.convert_column(SPECS["relation"], ["户主", " 配偶 "]) == (["head", "spouse"], [])
    flags, errors = cols.convert_column(SPECS["critical_illness_insurance"], ["是", " 否", "maybe"])
    assert flags[:2] == [True, False]
    assert errors == [(2, "Write 是 or 否.")]


def test_blank_cells_of_a_required_column_are_refused():
    values, errors = cols.convert_column(SPECS["number"], ["P1", "", "  ", None])
    assert values == ["P1", None, None, None]
    assert errors == [
        (1, "A value is required."),
        (2, "A value is required."),
        (3, "A value is required."),
    ]


def test_too_long_text_is_refused_without_quoting_it():
    _values, errors = cols.convert_column(SPECS["name"], ["韦小宝", "长" * 51])
    assert errors == [(1, "Longer than 50 characters.")]


def test_column_encryption_decrypts_and_keeps_empty_values_empty():
    sealed = cols.encrypt_column(["韦小宝", "", "蓝小花"], context="person.name")
    assert sealed[1] == ""
    assert [crypto.decrypt(s, context="person.name") for s in (sealed[0], sealed[2])] == [
        "韦小宝",
        "蓝小花",
    ]
    assert sealed[0] != cols.encrypt_column(["韦小宝"], context="person.name")[0]  # fresh nonce


def test_column_tokens_match_the_single_value_token():
    ids = [make_id(sequence=13), make_id(sequence=24)]
    assert cols.id_tokens(ids) == [id_token(value) for value in ids]


def test_an_unexpected_error_in_a_batch_does_not_carry_its_message(monkeypatch):
    def broken(spec, values):
        raise KeyError("韦小宝 " + make_id(sequence=13))

    monkeypatch.setattr(cols, "convert_column", broken)
    specs = tuple(s for s in PERSON if s.key in {"number", "name"})
    task = prep.Task(
        0, "person", specs, {"number": 0, "name": 1}, 2, 2023, "", "en", text="P1,韦小宝\n"
    )
    with pytest.raises(prep.PrepareFailed) as failed:
        prep.prepare(task)
    assert "韦小宝" not in str(failed.value)
    assert make_id(sequence=13) not in str(failed.value)
    assert "KeyError" in str(failed.value)


WRONG_PROVINCE_BIRTH_OR_YEAR = [
    first17 + idcards.check_character(first17)
    for first17 in ("99122319800101123", "45122319800230123", "45122330000101123")
]


@pytest.mark.parametrize(
    "others",
    [
        [],  # only check characters fail
        WRONG_PROVINCE_BIRTH_OR_YEAR,
        [*WRONG_PROVINCE_BIRTH_OR_YEAR, "999999000000000001", "44052419800101001x", " 4512231"],
    ],
)
def test_the_column_wise_id_checks_agree_with_idcards(others):
    """Valid IDs pass and every wrong check character, province or birth date is refused
    with idcards' own message, whether the column holds only resident IDs (checked a column
    at a time) or other forms too (those cells one by one)."""
    ids = []
    for born, sequence in [("19800101", "123"), ("20101231", "000"), ("19550615", "998")]:
        first17 = f"451223{born}{sequence}"
        right = idcards.check_character(first17)
        ids += [first17 + right, *(first17 + c for c in idcards.CHECK_CHARACTERS if c != right)]
    cells = [*ids, *others]
    values, errors = cols.convert_id(SPECS["id_number"], cells)
    accepted: dict[int, idcards.ParsedId] = {}
    refused: list[tuple[int, str]] = []
    for index, cell in enumerate(cells):
        try:
            accepted[index] = idcards.parse_id(cell)
        except idcards.InvalidId as exc:
            refused.append((index, str(exc)))
    assert errors == refused
    assert all(values[index] is None for index, _reason in refused)
    assert all(values[index] == identity for index, identity in accepted.items())
    assert len(refused) >= 3 * 10 + len(others) // 2


@pytest.mark.parametrize(
    "numbers",
    [["007", "7", "4512232002"], ["007", "", "x7"], ["７", "1"], []],
)
def test_compact_numbers_keeps_distinct_numbers_apart(numbers):
    """Digits become ints with a leading 1 (007 and 7 stay apart), anything else stays text,
    whether the whole column is digits (one pass) or not (cell by cell)."""
    compact = prep.compact_numbers(numbers)
    assert compact == [int("1" + n) if n.isdigit() and n.isascii() else n for n in numbers]
    assert len(set(compact)) == len(set(numbers))
