"""`bangfu regions ...`: import townships and villages, load the demo's, resolve names."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import ImportRefused
from bangfu.regions import codes, gazetteer, services


class Command(BaseCommand):
    help = "Administrative divisions: import townships and villages, resolve names to codes."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        importer = subcommands.add_parser(
            "import",
            help="Add the townships and villages of a CSV or XLSX file "
            "(columns code, name, level, parent_code); a file with any bad row is refused whole.",
        )
        importer.add_argument("file", type=Path, help="CSV (UTF-8) or XLSX file.")
        importer.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )
        subcommands.add_parser(
            "load-local",
            help="Load the shipped townships and villages of the demo counties (safe to repeat).",
        )
        resolver = subcommands.add_parser(
            "resolve", help="Show the region(s) a name as written in a report denotes."
        )
        resolver.add_argument("name", help="For example 凤山, 汕尾市城区 or 广西凤山县.")
        resolver.add_argument(
            "--context", metavar="CODE", help="Region code that breaks ties (nearest wins)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "import":
            self.import_file(options["file"], dry_run=options["dry_run"])
        elif subcommand == "load-local":
            self.report(services.regions_load_local(actor=SYSTEM))
        elif subcommand == "resolve":
            self.resolve(options["name"], context=options["context"])

    def import_file(self, path: Path, *, dry_run: bool) -> None:
        if not path.is_file():
            raise CommandError(_("No such file: %s") % path)
        try:
            result = services.regions_import(actor=SYSTEM, path=path, dry_run=dry_run)
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(file)s was refused (%(count)d problems); nothing was imported.")
                % {"file": path.name, "count": len(refused.errors)},
                returncode=1,
            ) from None
        self.report(result)

    def report(self, result: services.ImportResult) -> None:
        levels = ", ".join(f"{level} {count}" for level, count in result.created_by_level.items())
        if result.dry_run:
            message = _(
                "%(file)s is fine: would add %(created)d (%(levels)s), %(unchanged)d unchanged."
            )
        else:
            message = _("%(file)s: added %(created)d (%(levels)s), %(unchanged)d unchanged.")
        self.stdout.write(
            message
            % {
                "file": result.file,
                "created": result.created,
                "levels": levels,
                "unchanged": result.unchanged,
            }
        )

    def resolve(self, name: str, *, context: str | None) -> None:
        try:
            resolution = gazetteer.resolve(name, context=context)
        except codes.InvalidCode:
            raise CommandError(_("“%s” is not a 12-digit region code.") % context) from None
        if resolution.status == "not_found":
            raise CommandError(_("No region is called “%s”.") % name, returncode=1)
        if resolution.status == "ambiguous":
            self.stdout.write(_("“%s” is ambiguous:") % name)
        for match in resolution.matches:
            self.stdout.write(f"{match.code}\t{match.level}\t{match.full_name}")
