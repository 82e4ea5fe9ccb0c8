"""Reads of monitoring runs and findings, always through the user's scope.

A run is visible to superusers and to users whose region subtree contains the run's region (a
run over every household only to superusers). Findings are visible when their run is, and only
for villages inside the user's subtree, so a province run shows a county user their own
villages only. Donor-side users hold no recipient village, so they see no findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from bangfu.accounts.scopes import scope_for
from bangfu.households.models import Finding, MonitoringRun
from bangfu.households.selectors import village_q

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
