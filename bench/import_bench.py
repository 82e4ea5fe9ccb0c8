# ruff: noqa: E501  (tabular test data and file rows read better on one line)
"""Import benchmark: households and persons from CSV, against django-import-export.

Targets (issue 5): at least 20,000 persons per second end to end (reading, validation, ID
checks, tokens, encryption, writing), peak memory under 2 GB, and at least 20× the throughput
of django-import-export measured in the same run on a 20,000-person slice of the same file.

The CSV files are generated once under var/bench/ (deterministic, valid and unique IDs) and
reused. The run happens in a child process on its own SQLite database (var/bench/import-PID.sqlite3,
deleted afterwards) so the peak memory is the import's own; with DATABASE_URL set it uses that
database instead (its households and persons are deleted first: use a scratch database).

    python -m bench.import_bench [--households N] [--slice 20000]

`--slice 0` skips django-import-export. Environment: BANGFU_BENCH_HOUSEHOLDS (default size),
BANGFU_BENCH_FILES_ONLY=1 (write the files and stop), BANGFU_BENCH_INLINE=1 (no worker
processes), BANGFU_BENCH_PROFILE=FILE (cProfile of the main process's CPU time, for pstats).
The machine is shared: the figures come with the wall time, the CPU time of the main process
and of the workers, and the load average, so a run on a busy machine can be read for what it is.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
COUNTY = "451223000000"
HOUSEHOLDS_PER_VILLAGE = 300
AREAS = ("451223", "451221", "451222", "451224", "451225", "451226", "451227", "451228")
HOUSEHOLD_HEADERS = [
    "户编号", "县", "乡镇", "行政村", "村编码", "户类型", "监测对象类别", "家庭人口数",
    "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "合规自付支出",
    "是否解决吃穿问题", "义务教育有保障", "基本医疗有保障", "住房安全有保障", "饮水安全有保障",
    "危房等级", "耕地面积(亩)", "与村主干路距离(公里)", "信息采集人", "采集人联系电话",
]  # fmt: skip
PERSON_HEADERS = [
    "人编号", "户编号", "姓名", "证件类型", "证件号码", "与户主关系", "性别", "出生日期", "民族",
    "文化程度", "在校生状况", "失学或辍学原因", "健康状况", "劳动技能", "务工时间(月)", "务工地点",
    "是否参加城乡居民基本医疗保险", "是否参加大病保险", "是否参加城乡居民基本养老保险",
    "是否享受低保/特困", "联系电话",
]  # fmt: skip
SURNAMES = "韦黄蓝罗覃莫陆李杨梁"
GIVEN = "小明华丽芳强军红英秀兰平"
RELATIONS = ("配偶", "之子", "之女", "之孙子女", "之父母")


def _check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def _person_id(index: int) -> tuple[str, dt.date]:
    """A unique valid ID per index: area × birth date (a permutation of 29,200 days) × sequence."""
    area = AREAS[index % len(AREAS)]
    rest = index // len(AREAS)
    day = (rest // 999 * 7919) % 29_200
    born = dt.date(1940, 1, 1) + dt.timedelta(days=day)
    first17 = f"{area}{born:%Y%m%d}{rest % 999 + 1:03d}"
    return first17 + _check(first17), born


def generate(households: int, villages: list[str]) -> tuple[Path, Path, int]:
    """Write (or reuse) the two CSV files; returns their paths and the person count."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    household_path = BENCH_DIR / f"households_{households}.csv"
    person_path = BENCH_DIR / f"persons_{households}.csv"
    done_marker = BENCH_DIR / f"persons_{households}.count"
    if household_path.exists() and person_path.exists() and done_marker.exists():
        return household_path, person_path, int(done_marker.read_text())
    rng = random.Random(20240601)
    person_index = 0
    with (
        household_path.open("w", newline="", encoding="utf-8") as hf,
        person_path.open("w", newline="", encoding="utf-8") as pf,
    ):
        hw, pw = csv.writer(hf), csv.writer(pf)
        hw.writerow(HOUSEHOLD_HEADERS)
        pw.writerow(PERSON_HEADERS)
        for h in range(households):
            village = villages[h // HOUSEHOLDS_PER_VILLAGE % len(villages)]
            number = f"{village}{h:07d}"
            size = rng.choices(range(1, 8), weights=(8, 18, 22, 24, 16, 8, 4))[0]
            wages = rng.randrange(0, 60_000, 100)
            hw.writerow([
                number, "凤山县", "示范乡", "示范村", village,
                "脱贫户" if rng.random() < 0.3 else "一般农户", "", size, wages,
                rng.randrange(0, 20_000, 50), rng.randrange(0, 2_000), f"{rng.randrange(0, 8000)}.50",
                rng.randrange(0, 5_000), rng.randrange(0, 10_000), "是", "是", "是",
                "是" if rng.random() < 0.97 else "否", "是", rng.choice("AABBBC"),
                f"{rng.randrange(0, 120) / 10}", f"{rng.randrange(0, 50) / 10}", "黄采集", "13812345678",
            ])  # fmt: skip
            for member in range(size):
                id_number, born = _person_id(person_index)
                age = 2024 - born.year
                pw.writerow([
                    f"{number}{member + 1:02d}", number,
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), "居民身份证",
                    id_number, "户主" if member == 0 else rng.choice(RELATIONS), "", "", "壮族",
                    "初中", "非在校生", "", "健康" if rng.random() < 0.85 else "长期慢性病",
                    "普通劳动力" if 16 <= age < 65 else "无劳动力", rng.randrange(0, 13),
                    rng.choice(("县内", "省内县外", "省外", "")), "是", "是" if rng.random() < 0.95 else "否",
                    "是", "否", f"139{person_index % 100_000_000:08d}",
                ])  # fmt: skip
                person_index += 1
    done_marker.write_text(str(person_index))
    return household_path, person_path, person_index


def _slice(path: Path, rows: int, target: Path) -> Path:
    with (
        path.open(encoding="utf-8", newline="") as source,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        for index, line in enumerate(source):
            if index > rows:
                break
            out.write(line)
    return target


def _baseline(household_csv: Path, person_csv: Path, persons: int) -> float:
    """django-import-export on the slice: persons per second (households imported first)."""
    import tablib
    from import_export import fields, resources, widgets

    from bangfu.households import idcards
    from bangfu.households.models import Household, Person
    from bangfu.households.pii import id_token
    from bangfu.households.services import compute_incomes

    class HouseholdResource(resources.ModelResource):  # type: ignore[type-arg]
        number = fields.Field(attribute="number", column_name="户编号")
        village = fields.Field(attribute="village_id", column_name="村编码")
        household_size = fields.Field(attribute="household_size", column_name="家庭人口数")
        wage_income = fields.Field(
            attribute="wage_income", column_name="工资性收入", widget=widgets.DecimalWidget()
        )
        transfer_income = fields.Field(
            attribute="transfer_income", column_name="转移性收入", widget=widgets.DecimalWidget()
        )

        class Meta:
            model = Household
            import_id_fields = ("number",)
            fields = ("number", "village", "household_size", "wage_income", "transfer_income")

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.household_type = (
                "ordinary" if row["户类型"] == "一般农户" else "poverty_exited"
            )
            instance.income_year = 2023
            instance.net_income, instance.per_capita_net_income = compute_incomes(
                components={
                    k: getattr(instance, k) or 0
                    for k in (
                        "wage_income",
                        "business_income",
                        "property_income",
                        "transfer_income",
                        "business_costs",
                    )
                },
                household_size=int(instance.household_size),
            )

    class PersonResource(resources.ModelResource):  # type: ignore[type-arg]
        number = fields.Field(attribute="number", column_name="人编号")
        household = fields.Field(
            attribute="household",
            column_name="户编号",
            widget=widgets.ForeignKeyWidget(Household, "number"),
        )
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="证件号码")
        months_worked_away = fields.Field(
            attribute="months_worked_away", column_name="务工时间(月)"
        )

        class Meta:
            model = Person
            import_id_fields = ("number",)
            fields = ("number", "household", "name", "id_number", "months_worked_away")

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            parsed = idcards.parse_id(str(instance.id_number))
            instance.id_token = id_token(parsed.canonical)
            instance.id_type, instance.sex, instance.birth_date = (
                parsed.id_type,
                parsed.sex,
                parsed.birth_date,
            )
            instance.relation = "head" if row["与户主关系"] == "户主" else "other"
            instance.labour_skill = "ordinary"
            instance.phone = row["联系电话"]

    households = tablib.Dataset().load(household_csv.read_text(encoding="utf-8"), format="csv")
    people = tablib.Dataset().load(person_csv.read_text(encoding="utf-8"), format="csv")
    started = time.perf_counter()
    result = HouseholdResource().import_data(households, dry_run=False, use_transactions=True)
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError("django-import-export refused the households slice")
    result = PersonResource().import_data(people, dry_run=False, use_transactions=True)
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError("django-import-export refused the persons slice")
    elapsed = time.perf_counter() - started
    Person.objects.all().delete()
    Household.objects.all().delete()
    return persons / elapsed


SAMPLE_SECONDS = 2.0


class MemorySampler:
    """The largest proportional set size (PSS) of this process and its children together, read
    from /proc every two seconds: the memory the import really holds, pages shared between the
    main process and its forked workers counted once. Reading smaps_rollup walks the page
    tables (tens of milliseconds for a 1.6 GB process): every half second, that took 5 % of
    a core from the import it measures. The memory held grows steadily (the duplicate sets)
    and stays at its largest while the indexes are rebuilt, so the peak is not missed."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _pss_kb(pid: int) -> int:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
        return 0

    def sample(self) -> None:
        pids = [os.getpid()]
        for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
            try:
                pids += [int(pid) for pid in children.read_text().split()]
            except OSError:
                continue
        self.peak_kb = max(self.peak_kb, sum(self._pss_kb(pid) for pid in pids))

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.sample()

    def __enter__(self) -> MemorySampler:
        if Path("/proc/self/smaps_rollup").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


def child(households: int, slice_persons: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bangfu.accounts.scopes import SYSTEM
    from bangfu.core import jobs
    from bangfu.core.testing import get_region
    from bangfu.households.generator import ensure_villages
    from bangfu.households.importing import jobs as import_jobs
    from bangfu.households.importing.engine import Source
    from bangfu.households.models import Household, Person

    Person.objects.all().delete()
    Household.objects.all().delete()
    villages = ensure_villages(get_region(COUNTY), max(1, households // HOUSEHOLDS_PER_VILLAGE))
    started = time.perf_counter()
    household_csv, person_csv, persons = generate(households, villages)
    print(
        f"files: {persons:,} persons in {household_csv.parent} ({time.perf_counter() - started:.0f} s)"
    )
    if os.environ.get("BANGFU_BENCH_FILES_ONLY"):
        return

    person_slice = _slice(person_csv, slice_persons, BENCH_DIR / "slice_persons.csv")
    last_household = ""
    with person_slice.open(encoding="utf-8") as handle:
        for line in handle:
            last_household = line.split(",", 2)[1]
    household_rows = 0
    with household_csv.open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if line.startswith(last_household):
                household_rows = index
                break
    household_slice = _slice(household_csv, household_rows, BENCH_DIR / "slice_households.csv")
    baseline = (
        _baseline(household_slice, person_slice, min(slice_persons, persons))
        if slice_persons
        else 0.0
    )

    job = import_jobs.import_queue(actor=SYSTEM, files=[], enqueue=False, income_year=2023)
    jobs.job_start(job=job)
    sources = [
        Source(filename=household_csv.name, path=household_csv, table="household"),
        Source(filename=person_csv.name, path=person_csv, table="person"),
    ]
    profile = os.environ.get("BANGFU_BENCH_PROFILE")
    if os.environ.get("BANGFU_BENCH_INLINE"):  # no worker processes (to profile everything)
        from bangfu.households.importing import engine

        engine.POOL_MIN_ROWS = 1 << 62
    started = time.perf_counter()
    cpu_started = time.process_time()
    children_cpu_before = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
    with MemorySampler() as memory:
        if profile:  # CPU time of the main process (workers are not profiled)
            import cProfile

            profiler = cProfile.Profile(time.process_time)
            profiler.runcall(import_jobs.run, job, sources)
            profiler.dump_stats(profile)
        else:
            import_jobs.run(job, sources)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    job.refresh_from_db()
    assert job.status == "succeeded", job.summary
    assert Person.objects.count() == persons
    throughput = persons / elapsed
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The worker processes have ended and been waited for: RUSAGE_CHILDREN is the largest one.
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    workers_cpu = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]) - children_cpu_before
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"database: {django.db.connection.vendor}; {households:,} households, {persons:,} persons"
    )
    print(
        f"import throughput: {throughput:,.0f} persons/s ({elapsed:.1f} s wall; CPU {cpu:.1f} s main"
        f" + {workers_cpu:.1f} s workers)   target ≥ 20,000 persons/s"
    )
    phases = ", ".join(f"{name} {value:.1f} s" for name, value in job.summary["seconds"].items())
    print(f"main process: {phases}")
    if memory.peak_kb:
        print(
            f"peak memory: {memory.peak_kb / 1024:,.0f} MB (main process and workers, PSS sampled"
            f" every {SAMPLE_SECONDS:g} s; peak RSS main {own_mb:,.0f} MB, largest worker {worker_mb:,.0f} MB)"
            "   target < 2,048 MB"
        )
    else:
        print(
            f"peak memory: ≤ {own_mb + 2 * worker_mb:,.0f} MB (peak RSS main {own_mb:,.0f} MB + 2 workers"
            f" ≤ {worker_mb:,.0f} MB each, shared pages counted twice)   target < 2,048 MB"
        )
    if baseline:
        print(f"django-import-export ({slice_persons:,}-person slice): {baseline:,.0f} persons/s")
        print(f"ratio: {throughput / baseline:.1f}×   target ≥ 20×")
    else:
        print("django-import-export: skipped (--slice 0)")
    print(f"load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} cores")
    peak_mb = memory.peak_kb / 1024 if memory.peak_kb else own_mb + 2 * worker_mb
    missed = [
        name
        for name, ok in (
            ("throughput", throughput >= 20_000),
            ("memory", peak_mb < 2048),
            ("ratio", not baseline or throughput / baseline >= 20),
        )
        if not ok
    ]
    if missed:
        print(f"targets missed: {', '.join(missed)}")
        sys.exit(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--households", type=int, default=int(os.environ.get("BANGFU_BENCH_HOUSEHOLDS", 1_000_000))
    )
    parser.add_argument("--slice", type=int, default=20_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.child:
        child(args.households, args.slice)
        return 0
    print("== households import ==")
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    # A database of this run's own (two runs at once must not delete each other's), removed
    # afterwards: at a million households it takes a few GB.
    scratch = []
    if not env.get("DATABASE_URL"):
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        database = BENCH_DIR / f"import-{os.getpid()}.sqlite3"
        scratch = [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm")]
        env["DATABASE_URL"] = f"sqlite:///{database}"
    try:
        process = subprocess.run(
            [sys.executable, "-m", "bench.import_bench", "--child", "--households", str(args.households), "--slice", str(args.slice)],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
    finally:
        for path in scratch:
            path.unlink(missing_ok=True)
    return 1 if process.returncode else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
