"""Number formats for the dashboards: money in 万元, plain figures without trailing zeros."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()

WAN = Decimal(10_000)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def wan(value: Any) -> str:
    """Yuan as 万元 with two decimals and thousands separators: 415650000 → 41,565.00."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{(number / WAN).quantize(Decimal('0.01')):,}"


@register.filter
def figure(value: Any) -> str:
    """A figure without needless decimals: 207.0000 → 207, 36.30 → 36.3, None → —."""
    number = _decimal(value)
    if number is None:
        return "—"
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):,}"
    return f"{number.normalize():,f}"


@register.filter
def percent(value: Any) -> str:
    """A ratio (0.363) as a percentage with one decimal (36.3 %); None → —."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{(number * 100).quantize(Decimal('0.1'))} %"


@register.filter
def bar_width(value: Any) -> str:
    """A percentage (0–100, may exceed) as a CSS width capped at 100 %."""
    number = _decimal(value)
    if number is None or number < 0:
        return "0%"
    return f"{min(number, Decimal(100)).quantize(Decimal('0.1'))}%"
