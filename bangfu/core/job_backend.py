"""A django-tasks backend for stored jobs when django-tasks-db is not installed.

The queued Job row is the queue entry: `enqueue` accepts `run_job_task` only and returns at
once, and `bangfu manage job_worker` runs queued jobs (bangfu.core.jobs.work).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.utils import get_random_id


class JobQueueBackend(BaseTaskBackend):
    """Accepts `run_job_task` only: the queued Job row is the queue entry, run by job_worker."""

    supports_defer = False
    supports_async_task = False
    supports_get_result = False

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult[Any]:
        self.validate_task(task)
        from bangfu.core.jobs import run_job_task

        if task.func is not run_job_task.func:
            raise ValueError("JobQueueBackend runs stored jobs only (run_job_task).")
        now = timezone.now()
        return TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=now,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
