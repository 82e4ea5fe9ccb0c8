"""Exact money amounts: yuan as Decimal, with the 万元 / 亿元 units reports use. No floats, ever.

Pure helpers, no database: `parse_amount("4.1565亿元") == Decimal("415650000.00")`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import Enum

CENT = Decimal("0.01")


class Unit(Enum):
    YUAN = Decimal(1)
    WAN = Decimal(10_000)
    YI = Decimal(100_000_000)

    @property
    def label(self) -> str:
        return {Unit.YUAN: "元", Unit.WAN: "万元", Unit.YI: "亿元"}[self]


# Longest suffix first so "万元" wins over "元".
_SUFFIXES: tuple[tuple[str, Unit], ...] = (
    ("万元", Unit.WAN),
    ("亿元", Unit.YI),
    ("万", Unit.WAN),
    ("亿", Unit.YI),
    ("元", Unit.YUAN),
)
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class AmountError(ValueError):
    """The text is not an amount of money this module can convert exactly."""


def parse_amount(value: str | Decimal | int, unit: Unit = Unit.YUAN) -> Decimal:
    """The amount in yuan, exactly, with 2 decimal places.

    `value` is a Decimal or int in `unit`, or text such as "4994万元", "4.1565亿元", "1,234.50"
    (a unit written in the text wins over `unit`). A float is refused because it has already
    lost the exact figure; so is an amount finer than one fen (0.01 元), instead of rounding it.
    """
    if isinstance(value, bool | float):
        raise AmountError("a float cannot carry an exact amount; pass a Decimal or text")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").replace(" ", "")
        for suffix, suffix_unit in _SUFFIXES:
            if text.endswith(suffix):
                text, unit = text[: -len(suffix)], suffix_unit
                break
        if not _NUMBER_RE.match(text):
            raise AmountError(f"{value!r} is not an amount")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes this
            raise AmountError(f"{value!r} is not an amount") from None
    else:
        raise AmountError(f"{value!r} is not an amount")
    if not number.is_finite():
        raise AmountError(f"{value!r} is not a finite amount")
    yuan = number * unit.value
    if yuan != yuan.quantize(CENT):
        raise AmountError(f"{value!r} is finer than one fen (0.01 元)")
    return yuan.quantize(CENT)


def to_unit(yuan: Decimal, unit: Unit) -> Decimal:
    """The yuan amount expressed in `unit`, exactly (dividing by a power of ten never rounds)."""
    return yuan / unit.value


def format_amount(yuan: Decimal, unit: Unit = Unit.WAN, places: int = 4) -> str:
    """For display: "4994.0000万元"."""
    quantum = Decimal(1).scaleb(-places)
    return f"{to_unit(yuan, unit).quantize(quantum)}{unit.label}"


def ratio(numerator: Decimal, denominator: Decimal, places: int = 4) -> Decimal | None:
    """numerator ÷ denominator rounded half-up to `places`, or None when the denominator is 0."""
    if not denominator:
        return None
    return (numerator / denominator).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
