"""`bangfu extract`'s work: read files, extract, render JSON or a table, in worker processes.

This module needs neither Django's app registry nor its ORM, so the command line can run it on a
light start (`run_light`): the settings are read, the regions are read from the database with
its driver (sqlite3 or psycopg, read-only), and Django's full set-up (models, admin, checks; about
a second when no bytecode is cached) is skipped. Anything the light start does not handle (an
unreadable file whose message must be translated, another database engine, options of Django's
own such as --settings or --help) goes through the management command instead, which uses the
same functions.

The extractor (gazetteer scan) is built once. A long batch is split between worker processes
forked after that, so they share it; results come back in the order the files were given, so the
output does not depend on the number of workers.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import IO, Any

from bangfu.ingest.extract import Extraction, Extractor

# Below this many files a second process costs more than it saves.
POOL_THRESHOLD = 64
MAX_AUTO_JOBS = 2
# The regions table and the columns the gazetteer is built from (a test checks them against
# the Region model).
REGIONS_SQL = "SELECT code, name, level FROM regions_region"
# OPTIONS keys of Django's PostgreSQL backend that are not libpq connection parameters.
_DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "pool", "assume_role"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
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
    if "django.db" in sys.modules:  # no database connection is shared with the workers
        from django.db import connections

        connections.close_all()
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
    from bangfu.core.errors import ValidationFailed
    from bangfu.ingest.readers import read_path

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


def rendered_output(parts: list[str], fmt: str) -> list[str]:
    """What the command prints, one string per write (each ends with a newline)."""
    if fmt == "json":
        return ['{"documents": [' + ", ".join(parts) + "]}\n"]
    return [part if part.endswith("\n") else part + "\n" for part in parts]


# ---------------------------------------------------------------------------------------------
# Light start


class NeedsDjango(Exception):
    """The light start cannot do this; run the management command instead."""


def region_rows(database: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
    """The regions (code, name, level) of the database (settings.DATABASES["default"] unless
    given) read with the engine's own driver, without Django's ORM; [] when the database has no
    regions table yet. Raises NeedsDjango for what only Django can connect to."""
    if database is None:
        from django.conf import settings

        database = settings.DATABASES["default"]
    engine = str(database.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        return _sqlite_rows(database)
    if engine.endswith(("postgresql", "postgis")):
        return _postgres_rows(database)
    raise NeedsDjango(f"database engine {engine}")


def _sqlite_rows(database: dict[str, Any]) -> list[tuple[str, str, str]]:
    import sqlite3

    name = str(database.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or not Path(name).is_file():
        return []
    with closing(sqlite3.connect(f"{Path(name).resolve().as_uri()}?mode=ro", uri=True)) as db:
        try:
            return [(str(c), str(n), str(lv)) for c, n, lv in db.execute(REGIONS_SQL)]
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return []
            raise NeedsDjango(str(error)) from error


def _postgres_rows(database: dict[str, Any]) -> list[tuple[str, str, str]]:
    try:
        import psycopg
        from psycopg.conninfo import make_conninfo

        params = {
            "dbname": database.get("NAME"),
            "user": database.get("USER"),
            "password": database.get("PASSWORD"),
            "host": database.get("HOST"),
            "port": database.get("PORT"),
            **{
                k: v
                for k, v in (database.get("OPTIONS") or {}).items()
                if k not in _DJANGO_ONLY_OPTIONS
            },
        }
        conninfo = make_conninfo(**{k: str(v) for k, v in params.items() if v})
        with psycopg.connect(conninfo) as db, db.cursor() as cursor:
            cursor.execute("SELECT to_regclass('regions_region') IS NOT NULL")  # migrated?
            row = cursor.fetchone()
            if not row or not row[0]:
                return []
            cursor.execute(REGIONS_SQL)
            return [(str(c), str(n), str(lv)) for c, n, lv in cursor.fetchall()]
    except Exception as error:  # let Django connect and report it in its own words
        raise NeedsDjango(str(error)) from error


def light_extractor() -> Extractor:
    from bangfu.ingest.extract import extractor_for_rows

    return extractor_for_rows(region_rows())


def run_light(argv: list[str], stdout: IO[str] | None = None) -> int | None:
    """`bangfu extract ARGS` on the light start; None when the management command must run it
    (nothing has been printed then)."""
    parser = argparse.ArgumentParser(prog="bangfu extract", add_help=False)
    add_arguments(parser)
    if any(arg in ("-h", "--help") for arg in argv):
        return None
    try:
        options, unknown = parser.parse_known_args(argv)
    except SystemExit:  # a usage error: let Django's parser say it
        return None
    if unknown:
        return None
    try:
        extractor = light_extractor()
    except NeedsDjango:
        return None
    names: list[str] = options.files
    fmt: str = options.format
    parts = []
    for _name, rendered, error in render_all(
        extractor, names, fmt, options.jobs or auto_jobs(len(names))
    ):
        if error is not None:
            return None  # the command reports it (translated) and exits with its status
        parts.append(rendered)
    out = stdout or sys.stdout
    for chunk in rendered_output(parts, fmt):
        out.write(chunk)
    out.flush()
    return 0
