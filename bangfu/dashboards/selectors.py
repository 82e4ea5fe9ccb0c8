"""Reads for the dashboards: headline figures of many pairings at once, set-based and scoped.

Every figure is computed by grouped queries over all the pairings a page shows (one query per
kind of record, whatever the number of pairings), then attributed in Python to the pairing a
card stands for: a card's figure covers the pairing and everything nested under it.

Headline figures ("一组数据"):
- funds arrived and paid out: the fund-flow ledger's counted totals (funds.ledger);
- projects: project records;
- people placed in work, products bought, talents sent, households out of poverty: approved
  (or locked) indicator values, both sides resolved by the indicator's duplicate rule and nested
  pairings by its nesting rule (indicators.rollup), periods combined as described in
  `combine_periods`;
- monitored households: households of the recipient region with a monitoring category whose risk
  is not yet eliminated, counted by one grouped query on (monitoring_category, village), which
  the household table indexes. They are aggregates, so donor-side users see the count too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.scopes import pairing_q, region_in_scope, scope_for
from bangfu.funds.ledger import ZERO, StageTotals, counted, stage_sums
from bangfu.funds.models import FundFlow
from bangfu.households.choices import MonitoringCategory
from bangfu.households.models import Household
from bangfu.indicators.models import DataValue, DuplicateRule, Indicator
from bangfu.indicators.periods import Period, PeriodKind
from bangfu.indicators.rollup import COUNTED_STATUSES, Contribution, Resolved, resolve_nesting
from bangfu.indicators.selectors import value_q
from bangfu.pairings.models import Pairing
from bangfu.pairings.selectors import pairing_list
from bangfu.projects.models import Project
from bangfu.projects.selectors import with_funding
from bangfu.regions import codes

MONITORED = (
    MonitoringCategory.UNSTABLE,
    MonitoringCategory.MARGINAL,
    MonitoringCategory.SUDDEN_HARDSHIP,
)


@dataclass(frozen=True)
class IndicatorHeadline:
    """A headline read from indicator values: the first alternative (codes added up) that any
    pairing of the card reported is used."""

    key: str
    label: Any
    unit: str
    alternatives: tuple[tuple[str, ...], ...]


INDICATOR_HEADLINES: tuple[IndicatorHeadline, ...] = (
    IndicatorHeadline(
        "employed",
        _("People placed in work"),
        "person",
        (("employed_total",), ("transferred_east",), ("employed_poor",)),
    ),
    IndicatorHeadline(
        "products",
        _("Products bought"),
        "yuan",
        (("products_purchased",), ("products_sold",)),
    ),
    IndicatorHeadline(
        "talents",
        _("Talents sent"),
        "person",
        (
            ("cadres_sent", "professionals_sent"),
            ("cadres_sent", "teachers_sent", "medical_staff_sent", "social_workers_sent"),
        ),
    ),
    IndicatorHeadline(
        "out_of_poverty",
        _("Households out of poverty"),
        "household",
        (("households_out_of_poverty",),),
    ),
)
_FIGURE: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=4)
HEADLINE_CODES = sorted({c for h in INDICATOR_HEADLINES for a in h.alternatives for c in a})


@dataclass
class HeadlineFigure:
    key: str
    label: Any
    unit: str
    value: Decimal | int | None
    indicator_codes: tuple[str, ...] = ()  # for indicator figures: the codes behind the value


@dataclass
class Headlines:
    """The headline figures of one card (a pairing with its subtree, or a group of them)."""

    funds: StageTotals = field(default_factory=StageTotals)
    projects: int = 0
    indicators: dict[str, HeadlineFigure] = field(default_factory=dict)
    monitored_households: int | None = None  # None: no recipient region to count in
    # The record lists behind the figures: "pairing=1&pairing=2&nested=1[&year=2020]".
    query: str = ""
    # The recipient region, when the card has one and the user may open its monitoring page.
    monitoring_region: str | None = None

    def indicator(self, key: str) -> HeadlineFigure:
        return self.indicators[key]

    @property
    def indicator_figures(self) -> list[HeadlineFigure]:
        return [self.indicators[h.key] for h in INDICATOR_HEADLINES]


@dataclass
class Card:
    pairing: Pairing
    descendants: int
    headlines: Headlines
    parent_hidden: bool = False


# Pairing trees --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forest:
    """The visible pairings (one query) and who is nested under whom."""

    pairings: dict[int, Pairing]
    children: dict[int, list[int]]

    def subtree(self, pk: int) -> list[int]:
        found, frontier = [pk], [pk]
        while frontier:
            frontier = [c for p in frontier for c in self.children.get(p, [])]
            found.extend(frontier)
        return found

    @property
    def roots(self) -> list[int]:
        return [
            pk
            for pk, p in self.pairings.items()
            if p.parent_id is None or p.parent_id not in self.pairings
        ]


def forest(*, user: Any, pairings: QuerySet[Pairing] | None = None) -> Forest:
    rows = list(pairings if pairings is not None else pairing_list(user=user))
    by_pk = {p.pk: p for p in rows}
    children: dict[int, list[int]] = defaultdict(list)
    for p in rows:
        if p.parent_id is not None and p.parent_id in by_pk:
            children[p.parent_id].append(p.pk)
    return Forest(by_pk, dict(children))


# Grouped reads (each one query for all pairings) -------------------------------------------------


def _year_filter(year: int | None, field_name: str = "year") -> Q:
    return Q(**{field_name: year}) if year is not None else Q()


def _only(pks: Collection[int] | None, field_name: str = "pairing_id") -> Q:
    return Q(**{f"{field_name}__in": list(pks)}) if pks is not None else Q()


def funds_by_pairing(
    *, user: Any, year: int | None = None, only: Collection[int] | None = None
) -> dict[int, StageTotals]:
    """Counted stage totals per visible pairing (one query)."""
    flows = FundFlow.objects.filter(pairing_q(user, "pairing__"), _only(only))
    flows = flows.filter(_year_filter(year))
    rows = counted(flows).order_by().values("pairing_id").annotate(**stage_sums())
    return {row["pairing_id"]: StageTotals.from_row(row) for row in rows}


def _projects_running(year: int | None) -> Q:
    if year is None:
        return Q()
    return Q(start_year__lte=year) & (
        Q(end_year__gte=year) | Q(end_year__isnull=True, start_year=year)
    )


def projects_by_pairing(
    *, user: Any, year: int | None = None, only: Collection[int] | None = None
) -> dict[int, int]:
    """Number of projects per visible pairing (running in `year` when given; one query)."""
    rows = (
        Project.objects.filter(pairing_q(user, "pairing__"), _only(only))
        .filter(_projects_running(year))
        .order_by()
        .values("pairing_id")
        .annotate(n=Count("pk"))
    )
    return {row["pairing_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class KindYear:
    """The resolved figures of one period kind within one year, added up (from the database)."""

    kind: str
    year: int
    first_start: dt.date
    total: Decimal


# A year's figure from its year value, else its half-years, else quarters, else months (plain
# strings: combine runs for every pairing and indicator, enum lookups showed in the profile).
_KINDS_PREFERRED = tuple(
    k.value for k in (PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH)
)


def combine(
    cumulative: Sequence[tuple[dt.date, Decimal]], sums: Sequence[KindYear]
) -> Decimal | None:
    """One figure since the start from one pairing's figures (flows).

    `cumulative` holds (as-of date, value) of its cumulative (累计) figures: the latest counts.
    Then every year starting after it counts, by its year figure, else its half-years, else its
    quarters, else its months. Nothing is counted twice.
    """
    if not cumulative and not sums:
        return None
    covered_until: dt.date | None = None
    total = Decimal(0)
    if cumulative:
        covered_until, value = max(cumulative, key=lambda item: item[0])
        total += value
    by_year: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for item in sums:
        if covered_until is None or item.first_start > covered_until:
            by_year[item.year][item.kind] = item.total
    for kinds in by_year.values():
        for kind in _KINDS_PREFERRED:
            if kind in kinds:
                total += kinds[kind]
                break
    return total


def combine_periods(figures: dict[Period, Decimal]) -> Decimal | None:
    """`combine` for figures given period by period (one value per period)."""
    cumulative = [(p.end, v) for p, v in figures.items() if p.kind == PeriodKind.CUMULATIVE]
    sums: dict[tuple[str, int], KindYear] = {}
    for period, value in figures.items():
        if period.kind == PeriodKind.CUMULATIVE:
            continue
        key = (period.kind.value, period.start.year)
        seen = sums.get(key)
        sums[key] = KindYear(
            key[0],
            key[1],
            min(period.start, seen.first_start) if seen else period.start,
            (seen.total if seen else Decimal(0)) + value,
        )
    return combine(cumulative, list(sums.values()))


@dataclass(frozen=True)
class _Reported:
    """Resolved per-pairing figures of the headline indicators: code → pairing → value."""

    values: dict[str, dict[int, Decimal]]
    rules: dict[str, str]


def _side_value(side: str) -> Max:
    return Max(Case(When(reported_by=side, then=F("value"))))


def _resolved(rule: str) -> Any:
    """One figure per period from both sides' reports (at most one each), by the duplicate rule,
    as an aggregate expression (see indicators.rollup.resolve_sides)."""
    recipient, donor = _side_value("recipient"), _side_value("donor")
    if rule == DuplicateRule.PREFER_DONOR:
        return Coalesce(donor, _side_value("recipient"))
    if rule == DuplicateRule.SUM:
        return Coalesce(recipient, Value(0), output_field=_FIGURE) + Coalesce(
            donor, Value(0), output_field=_FIGURE
        )
    if rule == DuplicateRule.MAX:
        return Max("value")
    return Coalesce(recipient, donor)


def _resolved_sql(indicators: Sequence[tuple[int, str, str]]) -> str:
    """`_resolved` over a period's side columns (recipient, donor, highest) as SQL, per indicator
    (the ids are integers read from the database)."""
    by_rule: dict[str, str] = {
        DuplicateRule.PREFER_DONOR: "COALESCE(donor, recipient)",
        DuplicateRule.SUM: "COALESCE(recipient, 0) + COALESCE(donor, 0)",
        DuplicateRule.MAX: "highest",
    }
    whens = " ".join(
        f"WHEN {int(pk)} THEN {by_rule.get(rule, 'COALESCE(recipient, donor)')}"
        for pk, _code, rule in indicators
    )
    return f"CASE indicator_id {whens} END"


def reported_by_pairing(
    *, user: Any, year: int | None = None, only: Collection[int] | None = None
) -> _Reported:
    """The headline indicators' approved figures of every visible pairing, one value per pairing
    and indicator. Sides are resolved per period and the periods added up per kind and year in
    the database (two queries, plus one for the indicators' rules), so the rows read into Python
    are a few per pairing whatever the number of monthly figures."""
    indicators = list(
        Indicator.objects.filter(code__in=HEADLINE_CODES).values_list(
            "pk", "code", "duplicate_rule"
        )
    )
    if not indicators or (only is not None and not only):
        return _Reported({}, {})
    codes_by_pk = {pk: code for pk, code, _rule in indicators}
    rules = {code: rule for _pk, code, rule in indicators}
    resolved = Case(
        *[When(indicator_id=pk, then=_resolved(rule)) for pk, _code, rule in indicators],
        output_field=_FIGURE,
    )
    # `only` holds visible pairings (the caller's forest); without it the scope decides.
    scope = _only(only) if only is not None else pairing_q(user, "pairing__")
    values = DataValue.objects.filter(
        scope,
        pairing__isnull=False,
        indicator_id__in=list(codes_by_pk),
        status__in=COUNTED_STATUSES,
    )
    if year is not None:
        values = values.filter(
            period_start__gte=dt.date(year, 1, 1), period_end__lte=dt.date(year, 12, 31)
        )
    per_period = (
        values.order_by()
        .values("pairing_id", "indicator_id", "period_kind", "period_start", "period_end")
        .annotate(resolved=resolved)
    )
    cumulative: dict[tuple[int, int], list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for row in per_period.filter(period_kind=PeriodKind.CUMULATIVE.value):
        if row["resolved"] is not None:
            key = (row["indicator_id"], row["pairing_id"])
            cumulative[key].append((row["period_end"], Decimal(row["resolved"])))
    # The other periods: each side's report per period (three aggregates per row, whatever the
    # number of indicators: a CASE over the indicators around the aggregates made the database
    # compute every indicator's aggregates for every row), resolved by the indicator's rule and
    # added up per kind and year in the outer query.
    sides = (
        values.exclude(period_kind=PeriodKind.CUMULATIVE.value)
        .order_by()
        .values("pairing_id", "indicator_id", "period_kind", "period_start", "period_end")
        .annotate(
            recipient=_side_value("recipient"),
            donor=_side_value("donor"),
            highest=Max("value"),
        )
    )
    try:
        inner_sql, params = sides.query.sql_with_params()
    except EmptyResultSet:  # a scope that selects nothing
        return _Reported({}, rules)
    # The year as the first four characters of the ISO date: the same on SQLite (dates are
    # text) and PostgreSQL (ISO DateStyle), and no per-row function call on SQLite.
    year_of = "SUBSTR(CAST(period_start AS TEXT), 1, 4)"
    outer = (
        f"SELECT pairing_id, indicator_id, period_kind, {year_of}, MIN(period_start), "  # noqa: S608
        f"SUM({_resolved_sql(indicators)}) FROM ({inner_sql}) per_period "
        f"GROUP BY pairing_id, indicator_id, period_kind, {year_of}"
    )
    sums: dict[tuple[int, int], list[KindYear]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        for pairing_id, indicator_id, kind, period_year, first, total in cursor.fetchall():
            if total is None:
                continue
            if isinstance(first, str):  # SQLite hands back dates of a raw query as text
                first = dt.date.fromisoformat(first)
            item = KindYear(kind, int(period_year), first, Decimal(str(total)))
            sums[(indicator_id, pairing_id)].append(item)
    result: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for key in set(cumulative) | set(sums):
        combined = combine(cumulative.get(key, []), sums.get(key, []))
        if combined is not None:
            indicator_id, pairing_id = key
            result[codes_by_pk[indicator_id]][pairing_id] = combined
    return _Reported(dict(result), rules)


def _subtree_figure(reported: _Reported, code: str, trees: Forest, pk: int) -> Decimal | None:
    """The figure of a pairing with everything nested under it (indicators.rollup's rule)."""
    per_pairing = reported.values.get(code, {})
    rule = reported.rules.get(code, DuplicateRule.SUM)

    def walk(node: int) -> Resolved:
        own_value = per_pairing.get(node)
        own = (
            Resolved(own_value, [Contribution(node, "", own_value)])
            if own_value is not None
            else Resolved()
        )
        return resolve_nesting(rule, node, own, [walk(c) for c in trees.children.get(node, [])])

    return walk(pk).value


def monitored_by_prefix(prefixes: Iterable[str]) -> dict[str, int]:
    """Households under monitoring (risk not eliminated) below each region prefix.

    One grouped query per distinct prefix length (county, township, village: at most three),
    on the (monitoring_category, village) index, restricted to code ranges so only the wanted
    regions' rows are read.
    """
    wanted = sorted({p for p in prefixes if p})
    counts: dict[str, int] = dict.fromkeys(wanted, 0)
    by_length: dict[int, list[str]] = defaultdict(list)
    for prefix in wanted:
        by_length[len(prefix)].append(prefix)
    for length, group in by_length.items():
        ranges = Q()
        for prefix in group:
            ranges |= Q(village_id__gte=prefix, village_id__lt=_next_prefix(prefix))
        rows = (
            Household.objects.filter(ranges, monitoring_category__in=MONITORED)
            .filter(eliminated_on__isnull=True)
            .annotate(prefix=Substr("village_id", 1, length, output_field=CharField()))
            .order_by()
            .values("prefix")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            counts[row["prefix"]] = row["n"]
    return counts


def _next_prefix(prefix: str) -> str:
    """The smallest code string above every code starting with `prefix` (digits only)."""
    return str(int(prefix) + 1).zfill(len(prefix)) if prefix.strip("9") else prefix + ":"


def recipient_prefix(pairing: Pairing) -> str | None:
    """The code prefix of the recipient party's region (an organisation's seat)."""
    if pairing.recipient_region_id:
        return codes.prefix_of(pairing.recipient_region_id)
    organisation = pairing.recipient_organisation
    if organisation is not None and organisation.region_id:
        return codes.prefix_of(organisation.region_id)
    return None


# Putting figures together -----------------------------------------------------------------------


@dataclass
class Figures:
    """Everything needed to give figures to any set of cards of one user (five queries)."""

    trees: Forest
    funds: dict[int, StageTotals]
    projects: dict[int, int]
    reported: _Reported
    monitored: dict[str, int]
    year: int | None = None
    user: Any = None

    def headlines(self, pks: Sequence[int]) -> Headlines:
        """Headline figures of the given pairings, each with its subtree (not counted twice
        when one of them is nested in another)."""
        covered: list[int] = []
        tops: list[int] = []
        for pk in pks:
            if pk in covered:
                continue
            subtree = self.trees.subtree(pk)
            tops = [t for t in tops if t not in subtree]
            tops.append(pk)
            covered.extend(subtree)
        covered_set = set(covered)
        funds = [self.funds[pk] for pk in covered_set if pk in self.funds]
        totals = StageTotals(
            **{
                stage: sum((f.of(stage) for f in funds), ZERO)
                for stage in ("planned", "arrived", "paid_out", "spent")
            }
        )
        params: list[tuple[str, Any]] = [("pairing", pk) for pk in tops] + [("nested", 1)]
        if self.year is not None:
            params.append(("year", self.year))
        headlines = Headlines(
            funds=totals,
            projects=sum(self.projects.get(pk, 0) for pk in covered_set),
            query=urlencode(params),
        )
        for headline in INDICATOR_HEADLINES:
            value: Decimal | None = None
            used: tuple[str, ...] = headline.alternatives[0]
            for alternative in headline.alternatives:
                parts = [
                    _subtree_figure(self.reported, code, self.trees, top)
                    for code in alternative
                    for top in tops
                ]
                found = [p for p in parts if p is not None]
                if found:
                    value, used = sum(found, Decimal(0)), alternative
                    break
            headlines.indicators[headline.key] = HeadlineFigure(
                headline.key, headline.label, headline.unit, value, used
            )
        prefixes = {
            prefix
            for top in tops
            if (prefix := recipient_prefix(self.trees.pairings[top])) is not None
        }
        # Nested prefixes (a township inside a county already counted) are not added twice.
        outer = {p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)}
        missing = [p for p in outer if p not in self.monitored]
        if missing:
            self.monitored.update(monitored_by_prefix(missing))
        headlines.monitored_households = (
            sum(self.monitored.get(p, 0) for p in outer) if outer else None
        )
        if len(outer) == 1:
            code = next(iter(outer)).ljust(12, "0")
            # Only the recipient side sees the households behind the count.
            if self.user is not None and region_in_scope(self.user, code):
                headlines.monitoring_region = code
        return headlines


def figures(
    *,
    user: Any,
    year: int | None = None,
    tops: Sequence[int] | None = None,
    trees: Forest | None = None,
) -> Figures:
    """Load the figures of the visible pairings at once (five queries): of every one, or only
    of the subtrees of `tops` (the cards a page will show)."""
    trees = trees or forest(user=user)
    only: set[int] | None = None
    if tops is not None:
        only = {pk for top in tops for pk in trees.subtree(top)}
    # Figures are read by the visible pairings' ids: an index range instead of the scope's
    # joins on region codes (the forest was read through the scope).
    figure_ids = only if only is not None else set(trees.pairings)
    card_tops = trees.roots if tops is None else list(tops)
    prefixes = {
        prefix
        for pk in card_tops
        if pk in trees.pairings and (prefix := recipient_prefix(trees.pairings[pk])) is not None
    }
    return Figures(
        trees=trees,
        funds=funds_by_pairing(user=user, year=year, only=only),
        projects=projects_by_pairing(user=user, year=year, only=only),
        reported=reported_by_pairing(user=user, year=year, only=figure_ids),
        monitored=monitored_by_prefix(prefixes) if not scope_for(user).sees_nothing else {},
        year=year,
        user=user,
    )


def overview_cards(*, user: Any, year: int | None = None) -> list[Card]:
    """The user's top pairings (those whose parent is out of sight count as top) as cards."""
    loaded = figures(user=user, year=year)
    trees = loaded.trees
    cards = []
    for pk in trees.roots:
        pairing = trees.pairings[pk]
        cards.append(
            Card(
                pairing=pairing,
                descendants=len(trees.subtree(pk)) - 1,
                headlines=loaded.headlines([pk]),
                parent_hidden=pairing.parent_id is not None,
            )
        )
    return cards


# The records behind a figure ---------------------------------------------------------------------

_PAIRING_PARTIES = (
    "pairing__donor_region",
    "pairing__recipient_region",
    "pairing__donor_organisation",
    "pairing__recipient_organisation",
)


def fund_flow_records(
    *,
    user: Any,
    pairings: Collection[int] | None = None,
    year: int | None = None,
    stage: str = "",
    source_kind: str = "",
    reported_by: str = "",
) -> QuerySet[FundFlow]:
    """The visible fund-flow entries of the given pairings (all visible ones when None),
    filtered as the record list asks; newest year first."""
    flows = FundFlow.objects.filter(pairing_q(user, "pairing__"), _only(pairings))
    flows = flows.filter(_year_filter(year))
    wanted = {"stage": stage, "source_kind": source_kind, "reported_by": reported_by}
    flows = flows.filter(**{name: value for name, value in wanted.items() if value})
    return flows.select_related(
        *_PAIRING_PARTIES,
        "project",
        "source_organisation",
        "receiving_organisation",
        "reverses",
    ).order_by("-year", "pairing_id", "stage", "date", "id")


def project_records(
    *,
    user: Any,
    pairings: Collection[int] | None = None,
    year: int | None = None,
    category: str = "",
    status: str = "",
) -> QuerySet[Project]:
    """The visible projects with their funding; a year keeps those running in it, the same
    rule as the cards' project counts."""
    projects = Project.objects.filter(
        pairing_q(user, "pairing__"), _only(pairings), _projects_running(year)
    )
    if category:
        projects = projects.filter(category=category)
    if status:
        projects = projects.filter(status=status)
    projects = with_funding(projects).select_related(*_PAIRING_PARTIES, "region")
    return projects.order_by("-start_year", "pairing_id", "code", "id")


def value_records(
    *,
    user: Any,
    pairings: Collection[int] | None = None,
    indicator_codes: Collection[str] = (),
    year: int | None = None,
    status: str = "",
) -> QuerySet[DataValue]:
    """The visible indicator values (figures of pairings and of parties), newest period first."""
    values = DataValue.objects.filter(value_q(user), _only(pairings))
    if indicator_codes:
        values = values.filter(indicator__code__in=list(indicator_codes))
    if status:
        values = values.filter(status=status)
    if year is not None:
        values = values.filter(period_start__year=year, period_end__year=year)
    return values.select_related(
        "indicator", *_PAIRING_PARTIES, "party_region", "party_organisation"
    ).order_by("-period_end", "indicator__sort_order", "pairing_id", "id")
