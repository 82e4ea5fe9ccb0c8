"""Dashboards under load: the served app with the demo pairings, 1,000,000 generated households
and 1,000,000 data values.

Steps (the data set is kept in var/bench/dashboard.sqlite3 between runs and rebuilt only when its
size differs from what is asked):
1. prepare (child process): migrate, load the demo (`bangfu demo`), generate households into the
   demo recipient counties until there are BENCH_HOUSEHOLDS of them, run monitoring twice (so the
   trend has two runs), add generated data values until there are BENCH_DATA_VALUES of them, and
   open a session for a donor-side and a recipient-side demo user;
2. serve the app with gunicorn and the production settings (`bangfu serve`, DEBUG off);
3. server time: with the page cache off, so every request computes its page, each page
   requested one at a time over loopback (after a warm-up): p50 and p95 per page against the
   targets (300 ms / 1 s);
4. the same as served (the page cache on: bodies kept until the next audited write), then
   throughput: wrk (Debian package; `make bench` installs it) drives a mix of the pages with
   BENCH_CONNECTIONS connections for BENCH_SECONDS; requests per second against the target (100),
   with every non-2xx answer and socket error counted as an error (target: none).

Environment: BENCH_HOUSEHOLDS (default 1,000,000), BENCH_DATA_VALUES (default 1,000,000),
BENCH_SECONDS (30), BENCH_CONNECTIONS (8), BENCH_WORKERS (gunicorn workers, 3), BENCH_REQUESTS
(sequential requests per page, 30).

Workers: `bangfu serve`'s default of 3 workers x 2 threads is kept. The pages are CPU-bound in
Python and SQLite (which releases the GIL while it works, so the threads overlap with it); on the
shared 2-core machine 3 workers answered 14.2 requests/s, 2 workers 7.1 and 4 workers 6.8 (with
other jobs' load varying between the runs, so only "3 is not worse" is shown).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "1000000"))
DATA_VALUES = int(os.environ.get("BENCH_DATA_VALUES", "1000000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
DATABASE = ROOT / "var" / "bench" / "dashboard.sqlite3"
P50_TARGET_MS, P95_TARGET_MS, RPS_TARGET = 300.0, 1000.0, 100.0
DONOR_USER, RECIPIENT_USER = "baoan", "fengshan"
# Throw-away secrets for the benchmark's own server; never used outside it.
BENCH_ENV = {
    "BANGFU_SECRET_KEY": "bench-only-secret-key-0123456789abcdef0123456789abcdef",
    "BANGFU_ALLOWED_HOSTS": "127.0.0.1,localhost",
    # The demo users get this instead of printed random passwords; nobody signs in with it.
    "BANGFU_DEMO_PASSWORD": base64.urlsafe_b64encode(os.urandom(18)).decode(),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _child_env() -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        **BENCH_ENV,  # the same secret key signs the sessions prepared here and read by the server
    }
    keys = ROOT / "var" / "bench" / "dashboard-keys.json"
    if not keys.exists():  # the data set's own keys, made once and kept beside it
        keys.write_text(
            json.dumps(
                {
                    "BANGFU_PII_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
                    "BANGFU_PII_HMAC_KEY": base64.b64encode(os.urandom(32)).decode(),
                }
            )
        )
        keys.chmod(0o600)
    env.update(json.loads(keys.read_text()))
    return env


def main() -> int:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    env = _child_env()
    prepared = subprocess.run(
        [sys.executable, "-m", "bench.dashboard_bench", "--prepare"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = prepared.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(f"  {line}")
    if prepared.returncode != 0 or not lines:
        print(f"prepare failed (exit {prepared.returncode})")
        return 1
    plan = json.loads(lines[-1])
    # First every request computes its page (the page cache off), then the served app as
    # configured (bodies kept until the next audited write) takes the sequential and mixed load.
    cold = _serve(env, {"BANGFU_PAGE_CACHE_SECONDS": "0"}, lambda port: _sequential(port, plan))
    latencies, load = _serve(
        env, {}, lambda port: (_sequential(port, plan), _load(port, plan["pages"]))
    )
    return _report(plan, cold, latencies, load)


def _serve(env: dict[str, str], extra: dict[str, str], work: Callable[[int], T]) -> T:
    """Run `work(port)` against a gunicorn server with the production settings."""
    port = _free_port()
    server_env = {**env, **extra, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    bangfu = str(Path(sys.executable).parent / "bangfu")
    with (ROOT / "var" / "bench" / "dashboard-server.log").open("a") as log:
        server = subprocess.Popen(
            [bangfu, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)],
            cwd=ROOT,
            env=server_env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        try:
            _wait_for(port, server)
            return work(port)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped; see var/bench/dashboard-server.log")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start within 60 s")


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    return response.status, (time.perf_counter() - started) * 1000


def _sequential(port: int, plan: dict[str, Any]) -> dict[str, list[float]]:
    pages: list[dict[str, str]] = plan["pages"]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    result: dict[str, list[float]] = {}
    for page in pages:
        for _ in range(3):  # warm-up: the workers' first requests load code and caches
            status, _ms = _get(conn, page["path"], page["cookie"])
            if status != 200:
                raise RuntimeError(
                    f"{page['name']} ({page['path']}) answered {status}; "
                    "see var/bench/dashboard-server.log"
                )
        result[page["name"]] = [
            _get(conn, page["path"], page["cookie"])[1] for _ in range(REQUESTS)
        ]
    conn.close()
    return result


_LUA = """
local pages = {%s}
local i = 0
request = function()
  i = i %% #pages + 1
  return wrk.format("GET", pages[i][1], {["Cookie"] = "sessionid=" .. pages[i][2]})
end
"""


def _load(port: int, pages: list[dict[str, str]]) -> dict[str, Any] | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed (make bench installs Debian's wrk): load test skipped")
        return None
    entries = ", ".join(f'{{"{p["path"]}", "{p["cookie"]}"}}' for p in pages)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA % entries)
    try:
        out = subprocess.run(
            [
                wrk,
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    latency = {m.group(1): m.group(2) for m in re.finditer(r"\s+(50|99)%\s+([\d.]+\w+)", out)}
    return {
        "rps": rps,
        "requests": total,
        "errors": errors,
        "p50": latency.get("50", "?"),
        "p99": latency.get("99", "?"),
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _report(
    plan: dict[str, Any],
    cold: dict[str, list[float]],
    latencies: dict[str, list[float]],
    load: dict[str, Any] | None,
) -> int:
    failed = 0
    print(
        f"\ndashboards: {plan['households']:,} households, {plan['persons']:,} persons, "
        f"{plan['data_values']:,} data values, {plan['pairings']:,} pairings; "
        f"gunicorn {WORKERS} workers, production settings, SQLite"
    )
    print(f"{'figure':<52} {'measured':>12} {'target':>12}  ok")
    print("every request computes its page (page cache off):")
    for name, values in cold.items():
        p50, p95 = statistics.median(values), _percentile(values, 0.95)
        ok50, ok95 = p50 < P50_TARGET_MS, p95 < P95_TARGET_MS
        failed += (not ok50) + (not ok95)
        print(f"{name + ': p50 (ms)':<52} {p50:>12.0f} {'< 300':>12}  {'yes' if ok50 else 'NO'}")
        print(f"{name + ': p95 (ms)':<52} {p95:>12.0f} {'< 1000':>12}  {'yes' if ok95 else 'NO'}")
    print("as served (page cache on, data unchanged during the run):")
    for name, values in latencies.items():
        p50, p95 = statistics.median(values), _percentile(values, 0.95)
        print(f"{name + ': p50 / p95 (ms)':<52} {f'{p50:.0f} / {p95:.0f}':>12}")
    if load is None:
        failed += 1
    else:
        ok_rps, ok_err = load["rps"] >= RPS_TARGET, load["errors"] == 0
        failed += (not ok_rps) + (not ok_err)
        label = f"mixed pages, {CONNECTIONS} connections, {SECONDS} s: requests/s"
        print(f"{label:<52} {load['rps']:>12.1f} {'≥ 100':>12}  {'yes' if ok_rps else 'NO'}")
        print(f"{'  requests answered':<52} {int(load['requests']):>12,}")
        mark = "yes" if ok_err else "NO"
        print(f"{'  errors (non-2xx, socket)':<52} {int(load['errors']):>12} {'0':>12}  {mark}")
        print(f"{'  latency under load p50 / p99':<52} {load['p50'] + ' / ' + load['p99']:>12}")
    return 1 if failed else 0


# Child process: prepare the data set ----------------------------------------------------------


def _prepare() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bangfu.households.models import Household, MonitoringRun, Person
    from bangfu.indicators.models import DataValue
    from bangfu.pairings.models import Pairing

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    # The production settings serve hashed static files from the manifest collectstatic writes.
    call_command("collectstatic", interactive=False, verbosity=0)
    if not Pairing.objects.exists():
        started = time.perf_counter()
        call_command("demo", verbosity=0)
        print(f"demo loaded in {time.perf_counter() - started:.0f} s", flush=True)
    households = Household.objects.count()
    if households < HOUSEHOLDS:
        _generate_households(HOUSEHOLDS - households)
    if DataValue.objects.count() < DATA_VALUES:
        _generate_data_values(DATA_VALUES - DataValue.objects.count())
    if MonitoringRun.objects.count() < 2:
        _monitor()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    pages = _pages()
    print(
        json.dumps(
            {
                "households": Household.objects.count(),
                "persons": Person.objects.count(),
                "data_values": DataValue.objects.count(),
                "pairings": Pairing.objects.count(),
                "pages": pages,
            }
        )
    )


def _recipient_counties() -> list[str]:
    from bangfu.demo import data
    from bangfu.regions.codes import Level
    from bangfu.regions.models import Region

    codes = {user.pii_county for user in data.DEMO_USERS if user.pii_county}
    return sorted(
        Region.objects.filter(code__in=codes, level=Level.COUNTY).values_list("code", flat=True)
    )


def _generate_households(count: int) -> None:
    from bangfu.households import generator

    counties = _recipient_counties()
    started = time.perf_counter()
    for index, county in enumerate(counties):
        share = count // len(counties) + (1 if index < count % len(counties) else 0)
        generator.generate(
            count=share, county_code=county, seed=100 + index, batch_size=10000, is_demo=False
        )
    print(f"generated {count:,} households in {time.perf_counter() - started:.0f} s", flush=True)


def _generate_data_values(count: int) -> None:
    """Monthly values of every entered (not computed) indicator for every pairing and both sides,
    going back month by month from 2026 until `count` rows exist; written with executemany."""
    import datetime as dt

    from django.db import connection, transaction

    from bangfu.indicators.models import DataValue, Indicator
    from bangfu.pairings.models import Pairing

    started = time.perf_counter()
    indicators = list(Indicator.objects.filter(is_computed=False).values_list("pk", flat=True))
    pairings = list(Pairing.objects.values_list("pk", flat=True))
    taken = set(
        DataValue.objects.filter(period_kind="month").values_list(
            "indicator_id", "pairing_id", "reported_by", "period_start"
        )
    )
    table = DataValue._meta.db_table
    columns = (
        "created_at, updated_at, indicator_id, pairing_id, reported_by, value, source, "
        "document_ref, comment, status, flags, sent_back_reason, reopened, is_demo, "
        "period_kind, period_start, period_end"
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 17)})"  # noqa: S608
    now = dt.datetime.now(dt.UTC)
    rows: list[tuple[Any, ...]] = []
    written = 0
    year, month = 2026, 10
    while written < count:
        start = dt.date(year, month, 1)
        end = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
        for pairing in pairings:
            for indicator in indicators:
                for side in ("donor", "recipient"):
                    if written >= count:
                        break
                    if (indicator, pairing, side, start) in taken:
                        continue
                    value = (pairing * 7 + indicator * 13 + month) % 997 + 1
                    rows.append(
                        (
                            now,
                            now,
                            indicator,
                            pairing,
                            side,
                            value,
                            "import",
                            "",
                            "",
                            "approved",
                            "[]",
                            "",
                            False,
                            False,
                            "month",
                            start,
                            end,
                        )
                    )
                    written += 1
        if len(rows) >= 50000 or written >= count:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            rows = []
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    print(f"generated {written:,} data values in {time.perf_counter() - started:.0f} s", flush=True)


def _monitor() -> None:
    import datetime as dt

    from bangfu.accounts.scopes import SYSTEM
    from bangfu.households.monitoring.services import monitoring_run

    for as_of in (dt.date(2026, 6, 30), dt.date(2026, 10, 31)):
        started = time.perf_counter()
        run = monitoring_run(actor=SYSTEM, as_of=as_of)
        print(
            f"monitoring run as of {as_of}: {run.finding_count:,} findings "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )


def _session(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(24 * 3600)
    store.save()
    return str(store.session_key)


def _pages() -> list[dict[str, str]]:
    """The pages the benchmark requests: overview, the busiest pairing and the monitoring page
    for the recipient user; overview, pairing and region page for the donor user."""
    from django.db.models import Count
    from django.urls import reverse

    from bangfu.pairings.models import Pairing
    from bangfu.regions.models import Region

    donor, recipient = _session(DONOR_USER), _session(RECIPIENT_USER)
    from bangfu.demo import data

    def busiest(**lookup: str) -> int:
        pairing = (
            Pairing.objects.filter(**lookup)
            .annotate(n=Count("indicator_values"))
            .order_by("-n", "pk")
            .first()
        )
        assert pairing is not None, lookup
        return int(pairing.pk)

    donor_region = Region.objects.get(code=data.BAOAN)
    recipient_pairing = busiest(recipient_region__code=data.FENGSHAN)
    donor_pairing = busiest(donor_region__code=data.BAOAN)
    pages = [
        ("overview (recipient)", reverse("home"), recipient),
        ("pairing page (recipient)", reverse("pairing-page", args=[recipient_pairing]), recipient),
        ("monitoring page (recipient)", _monitoring_path(), recipient),
        ("overview (donor)", reverse("home"), donor),
        ("pairing page (donor)", reverse("pairing-page", args=[donor_pairing]), donor),
        ("region page (donor)", _region_path(donor_region.code), donor),
    ]
    return [{"name": n, "path": p, "cookie": c} for n, p, c in pages]


def _monitoring_path() -> str:
    from django.urls import NoReverseMatch, reverse

    for name in ("monitoring-dashboard", "monitoring", "monitoring-page"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/monitoring/"


def _region_path(code: str) -> str:
    from django.urls import NoReverseMatch, reverse

    for name in ("region-page", "region", "dashboards:region"):
        try:
            return reverse(name, args=[code])
        except NoReverseMatch:
            continue
    return f"/regions/{code}/"


if __name__ == "__main__" and "--prepare" in sys.argv:
    _prepare()
