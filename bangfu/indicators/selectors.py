"""Reads of figures and targets, through the user's scope: lists, progress and the entry grid."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from bangfu.accounts.scopes import pairing_q, scope_for
from bangfu.indicators import computed
from bangfu.indicators.models import (
    DataValue,
    Indicator,
    Nature,
    ScorecardSnapshot,
    Target,
    TimeAggregation,
)
from bangfu.indicators.periods import Period, PeriodKind, subperiods
from bangfu.indicators.rollup import Contribution, resolve_sides
from bangfu.pairings.models import Organisation, Pairing
from bangfu.regions.models import Region

_NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Owner:
    """Whose targets and figures: a pairing, or one reporting party as a whole."""

    pairing: Pairing | None = None
    party_region: Region | None = None
    party_organisation: Organisation | None = None

    def __post_init__(self) -> None:
        given = [x for x in (self.pairing, self.party_region, self.party_organisation) if x]
        if len(given) != 1:
            raise ValueError("An owner is a pairing, a region or an organisation.")

    def __str__(self) -> str:
        return str(self.pairing or self.party_region or self.party_organisation)


def party_visible(
    *, user: Any, region: Region | None = None, organisation: Organisation | None = None
) -> bool:
    """May the user see the figures and targets of this party (a region or an organisation)?"""
    scope = scope_for(user)
    if scope.is_superuser:
        return True
    if scope.sees_nothing:
        return False
    code = str(region.pk) if region is not None else str(getattr(organisation, "region_id", ""))
    if scope.region_prefix is not None and code.startswith(scope.region_prefix):
        return True
    return organisation is not None and organisation.pk == scope.organisation_id


def _computed_pairing_ids(user: Any, owner: Owner) -> list[int]:
    """The pairings whose records a computed figure of `owner` counts: the pairing itself, or
    the visible pairings in which the party is directly a party."""
    if owner.pairing is not None:
        return [owner.pairing.pk]
    if owner.party_region is not None:
        direct = Q(donor_region=owner.party_region) | Q(recipient_region=owner.party_region)
    else:
        direct = Q(donor_organisation=owner.party_organisation) | Q(
            recipient_organisation=owner.party_organisation
        )
    pairings = Pairing.objects.filter(pairing_q(user)).filter(direct)
    return list(pairings.values_list("pk", flat=True))


def value_q(user: Any) -> Q:
    """Figures (or targets: same fields) the user may see: of visible pairings, or of a party
    in their scope."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Q()
    q = Q(pairing__isnull=False) & pairing_q(user, "pairing__")
    if scope.region_prefix is not None:
        prefix = scope.region_prefix
        q |= Q(party_region__code__startswith=prefix)
        q |= Q(party_organisation__region__code__startswith=prefix)
    if scope.organisation_id is not None:
        q |= Q(party_organisation_id=scope.organisation_id)
    return q if not scope.sees_nothing else _NOTHING


def _of_owner(queryset: Any, owner: Owner) -> Any:
    """Exactly the rows of this pairing or party (a missing pairing means a party's rows)."""
    return queryset.filter(
        pairing=owner.pairing,
        party_region=owner.party_region,
        party_organisation=owner.party_organisation,
    )


def value_list(
    *,
    user: Any,
    pairing: Pairing | None = None,
    party_region: Region | None = None,
    party_organisation: Organisation | None = None,
    indicator: Indicator | None = None,
    period: Period | None = None,
    within: Period | None = None,
    status: str | None = None,
) -> QuerySet[DataValue]:
    values = DataValue.objects.filter(value_q(user)).select_related("indicator")
    if pairing is not None:
        values = values.filter(pairing=pairing)
    if party_region is not None:
        values = values.filter(party_region=party_region)
    if party_organisation is not None:
        values = values.filter(party_organisation=party_organisation)
    if indicator is not None:
        values = values.filter(indicator=indicator)
    if period is not None:
        values = values.filter(
            period_kind=period.kind.value, period_start=period.start, period_end=period.end
        )
    if within is not None:
        values = values.filter(period_start__gte=within.start, period_end__lte=within.end)
    if status is not None:
        values = values.filter(status=status)
    return values.order_by("period_start", "period_end", "indicator__sort_order", "id")


def value_get(*, user: Any, pk: int) -> DataValue | None:
    return (
        value_list(user=user)
        .select_related("pairing", "party_organisation", "party_region")
        .filter(pk=pk)
        .first()
    )


def target_list(
    *,
    user: Any,
    pairing: Pairing | None = None,
    party_region: Region | None = None,
    party_organisation: Organisation | None = None,
    within: Period | None = None,
) -> QuerySet[Target]:
    """Targets of visible pairings and of parties in the user's scope."""
    targets = Target.objects.filter(value_q(user)).select_related("indicator")
    if pairing is not None:
        targets = targets.filter(pairing=pairing)
    if party_region is not None:
        targets = targets.filter(party_region=party_region)
    if party_organisation is not None:
        targets = targets.filter(party_organisation=party_organisation)
    if within is not None:
        targets = targets.filter(period_start__gte=within.start, period_end__lte=within.end)
    return targets.order_by("period_start", "indicator__sort_order", "id")


def indicator_list(*, active_only: bool = True) -> QuerySet[Indicator]:
    """The catalogue is public to every signed-in user."""
    indicators = Indicator.objects.select_related("parent", "numerator", "denominator")
    return indicators.filter(is_active=True) if active_only else indicators


# Actuals and progress ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Actual:
    value: Decimal | None
    as_of: dt.date | None
    basis: str  # "exact", "cumulative", "sum of quarter", "computed", "none"


def _by_period(rows: list[DataValue], indicator: Indicator) -> dict[Period, Decimal]:
    """One figure per period for a pairing, both sides resolved by the indicator's rule."""
    grouped: dict[Period, dict[str, Contribution]] = defaultdict(dict)
    for row in rows:
        side = row.reported_by
        grouped[row.period][side] = Contribution(row.pairing_id or 0, side, row.value, row.pk)
    result = {}
    for period, figures in grouped.items():
        resolved = resolve_sides(indicator.duplicate_rule, figures)
        if resolved.value is not None:
            result[period] = resolved.value
    return result


def actual_for(
    indicator: Indicator,
    period: Period,
    figures: dict[Period, Decimal],
    pairing_ids: list[int],
    today: dt.date,
) -> Actual:
    """The figure achieved in `period`: reported for it exactly, else the latest cumulative
    figure from its start, else its reported sub-periods combined by the time aggregation."""
    if indicator.is_computed:
        as_of = min(today, period.end)
        if as_of < period.start:
            return Actual(None, None, "none")
        upto = Period(period.kind, period.start, as_of)
        return Actual(computed.compute(indicator.provider, pairing_ids, upto), as_of, "computed")
    if period in figures:
        return Actual(figures[period], period.end, "exact")
    inside = [p for p in figures if period.contains(p)]
    cumulative = [p for p in inside if p.kind == PeriodKind.CUMULATIVE and p.start == period.start]
    if cumulative:
        latest = max(cumulative, key=lambda p: p.end)
        return Actual(figures[latest], latest.end, "cumulative")
    best: tuple[dt.date, str, list[Period]] | None = None
    for kind in (PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH):
        parts = sorted(p for p in inside if p.kind == kind)
        if parts and (best is None or parts[-1].end > best[0]):
            best = (parts[-1].end, str(kind.value), parts)
    if best is None:
        return Actual(None, None, "none")
    as_of, kind_name, parts = best
    values = [figures[p] for p in parts]
    if indicator.time_aggregation == TimeAggregation.LATEST or indicator.nature == Nature.STOCK:
        total = values[-1]
    elif indicator.time_aggregation == TimeAggregation.AVERAGE:
        total = sum(values, Decimal(0)) / len(values)
    else:
        total = sum(values, Decimal(0))
    return Actual(total, as_of, f"{kind_name}s")


@dataclass(frozen=True)
class Progress:
    indicator: Indicator
    period: Period
    target: Decimal
    actual: Actual
    percent: Decimal | None
    projection: Decimal | None
    behind_pace: bool | None


def progress_of(
    indicator: Indicator, period: Period, target: Decimal, actual: Actual, today: dt.date
) -> Progress:
    """Progress % and the projection to the period's end, linear on elapsed days."""
    if actual.value is None:
        behind = True if period.elapsed_fraction(today) > 0 and target > 0 else None
        return Progress(indicator, period, target, actual, None, None, behind)
    percent = (actual.value / target * 100).quantize(Decimal("0.1")) if target else None
    projection: Decimal | None = actual.value
    if indicator.nature == Nature.FLOW and actual.as_of is not None:
        fraction = period.elapsed_fraction(actual.as_of)
        if 0 < fraction < 1:
            projection = (actual.value / Decimal(str(fraction))).quantize(Decimal("0.01"))
    behind = projection is not None and projection < target
    return Progress(indicator, period, target, actual, percent, projection, behind)


def progress(*, user: Any, owner: Owner, year: int, today: dt.date | None = None) -> list[Progress]:
    """Every target of the pairing or party within the year, with its actual and pace (two
    queries, and one per computed indicator)."""
    today = today or timezone.localdate()
    within = Period.year(year)
    targets = list(_of_owner(target_list(user=user, within=within), owner))
    rows = _of_owner(value_list(user=user, within=within), owner).filter(
        indicator_id__in={t.indicator_id for t in targets}
    )
    by_indicator: dict[int, list[DataValue]] = defaultdict(list)
    for row in rows:
        by_indicator[row.indicator_id].append(row)
    pairing_ids = (
        _computed_pairing_ids(user, owner) if any(t.indicator.is_computed for t in targets) else []
    )
    result = []
    for target in targets:
        figures = _by_period(by_indicator[target.indicator_id], target.indicator)
        actual = actual_for(target.indicator, target.period, figures, pairing_ids, today)
        result.append(progress_of(target.indicator, target.period, target.value, actual, today))
    return result


def pairing_progress(
    *, user: Any, pairing: Pairing, year: int, today: dt.date | None = None
) -> list[Progress]:
    return progress(user=user, owner=Owner(pairing=pairing), year=year, today=today)


# The entry grid ---------------------------------------------------------------------------------


@dataclass
class GridCell:
    period: str
    target: Decimal | None = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # side → figure
    actual: Decimal | None = None


@dataclass
class GridRow:
    indicator: Indicator
    editable: bool
    cells: list[GridCell]


@dataclass
class Grid:
    owner: Owner
    year: int
    periods: list[str]
    rows: list[GridRow]


def grid(
    *,
    user: Any,
    owner: Owner,
    year: int,
    kinds: tuple[PeriodKind, ...] = (PeriodKind.YEAR, PeriodKind.QUARTER),
    work_area: str | None = None,
) -> Grid:
    """A pairing's (or party's) indicators × the year's periods, targets beside figures
    (three queries)."""
    periods = [p for kind in kinds for p in subperiods(year, kind)]
    indicators = list(indicator_list())
    if work_area:
        indicators = [i for i in indicators if i.work_area == work_area]
    within = Period.year(year)
    pairing_id = owner.pairing.pk if owner.pairing is not None else 0
    targets = {
        (t.indicator_id, t.period): t.value
        for t in _of_owner(target_list(user=user, within=within), owner)
    }
    figures: dict[tuple[int, Period], dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in _of_owner(value_list(user=user, within=within), owner):
        figures[(row.indicator_id, row.period)][row.reported_by] = {
            "id": row.pk,
            "value": row.value,
            "status": row.status,
            "flags": row.flags,
        }
    rows = []
    for indicator in indicators:
        cells = []
        for period in periods:
            reported = figures.get((indicator.pk, period), {})
            resolved = resolve_sides(
                indicator.duplicate_rule,
                {
                    side: Contribution(pairing_id, side, f["value"], f["id"])
                    for side, f in reported.items()
                },
            )
            cells.append(
                GridCell(str(period), targets.get((indicator.pk, period)), reported, resolved.value)
            )
        rows.append(GridRow(indicator, not indicator.is_computed, cells))
    return Grid(owner, year, [str(p) for p in periods], rows)


def snapshot_get(*, user: Any, pairing: Pairing, year: int) -> ScorecardSnapshot | None:
    return (
        ScorecardSnapshot.objects.filter(pairing_q(user, "pairing__"))
        .filter(pairing=pairing, year=year)
        .first()
    )


# Every figure of a period ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    value: Decimal
    basis: str  # "reported" (both sides resolved by the indicator's rule) or "computed"


def figures(
    *, user: Any, owner: Owner, period: Period, today: dt.date | None = None
) -> list[Figure]:
    """Every figure of a pairing (or party) for exactly `period`, in catalogue order: those
    reported for it, and those computed from records (meetings, fund flows, projects) up to
    today. Computed figures that come out as zero are left out. One query for the reported
    figures, one per computed indicator."""
    today = today or timezone.localdate()
    by_indicator: dict[int, list[DataValue]] = defaultdict(list)
    for row in _of_owner(value_list(user=user, period=period), owner):
        by_indicator[row.indicator_id].append(row)
    result: list[Figure] = []
    for rows in by_indicator.values():
        indicator = rows[0].indicator
        value = _by_period(rows, indicator).get(period)
        if value is not None:
            result.append(Figure(indicator, value, "reported"))
    if period.start <= today:
        pairing_ids = _computed_pairing_ids(user, owner)
        upto = Period(period.kind, period.start, min(period.end, today))
        for indicator in indicator_list().filter(is_computed=True):
            value = computed.compute(indicator.provider, pairing_ids, upto)
            if value:
                result.append(Figure(indicator, value, "computed"))
    return sorted(result, key=lambda f: (f.indicator.sort_order, f.indicator.code))


def periods_reported(*, user: Any, owner: Owner) -> list[Period]:
    """The periods a pairing (or party) has reported figures for, in order (one query)."""
    rows = _of_owner(value_list(user=user), owner).order_by()
    found = rows.values_list("period_kind", "period_start", "period_end").distinct()
    periods = {Period(PeriodKind(k), s, e) for k, s, e in found}
    return sorted(periods, key=lambda p: (p.start, p.end, p.kind.value))
