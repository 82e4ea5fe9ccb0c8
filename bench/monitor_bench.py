"""Monitoring at the scale of a province: a full run over 1,000,000 households (~3.5M persons).

For each database (SQLite in var/bench/monitor.sqlite3, PostgreSQL at BENCH_DATABASE_URL or
DATABASE_URL when it is a PostgreSQL URL, else postgres://postgres@127.0.0.1:5432/bangfu_bench):
- generate the households once (kept between runs; regenerated only when the count differs);
- time a full monitoring run (target < 15 s);
- time the same rules as a Python loop over ORM objects on a 100,000-household slice, scaled
  ×10 (target: the set-based run at least 30× faster), and check that both find the same
  number of findings per rule on that slice.

It prints each rule's time in the run, the run's wall and CPU time (this process, plus on
PostgreSQL the server process serving its connection, read from /proc) and the load average
before and after, since the machine may be shared: on a busy machine the CPU time is the
better guide to what a quiet one would show.

Each database runs in its own process (Django binds one default database per process).
BENCH_HOUSEHOLDS overrides the size (e.g. 20000 for a quick try); BENCH_BACKENDS=sqlite or
postgresql runs only one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "1000000"))
SLICE = min(100_000, HOUSEHOLDS)
RUN_TARGET_S = 15.0
SPEEDUP_TARGET = 30.0
AS_OF = dt.date(2026, 1, 1)
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/bangfu_bench"


def _database_urls() -> dict[str, str]:
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not pg.startswith("postgres"):
        pg = DEFAULT_PG
    urls = {
        "sqlite": f"sqlite:///{ROOT / 'var' / 'bench' / 'monitor.sqlite3'}",
        "postgresql": pg,
    }
    only = os.environ.get("BENCH_BACKENDS")
    return {k: v for k, v in urls.items() if not only or k in only.split(",")}


def _create_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    results = {}
    for backend, url in _database_urls().items():
        if backend == "postgresql":
            try:
                _create_pg_database(url)
            except Exception as exc:
                print(f"{backend}: skipped ({type(exc).__name__}: {exc})")
                continue
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
        process = subprocess.run(
            [sys.executable, "-m", "bench.monitor_bench", "--child"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        lines = process.stdout.strip().splitlines()
        for line in lines[:-1]:
            print(f"  [{backend}] {line}")
        if process.returncode != 0 or not lines:
            print(f"{backend}: failed (exit {process.returncode})")
            continue
        results[backend] = json.loads(lines[-1])
    return _report(results)


def _report(results: dict[str, dict[str, float]]) -> int:
    failed = 0
    print(f"\nmonitoring, {HOUSEHOLDS:,} households")
    print(f"{'figure':<52} {'measured':>12} {'target':>12}  ok")
    for backend, r in results.items():
        run_ok = r["run_s"] < RUN_TARGET_S
        speedup = r["baseline_scaled_s"] / r["run_s"] if r["run_s"] else float("inf")
        speed_ok = speedup >= SPEEDUP_TARGET
        failed += (not run_ok) + (not speed_ok) + (not r["agree"])
        rows = [
            (f"{backend}: persons", f"{int(r['persons']):,}", "", ""),
            (
                f"{backend}: full monitoring run (s)",
                f"{r['run_s']:.2f}",
                f"< {RUN_TARGET_S:.0f}",
                run_ok,
            ),
            (f"{backend}: findings", f"{int(r['findings']):,}", "", ""),
            (
                f"{backend}: Python loop, {SLICE:,}-household slice (s)",
                f"{r['baseline_slice_s']:.1f}",
                "",
                "",
            ),
            (
                f"{backend}: Python loop scaled to the whole set (s)",
                f"{r['baseline_scaled_s']:.0f}",
                "",
                "",
            ),
            (
                f"{backend}: set-based speed-up",
                f"{speedup:.0f}×",
                f"≥ {SPEEDUP_TARGET:.0f}×",
                speed_ok,
            ),
            (f"{backend}: both agree per rule on the slice", str(r["agree"]), "True", r["agree"]),
        ]
        for label, measured, target, ok in rows:
            mark = "" if ok == "" else ("yes" if ok else "NO")
            print(f"{label:<52} {measured:>12} {target:>12}  {mark}")
        print(
            f"{backend + ': run CPU time, client + server process (s)':<52} {r['run_cpu_s']:>12.2f}"
        )
        if r.get("generated_s"):
            print(f"{backend + ': generation of the data set (s)':<52} {r['generated_s']:>12.0f}")
    return 1 if failed else 0


# Child process: one database -------------------------------------------------------------------


def _child() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.models import Count

    from bangfu.accounts.scopes import SYSTEM
    from bangfu.households import generator
    from bangfu.households.models import Finding, Household, MonitoringRun, Person
    from bangfu.households.monitoring import parallel
    from bangfu.households.monitoring.services import monitoring_run
    from bench.monitor_baseline import evaluate

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=0)
    print(f"load average before: {_load()}", flush=True)
    generated_s = 0.0
    existing = Household.objects.count()
    if existing != HOUSEHOLDS:
        if existing:
            print(f"found {existing:,} households, want {HOUSEHOLDS:,}: regenerating", flush=True)
            Household.objects.all().delete()
        started, cpu = time.perf_counter(), time.process_time()
        result = generator.generate(count=HOUSEHOLDS, seed=1, batch_size=10000, is_demo=False)
        generated_s = time.perf_counter() - started
        timings = ", ".join(f"{k} {v:.0f} s" for k, v in result.timings.items())
        print(
            f"generated {result.households:,} households, {result.persons:,} persons "
            f"in {generated_s:.0f} s wall, {time.process_time() - cpu:.0f} s CPU in this process "
            f"({timings}); load average {_load()}",
            flush=True,
        )
    if generated_s or pending:
        # Fresh statistics (and, on PostgreSQL, the visibility map for index-only scans).
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
            # Let the generation's writes reach the disk before measuring: otherwise the
            # server's checkpointer and the kernel's writeback of gigabytes of fresh pages
            # run during the monitoring run and are timed with it.
            if connection.vendor == "postgresql":
                cursor.execute("CHECKPOINT")
            else:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.sync()
        print(f"analyzed and checkpointed in {time.perf_counter() - started:.0f} s", flush=True)
    persons = Person.objects.count()
    # Earlier runs' findings would only slow the inserts. One DELETE: the ORM's cascade would
    # list every finding id in one statement (too many variables for SQLite). The bench
    # database has no cases pointing at findings.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Finding._meta.db_table}")  # noqa: S608
    MonitoringRun.objects.all().delete()

    rule_s: dict[str, float] = {}
    server = _server_cpu(connection)
    started, cpu = time.perf_counter(), time.process_time()
    run = monitoring_run(actor=SYSTEM, as_of=AS_OF, timings=rule_s)
    run_s = time.perf_counter() - started
    run_cpu_s = time.process_time() - cpu
    if server is not None:
        run_cpu_s += (_server_cpu(connection) or server) - server
    readers = parallel.readers_for(outermost=True)
    how = f"rules read by {readers} parallel connections" if readers else "rules one by one"
    print(
        f"run: {run_s:.2f} s wall ({how}), {run_cpu_s:.2f} s CPU (this process and its "
        f"database server process{', readers not counted' if readers else ''}); "
        f"load average {_load()}",
        flush=True,
    )
    for key, seconds in rule_s.items():
        print(f"  {key:<36} {run.counts[key]:>9,} findings {seconds:>7.2f} s", flush=True)
    if readers:  # each rule's read and write, overlapping with the other rules'
        print(f"  {'(rules overlap: their times add up to more than the run)':<55}", flush=True)
    else:
        rest = run_s - sum(rule_s.values())
        label = "(run record, counts, audit, commit)"
        print(f"  {label:<36} {'':>18} {rest:>7.2f} s", flush=True)

    first = Household.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    slice_ids = range(first, first + SLICE)
    started = time.perf_counter()
    loop_counts = evaluate(slice_ids, as_of=AS_OF)
    baseline_slice_s = time.perf_counter() - started
    in_slice = (
        Finding.objects.filter(
            run=run, household_id__gte=slice_ids[0], household_id__lte=slice_ids[-1]
        )
        .values("rule_code")
        .annotate(n=Count("id"))
    )
    set_counts = {row["rule_code"]: row["n"] for row in in_slice}
    loop = {k: v for k, v in loop_counts.items() if v}
    agree = set_counts == loop
    if not agree:
        print(f"disagreement on the slice: set-based {set_counts} vs loop {loop}", flush=True)
    print(
        json.dumps(
            {
                "persons": persons,
                "run_s": run_s,
                "run_cpu_s": run_cpu_s,
                "findings": run.finding_count,
                "baseline_slice_s": baseline_slice_s,
                "baseline_scaled_s": baseline_slice_s * HOUSEHOLDS / SLICE,
                "agree": agree,
                "generated_s": generated_s,
            }
        )
    )


def _server_cpu(connection: Any) -> float | None:
    """CPU seconds of the PostgreSQL backend serving this connection (same machine), or None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__" and "--child" in sys.argv:
    _child()
