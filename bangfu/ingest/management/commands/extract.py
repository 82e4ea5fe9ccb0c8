"""`bangfu extract FILE... [--format json|table] [--jobs N]`: propose figures and pairings from
reports.

The extractor (gazetteer scan, OpenCC) is built once. A long batch is split between worker
processes forked after that, so they share it; results come back in the order the files were
given, so the output does not depend on the number of workers.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from argparse import ArgumentParser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from bangfu.core.errors import ValidationFailed
from bangfu.ingest.extract import Extraction, Extractor, get_extractor
from bangfu.ingest.readers import read_path

# Below this many files a second process costs more than it saves.
POOL_THRESHOLD = 64
MAX_AUTO_JOBS = 2


class Command(BaseCommand):
    help = "Read reports (.txt, .docx, .pdf, .html) and print the figures and pairings they state."
    # Reading files needs no models, URLs or admin: skipping the system checks spares the
    # start-up the import of every view and serializer.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="report files to read")
        parser.add_argument(
            "--format",
            choices=("json", "table"),
            default="table",
            help="json (machine-readable) or table (default)",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=0,
            help=(
                f"worker processes (default: up to {MAX_AUTO_JOBS}, one per available CPU, "
                f"for {POOL_THRESHOLD} files or more); the output is the same for any number"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] = options["files"]
        fmt: str = options["format"]
        jobs = options["jobs"] or auto_jobs(len(names))
        parts = []
        for name, rendered, error in render_all(get_extractor(), names, fmt, jobs):
            if error is not None:
                raise CommandError(f"{name}: {error}")
            parts.append(rendered)
        if fmt == "json":
            self.stdout.write('{"documents": [' + ", ".join(parts) + "]}")
        else:
            for rendered in parts:
                self.stdout.write(rendered)


def auto_jobs(files: int) -> int:
    if files < POOL_THRESHOLD:
        return 1
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        available = os.cpu_count() or 1
    return max(1, min(MAX_AUTO_JOBS, available))


# Per document: (file name, rendered text, error or None).
Rendered = tuple[str, str, str | None]

# The extractor a forked worker inherits from the parent (set just before the fork).
_worker_extractor: Extractor | None = None
_worker_format = "json"


def render_all(extractor: Extractor, names: list[str], fmt: str, jobs: int) -> Iterator[Rendered]:
    """Each file read, extracted and rendered, in the order given (stops at the first error)."""
    if jobs <= 1 or len(names) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for name in names:
            yield render_one(extractor, name, fmt)
        return
    global _worker_extractor, _worker_format
    _worker_extractor, _worker_format = extractor, fmt
    connections.close_all()  # no database connection is shared with the workers
    chunk = max(1, min(32, len(names) // (jobs * 8)))
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from pool.imap(_render_in_worker, names, chunksize=chunk)
    finally:
        _worker_extractor = None


def _render_in_worker(name: str) -> Rendered:
    assert _worker_extractor is not None
    return render_one(_worker_extractor, name, _worker_format)


def render_one(extractor: Extractor, name: str, fmt: str) -> Rendered:
    path = Path(name)
    if not path.is_file():
        return name, "", "no such file"
    try:
        text = read_path(path)
    except ValidationFailed as error:
        return name, "", str(error)
    extraction = extractor.extract_text(text, with_parties=False)
    if fmt == "json":
        return name, json.dumps(document_json(name, extraction), ensure_ascii=False), None
    return name, as_table(name, extraction), None


def document_json(name: str, extraction: Extraction) -> dict[str, Any]:
    return {
        "source": name,
        "quantities": [q.as_json() for q in extraction.quantities],
        "pairings": [p.as_json() for p in extraction.pairings],
    }


def as_json(documents: list[tuple[str, Extraction]]) -> dict[str, Any]:
    return {"documents": [document_json(name, extraction) for name, extraction in documents]}


def as_table(name: str, extraction: Extraction) -> str:
    lines = [f"== {name}"]
    if extraction.report_date:
        lines.append(f"report date: {extraction.report_date.isoformat()}")
    lines.append(
        f"{'text':<16} {'value':>16} {'unit':<12} {'qualifier':<9} {'indicator':<30} period"
    )
    for q in extraction.quantities:
        period = q.period["text"] if q.period else ""
        flags = (" target" if q.is_target else "") + (" each" if q.each else "")
        unit = q.unit + (f"({q.measure})" if q.measure else "")
        lines.append(
            f"{q.text.replace(chr(10), ' '):<16} {q.value.normalize():>16f} {unit:<12} "
            f"{q.qualifier:<9} {q.indicator or '-':<30} {period}{flags}"
        )
    lines.append("pairings:")
    for p in extraction.pairings:
        lines.append(
            f"  {p.donor} ({p.donor_code or '?'}) → {p.recipient} ({p.recipient_code or '?'})"
        )
    return "\n".join(lines) + "\n"
