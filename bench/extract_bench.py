"""Extraction benchmark: reports per second through `bangfu extract` (target: at least 200).

Figures, each printed next to its target:
- in process: the command's work for each file (read, extract, JSON) over ~1,000 reports with
  the extractor already built: the steady rate of one long-running worker, by the wall clock
  and per CPU-second (on a shared machine the CPU figure is the code's own speed);
- start-up: `bangfu extract` over one report (settings, the regions, the gazetteer scan; the
  command starts without Django's set-up, see bangfu.ingest.batch): the fixed cost of each run;
- end to end: one `bangfu extract --format json` run over the same ~1,000 files, start-up and
  worker processes included; CPU-seconds are the command's and its workers'.

The load average is printed with the figures: with other processes on the machine's two cores
the wall-clock rates fall while the CPU figures hold. When PYTHONDONTWRITEBYTECODE is set (and no
bytecode is cached), every run compiles Django from source; `--pycache` gives the command a
bytecode cache under var/bench/pycache, as an installed package would have.

The sample reports are read from ../shared/seeds (or BANGFU_EXTRACT_SAMPLES); without them a
generated report stands in. Nothing of them is stored in the repository.

    python -m bench.extract_bench [--documents 1000] [--jobs N] [--pycache]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench" / "extract"
PYCACHE_DIR = ROOT / "var" / "bench" / "pycache"
TARGET_PER_SECOND = 200.0


def _samples() -> list[str]:
    folder = Path(os.environ.get("BANGFU_EXTRACT_SAMPLES", ROOT.parent / "shared" / "seeds"))
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    return texts or [_generated()]


def _generated() -> str:
    lines = ["2021-06-30 10:00 某区融媒", "某区对口帮扶凤山县工作会议召开。"]
    for i in range(40):
        lines.append(
            f"第{i + 1}项:2020年投入帮扶资金{120 + i}.5万元,实施项目{i + 3}个,"
            f"培训劳动力{300 + i}人次,帮助{40 + i}户{150 + i}人脱贫,完成率{90 + i % 10}%。"
        )
    return "\n".join(lines)


def _write_files(texts: list[str]) -> list[str]:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(texts):
        path = BENCH_DIR / f"report_{i:04d}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


class Run:
    """Wall-clock and CPU seconds of one measured step."""

    def __init__(self, reports: int, wall: float, cpu: float) -> None:
        self.reports, self.wall, self.cpu = reports, wall, cpu

    @property
    def rate(self) -> float:
        return self.reports / self.wall

    @property
    def cpu_rate(self) -> float:
        return self.reports / self.cpu


def in_process(paths: list[str]) -> Run:
    """The command's per-file work (read, extract, render JSON), extractor built beforehand."""
    from bangfu.ingest.batch import render_one
    from bangfu.ingest.extract import get_extractor

    extractor = get_extractor()
    render_one(extractor, paths[0], "json")  # warm the caches once, as a worker would be
    started, cpu_started = time.perf_counter(), time.process_time()
    parts = [render_one(extractor, path, "json")[1] for path in paths]
    output = '{"documents": [' + ", ".join(parts) + "]}"  # as the command prints it
    assert output.count('"source"') == len(paths)
    return Run(len(paths), time.perf_counter() - started, time.process_time() - cpu_started)


def command(paths: list[str], jobs: int, pycache: bool) -> Run:
    """One `bangfu extract --format json` subprocess; CPU time includes its workers."""
    argv = [str(ROOT / ".venv" / "bin" / "bangfu"), "extract", "--format", "json"]
    if jobs:
        argv += ["--jobs", str(jobs)]
    env = dict(os.environ)
    if pycache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_DIR)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*argv, *paths], capture_output=True, check=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    count = len(json.loads(done.stdout)["documents"])
    assert count == len(paths), f"{count} documents in the output for {len(paths)} files"
    return Run(count, wall, cpu)


def _django_compiled() -> bool:
    """Whether Django's ORM has cached bytecode (written by some earlier run without
    PYTHONDONTWRITEBYTECODE), so a run does not compile it from source."""
    import importlib.util

    import django.db.models

    source = django.db.models.__file__ or ""
    return bool(source) and Path(importlib.util.cache_from_source(source)).exists()


def _verdict(value: float) -> str:
    return "met" if value >= TARGET_PER_SECOND else "NOT met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=0, help="bangfu extract --jobs (0: its own)")
    parser.add_argument("--pycache", action="store_true", help="give the command a bytecode cache")
    args = parser.parse_args(argv if argv is not None else [])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from bangfu.ingest.batch import auto_jobs

    samples = _samples()
    texts = [samples[i % len(samples)] for i in range(args.documents)]
    paths = _write_files(texts)
    jobs = args.jobs or auto_jobs(len(paths))
    if args.pycache:
        command(paths[:1], 1, True)  # fill the bytecode cache first

    steady = in_process(paths)
    startup = command(paths[:1], 1, args.pycache)
    whole = command(paths, args.jobs, args.pycache)

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    no_bytecode = (
        os.environ.get("PYTHONDONTWRITEBYTECODE") and not args.pycache and not _django_compiled()
    )
    target = f"target ≥ {TARGET_PER_SECOND:.0f}"
    print(f"reports: {len(texts)} files ({len(samples)} distinct, {sum(map(len, texts)):,} chars)")
    print(f"machine: {cpus} CPUs, load average {load} (wall-clock rates fall when it exceeds CPUs)")
    print(f"in process   {steady.rate:7.1f} reports/s wall      {target}: {_verdict(steady.rate)}")
    print(
        f"             {steady.cpu_rate:7.1f} reports/CPU-s      {target}: "
        f"{_verdict(steady.cpu_rate)}  ({steady.cpu:.2f} CPU-s, "
        f"{1000 * steady.cpu / steady.reports:.2f} ms per report)"
    )
    print(
        f"start-up     {startup.wall:7.2f} s wall, {startup.cpu:.2f} CPU-s  "
        f"(bangfu extract over 1 file{'' if args.pycache else ', as this shell runs it'})"
    )
    print(
        f"end to end   {whole.rate:7.1f} reports/s wall      {target}: {_verdict(whole.rate)}"
        f"  (bangfu extract over {whole.reports} files, {jobs} worker(s), {whole.wall:.2f} s)"
    )
    print(
        f"             {whole.cpu_rate:7.1f} reports/CPU-s      {target}: "
        f"{_verdict(whole.cpu_rate)}  ({whole.cpu:.2f} CPU-s in all, start-up included)"
    )
    # What the same CPU work would take with both CPUs free: start-up, then the files shared
    # between the workers (an estimate from the CPU figures, not a measurement).
    free = whole.reports / (startup.cpu + (whole.cpu - startup.cpu) / max(1, jobs))
    print(
        f"estimate     {free:7.1f} reports/s wall with the {cpus} CPUs free"
        f"  (start-up CPU-s + the rest's CPU-s / {jobs} worker(s))"
    )
    if no_bytecode:
        print(
            "note: PYTHONDONTWRITEBYTECODE is set, so each run compiles Django from source; "
            "--pycache measures with a bytecode cache"
        )
    return 0 if min(steady.rate, whole.rate) >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
