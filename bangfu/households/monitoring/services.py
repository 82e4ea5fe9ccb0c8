"""Monitoring runs: every effective rule evaluated inside the database, findings stored.

Each rule's findings queryset is compiled to SQL and wrapped in one
``INSERT INTO finding (...) SELECT ... FROM (<rule SQL>)`` statement, so findings never pass
through Python. A run is one transaction with one audit event.

Run-scoped database settings (`_tune_for_run`): on PostgreSQL, `SET LOCAL` for the run's
transaction only: no JIT (compiling each rule's plan cost seconds and saved nothing), a larger
`work_mem` so anti-joins and aggregates hash in memory, and no wait for the WAL flush at commit
(findings can always be recomputed). On SQLite: a larger page cache and memory-mapped reads
for the run, restored afterwards (they only use memory; nothing about durability changes).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import region_in_scope, require_role, scope_for
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditAction
from bangfu.core.services import audit_record
from bangfu.households.models import Finding, MonitoringRun
from bangfu.households.monitoring import parallel
from bangfu.households.monitoring.rules import Context, Parameters, Rule, effective_rules
from bangfu.households.monitoring.rules.base import FINDING_COLUMNS
from bangfu.households.monitoring.thresholds import ThresholdTable
from bangfu.regions.codes import prefix_of
from bangfu.regions.models import Region

INSERTED_COLUMNS = (
    "run_id",
    "rule_code",
    "rule_version",
    "kind",
    "risk_types",
    "household_id",
    "person_id",
    "village_id",
    "category",
    "value",
    "threshold",
    "reference",
    "detail",
)


def finding_rows(rule: Rule, ctx: Context, run_pk: int) -> tuple[str, tuple[Any, ...]]:
    """The SELECT of a rule's finding rows, columns in INSERTED_COLUMNS order, and its params."""
    select_sql, select_params = rule.findings(ctx).query.sql_with_params()
    quote = connection.ops.quote_name
    selected = ", ".join(f"rule_rows.{quote(c)}" for c in FINDING_COLUMNS)
    # Identifiers are quoted model names and the rule SQL is Django's compiled query; every
    # value travels as a parameter.
    sql = f"SELECT %s, %s, %s, %s, %s, {selected} FROM ({select_sql}) rule_rows"  # noqa: S608
    constants = (run_pk, rule.code, rule.version, str(rule.kind), ",".join(rule.risk_types))
    return sql, (*constants, *select_params)


def insert_findings(*, run: MonitoringRun, rule: Rule, ctx: Context) -> int:
    """Copy the rule's findings into the findings table with one INSERT … SELECT."""
    select_sql, params = finding_rows(rule, ctx, run.pk)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in INSERTED_COLUMNS)
    sql = f"INSERT INTO {quote(Finding._meta.db_table)} ({columns}) {select_sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


# A run reads the household table (~330 MB for a million households) and the rules' indexes
# in random order: up to 1 GB of page cache (the default is 2 MB) and reads through a memory map
# (up to 2 GB, SQLite's usual cap) instead of a system call per page. temp_store cannot change
# inside a transaction; these can.
SQLITE_RUN_PRAGMAS = {"cache_size": -1048576, "mmap_size": 2147418112}


# For the run's transaction and its readers' (parallel.py): no JIT, and hashes in memory. The
# rules' data is read from memory or SSD: random reads cost about what sequential ones do,
# which lets the planner read the narrow covering indexes.
PG_READ_SETTINGS = (
    "SET LOCAL jit = off",
    "SET LOCAL work_mem = '256MB'",
    "SET LOCAL random_page_cost = 1.1",
)


def _tune_for_run() -> dict[str, int]:
    """Settings for this run; returns SQLite's previous values for `_untune`."""
    previous: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in PG_READ_SETTINGS:
                cursor.execute(statement)
            cursor.execute("SET LOCAL synchronous_commit = off")
        elif connection.vendor == "sqlite":
            for name, value in SQLITE_RUN_PRAGMAS.items():
                cursor.execute(f"PRAGMA {name}")
                row = cursor.fetchone()
                if row is None:  # e.g. no memory map for an in-memory database
                    continue
                previous[name] = int(row[0])
                cursor.execute(f"PRAGMA {name} = {int(value)}")
    return previous


def _untune(previous: dict[str, int]) -> None:
    with connection.cursor() as cursor:
        for name, value in previous.items():
            cursor.execute(f"PRAGMA {name} = {int(value)}")


def _require_run_scope(actor: Any, region: Region | None) -> None:
    require_role(actor, Role.DATA_ENTRY)
    scope = scope_for(actor)
    if region is None:
        if not scope.is_superuser:
            raise PermissionDenied(_("Only a superuser can run monitoring over every region."))
    elif not region_in_scope(actor, region.code):
        raise PermissionDenied(_("This region lies outside your scope."))


def monitoring_run(
    *,
    actor: Any,
    region: Region | None = None,
    as_of: dt.date | None = None,
    parameters: Parameters | None = None,
    rules: list[Rule] | None = None,
    timings: dict[str, float] | None = None,
) -> MonitoringRun:
    """Evaluate the rules in force on `as_of` over the region's households and store findings.

    A region user runs it for their own subtree (a region of theirs or below); leaving the region
    out (every household) is for superusers and the platform. `timings`, when given, receives
    each rule's seconds by rule key (the benchmark prints them). One transaction; on
    PostgreSQL, when it is the outermost one, the rules are read in parallel (parallel.py).
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        return _monitoring_run(
            actor=actor,
            region=region,
            as_of=as_of,
            parameters=parameters,
            rules=rules,
            timings=timings,
            outermost=outermost,
        )


def _monitoring_run(
    *,
    actor: Any,
    region: Region | None,
    as_of: dt.date | None,
    parameters: Parameters | None,
    rules: list[Rule] | None,
    timings: dict[str, float] | None,
    outermost: bool,
) -> MonitoringRun:
    if actor is not None and region is None and not scope_for(actor).is_superuser:
        region = Region.objects.filter(code=scope_for(actor).region_code or "").first()
        if region is None:
            raise PermissionDenied(_("You have no region to monitor."))
    _require_run_scope(actor, region)
    as_of = as_of or dt.date.today()
    if as_of.year < 2000:
        raise ValidationFailed({"as_of": [_("The date is implausible.")]})
    parameters = parameters or Parameters()
    ctx = Context(
        as_of=as_of,
        region_prefix=prefix_of(region.code) if region is not None else None,
        parameters=parameters,
        thresholds=ThresholdTable.load(),
    )
    selected = rules if rules is not None else effective_rules(as_of)
    started = time.perf_counter()
    run = MonitoringRun.objects.create(
        actor_id=getattr(actor, "pk", None),
        region=region,
        as_of=as_of,
        parameters=parameters.as_json(),
    )
    previous = _tune_for_run()
    counts: dict[str, int] = {}
    readers = parallel.readers_for(outermost=outermost)
    try:
        if readers:
            counts = parallel.copy_findings(
                run_pk=run.pk,
                rules=selected,
                ctx=ctx,
                readers=readers,
                rows_sql=finding_rows,
                columns=INSERTED_COLUMNS,
                tuning=PG_READ_SETTINGS,
                timings=timings,
            )
        else:
            for rule in selected:
                clock = time.perf_counter()
                counts[rule.key] = insert_findings(run=run, rule=rule, ctx=ctx)
                if timings is not None:
                    timings[rule.key] = time.perf_counter() - clock
    finally:
        _untune(previous)
    run.counts = counts
    run.finding_count = sum(counts.values())
    run.household_count = Finding.objects.filter(run=run).values("household_id").distinct().count()
    run.duration_ms = int((time.perf_counter() - started) * 1000)
    run.save(update_fields=["counts", "finding_count", "household_count", "duration_ms"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=run,
        after={
            "as_of": as_of.isoformat(),
            "region": region.code if region else None,
            "findings": run.finding_count,
            "households": run.household_count,
            "rules": counts,
        },
        region_code=region.code if region else "",
    )
    return run


def finding_counts_by_rule(run: MonitoringRun) -> dict[str, int]:
    rows = Finding.objects.filter(run=run).values("rule_code").annotate(n=Count("id"))
    return {row["rule_code"]: row["n"] for row in rows.order_by("rule_code")}
