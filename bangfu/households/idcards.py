"""Identity document numbers as the national registry carries them; pure, no database.

Forms accepted (after stripping blanks and upper-casing a trailing x):
- 居民身份证号码 (GB 11643), 18 characters: area (6) + birth date YYYYMMDD + sequence (3, odd =
  male) + check character;
- the legacy 15-digit card: area (6) + birth date YYMMDD (19YY) + sequence (3), no check character;
- the 20-character disability-card number (残疾人证号): an 18-character ID, category 1–7, grade 1–4;
- the no-ID form used for people without a card: 999999 followed by 12 digits.

Every refusal raises `InvalidId` with a message that never repeats the number itself, so callers
may show it or prefix it with a row number ("row 3: …") without leaking personal data.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from operator import mul
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
NO_ID_PREFIX = "999999"
# The 2-digit province part of the area code (GB/T 2260), including Taiwan, Hong Kong and Macao.
PROVINCE_PREFIXES = frozenset(
    {*(str(n) for n in range(11, 16)), *(str(n) for n in range(21, 24))}
    | {*(str(n) for n in range(31, 38)), *(str(n) for n in range(41, 47))}
    | {*(str(n) for n in range(50, 55)), *(str(n) for n in range(61, 66))}
    | {"71", "81", "82"}
)
EARLIEST_BIRTH_DATE = dt.date(1850, 1, 1)
_ZERO_OFFSET = ord("0") * sum(WEIGHTS)


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", gettext_lazy("resident identity card (居民身份证)")
    LEGACY_ID = "legacy_id", gettext_lazy("15-digit identity card (一代身份证)")
    DISABILITY_CARD = "disability_card", gettext_lazy("disability card (残疾人证)")
    NO_ID = "no_id", gettext_lazy("no identity document (999999)")


class Sex(models.TextChoices):
    MALE = "male", gettext_lazy("male")
    FEMALE = "female", gettext_lazy("female")


class InvalidId(ValueError):
    """The number is not a well-formed ID; `code` names the failed check for callers and tests."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class ParsedId(NamedTuple):
    """A checked ID (immutable; a named tuple because imports build millions of them, at a
    tenth of a frozen dataclass's cost)."""

    id_type: IdType
    normalised: str  # as stored: stripped, upper-case X
    canonical: str  # the 18-character person ID used for lookup tokens (upgraded legacy IDs)
    birth_date: dt.date | None
    sex: Sex | None
    disability_category: int | None = None
    disability_grade: int | None = None


def normalise(raw: str) -> str:
    """Blanks removed, full-width characters (common in spreadsheets) folded, X upper-cased."""
    return unicodedata.normalize("NFKC", "".join(raw.split())).upper()


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    # Byte arithmetic (ASCII digit − 48) keeps this fast enough for million-row imports.
    total = sum(map(mul, first17.encode("ascii"), WEIGHTS)) - _ZERO_OFFSET
    return CHECK_CHARACTERS[total % 11]


def parse_birth_date(text: str, *, today: dt.date) -> dt.date:
    """The YYYYMMDD birth date of an ID, refused when impossible or in the future."""
    try:
        born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise InvalidId("birth_date", _("ID number has an impossible birth date.")) from None
    if born > today:
        raise InvalidId("birth_date", _("ID number has a birth date in the future."))
    if born < EARLIEST_BIRTH_DATE:
        raise InvalidId("birth_date", _("ID number has an impossible birth date."))
    return born


def sex_of_sequence(sequence: str) -> Sex:
    """The sex an ID's sequence number gives: odd last digit male, even female."""
    return Sex.MALE if int(sequence[-1]) % 2 == 1 else Sex.FEMALE


def _check_area(number: str) -> None:
    if number[:2] not in PROVINCE_PREFIXES:
        raise InvalidId("area", _("ID number has an unknown area code."))


def _parse_18(number: str, *, today: dt.date) -> ParsedId:
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidId(
            "characters", _("ID number may contain only digits, with X as the last character.")
        )
    _check_area(number)
    born = parse_birth_date(number[6:14], today=today)
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidId(
            "check_character",
            _("ID number has a bad check character (expected %(expected)s).")
            % {"expected": expected},
        )
    return ParsedId(IdType.RESIDENT_ID, number, number, born, sex_of_sequence(number[14:17]))


def _parse_15(number: str, *, today: dt.date) -> ParsedId:
    if not number.isdigit():
        raise InvalidId("characters", _("A 15-digit ID number may contain only digits."))
    _check_area(number)
    born = parse_birth_date("19" + number[6:12], today=today)
    first17 = number[:6] + "19" + number[6:15]
    canonical = first17 + check_character(first17)
    return ParsedId(IdType.LEGACY_ID, number, canonical, born, sex_of_sequence(number[12:15]))


def _parse_disability(number: str, *, today: dt.date) -> ParsedId:
    person = _parse_18(number[:18], today=today)
    category, grade = number[18], number[19]
    if category not in "1234567":
        raise InvalidId(
            "disability_category",
            _("Disability card number has a bad category (the 19th character must be 1–7)."),
        )
    if grade not in "1234":
        raise InvalidId(
            "disability_grade",
            _("Disability card number has a bad grade (the 20th character must be 1–4)."),
        )
    return ParsedId(
        IdType.DISABILITY_CARD,
        number,
        person.canonical,
        person.birth_date,
        person.sex,
        disability_category=int(category),
        disability_grade=int(grade),
    )


def _parse_no_id(number: str) -> ParsedId:
    if not number.isdigit():
        raise InvalidId(
            "characters", _("A number for a person without an ID may contain only digits.")
        )
    return ParsedId(IdType.NO_ID, number, number, None, None)


def parse_id(raw: str, *, today: dt.date | None = None) -> ParsedId:
    """Validate and describe an ID number; raise `InvalidId` with the first failed check."""
    today = today or dt.date.today()
    number = normalise(raw)
    if not number:
        raise InvalidId("empty", _("ID number is missing."))
    if not number.isascii():
        raise InvalidId(
            "characters", _("ID number may contain only digits, with X as the last character.")
        )
    if len(number) == 18 and number.startswith(NO_ID_PREFIX):
        return _parse_no_id(number)
    if len(number) == 18:
        return _parse_18(number, today=today)
    if len(number) == 15:
        return _parse_15(number, today=today)
    if len(number) == 20:
        return _parse_disability(number, today=today)
    raise InvalidId(
        "length",
        _(
            "ID number has %(count)d characters; it needs 18 (15 for an old card, 20 for a "
            "disability card number)."
        )
        % {"count": len(number)},
    )


def is_valid_id(raw: str, *, today: dt.date | None = None) -> bool:
    try:
        parse_id(raw, today=today)
    except InvalidId:
        return False
    return True


def birth_date_of(raw: str) -> dt.date | None:
    """The birth date an ID carries (None for the no-ID form); raises `InvalidId` if malformed."""
    return parse_id(raw).birth_date


def sex_of(raw: str) -> Sex | None:
    """The sex an ID carries (odd sequence = male; None for the no-ID form)."""
    return parse_id(raw).sex


def declared_mismatches(
    parsed: ParsedId, *, sex: str | None, birth_date: dt.date | None
) -> dict[str, str]:
    """Messages for a declared sex or birth date that contradicts the ID, keyed by field name."""
    problems: dict[str, str] = {}
    if sex and parsed.sex is not None and sex != parsed.sex:
        problems["sex"] = _("The sex does not match the ID number.")
    if birth_date and parsed.birth_date is not None and birth_date != parsed.birth_date:
        problems["birth_date"] = _("The birth date does not match the ID number.")
    return problems
