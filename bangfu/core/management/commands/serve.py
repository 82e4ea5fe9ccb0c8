from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve bangfu with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port to listen on")
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("BANGFU_WORKERS", "3")),
            help="worker processes (default 3, or BANGFU_WORKERS)",
        )
        parser.add_argument("--threads", type=int, default=2, help="threads per worker")

    def handle(self, *args: Any, **options: Any) -> None:
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError("gunicorn is not installed in this environment.")
        argv = [
            gunicorn,
            "config.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
        ]
        self.stdout.write(f"bangfu serving on http://{options['bind']}/")
        os.execv(gunicorn, argv)  # noqa: S606 - replaces this process with the server
