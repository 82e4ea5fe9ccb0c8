"""A monitoring run's rules read in parallel on PostgreSQL, its findings still written by one
transaction.

PostgreSQL never runs the SELECT of an INSERT … SELECT in parallel, so a run evaluates its rules
one after the other on one core. Here the run's transaction exports its snapshot
(`pg_export_snapshot`); reader connections, each in a read-only REPEATABLE READ transaction on
that same snapshot, evaluate the rules and stream their rows out with `COPY (SELECT …) TO
STDOUT`; the run's own connection copies each rule's rows into the findings table with `COPY …
FROM STDIN` as they arrive. The rows pass through Python as opaque blocks of COPY text, never
as values.

What the readers see is exactly what the run's transaction sees, except for what that
transaction itself wrote before exporting: `readers_for` only allows this when the run's
transaction is the outermost one (nothing of the caller's is pending), so the result is the
same as the sequential run's, and the findings still commit or roll back together with the
run, its counts and its audit event.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

from bangfu.households.models import Finding
from bangfu.households.monitoring.rules import Context, Rule

# Below this many households (PostgreSQL's estimate) the readers' connections cost more than
# they save.
MIN_HOUSEHOLDS = 50_000


def readers_for(*, outermost: bool) -> int:
    """How many reader connections a run uses: 0 (sequential) unless on PostgreSQL, at the
    outermost transaction, with enough households, and BANGFU_MONITOR_READERS > 0."""
    readers = int(getattr(settings, "BANGFU_MONITOR_READERS", 0))
    if readers <= 0 or not outermost or connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
            ["households_household"],
        )
        row = cursor.fetchone()
    return readers if row is not None and row[0] >= MIN_HOUSEHOLDS else 0


@dataclass
class _Result:
    rule: Rule | None  # None: the reader failed before taking a rule
    blocks: list[bytes] = field(default_factory=list)
    seconds: float = 0.0
    error: BaseException | None = None


def _reader(
    snapshot: str,
    work: queue.Queue[tuple[Rule, str, Sequence[Any]]],
    results: queue.Queue[_Result],
    tuning: Sequence[str],
) -> None:
    """Take rules from `work` until none is left; every failure is put on `results` (the run
    waits for one result per rule or for an error)."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    rule: Rule | None = None
    try:
        with psycopg.connect(**params, cursor_factory=psycopg.ClientCursor) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.cursor() as cursor:
                cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")  # PostgreSQL's own id
                for statement in tuning:
                    cursor.execute(statement)
                while True:
                    try:
                        rule, sql, sql_params = work.get_nowait()
                    except queue.Empty:
                        break
                    started = time.perf_counter()
                    with cursor.copy(f"COPY ({sql}) TO STDOUT", sql_params) as copy:
                        blocks = [bytes(block) for block in copy]
                    results.put(_Result(rule, blocks, time.perf_counter() - started))
            conn.rollback()  # read only: nothing to keep
    except BaseException as exc:
        results.put(_Result(rule, error=exc))


def copy_findings(
    *,
    run_pk: int,
    rules: Sequence[Rule],
    ctx: Context,
    readers: int,
    rows_sql: Any,
    columns: Sequence[str],
    tuning: Sequence[str],
    timings: dict[str, float] | None = None,
) -> dict[str, int]:
    """Evaluate `rules` in `readers` connections and copy their rows into the findings table
    through this connection; returns the number of findings by rule key.

    `rows_sql(rule, ctx, run_pk)` gives a rule's (sql, params) selecting the finding rows in the
    order of `columns`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
    work: queue.Queue[tuple[Rule, str, Sequence[Any]]] = queue.Queue()
    for rule in sorted(rules, key=lambda rule: -rule.weight):  # heaviest first (stable)
        work.put((rule, *rows_sql(rule, ctx, run_pk)))
    results: queue.Queue[_Result] = queue.Queue()
    threads = [
        threading.Thread(target=_reader, args=(snapshot, work, results, tuning), daemon=True)
        for _ in range(min(readers, len(rules)))
    ]
    for thread in threads:
        thread.start()
    quote = connection.ops.quote_name
    target = f"COPY {quote(Finding._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
    counts: dict[str, int] = {}
    try:
        for _ in rules:
            result = results.get()
            if result.error is not None or result.rule is None:
                raise result.error or RuntimeError("a reader stopped without a result")
            started = time.perf_counter()
            with connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"{target} FROM STDIN") as copy:
                    for block in result.blocks:
                        copy.write(block)
                counts[result.rule.key] = int(raw.rowcount)
            if timings is not None:
                # The rule's own time: reading in its reader plus writing here (they overlap
                # with other rules', so these add up to more than the run's wall time).
                timings[result.rule.key] = result.seconds + time.perf_counter() - started
    finally:
        while True:  # on an error, the readers stop after the rule they are on
            try:
                work.get_nowait()
            except queue.Empty:
                break
        for thread in threads:
            thread.join()
    return {rule.key: counts[rule.key] for rule in rules}
