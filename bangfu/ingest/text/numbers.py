"""Numbers as reports write them: 4.1565亿, 1,200, 三千二百万, 两, 0.85万, 1200多万.

`parse_number` turns the written digits (and an optional 万/亿 multiplier) into a Decimal.
Chinese numerals go through cn2an; Arabic ones are parsed here (much faster, and the common case).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

CHINESE_DIGITS = "零〇一二两三四五六七八九"
CHINESE_UNITS = "十百千万亿"
CHINESE_NUMERAL_CHARS = CHINESE_DIGITS + CHINESE_UNITS
MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "万亿": Decimal(10**12)}

ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
CHINESE = "[" + CHINESE_NUMERAL_CHARS + "]+"

_ARABIC_WITH_MULTIPLIER = re.compile(r"(" + ARABIC + r")(万亿|万|亿)?")
_SIMPLE_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九")}
_SIMPLE_DIGITS.update({"〇": 0, "两": 2})


class NotANumber(ValueError):
    pass


def is_chinese_numeral(text: str) -> bool:
    return bool(text) and all(ch in CHINESE_NUMERAL_CHARS for ch in text)


def parse_number(written: str) -> Decimal:
    """The value of a written number, multiplier included.

    >>> parse_number("4.1565亿")
    Decimal('415650000.0000')
    """
    written = written.strip()
    match = _ARABIC_WITH_MULTIPLIER.fullmatch(written)
    if match:
        try:
            value = Decimal(match.group(1).replace(",", ""))
        except InvalidOperation as error:  # pragma: no cover - the pattern admits only digits
            raise NotANumber(written) from error
        multiplier = match.group(2)
        return value * MULTIPLIERS[multiplier] if multiplier else value
    if is_chinese_numeral(written):
        return _parse_chinese(written)
    # Mixed forms such as 3千万 or 1.5万亿 are rare: cn2an's smart mode reads them.
    return _parse_with_cn2an(written)


_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}


@functools.lru_cache(maxsize=4096)
def _parse_chinese(written: str) -> Decimal:
    # Digit strings such as 二〇一八 are read positionally.
    if all(ch in _SIMPLE_DIGITS for ch in written) and len(written) > 1:
        return Decimal("".join(str(_SIMPLE_DIGITS[ch]) for ch in written))
    total = section = number = 0
    for ch in written:
        if ch in _SIMPLE_DIGITS:
            number = _SIMPLE_DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (number or (1 if ch == "十" else 0)) * _SMALL_UNITS[ch]
            number = 0
        elif ch == "万":
            section = (section + number) * 10_000
            number = 0
        elif ch == "亿":
            total = (total + section + number) * 100_000_000
            section = number = 0
        else:  # pragma: no cover - callers pass numerals only
            return _parse_with_cn2an(written)
    return Decimal(total + section + number)


@functools.lru_cache(maxsize=4096)
def _parse_with_cn2an(written: str) -> Decimal:
    import cn2an  # type: ignore[import-untyped]

    try:
        value = cn2an.cn2an(written.replace("〇", "零"), "smart")
    except (ValueError, KeyError, IndexError) as error:
        raise NotANumber(written) from error
    return Decimal(str(value))
