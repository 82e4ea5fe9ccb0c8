"""`bangfu households ...`: maintenance of the household registry."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.households import keys


class Command(BaseCommand):
    help = "Household registry maintenance: re-encrypt personal data after a key change."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        rotate = subcommands.add_parser(
            "rotate-keys",
            help="Re-encrypt every encrypted value with the first key of BANGFU_PII_KEYS "
            "(keep the old keys listed until this has run); safe to repeat.",
        )
        rotate.add_argument(
            "--batch-size", type=int, default=2000, help="Rows per batch (default 2000)."
        )
        rotate.add_argument(
            "--retokenise",
            action="store_true",
            help="Also recompute every ID lookup token (after BANGFU_PII_HMAC_KEY changed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "rotate-keys":
            self.rotate(batch_size=options["batch_size"], retokenise=options["retokenise"])

    def progress(self, label: str, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        self.stdout.write(
            f"\r{label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
        )
        if done >= total:
            self.stdout.write("")
        self.stdout.flush()

    def rotate(self, *, batch_size: int, retokenise: bool) -> None:
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        result = keys.rotate_keys(
            batch_size=batch_size, retokenise=retokenise, progress=self.progress
        )
        rewritten = sum(result.reencrypted.values())
        self.stdout.write(
            _("Rows re-encrypted under key %(key)s: %(rows)d.")
            % {"rows": rewritten, "key": result.key_id}
        )
        if retokenise:
            self.stdout.write(_("ID tokens recomputed: %(count)d.") % {"count": result.retokenised})
