"""Pure helpers for 12-digit 统计用区划代码 (PP CC XX TTT VVV); no database access."""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("province")
    PREFECTURE = "prefecture", _("prefecture")
    COUNTY = "county", _("county")
    TOWNSHIP = "township", _("township")
    VILLAGE = "village", _("village")


# Number of significant leading digits at each level.
PREFIX_LENGTH: dict[str, int] = {
    Level.PROVINCE: 2,
    Level.PREFECTURE: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_ORDER = [Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]
CODE_RE = re.compile(r"^\d{12}$")


class InvalidCode(ValueError):
    pass


def level_of(code: str) -> Level:
    """The level a well-formed 12-digit code denotes, read from its trailing zeros."""
    if not CODE_RE.match(code):
        raise InvalidCode(f"{code!r} is not a 12-digit code")
    if code[:2] == "00":
        raise InvalidCode(f"{code!r} has no province part")
    if code[2:] == "0" * 10:
        return Level.PROVINCE
    if code[2:4] == "00":
        # A prefecture part of 00 with digits below it: no such division exists.
        raise InvalidCode(f"{code!r} has no prefecture part")
    if code[4:] == "0" * 8:
        return Level.PREFECTURE
    if code[6:] == "0" * 6:
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWNSHIP
    if code[6:9] == "000":
        raise InvalidCode(f"{code!r} has no township part")
    # A county part of 00 is allowed below it: 东莞, 中山 and 儋州 have townships directly
    # under the prefecture.
    return Level.VILLAGE


def prefix_of(code: str, level: str | None = None) -> str:
    """The significant prefix shared by the code and all its descendants."""
    return code[: PREFIX_LENGTH[level or level_of(code)]]


def parent_code(code: str) -> str | None:
    """The code of the division directly above, or None for a province.

    For a township under a prefecture without counties (东莞 441900003000) this is the
    prefecture, because the county part is zero.
    """
    level = level_of(code)
    index = LEVEL_ORDER.index(level)
    if index == 0:
        return None
    keep = PREFIX_LENGTH[LEVEL_ORDER[index - 1]]
    return code[:keep].ljust(12, "0")


def ancestor_codes(code: str) -> list[str]:
    """Codes of all ancestors, province first (each one once)."""
    result: list[str] = []
    parent = parent_code(code)
    while parent is not None:
        result.append(parent)
        parent = parent_code(parent)
    return result[::-1]


def shared_depth(code: str, other: str) -> int:
    """How many levels (province, prefecture, ...) two codes have in common, from the top."""
    depth = 0
    for level in LEVEL_ORDER:
        length = PREFIX_LENGTH[level]
        if code[:length] != other[:length]:
            break
        depth += 1
    return depth


def common_ancestor(codes: list[str]) -> str | None:
    """The code of the lowest division containing all `codes` (one of them, maybe), or None."""
    if not codes:
        return None
    first = codes[0]
    depth = min(shared_depth(first, other) for other in codes)
    depth = min(depth, LEVEL_ORDER.index(level_of(first)) + 1)
    if depth == 0:
        return None
    return first[: PREFIX_LENGTH[LEVEL_ORDER[depth - 1]]].ljust(12, "0")


def is_within(code: str, ancestor: str) -> bool:
    """True when `code` is `ancestor` itself or lies in its subtree."""
    return code.startswith(prefix_of(ancestor))
