"""Column-wise conversion: one function per kind turns a whole column of a batch into typed
values plus (index, reason) errors. Pure, no database.

Reasons never quote the cell: a shifted column can put an ID number or a name anywhere, and
messages reach pages, CSV reports and logs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from binascii import b2a_base64
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import repeat
from operator import add, eq, is_, itemgetter, mod
from typing import Any

from django.utils.translation import gettext as _

from bangfu.households import crypto, idcards
from bangfu.households.importing.mapping import BOOLEAN_LABELS, Spec
from bangfu.households.pii import ID_TOKEN_PURPOSE

CENT = Decimal("0.01")
WAN = Decimal("10000")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
CODE_RE = re.compile(r"^\d{12}$")
Errors = list[tuple[int, str]]
Converted = tuple[list[Any], Errors]
_SHA256_BLOCK = 64


def all_text(values: Sequence[Any]) -> bool:
    """Whether every cell is a str (a CSV column always; a spreadsheet's may hold numbers)."""
    return all(map(str.__instancecheck__, values))


def has_none(values: Sequence[Any]) -> bool:
    """`None in values` by identity: comparing a Decimal with None for equality goes through
    the numbers ABCs, a hundred times slower."""
    return any(map(is_, values, repeat(None)))


def blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.strip() if isinstance(value, str) else str(value).strip()


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(str(value).strip().replace(",", ""))


def _range_reason(spec: Spec) -> str:
    return _("The value must lie between %(low)s and %(high)s.") % {
        "low": spec.low,
        "high": spec.high,
    }


def _stripped(values: Sequence[Any]) -> list[str]:
    """Every cell as stripped text (a whole column of strings in one pass)."""
    try:
        return list(map(str.strip, values))
    except TypeError:  # numbers from a spreadsheet
        return [_text(value) for value in values]


def convert_text(spec: Spec, values: Sequence[Any]) -> Converted:
    out = _stripped(values)
    errors: Errors = []
    limit = spec.max_length
    if limit and max(map(len, out), default=0) > limit:
        reason = _("Longer than %d characters.") % limit
        errors = [(index, reason) for index, text in enumerate(out) if len(text) > limit]
    return out, errors


def convert_int(spec: Spec, values: Sequence[Any]) -> Converted:
    low, high = spec.low, spec.high
    try:  # the usual column: whole numbers as text, within the range
        numbers = [int(value) for value in values if value.__class__ is str]
        if (
            len(numbers) == len(values)
            and (low is None or min(numbers, default=low) >= low)
            and (high is None or max(numbers, default=high) <= high)
        ):
            return numbers, []
    except ValueError:
        pass
    out: list[Any] = []
    errors: Errors = []
    for index, value in enumerate(values):
        try:
            number = int(value) if isinstance(value, str | int) else int(_decimal(value))
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
        except (ValueError, InvalidOperation):
            errors.append((index, _("Not a whole number.")))
            out.append(None)
            continue
        if (low is not None and number < low) or (high is not None and number > high):
            errors.append((index, _range_reason(spec)))
        out.append(number)
    return out, errors


def _convert_decimal(spec: Spec, values: Sequence[Any], factor: Decimal | None) -> Converted:
    if factor is None:
        # The usual column: plain decimal text within the range, converted in one pass. Anything
        # else (commas, numbers from a spreadsheet, NaN, a value out of range) takes the
        # cell-by-cell path below, which says what is wrong with which cell.
        try:
            numbers = list(map(Decimal, values)) if all_text(values) else []
            if len(numbers) == len(values) and all(map(Decimal.is_finite, numbers)):
                low, high = spec.low, spec.high
                if (low is None or min(numbers, default=low) >= low) and (
                    high is None or max(numbers, default=high) <= high
                ):
                    rounding = repeat(ROUND_HALF_UP)
                    return list(map(Decimal.quantize, numbers, repeat(CENT), rounding)), []
        except (InvalidOperation, ValueError, TypeError):
            pass
    out: list[Any] = []
    errors: Errors = []
    low, high = spec.low, spec.high
    for index, value in enumerate(values):
        try:
            number = _decimal(value)
            if not number.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append((index, _("Not a number.")))
            out.append(None)
            continue
        if (low is not None and number < low) or (high is not None and number > high):
            errors.append((index, _range_reason(spec)))
        if factor is not None:
            number *= factor
        out.append(number.quantize(CENT, rounding=ROUND_HALF_UP))
    return out, errors


def convert_decimal(spec: Spec, values: Sequence[Any]) -> Converted:
    return _convert_decimal(spec, values, None)


def convert_wan(spec: Spec, values: Sequence[Any]) -> Converted:
    return _convert_decimal(spec, values, WAN)


def _all_labels(labels: Mapping[str, Any], values: Sequence[Any]) -> bool:
    """Whether every cell is exactly one of the labels (the usual column, decided by one set
    operation; any other takes the cell-by-cell path)."""
    try:
        return labels.keys() >= set(values)
    except TypeError:  # an unhashable cell
        return False


def convert_bool(spec: Spec, values: Sequence[Any]) -> Converted:
    labels = BOOLEAN_LABELS
    if _all_labels(labels, values):
        return list(map(labels.__getitem__, values)), []
    out: list[Any] = []
    errors: Errors = []
    for index, value in enumerate(values):
        found = labels.get(value) if isinstance(value, str) else None
        if found is None:
            found = labels.get(_text(value)) if not isinstance(value, bool) else value
        if found is None:
            errors.append((index, _("Write 是 or 否.")))
        out.append(found)
    return out, errors


def convert_choice(spec: Spec, values: Sequence[Any]) -> Converted:
    labels = spec.choices
    if _all_labels(labels, values):
        return list(map(labels.__getitem__, values)), []
    out: list[Any] = []
    errors: Errors = []
    stored = set(labels.values())
    reason = ""
    for index, value in enumerate(values):
        found = labels.get(value) if isinstance(value, str) else None
        if found is not None:
            out.append(found)
            continue
        text = _text(value)
        found = labels.get(text)
        if found is None and text in stored:
            found = text
        if found is None:
            reason = reason or _("Not one of: %s.") % "、".join(dict.fromkeys(labels))
            errors.append((index, reason))
        out.append(found)
    return out, errors


def convert_date(spec: Spec, values: Sequence[Any]) -> Converted:
    out: list[Any] = []
    errors: Errors = []
    for index, value in enumerate(values):
        if isinstance(value, dt.datetime):
            out.append(value.date())
            continue
        if isinstance(value, dt.date):
            out.append(value)
            continue
        text = _text(value).replace("/", "-").replace(".", "-")
        try:
            if len(text) == 8 and text.isdigit():
                text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
            year, month, day = (int(part) for part in text.split("-"))
            out.append(dt.date(year, month, day))
        except ValueError:
            errors.append((index, _("Not a date (YYYY-MM-DD).")))
            out.append(None)
    return out, errors


def convert_code(spec: Spec, values: Sequence[Any]) -> Converted:
    texts = _stripped(values)
    if all(map(CODE_RE.match, texts)):  # the usual column
        return texts, []
    out: list[Any] = []
    errors: Errors = []
    for index, value in enumerate(values):
        text = _text(value)
        if not CODE_RE.match(text):
            errors.append((index, _("A village code has 12 digits.")))
        out.append(text)
    return out, errors


PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


def convert_phone(spec: Spec, values: Sequence[Any]) -> Converted:
    stripped = _stripped(values)
    fullmatch = PHONE_RE.fullmatch
    if all(map(fullmatch, stripped)):
        return stripped, []
    out: list[Any] = []
    errors: Errors = []
    for index, value in enumerate(values):
        phone = "".join(_text(value).split())
        if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
            errors.append(
                (index, _("The phone number is neither an 11-digit mobile nor a landline number."))
            )
        out.append(phone)
    return out, errors


def convert_digits(spec: Spec, values: Sequence[Any]) -> Converted:
    out: list[Any] = []
    errors: Errors = []
    for index, value in enumerate(values):
        digits = "".join(_text(value).split())
        if not digits.isdigit() or not digits.isascii() or not (10 <= len(digits) <= 30):
            errors.append((index, _("A bank account number has 10 to 30 digits.")))
        out.append(digits)
    return out, errors


_PROVINCES = idcards.PROVINCE_PREFIXES
_WEIGHTS = idcards.WEIGHTS
_CHECK_CHARACTERS = idcards.CHECK_CHARACTERS
# An 18-character resident ID as written (ASCII digits; upper-case X). Cells of this form are
# checked column-wise below; any other form, and any cell failing a check, goes through
# idcards.parse_id, which says exactly what is wrong.
_RESIDENT_FORM = re.compile(r"[0-9]{17}[0-9X]")
_PROVINCE, _AREA, _BIRTH, _SEQUENCE = (
    itemgetter(slice(start, end)) for start, end in ((0, 2), (0, 6), (6, 14), (14, 17))
)
_SEX_DIGIT, _CHECK = itemgetter(16), itemgetter(17)
_SEX_BY_DIGIT = {str(digit): idcards.sex_of_sequence(str(digit)) for digit in range(10)}


def _weighted_sum(digits: str, start: int) -> int:
    """The check character's weighted sum over `digits`, which begin at position `start`."""
    return sum((ord(c) - 48) * w for c, w in zip(digits, _WEIGHTS[start:], strict=False))


def _birth_or_none(key: str, today: dt.date) -> dt.date | None:
    try:
        return idcards.parse_birth_date(key, today=today)
    except idcards.InvalidId:
        return None


def _resident_ids(texts: list[str], today: dt.date) -> list[idcards.ParsedId | None]:
    """Cells of the resident-ID form, checked a column at a time: the province, the birth
    date and the check character, each from the few distinct area codes, birth dates and
    sequence numbers of a batch (a county's IDs share them). Each cell's ParsedId, or None
    where a check fails."""
    areas = list(map(_AREA, texts))
    keys = list(map(_BIRTH, texts))
    sequences = list(map(_SEQUENCE, texts))
    born = {key: _birth_or_none(key, today) for key in set(keys)}
    area_sums = {area: _weighted_sum(area, 0) for area in set(areas)}
    birth_sums = {key: _weighted_sum(key, 6) for key in born}
    sequence_sums = {sequence: _weighted_sum(sequence, 14) for sequence in set(sequences)}
    totals = map(
        add,
        map(add, map(area_sums.__getitem__, areas), map(birth_sums.__getitem__, keys)),
        map(sequence_sums.__getitem__, sequences),
    )
    expected = map(_CHECK_CHARACTERS.__getitem__, map(mod, totals, repeat(11)))
    checked = list(map(eq, expected, map(_CHECK, texts)))
    in_province = list(map(_PROVINCES.__contains__, map(_PROVINCE, texts)))  # not 999999
    births = list(map(born.__getitem__, keys))
    parsed: list[idcards.ParsedId | None] = list(
        map(
            idcards.ParsedId,
            repeat(idcards.IdType.RESIDENT_ID),
            texts,
            texts,
            births,
            map(_SEX_BY_DIGIT.__getitem__, map(_SEX_DIGIT, texts)),
        )
    )
    if all(checked) and all(in_province) and None not in born.values():
        return parsed
    return [
        identity if ok and province and birth is not None else None
        for identity, ok, province, birth in zip(parsed, checked, in_province, births, strict=True)
    ]


def convert_id(spec: Spec, values: Sequence[Any]) -> Converted:
    """Each ID as a ParsedId. Cells in the form of an 18-character resident ID are checked
    column-wise (`_resident_ids`); every other cell, and every cell failing a check there, goes
    through idcards.parse_id, so each refusal carries exactly its message (which never
    repeats the number)."""
    today = dt.date.today()
    # Cells as written (a spreadsheet's number as text); parse_id normalises the rest.
    texts = (
        list(values)
        if all_text(values)
        else [v if v.__class__ is str else _text(v) for v in values]
    )
    out: list[Any]
    if all(map(_RESIDENT_FORM.fullmatch, texts)):  # the usual column
        out = _resident_ids(texts, today)
    else:
        positions = [i for i, text in enumerate(texts) if _RESIDENT_FORM.fullmatch(text)]
        checked = _resident_ids([texts[i] for i in positions], today)
        out = [None] * len(texts)
        for i, identity in zip(positions, checked, strict=True):
            out[i] = identity
    errors: Errors = []
    if has_none(out):
        for index, identity in enumerate(out):
            if identity is not None:
                continue
            try:
                out[index] = idcards.parse_id(texts[index], today=today)
            except idcards.InvalidId as exc:
                errors.append((index, str(exc)))
    return out, errors


CONVERTERS: dict[str, Callable[[Spec, Sequence[Any]], Converted]] = {
    "text": convert_text,
    "int": convert_int,
    "decimal": convert_decimal,
    "amount": convert_decimal,
    "wan": convert_wan,
    "bool": convert_bool,
    "choice": convert_choice,
    "date": convert_date,
    "code": convert_code,
    "phone": convert_phone,
    "digits": convert_digits,
    "id": convert_id,
}


def convert_column(spec: Spec, values: Sequence[Any]) -> tuple[list[Any], Errors]:
    """Blank cells become None (an error when the column is required); the rest convert."""
    # The usual full column: every cell non-empty text (one pass in C), or at least no None
    # and no "" (a spreadsheet's 0 or False is a value, not a blank).
    if all(values) or (None not in values and "" not in values):
        return CONVERTERS[spec.kind](spec, values)
    present = [
        i
        for i, v in enumerate(values)
        if v is not None and v != "" and not (v.__class__ is str and v.isspace())
    ]
    errors: Errors = []
    if spec.required and len(present) < len(values):
        taken = set(present)
        errors = [(i, _("A value is required.")) for i in range(len(values)) if i not in taken]
    if len(present) == len(values):
        return _merge(CONVERTERS[spec.kind](spec, values), errors)
    converted, column_errors = CONVERTERS[spec.kind](spec, [values[i] for i in present])
    out: list[Any] = [None] * len(values)
    for i, value in zip(present, converted, strict=True):
        out[i] = value
    errors += [(present[i], reason) for i, reason in column_errors]
    return out, errors


def _merge(result: Converted, errors: Errors) -> Converted:
    return result[0], result[1] + errors


# Bulk tokens and encryption ---------------------------------------------------------------------


def id_tokens(canonicals: Sequence[str]) -> list[str]:
    """pii.id_token for a whole column (canonical IDs are already normalised)."""
    # HMAC-SHA256 (RFC 2104) with the key's inner and outer pads hashed once per column and
    # the hash states copied per ID: a third of the cost of a fresh HMAC per ID. Tested equal
    # to crypto.lookup_token.
    key = crypto.current_keyring().hmac_key
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    inner.update(f"{ID_TOKEN_PURPOSE}\x00".encode())
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    inner_copy, outer_copy = inner.copy, outer.copy
    out: list[str] = []
    append = out.append
    for canonical in canonicals:
        state = inner_copy()
        state.update(canonical.encode())
        final = outer_copy()
        final.update(state.digest())
        append(final.hexdigest())
    return out


def encrypt_column(values: Sequence[str | None], *, context: str) -> list[str]:
    """crypto.encrypt for a whole column (same stored format); empty values stay empty."""
    keyring = crypto.current_keyring()
    key_id = keyring.current_key_id
    cipher = keyring.cipher(key_id)
    aad = f"{crypto.VERSION}:{key_id}:{context}".encode()
    prefix = f"{crypto.VERSION}:{key_id}:"
    size = crypto.NONCE_BYTES
    random = os.urandom(size * len(values))
    nonces = [random[start : start + size] for start in range(0, len(random), size)]
    seal = cipher.encrypt
    return [
        prefix + b2a_base64(nonce + seal(nonce, value.encode(), aad), newline=False).decode()
        if value
        else ""
        for nonce, value in zip(nonces, values, strict=True)
    ]
