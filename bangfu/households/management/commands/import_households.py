"""`bangfu manage import_households FILE...`: import village, household and person tables."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.accounts.scopes import SYSTEM
from bangfu.core import jobs
from bangfu.core.errors import PermissionDenied
from bangfu.core.models import Job, JobStatus
from bangfu.households.importing import jobs as import_jobs
from bangfu.households.importing.engine import Source
from bangfu.households.importing.mapping import TABLES, MappingError, parse_overrides


class Command(BaseCommand):
    help = (
        "Import village, household and person tables (CSV or XLSX with the national system's "
        "headers); a refused file writes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", help="CSV or XLSX files, any order.")
        parser.add_argument(
            "--table", choices=TABLES, help="Table of every file (default: detect)."
        )
        parser.add_argument("--mapping", help="JSON or YAML file overriding column headers.")
        parser.add_argument(
            "--income-year", type=int, help="Year of the incomes (default: last year)."
        )
        parser.add_argument(
            "--user", help="Import as this user (their scope applies); default: the platform."
        )
        parser.add_argument(
            "--sync", action="store_true", help="Run here instead of in the background."
        )
        parser.add_argument(
            "--wait", action="store_true", help="Queue, then follow the job's progress."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor: Any = SYSTEM
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(_("No active user with this name."))
        overrides: dict[str, Any] = {}
        if options["mapping"]:
            path = Path(options["mapping"])
            try:
                overrides = parse_overrides(path.read_text(encoding="utf-8"), path.name)
            except (OSError, ValueError, MappingError) as exc:
                raise CommandError(_("The mapping file could not be used: %s") % exc) from None
        paths = [Path(f) for f in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(_("No such file: %s") % path)
        try:
            if options["sync"]:
                job = self.run_here(actor, paths, options, overrides)
            else:
                job = import_jobs.import_queue(
                    actor=actor,
                    files=[(p.name, p.read_bytes()) for p in paths],
                    table=options["table"],
                    overrides=overrides,
                    income_year=options["income_year"],
                )
                self.stdout.write(_("Import queued as job %d.") % job.pk)
                if not options["wait"]:
                    return
                job = self.follow(job)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.report(job)

    def run_here(
        self, actor: Any, paths: list[Path], options: dict[str, Any], overrides: dict[str, Any]
    ) -> Job:
        job = import_jobs.import_queue(
            actor=actor, files=[], table=options["table"], overrides=overrides,
            income_year=options["income_year"], enqueue=False,
        )  # fmt: skip
        job.file_name = ", ".join(p.name for p in paths)[:255]
        if not jobs.job_start(job=job):
            raise CommandError(_("The job was taken by a worker."))
        sources = [Source(filename=p.name, path=p, table=options["table"]) for p in paths]
        import_jobs.run(job, sources, progress=self.progress)
        job.refresh_from_db()
        return job

    def follow(self, job: Job) -> Job:
        while job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            time.sleep(1)
            job.refresh_from_db()
            self.progress(job.done, job.total)
        return job

    def progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else 0
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        if total and done >= total:
            self.stdout.write("")
        self.stdout.flush()

    def report(self, job: Job) -> None:
        if job.status == JobStatus.SUCCEEDED:
            for name, counts in job.summary.get("files", {}).items():
                self.stdout.write(
                    _(
                        "%(file)s: %(rows)d rows, %(created)d created, %(updated)d updated, "
                        "%(unchanged)d unchanged."
                    )
                    % {"file": name, **counts}
                )
            return
        for message in job.messages.all()[:50]:
            self.stderr.write(
                f"{message.file}, row {message.row}, {message.column}: {message.reason}"
            )
        raise CommandError(
            _("The import was refused (%d problems); nothing was written.")
            % job.summary.get("refused", job.summary.get("messages", 0))
        )
