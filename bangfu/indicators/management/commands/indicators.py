"""`bangfu manage indicators validate|close-periods`: batch checks and period closing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bangfu.accounts.scopes import SYSTEM
from bangfu.indicators import services
from bangfu.indicators.models import DataValue
from bangfu.indicators.validation import validate_batch


class Command(BaseCommand):
    help = "Run the validation rules over stored figures, or close periods past their deadline."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="Check every figure against the rules.")
        validate.add_argument("--pairing", type=int, help="Only this pairing's figures.")
        sub.add_parser("close-periods", help="Lock approved figures whose deadline has passed.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "validate":
            figures = DataValue.objects.all()
            if options.get("pairing"):
                figures = figures.filter(pairing_id=options["pairing"])
            report = validate_batch(figures)
            for message in report.errors or []:
                self.stdout.write(message)
            self.stdout.write(f"checked {report.checked}, flagged {report.flagged}")
        else:
            locked = services.periods_close(actor=SYSTEM)
            self.stdout.write(f"locked {locked}")
