"""The shape shared by the `funds` and `projects` commands: import, export, template (thin)."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import ImportRefused


class SpreadsheetCommand(BaseCommand):
    noun = ""  # "fund flows" / "projects", for the help texts

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        importer = sub.add_parser(
            "import",
            help=f"Import {self.noun} from a CSV or XLSX file laid out like the template; "
            "a file with any bad row is refused whole; importing it again changes nothing.",
        )
        importer.add_argument("file", type=Path)
        importer.add_argument(
            "--as", dest="username", help="act as this user (default: the platform itself)"
        )
        self.add_import_arguments(importer)
        exporter = sub.add_parser("export", help=f"Write {self.noun} to an XLSX file.")
        exporter.add_argument("--pairing", type=int, help="only this pairing (id)")
        exporter.add_argument(
            "--include-nested", action="store_true", help="with the pairings nested under it"
        )
        exporter.add_argument("--year", type=int, help="only this year")
        exporter.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
        template = sub.add_parser("template", help="Write an empty import file with its notes.")
        template.add_argument("--out", type=Path, required=True)

    def add_import_arguments(self, parser: ArgumentParser) -> None:
        """Extra options of `import` (override)."""

    def actor(self, username: str | None) -> Any:
        if not username:
            return SYSTEM
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %s.") % username)
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "template":
            self.write(options["out"], self.template())
        elif subcommand == "export":
            data = self.export(
                pairing=options["pairing"],
                include_nested=options["include_nested"],
                year=options["year"],
            )
            self.write(options["out"], data)
        else:
            path: Path = options["file"]
            if not path.is_file():
                raise CommandError(_("No such file: %s") % path)
            actor = self.actor(options.get("username"))
            self.run_import(lambda: self.import_file(actor, path, options), path)

    def write(self, path: Path, data: bytes) -> None:
        path.write_bytes(data)
        self.stdout.write(_("Wrote %s.") % path)

    def run_import(self, run: Callable[[], Any], path: Path) -> None:
        try:
            result = run()
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(file)s was refused (%(count)d problems); nothing was imported.")
                % {"file": path.name, "count": len(refused.errors)},
                returncode=1,
            ) from None
        counts = ", ".join(
            f"{name} {value}" for name, value in vars(result).items() if isinstance(value, int)
        )
        self.stdout.write(f"{path.name}: {counts}")
        for warning in getattr(result, "warnings", []):
            self.stdout.write(_("warning: %s") % warning)

    # Per app ------------------------------------------------------------------------------------

    def template(self) -> bytes:
        raise NotImplementedError

    def export(self, *, pairing: int | None, include_nested: bool, year: int | None) -> bytes:
        raise NotImplementedError

    def import_file(self, actor: Any, path: Path, options: dict[str, Any]) -> Any:
        raise NotImplementedError
