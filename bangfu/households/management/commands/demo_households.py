"""`bangfu demo households`: synthetic households for the demo and the benchmarks."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.households import generator


class Command(BaseCommand):
    help = "Generate synthetic villages, households and persons (valid IDs, encrypted PII)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--count", type=int, default=2000, help="Households (default 2000).")
        parser.add_argument(
            "--county",
            default=generator.DEFAULT_COUNTY,
            help="12-digit county code (default 451223000000, 凤山县).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="Households per batch (default 5000)."
        )

    def progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        self.stdout.write(
            f"\r{_('households'):<12} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
            ending="",
        )
        if done >= total:
            self.stdout.write("")
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 1 or options["batch_size"] < 1:
            raise CommandError(_("--count and --batch-size must be at least 1."))
        started = time.perf_counter()
        try:
            result = generator.generate(
                count=options["count"],
                county_code=options["county"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                progress=self.progress,
            )
        except (ValueError, LookupError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "%(households)d households, %(persons)d persons, %(measures)d measures in "
                "%(villages)d villages (%(seconds).1f s)."
            )
            % {
                "households": result.households,
                "persons": result.persons,
                "measures": result.measures,
                "villages": result.villages,
                "seconds": time.perf_counter() - started,
            }
        )
