"""Reads of monitoring runs and findings, always through the user's scope.

A run is visible to superusers and to users whose region subtree contains the run's region (a
run over every household only to superusers). Findings are visible when their run is, and only
for villages inside the user's subtree, so a province run shows a county user their own
villages only. Donor-side users hold no recipient village, so they see no findings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from bangfu.accounts.scopes import scope_for
from bangfu.households.choices import MonitoringCategory, Relation, RiskType
from bangfu.households.models import (
    Finding,
    Household,
    HouseholdRisk,
    Measure,
    MonitoringRun,
    Person,
)
from bangfu.households.pii import CollectorPii, PersonPii, present_collector, present_person
from bangfu.households.selectors import village_q, visible_households
from bangfu.regions.models import Region

_NOTHING = Q(pk__in=[])


def visible_runs(user: Any) -> QuerySet[MonitoringRun]:
    scope = scope_for(user)
    if scope.is_superuser:
        return MonitoringRun.objects.all()
    if scope.region_prefix is None:
        return MonitoringRun.objects.none()
    return MonitoringRun.objects.filter(region__code__startswith=scope.region_prefix)


def visible_findings(user: Any) -> QuerySet[Finding]:
    return Finding.objects.filter(
        village_q(user, "village__code"), run__in=visible_runs(user).values("pk")
    )


def findings(
    user: Any,
    *,
    run: MonitoringRun,
    rule: str | None = None,
    village: str | None = None,
    category: str | None = None,
    kind: str | None = None,
) -> QuerySet[Finding]:
    """A run's findings filtered by rule code, village (or any region code prefix), category."""
    queryset = visible_findings(user).filter(run=run)
    if rule:
        queryset = queryset.filter(rule_code=rule)
    if village:
        queryset = queryset.filter(village__code__startswith=village.rstrip("0") or village)
    if category:
        queryset = queryset.filter(category=category)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("household", "person").order_by(
        "rule_code", "household__number", "person__number", "id"
    )


def _same_finding(run: MonitoringRun) -> Exists:
    """A finding of `run` with the same rule, household, person and detail as the outer one."""
    return Exists(
        Finding.objects.filter(
            run=run,
            rule_code=OuterRef("rule_code"),
            household_id=OuterRef("household_id"),
            detail=OuterRef("detail"),
        )
        .alias(person_key=Coalesce("person_id", Value(0)))
        .filter(person_key=Coalesce(OuterRef("person_id"), Value(0)))
    )


@dataclass(frozen=True)
class RunDiff:
    """What changed from run `a` to run `b`, each part a queryset evaluated in the database."""

    new: QuerySet[Finding]  # in b, not in a
    resolved: QuerySet[Finding]  # in a, not in b
    persisting: QuerySet[Finding]  # in both (b's rows)


def diff(user: Any, run_a: MonitoringRun, run_b: MonitoringRun) -> RunDiff:
    in_a = visible_findings(user).filter(run=run_a)
    in_b = visible_findings(user).filter(run=run_b)
    return RunDiff(
        new=in_b.exclude(_same_finding(run_a)),
        resolved=in_a.exclude(_same_finding(run_b)),
        persisting=in_b.filter(_same_finding(run_a)),
    )


def count_by_rule(queryset: QuerySet[Finding]) -> dict[str, int]:
    rows = queryset.order_by().values("rule_code").annotate(n=Count("id")).order_by("rule_code")
    return {row["rule_code"]: row["n"] for row in rows}


# The monitoring page (recipient side) ---------------------------------------------------------
#
# Every figure below comes from one grouped query (or one per pair of runs compared), so the
# number of queries does not grow with households, villages or cases.

TREND_RUNS = 6  # runs shown in the trend, newest last
VILLAGE_ROWS = 50  # villages listed in the table (the most monitored households first)
MONITORED_CATEGORIES = (
    MonitoringCategory.UNSTABLE,
    MonitoringCategory.MARGINAL,
    MonitoringCategory.SUDDEN_HARDSHIP,
)


def region_filter(user: Any, code: str | None) -> Region | None:
    """The region a page is filtered to, or None for the user's whole scope.

    Raises Region.DoesNotExist for an unknown code or one outside the user's region subtree, so
    the page answers 404 and reveals nothing about other regions."""
    if not code:
        return None
    region = Region.objects.get(pk=code)
    scope = scope_for(user)
    if scope.is_superuser:
        return region
    if scope.region_prefix is None or not region.code.startswith(scope.region_prefix):
        raise Region.DoesNotExist
    return region


def _prefix_q(region: Region | None, path: str) -> Q:
    return Q(**{f"{path}__startswith": region.prefix}) if region is not None else Q()


def _village_range(user: Any, region: Region | None, column: str) -> Q:
    """The villages of the page (the region filter inside the user's scope) as a range of codes
    on the village column, besides the prefix filters: an index on (category, village, ...) is
    then sought to the range on both backends, where LIKE 'prefix%' is read row by row."""
    scope = scope_for(user)
    prefixes = [p for p in (scope.region_prefix, region.prefix if region else None) if p]
    if scope.is_superuser:
        prefixes = [region.prefix] if region is not None else []
    if not prefixes:
        return Q()
    prefix = max(prefixes, key=len)
    # The smallest code above every code starting with the prefix (codes are digits).
    above = str(int(prefix) + 1).zfill(len(prefix)) if prefix.strip("9") else prefix + ":"
    return Q(**{f"{column}__gte": prefix, f"{column}__lt": above})


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    monitored: int  # monitored now (risk not eliminated)
    eliminated: int  # risk eliminated, still in the registry


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class VillageRow:
    code: str
    name: str
    by_category: dict[str, int]
    total: int


@dataclass(frozen=True)
class TrendPoint:
    run: MonitoringRun
    findings: int  # findings of the run in the user's villages
    new: int | None  # against the run before (None for the first run shown)
    resolved: int | None
    persisting: int | None


@dataclass(frozen=True)
class StateRow:
    state: str
    label: str
    count: int
    overdue: int


@dataclass(frozen=True)
class MonitoringOverview:
    region: Region | None
    by_category: list[CategoryRow]
    by_risk: list[CountRow]
    by_village: list[VillageRow]
    village_count: int  # villages with monitored households (the table shows VILLAGE_ROWS)
    trend: list[TrendPoint]
    cases_by_state: list[StateRow]
    overdue_cases: list[Any]

    @property
    def monitored(self) -> int:
        return sum(row.monitored for row in self.by_category)

    @property
    def eliminated(self) -> int:
        return sum(row.eliminated for row in self.by_category)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.cases_by_state)


def monitored_households(user: Any, region: Region | None = None) -> QuerySet[Household]:
    """Visible households with a monitoring category (eliminated ones included)."""
    return visible_households(user).filter(
        _prefix_q(region, "village__code"), monitoring_category__in=MONITORED_CATEGORIES
    )


def _counts(user: Any, region: Region | None) -> tuple[list[CategoryRow], list[VillageRow], int]:
    """Monitored households by category (monitored now / eliminated) and by village, from one
    grouped query; village names are read for the villages listed only."""
    rows = (
        monitored_households(user, region)
        .filter(_village_range(user, region, "village_id"))
        .order_by()
        .values("village_id", "monitoring_category")
        .annotate(
            monitored=Count("id", filter=Q(eliminated_on__isnull=True)),
            eliminated=Count("id", filter=Q(eliminated_on__isnull=False)),
        )
    )
    monitored: dict[str, int] = {}
    eliminated: dict[str, int] = {}
    villages: dict[str, dict[str, int]] = {}
    for row in rows:
        category = row["monitoring_category"]
        monitored[category] = monitored.get(category, 0) + row["monitored"]
        eliminated[category] = eliminated.get(category, 0) + row["eliminated"]
        if row["monitored"]:
            villages.setdefault(row["village_id"], {})[category] = row["monitored"]
    by_category = [
        CategoryRow(
            category=str(category),
            label=str(category.label),
            monitored=monitored.get(category, 0),
            eliminated=eliminated.get(category, 0),
        )
        for category in MONITORED_CATEGORIES
    ]
    ordered = sorted(villages.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    shown = ordered[:VILLAGE_ROWS]
    names = dict(
        Region.objects.filter(code__in=[code for code, _ in shown]).values_list("code", "name")
    )
    by_village = [
        VillageRow(code, names.get(code, code), counts, sum(counts.values()))
        for code, counts in shown
    ]
    return by_category, by_village, len(ordered)


def _by_risk(user: Any, region: Region | None) -> list[CountRow]:
    rows = (
        HouseholdRisk.objects.filter(
            village_q(user, "household__village__code"),
            _prefix_q(region, "household__village__code"),
            _village_range(user, region, "household__village_id"),
            household__monitoring_category__in=MONITORED_CATEGORIES,
            household__eliminated_on__isnull=True,
        )
        .order_by()
        .values("risk_type")
        .annotate(n=Count("id"))
    )
    found = {row["risk_type"]: row["n"] for row in rows}
    return [CountRow(str(risk), str(risk.label), found[risk]) for risk in RiskType if risk in found]


TREND_CACHE_SECONDS = 3600


def _trend_key(run: MonitoringRun, before: MonitoringRun | None, prefix: str) -> str:
    # A stored run's findings never change, so its counts for one scope can be kept; the start
    # times make the key unique even where a database reuses the ids of deleted runs.
    def tag(r: MonitoringRun | None) -> str:
        return f"{r.pk}.{r.started_at.timestamp():.6f}" if r is not None else "-"

    return f"bangfu:monitoring-trend:{tag(run)}:{tag(before)}:{prefix or '*'}"


def _trend(user: Any, region: Region | None) -> list[TrendPoint]:
    """Findings per run and what changed against the run before, newest TREND_RUNS runs.

    new = b − persisting and resolved = a − persisting, so each pair of runs needs one count of
    the persisting findings; the figures of a pair are cached (stored runs are immutable)."""
    runs = list(visible_runs(user).order_by("-started_at", "-id")[:TREND_RUNS])[::-1]
    if not runs:
        return []
    scope = scope_for(user)
    prefix = region.prefix if region is not None else (scope.region_prefix or "")
    if not scope.is_superuser and scope.region_prefix is not None:
        prefix = max(prefix, scope.region_prefix, key=len)
    keys = [
        _trend_key(run, runs[index - 1] if index else None, prefix)
        for index, run in enumerate(runs)
    ]
    cached: dict[str, tuple[int, int | None]] = cache.get_many(keys)
    in_scope = visible_findings(user).filter(_prefix_q(region, "village__code"))
    missing = [run for run, key in zip(runs, keys, strict=True) if key not in cached]
    totals: dict[int, int] = {}
    if missing:
        totals = dict(
            in_scope.filter(run__in=missing)
            .order_by()
            .values("run")
            .annotate(n=Count("id"))
            .values_list("run", "n")
        )
    fresh: dict[str, tuple[int, int | None]] = {}
    for index, (run, key) in enumerate(zip(runs, keys, strict=True)):
        if key in cached:
            continue
        persisting = None
        if index:
            persisting = in_scope.filter(run=run).filter(_same_finding(runs[index - 1])).count()
        fresh[key] = (totals.get(run.pk, 0), persisting)
    if fresh:
        cache.set_many(fresh, TREND_CACHE_SECONDS)
    figures = {**cached, **fresh}
    points: list[TrendPoint] = []
    for index, (run, key) in enumerate(zip(runs, keys, strict=True)):
        total, persisting = figures[key]
        if persisting is None:
            points.append(TrendPoint(run, total, None, None, None))
            continue
        previous = figures[keys[index - 1]][0]
        points.append(TrendPoint(run, total, total - persisting, previous - persisting, persisting))
    return points


def _cases(user: Any, region: Region | None, today: dt.date) -> tuple[list[StateRow], list[Any]]:
    from bangfu.cases import selectors as case_selectors
    from bangfu.cases.choices import CaseState

    cases = case_selectors.visible_cases(user).filter(_prefix_q(region, "household__village__code"))
    rows = (
        cases.order_by()
        .values("state")
        .annotate(n=Count("id"), overdue=Count("id", filter=case_selectors.overdue_q(today)))
    )
    found = {row["state"]: row for row in rows}
    by_state = [
        StateRow(str(state), str(state.label), found[state]["n"], found[state]["overdue"])
        for state in CaseState
        if state in found
    ]
    overdue = list(
        case_selectors.case_list(
            user, village=region.code if region else None, overdue=True, today=today
        )[:20]
    )
    return by_state, overdue


def monitoring_overview(
    user: Any, *, region: Region | None = None, today: dt.date | None = None
) -> MonitoringOverview:
    """The monitoring page's figures for the user's scope, or one region inside it."""
    today = today or timezone.localdate()
    by_category, villages, village_count = _counts(user, region)
    by_state, overdue = _cases(user, region, today)
    return MonitoringOverview(
        region=region,
        by_category=by_category,
        by_risk=_by_risk(user, region),
        by_village=villages,
        village_count=village_count,
        trend=_trend(user, region),
        cases_by_state=by_state,
        overdue_cases=overdue,
    )


# Drill-down ------------------------------------------------------------------------------------


def household_list(
    user: Any,
    *,
    region: Region | None = None,
    category: str | None = None,
    risk: str | None = None,
    eliminated: bool | None = False,
) -> QuerySet[Household]:
    """Monitored households for the list page, each with its head (`heads`) and risks."""
    queryset = monitored_households(user, region)
    if category:
        queryset = queryset.filter(monitoring_category=category)
    if risk:
        queryset = queryset.filter(
            Exists(HouseholdRisk.objects.filter(household=OuterRef("pk"), risk_type=risk))
        )
    if eliminated is not None:
        queryset = queryset.filter(eliminated_on__isnull=not eliminated)
    return (
        queryset.select_related("village", "village__parent")
        .prefetch_related(
            Prefetch(
                "persons",
                queryset=Person.objects.filter(relation=Relation.HEAD).order_by("id"),
                to_attr="heads",
            ),
            Prefetch("risks", queryset=HouseholdRisk.objects.order_by("risk_type")),
        )
        .order_by("village_id", "number")
    )


@dataclass(frozen=True)
class PersonRow:
    person: Person
    pii: PersonPii


@dataclass(frozen=True)
class HouseholdDetail:
    household: Household
    persons: list[PersonRow]
    collector: CollectorPii
    risks: list[HouseholdRisk]
    measures: list[Measure]
    findings: list[Finding]  # of the newest visible run over the household's village
    cases: list[Any]


def household_detail(user: Any, pk: int) -> HouseholdDetail | None:
    from bangfu.cases import selectors as case_selectors

    household = (
        visible_households(user).select_related("village", "village__parent").filter(pk=pk).first()
    )
    if household is None:
        return None
    persons = list(
        Person.objects.filter(household=household).select_related("household").order_by("number")
    )
    # The newest visible run that covered the household's village: its findings (or none, when
    # the household's risks were resolved by then).
    runs = visible_runs(user).select_related("region").order_by("-started_at", "-id")[:50]
    latest = next(
        (
            run
            for run in runs
            if run.region is None or household.village_id.startswith(run.region.prefix)
        ),
        None,
    )
    findings = (
        list(
            visible_findings(user)
            .filter(household=household, run=latest)
            .select_related("person")
            .order_by("rule_code", "id")
        )
        if latest is not None
        else []
    )
    return HouseholdDetail(
        household=household,
        persons=[PersonRow(person, present_person(person, user)) for person in persons],
        collector=present_collector(household, user),
        risks=list(household.risks.order_by("risk_type")),
        measures=list(household.measures.order_by("-date", "-id")),
        findings=findings,
        cases=list(
            case_selectors.visible_cases(user).filter(household=household).order_by("-opened_on")
        ),
    )
