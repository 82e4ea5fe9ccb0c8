"""Spreadsheet imports of funds, projects and indicators as stored jobs.

The import page queues them like the household import: the file is stored, a Job row is
queued, the job worker (or the immediate backend in tests) runs the owning app's importer as
the uploading user, and the outcome — rows written, or every refused row with file, row,
column and reason — is recorded on the job. The importers are all or nothing, so a refused
file writes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import SYSTEM, require_role
from bangfu.core import jobs
from bangfu.core.errors import ImportRefused
from bangfu.core.models import Job

RUNNER = "bangfu.ingest.import_jobs.run"
KIND_PREFIX = "spreadsheet."


class SheetKind(models.TextChoices):
    FUND_FLOWS = "fund_flows", _("fund flows (资金)")
    PROJECTS = "projects", _("projects (项目)")
    INDICATOR_VALUES = "indicator_values", _("indicator figures (指标数值)")
    INDICATOR_TARGETS = "indicator_targets", _("indicator targets (目标任务)")


def _importer(kind: str) -> Callable[..., Any]:
    if kind == SheetKind.FUND_FLOWS:
        from bangfu.funds.imports import fund_flows_import

        return fund_flows_import
    if kind == SheetKind.PROJECTS:
        from bangfu.projects.spreadsheets import projects_import

        return projects_import
    from bangfu.indicators import io

    return io.values_import if kind == SheetKind.INDICATOR_VALUES else io.targets_import


def template(kind: str) -> bytes:
    """An empty file of the kind, with its headers, drop-down lists and notes."""
    if kind == SheetKind.FUND_FLOWS:
        from bangfu.funds.exports import fund_flows_template

        return fund_flows_template()
    if kind == SheetKind.PROJECTS:
        from bangfu.projects.spreadsheets import projects_template

        return projects_template()
    from bangfu.indicators import io

    return io.values_template() if kind == SheetKind.INDICATOR_VALUES else io.targets_template()


def is_sheet_job(job: Job) -> bool:
    return job.kind.startswith(KIND_PREFIX)


@transaction.atomic
def sheet_import_queue(
    *, actor: Any, kind: str, filename: str, data: bytes, enqueue: bool = True
) -> Job:
    """Store the uploaded file and queue its import; the file is deleted after the run."""
    require_role(actor, Role.DATA_ENTRY)
    if kind not in SheetKind.values:
        raise ValueError(f"Unknown spreadsheet kind {kind!r}")
    name = Path(filename).name
    stored = default_storage.save(f"imports/{name}", ContentFile(data))
    job = jobs.job_create(
        actor=actor,
        kind=KIND_PREFIX + kind,
        runner=RUNNER,
        file_name=name,
        params={"storage": stored, "filename": name, "sheet": kind},
    )
    if enqueue:
        jobs.job_enqueue(job)
    return job


def _summary(result: Any) -> dict[str, Any]:
    if isinstance(result, int):
        return {"rows": result}
    fields = dataclasses.asdict(result)
    fields["rows"] = sum(v for k, v in fields.items() if isinstance(v, int))
    return fields


def run(job: Job) -> None:
    """The job's runner: import the stored file as its uploader, record the outcome."""
    params = job.params
    actor = job.created_by if job.created_by_id else SYSTEM
    try:
        with default_storage.open(params["storage"]) as handle:
            data = handle.read()
        jobs.job_progress(job=job, done=0, total=1, phase="checking")
        try:
            result = _importer(params["sheet"])(
                actor=actor, source=data, filename=params["filename"]
            )
        except ImportRefused as refused:
            jobs.job_finish(
                job=job,
                succeeded=False,
                summary={"refused": len(refused.errors)},
                messages=refused.errors,
            )
        else:
            jobs.job_finish(job=job, succeeded=True, summary=_summary(result))
    finally:
        default_storage.delete(params["storage"])
