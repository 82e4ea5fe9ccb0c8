"""Roll-ups of a figure over a region's pairings, on the donor or the recipient hierarchy.

The same achievement may be reported twice: by both sides of a pairing, or by a pairing and by
its parent (a county–county pairing's total includes its street–village pairings). The
indicator's duplicate rule decides, in two steps, and every value is returned either as used or
as set aside with the reason, so the decision is visible:

1. Sides of one pairing — sum: both count; max: the larger; prefer_donor / prefer_recipient: that
   side's figure when it exists, else the other side's.
2. Nesting — sum: parent and sub-pairings all count; max: the parent's figure or the sum of its
   sub-pairings', whichever is larger; prefer_*: the parent's figure stands for its subtree.

The resolved figures of the top pairings are then combined by the indicator's aggregation over
parties (sum, max, average, ratio of two roll-ups; "none" gives no total).
Two queries (pairings, values) whatever the number of pairings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from bangfu.accounts.scopes import pairing_q
from bangfu.indicators import computed
from bangfu.indicators.models import (
    DataValue,
    DuplicateRule,
    Indicator,
    PartyAggregation,
    Side,
    Status,
)
from bangfu.indicators.periods import Period
from bangfu.pairings.models import Pairing
from bangfu.regions import codes

COUNTED_STATUSES = (Status.APPROVED, Status.LOCKED)


@dataclass(frozen=True)
class Contribution:
    pairing_id: int
    side: str
    value: Decimal
    data_value_id: int | None = None
    reason: str = ""


@dataclass
class Resolved:
    value: Decimal | None = None
    used: list[Contribution] = field(default_factory=list)
    set_aside: list[Contribution] = field(default_factory=list)


@dataclass
class Rollup:
    indicator: str
    period: str
    region: str
    hierarchy: str
    total: Decimal | None
    used: list[Contribution]
    set_aside: list[Contribution]
    note: str = ""


def hierarchy_q(region_code: str, hierarchy: str) -> Q:
    """Pairings whose party on the `hierarchy` side lies in the region's subtree."""
    prefix = codes.prefix_of(region_code)
    side = "donor" if hierarchy == Side.DONOR else "recipient"
    return Q(**{f"{side}_region__code__startswith": prefix}) | Q(
        **{f"{side}_organisation__region__code__startswith": prefix}
    )


def resolve_sides(rule: str, figures: dict[str, Contribution]) -> Resolved:
    """Step 1: one figure per pairing from what its sides reported."""
    if not figures:
        return Resolved()
    if len(figures) == 1 or rule == DuplicateRule.SUM:
        items = list(figures.values())
        return Resolved(sum((c.value for c in items), Decimal(0)), items)
    donor, recipient = figures[Side.DONOR], figures[Side.RECIPIENT]
    if rule == DuplicateRule.MAX:
        keep, drop = (donor, recipient) if donor.value > recipient.value else (recipient, donor)
        reason = _("the other side reported more")
    else:
        preferred = Side.DONOR if rule == DuplicateRule.PREFER_DONOR else Side.RECIPIENT
        keep, drop = (donor, recipient) if preferred == Side.DONOR else (recipient, donor)
        reason = _("the %(side)s side's figure is preferred") % {"side": keep.side}
    return Resolved(keep.value, [keep], [_aside(drop, reason)])


def _aside(item: Contribution, reason: str) -> Contribution:
    return Contribution(item.pairing_id, item.side, item.value, item.data_value_id, reason)


def resolve_nesting(
    rule: str, pairing_id: int, own: Resolved, children: list[Resolved]
) -> Resolved:
    """Step 2: one figure for a pairing and everything nested under it."""
    counted = [c for c in children if c.value is not None]
    set_aside = [a for c in children for a in c.set_aside] + own.set_aside
    child_sum = sum((c.value for c in counted if c.value is not None), Decimal(0))
    child_used = [u for c in counted for u in c.used]
    if own.value is None:
        return Resolved(child_sum if counted else None, child_used, set_aside)
    if not counted or rule == DuplicateRule.SUM:
        return Resolved(own.value + child_sum, own.used + child_used, set_aside)
    if rule == DuplicateRule.MAX and child_sum > own.value:
        reason = _("smaller than the sum of its sub-pairings")
        return Resolved(child_sum, child_used, set_aside + [_aside(u, reason) for u in own.used])
    reason = _("included in the figure of the pairing above (%(id)s)") % {"id": pairing_id}
    return Resolved(own.value, own.used, set_aside + [_aside(u, reason) for u in child_used])


def _combine(aggregation: str, tops: list[Resolved]) -> Decimal | None:
    values = [t.value for t in tops if t.value is not None]
    if not values or aggregation == PartyAggregation.NONE:
        return None
    if aggregation == PartyAggregation.MAX:
        return max(values)
    if aggregation == PartyAggregation.AVERAGE:
        return sum(values, Decimal(0)) / len(values)
    return sum(values, Decimal(0))


def _resolve_tree(
    rule: str, pairings: Mapping[int, int | None], figures: dict[int, dict[str, Contribution]]
) -> list[Resolved]:
    children: dict[int, list[int]] = defaultdict(list)
    tops: list[int] = []
    for pk, parent in pairings.items():
        if parent is not None and parent in pairings:
            children[parent].append(pk)
        else:
            tops.append(pk)

    def walk(pk: int) -> Resolved:
        own = resolve_sides(rule, figures.get(pk, {}))
        return resolve_nesting(rule, pk, own, [walk(c) for c in sorted(children[pk])])

    return [walk(pk) for pk in sorted(tops)]


def rollup(
    *,
    user: Any,
    indicator: Indicator,
    period: Period,
    region_code: str,
    hierarchy: str,
    statuses: tuple[str, ...] = COUNTED_STATUSES,
) -> Rollup:
    """The indicator's total for the pairings of a region on one hierarchy (within the user's
    scope), with the values used and those set aside."""
    pairing_rows = (
        Pairing.objects.filter(pairing_q(user))
        .filter(hierarchy_q(region_code, hierarchy))
        .values_list("pk", "parent_id")
    )
    pairings = dict(pairing_rows)
    result = Rollup(indicator.code, str(period), region_code, hierarchy, None, [], [])
    if indicator.is_computed:
        total = computed.compute(indicator.provider, sorted(pairings), period)
        result.total = total
        result.note = _("computed from the records of %(n)s pairings") % {"n": len(pairings)}
        return result
    if indicator.party_aggregation == PartyAggregation.RATIO:
        assert indicator.numerator is not None
        assert indicator.denominator is not None
        parts = [
            rollup(
                user=user,
                indicator=part,
                period=period,
                region_code=region_code,
                hierarchy=hierarchy,
                statuses=statuses,
            )
            for part in (indicator.numerator, indicator.denominator)
        ]
        numerator, denominator = (p.total for p in parts)
        if numerator is not None and denominator:
            result.total = numerator / denominator * 100
        result.used = parts[0].used + parts[1].used
        result.set_aside = parts[0].set_aside + parts[1].set_aside
        result.note = _("ratio of %(a)s to %(b)s") % {
            "a": parts[0].indicator,
            "b": parts[1].indicator,
        }
        return result
    rows = DataValue.objects.filter(
        indicator=indicator,
        pairing_id__in=list(pairings),
        period_kind=period.kind.value,
        period_start=period.start,
        period_end=period.end,
        status__in=statuses,
    ).values_list("pk", "pairing_id", "reported_by", "value")
    figures: dict[int, dict[str, Contribution]] = defaultdict(dict)
    for pk, pairing_id, side, value in rows:
        figures[pairing_id][side] = Contribution(pairing_id, side, value, pk)
    tops = _resolve_tree(indicator.duplicate_rule, pairings, figures)
    result.total = _combine(indicator.party_aggregation, tops)
    result.used = sorted((u for t in tops for u in t.used), key=_order)
    result.set_aside = sorted((a for t in tops for a in t.set_aside), key=_order)
    if indicator.party_aggregation == PartyAggregation.NONE:
        result.note = _("this indicator does not add up across parties")
    return result


def _order(item: Contribution) -> tuple[int, str]:
    return (item.pairing_id, item.side)
