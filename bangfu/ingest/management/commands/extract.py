"""`bangfu extract FILE... [--format json|table] [--jobs N]`: propose figures and pairings from
reports.

The work is in bangfu.ingest.batch, which `bangfu extract` usually runs on a light start
(without Django's set-up); this command is the full path (`bangfu manage extract`, --help,
errors reported in the user's language).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.ingest import batch
from bangfu.ingest.batch import as_json, as_table, auto_jobs, document_json, render_one
from bangfu.ingest.extract import get_extractor

__all__ = ["Command", "as_json", "as_table", "auto_jobs", "document_json", "render_one"]


class Command(BaseCommand):
    help = "Read reports (.txt, .docx, .pdf, .html) and print the figures and pairings they state."
    # Reading files needs no models, URLs or admin: skipping the system checks spares the
    # start-up the import of every view and serializer.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        batch.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] = options["files"]
        fmt: str = options["format"]
        jobs = options["jobs"] or auto_jobs(len(names))
        parts = []
        for name, rendered, error in batch.render_all(get_extractor(), names, fmt, jobs):
            if error is not None:
                raise CommandError(f"{name}: {error}")
            parts.append(rendered)
        for chunk in batch.rendered_output(parts, fmt):
            self.stdout.write(chunk, ending="")
