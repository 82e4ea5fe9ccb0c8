from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.cases.choices import CaseState
from bangfu.demo.cases import DEFAULT_HOUSEHOLDS
from bangfu.demo.loader import KINDS, DemoDataMissing, DemoResult, demo_load

PASSWORD_VARIABLE = "BANGFU_DEMO_PASSWORD"  # noqa: S105 - the variable's name


class Command(BaseCommand):
    help = (
        "Load the demo data: the seed reports' pairings and one demo user per side.\n"
        "Safe to run again: only what is missing is created. New demo users get random "
        f"passwords, printed once (or {PASSWORD_VARIABLE} when set)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give the existing demo users new passwords and print them "
            f"(random, or {PASSWORD_VARIABLE} when set)",
        )
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS,
            metavar="N",
            help="synthetic households spread over the recipient counties, with monitoring "
            f"cases in every state (default {DEFAULT_HOUSEHOLDS}; 0 leaves them out)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get(PASSWORD_VARIABLE) or None
        if options["households"] < 0:
            raise CommandError(_("--households must be 0 or more."))
        try:
            result = demo_load(
                password=password,
                reset_passwords=options["reset_passwords"],
                households=options["households"],
            )
        except DemoDataMissing as exc:
            raise CommandError(str(exc)) from None
        self.print_summary(result)
        for note in result.notes:
            self.stdout.write(note)
        self.print_credentials(result)

    def print_summary(self, result: DemoResult) -> None:
        labels = {
            "regions": _("townships and villages"),
            "organisations": _("organisations"),
            "pairings": _("pairings"),
            "agreements": _("agreements"),
            "meetings": _("meetings and visits"),
            "users": _("users"),
            "pii_grants": _("personal-data grants"),
            "households": _("demo households"),
            "cases": _("monitoring cases"),
        }
        self.stdout.write(f"{_('demo data'):<24}{_('created'):>10}{_('already present'):>18}")
        for kind in KINDS:
            created, present = result.created[kind], result.present[kind]
            self.stdout.write(f"{labels[kind]:<24}{created:>10}{present:>18}")
        if result.cases_by_state:
            states = ", ".join(
                f"{CaseState(state).label} {count}"
                for state, count in result.cases_by_state.items()
            )
            self.stdout.write(_("Demo cases by state: %(states)s") % {"states": states})
        if not result.created_anything:
            self.stdout.write(_("Nothing to do: the demo was already loaded."))

    def print_credentials(self, result: DemoResult) -> None:
        if not result.credentials:
            if result.present["users"]:
                self.stdout.write(
                    _("Demo users keep their passwords; use --reset-passwords for new ones.")
                )
            return
        self.stdout.write("")
        self.stdout.write(_("Demo users (the passwords are shown only now):"))
        for credential in result.credentials:
            shown = (
                _("(the value of %s)") % PASSWORD_VARIABLE
                if credential.from_environment
                else credential.password
            )
            self.stdout.write(f"  {credential.username:<12} {shown}")
