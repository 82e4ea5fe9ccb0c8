"""`bangfu monitor run|diff`: relapse-prevention monitoring from the command line."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import BangfuError
from bangfu.households.models import MonitoringRun
from bangfu.households.monitoring import selectors, services
from bangfu.regions.models import Region


class Command(BaseCommand):
    help = "Relapse-prevention monitoring: evaluate every rule, compare two runs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        run = subcommands.add_parser(
            "run", help="Evaluate every rule in force and store the findings as a new run."
        )
        run.add_argument("--region", help="Only households under this region code.")
        run.add_argument("--as-of", help="Date the rules are evaluated on (YYYY-MM-DD; today).")
        diff = subcommands.add_parser(
            "diff", help="Findings new in RUN2, resolved since RUN1, and persisting."
        )
        diff.add_argument("run1", type=int, help="The earlier run's number.")
        diff.add_argument("run2", type=int, help="The later run's number.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "run":
                self.run(region_code=options["region"], as_of=options["as_of"])
            else:
                self.diff(options["run1"], options["run2"])
        except BangfuError as exc:
            raise CommandError(str(exc)) from None

    def run(self, *, region_code: str | None, as_of: str | None) -> MonitoringRun:
        region = None
        if region_code:
            region = Region.objects.filter(code=region_code).first()
            if region is None:
                raise CommandError(_("No region has the code %(code)s.") % {"code": region_code})
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(_("--as-of must be a date such as 2025-06-30.")) from None
        run = services.monitoring_run(actor=SYSTEM, region=region, as_of=day)
        self.stdout.write(
            _("Run %(run)d: %(findings)d findings on %(households)d households in %(ms)d ms.")
            % {
                "run": run.pk,
                "findings": run.finding_count,
                "households": run.household_count,
                "ms": run.duration_ms,
            }
        )
        for key, count in sorted(run.counts.items()):
            self.stdout.write(f"  {key:<36} {count:>9}")
        return run

    def diff(self, first: int, second: int) -> None:
        runs = {
            run.pk: run for run in selectors.visible_runs(SYSTEM).filter(pk__in=[first, second])
        }
        for number in (first, second):
            if number not in runs:
                raise CommandError(_("There is no run %(run)d.") % {"run": number})
        result = selectors.diff(SYSTEM, runs[first], runs[second])
        self.stdout.write(_("From run %(a)d to run %(b)d:") % {"a": first, "b": second})
        for label, queryset in (
            (_("new"), result.new),
            (_("resolved"), result.resolved),
            (_("persisting"), result.persisting),
        ):
            counts = selectors.count_by_rule(queryset)
            self.stdout.write(f"  {label}: {sum(counts.values())}")
            for code, count in counts.items():
                self.stdout.write(f"    {code:<34} {count:>9}")
