"""Stored jobs: long work with a status, progress and row-level messages, run in the background.

- `job_create` stores a queued job, `job_enqueue` hands it to django-tasks (`run_job_task`),
  `run_job` runs it: status → running, `runner(job)`, then succeeded or failed.
- `job_progress` records progress. Inside the runner's own transaction an update on the same
  connection would stay invisible until commit, so on PostgreSQL progress is written through a
  second connection; SQLite allows one writer at a time, so there progress reaches the row only
  outside the transaction (the CLI's bar gets every update through its callback anyway).
- Backends (settings.TASKS): the immediate backend runs jobs inline (tests); `JobQueueBackend`
  below leaves the queued Job row as the queue entry and `bangfu manage job_worker` runs it.
  django-tasks 0.12 no longer ships its database backend (it moved to the separate
  django-tasks-db package, not installed here); with that package, point TASKS at
  `django_tasks_db.DatabaseBackend` and run its `db_worker` instead, nothing else changes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from bangfu.accounts.scopes import SystemActor, scope_for
from bangfu.core.errors import PermissionDenied, RowError
from bangfu.core.models import AuditAction, Job, JobMessage, JobStatus
from bangfu.core.services import audit_record

logger = logging.getLogger(__name__)

RUNNER_PREFIX = "bangfu."  # runners are project code, never a path taken from user input
MESSAGE_LIMIT = 10_000  # stored messages per job; the summary keeps the full count


# Services --------------------------------------------------------------------------------------


@transaction.atomic
def job_create(
    *,
    actor: Any,
    kind: str,
    runner: str,
    file_name: str = "",
    params: dict[str, Any] | None = None,
) -> Job:
    if not runner.startswith(RUNNER_PREFIX):
        raise ValueError(f"Job runners must live in the project: {runner!r}")
    job = Job.objects.create(
        kind=kind,
        runner=runner,
        file_name=file_name[:255],
        params=params or {},
        created_by_id=None if isinstance(actor, SystemActor) else getattr(actor, "pk", None),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=job,
        after={"kind": kind, "file_name": job.file_name},
    )
    return job


def _side_connection_for(job: Job) -> Any:
    """A second connection for progress written while the runner's transaction is open."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        return None
    if connection.vendor != "postgresql":
        return False  # SQLite: the open write transaction holds the only write lock
    side = getattr(job, "_side_connection", None)
    if side is None:
        side = connections.create_connection(DEFAULT_DB_ALIAS)
        job._side_connection = side  # type: ignore[attr-defined]
    return side


def job_progress(
    *, job: Job, done: int, total: int | None = None, phase: str | None = None
) -> None:
    """Record progress; visible to other connections at once where the database allows it."""
    job.done = max(0, done)
    if total is not None:
        job.total = max(0, total)
    if phase is not None:
        job.phase = phase[:32]
    side = _side_connection_for(job)
    if side is False:
        return
    if side is None:
        Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total, phase=job.phase)
        return
    with side.cursor() as cursor:
        cursor.execute(
            "UPDATE core_job SET done = %s, total = %s, phase = %s WHERE id = %s",
            [job.done, job.total, job.phase, job.pk],
        )


def _close_side(job: Job) -> None:
    side = getattr(job, "_side_connection", None)
    if side is not None:
        side.close()
        job._side_connection = None  # type: ignore[attr-defined]


def job_start(*, job: Job) -> bool:
    """Claim a queued job; False when another worker got it first."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, phase=""
    )
    if claimed:
        job.status, job.started_at = JobStatus.RUNNING, now
    return bool(claimed)


@transaction.atomic
def job_finish(
    *,
    job: Job,
    succeeded: bool,
    summary: dict[str, Any] | None = None,
    messages: Sequence[RowError] = (),
) -> Job:
    """Close the job with its summary and (up to MESSAGE_LIMIT) row-level messages."""
    _close_side(job)
    job.status = JobStatus.SUCCEEDED if succeeded else JobStatus.FAILED
    job.finished_at = timezone.now()
    job.summary = {**(summary or {}), "messages": len(messages)}
    if succeeded and job.total:
        job.done = job.total
    job.phase = ""
    job.save(update_fields=["status", "finished_at", "summary", "done", "total", "phase"])
    JobMessage.objects.bulk_create(
        JobMessage(
            job=job,
            file=m.file[:255],
            row=max(0, m.row),
            column=m.column[:100],
            reason=m.reason,
        )
        for m in messages[:MESSAGE_LIMIT]
    )
    return job


def run_job(job_id: int) -> str:
    """Run a queued job with its runner; the runner raises to fail, or returns a summary."""
    job = Job.objects.get(pk=job_id)
    if not job_start(job=job):
        return job.status
    try:
        runner: Callable[[Job], Any] = import_string(job.runner)
        if not job.runner.startswith(RUNNER_PREFIX):
            raise ValueError("runner outside the project")
        runner(job)
    except Exception:
        # The runner records its own expected failures (refused files) and returns normally;
        # anything else is a bug or an outage: keep the traceback in the log, not in the job.
        logger.exception("Job %s failed", job.pk)
        job.refresh_from_db(fields=["status"])
        if job.status == JobStatus.RUNNING:
            job_finish(job=job, succeeded=False, summary={"error": "unexpected"})
    finally:
        _close_side(job)
    job.refresh_from_db(fields=["status"])
    return job.status


@task()
def run_job_task(job_id: int) -> str:
    return run_job(job_id)


def job_enqueue(job: Job) -> None:
    """Hand the job to the configured task backend once the creating transaction commits."""
    transaction.on_commit(lambda: run_job_task.enqueue(job.pk))


# Selectors -------------------------------------------------------------------------------------


def visible_jobs(user: Any) -> QuerySet[Job]:
    """A user's own jobs; superusers see every job."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Job.objects.all()
    if scope.user_id is None:
        return Job.objects.none()
    return Job.objects.filter(Q(created_by_id=scope.user_id))


def job_get(*, user: Any, pk: int) -> Job:
    job = visible_jobs(user).filter(pk=pk).first()
    if job is None:
        raise PermissionDenied("This job is not yours.")
    return job


def job_messages(job: Job) -> QuerySet[JobMessage]:
    return job.messages.order_by("id")


# The worker without django-tasks-db -------------------------------------------------------------


def queued_job_ids(limit: int = 10) -> Iterable[int]:
    return (
        Job.objects.filter(status=JobStatus.QUEUED)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def work(*, once: bool = False, interval: float = 2.0) -> int:
    """Run queued jobs, oldest first; with `once`, stop when the queue is empty."""
    ran = 0
    while True:
        ids = list(queued_job_ids())
        for job_id in ids:
            run_job(job_id)
            ran += 1
        if not ids:
            if once:
                return ran
            time.sleep(interval)
