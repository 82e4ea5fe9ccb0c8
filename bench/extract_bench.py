"""Extraction benchmark: reports per second through `bangfu extract` (target: at least 200).

Two figures:
- in process: the extractor over ~1,000 reports (the sample reports repeated), including the
  JSON the command prints: the steady rate of a long-running worker;
- end to end: one `bangfu extract --format json` subprocess over the same files written to
  var/bench/extract/, start-up (Django, OpenCC, the gazetteer) included.

The sample reports are read from ../shared/seeds (or BANGFU_EXTRACT_SAMPLES); without them a
generated report stands in. Nothing of them is stored in the repository.

    python -m bench.extract_bench [--documents 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench" / "extract"
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


def in_process(texts: list[str]) -> tuple[float, float]:
    """(wall-clock rate, CPU-time rate): on a shared machine the second shows the code's own
    speed when other processes compete for the cores."""
    from bangfu.ingest.extract import get_extractor
    from bangfu.ingest.management.commands.extract import as_json

    extractor = get_extractor()
    extractor.extract_text(texts[0])  # warm the caches once, as a worker would be
    started, cpu_started = time.perf_counter(), time.process_time()
    documents = [
        (f"doc{i}.txt", extractor.extract_text(text, with_parties=False))
        for i, text in enumerate(texts)
    ]
    json.dumps(as_json(documents), ensure_ascii=False)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return len(texts) / wall, len(texts) / cpu


def end_to_end(texts: list[str]) -> float:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(texts):
        path = BENCH_DIR / f"report_{i:04d}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    command = [str(ROOT / ".venv" / "bin" / "bangfu"), "extract", "--format", "json", *paths]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    count = len(json.loads(done.stdout)["documents"])
    return count / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    args = parser.parse_args(argv if argv is not None else [])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    samples = _samples()
    texts = [samples[i % len(samples)] for i in range(args.documents)]
    steady, cpu = in_process(texts)
    whole = end_to_end(texts)
    print(f"reports: {len(texts)} ({len(samples)} distinct, {sum(map(len, texts)):,} characters)")
    print(f"in process:  {steady:8.1f} reports/s   target ≥ {TARGET_PER_SECOND:.0f}")
    print(f"  (CPU time: {cpu:8.1f} reports per CPU-second; load {os.getloadavg()[0]:.1f})")
    print(f"end to end:  {whole:8.1f} reports/s   target ≥ {TARGET_PER_SECOND:.0f}")
    return 0 if min(steady, whole) >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
