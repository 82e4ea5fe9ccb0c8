"""Imports as stored jobs: upload → queued Job → background run → summary and messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import SYSTEM, require_role
from bangfu.core import jobs
from bangfu.core.errors import ImportRefused
from bangfu.core.models import Job
from bangfu.households.importing.engine import Importer, Source

KIND = "households.import"
RUNNER = "bangfu.households.importing.jobs.run"


def default_income_year() -> int:
    return dt.date.today().year - 1


@transaction.atomic
def import_queue(
    *,
    actor: Any,
    files: Sequence[tuple[str, bytes]],
    table: str | None = None,
    overrides: dict[str, Any] | None = None,
    income_year: int | None = None,
    enqueue: bool = True,
) -> Job:
    """Store the uploaded files and queue their import; the files are deleted after the run."""
    require_role(actor, Role.DATA_ENTRY)
    stored = []
    for filename, data in files:
        name = default_storage.save(f"imports/{Path(filename).name}", ContentFile(data))
        stored.append({"storage": name, "filename": Path(filename).name, "table": table})
    job = jobs.job_create(
        actor=actor,
        kind=KIND,
        runner=RUNNER,
        file_name=", ".join(str(f["filename"]) for f in stored),
        params={
            "files": stored,
            "overrides": overrides or {},
            "income_year": income_year or default_income_year(),
        },
    )
    if enqueue:
        jobs.job_enqueue(job)
    return job


def _source(entry: dict[str, Any]) -> Source:
    try:
        path = Path(default_storage.path(entry["storage"]))
    except NotImplementedError:
        path = None
    if path is not None and path.is_file():
        return Source(filename=entry["filename"], path=path, table=entry.get("table"))
    # Storages without local files (in memory in tests, object stores).
    with default_storage.open(entry["storage"]) as handle:
        data = handle.read()
    return Source(filename=entry["filename"], data=data, table=entry.get("table"))


def _actor(job: Job) -> Any:
    return job.created_by if job.created_by_id else SYSTEM


def run(job: Job, sources: Sequence[Source] | None = None, progress: Any = None) -> None:
    """The job's runner: import, then record the outcome on the job."""
    params = job.params
    sources = list(sources) if sources is not None else [_source(e) for e in params["files"]]

    def report(done: int, total: int) -> None:
        jobs.job_progress(job=job, done=done, total=total)
        if progress is not None:
            progress(done, total)

    try:
        importer = Importer(
            actor=_actor(job),
            overrides=params.get("overrides") or {},
            income_year=int(params.get("income_year") or default_income_year()),
            progress=report,
        )
        summary = importer.run(sources, job=job)
    except ImportRefused as refused:
        count = getattr(locals().get("importer"), "error_count", len(refused.errors))
        jobs.job_finish(
            job=job, succeeded=False, summary={"refused": count}, messages=refused.errors
        )
    else:
        jobs.job_finish(
            job=job,
            succeeded=True,
            summary={"files": summary.files, "seconds": summary.seconds},
        )
    finally:
        for entry in params.get("files", []):
            default_storage.delete(entry["storage"])
