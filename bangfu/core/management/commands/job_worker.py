"""`bangfu manage job_worker`: run queued background jobs (imports) until stopped."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from bangfu.core import jobs


class Command(BaseCommand):
    help = "Run queued background jobs, oldest first (use when django-tasks-db is not installed)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Stop when the queue is empty.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between polls (default 2)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ran = jobs.work(once=options["once"], interval=options["interval"])
        self.stdout.write(f"{ran} job(s) run.")
