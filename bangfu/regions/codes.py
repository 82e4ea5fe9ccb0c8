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
    if code[4:] == "0" * 8:
        return Level.PREFECTURE
    if code[6:] == "0" * 6:
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWNSHIP
    return Level.VILLAGE


def prefix_of(code: str, level: str | None = None) -> str:
    """The significant prefix shared by the code and all its descendants."""
    return code[: PREFIX_LENGTH[level or level_of(code)]]


def parent_code(code: str) -> str | None:
    level = level_of(code)
    index = LEVEL_ORDER.index(level)
    if index == 0:
        return None
    keep = PREFIX_LENGTH[LEVEL_ORDER[index - 1]]
    return code[:keep].ljust(12, "0")


def ancestor_codes(code: str) -> list[str]:
    """Codes of all ancestors, province first."""
    level = level_of(code)
    index = LEVEL_ORDER.index(level)
    return [code[: PREFIX_LENGTH[lvl]].ljust(12, "0") for lvl in LEVEL_ORDER[:index]]


def is_within(code: str, ancestor: str) -> bool:
    """True when `code` is `ancestor` itself or lies in its subtree."""
    return code.startswith(prefix_of(ancestor))
