"""Readable (translated) names of the codes a proposed figure carries: units and qualifiers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

UNIT_LABELS: dict[str, Any] = {  # with a context: "persons" is also a household's members
    "yuan": pgettext_lazy("unit", "yuan"),
    "person": pgettext_lazy("unit", "persons"),
    "household": pgettext_lazy("unit", "households"),
    "person_time": pgettext_lazy("unit", "person-times"),
    "percent": pgettext_lazy("unit", "percent"),
    "count": pgettext_lazy("unit", "count"),
    "mu": pgettext_lazy("unit", "mu"),
    "ton": pgettext_lazy("unit", "tonnes"),
}
QUALIFIER_LABELS: dict[str, Any] = {
    "exact": pgettext_lazy("qualifier", "exact"),
    "approx": pgettext_lazy("qualifier", "approximately"),
    "at_least": pgettext_lazy("qualifier", "at least"),
    "at_most": pgettext_lazy("qualifier", "at most"),
}


def unit_label(code: str | None, measure: str | None = None) -> Any:
    """The unit in words; a count is named by its measure word (6 个, 3 所)."""
    if code == "count" and measure:
        return measure
    return UNIT_LABELS.get(code or "", code or "")


def qualifier_label(code: str | None) -> Any:
    return QUALIFIER_LABELS.get(code or "", code or "")
