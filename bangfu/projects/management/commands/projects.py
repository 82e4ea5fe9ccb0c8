"""`bangfu projects import FILE | export --out FILE | template --out FILE`."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from bangfu.accounts.scopes import SYSTEM
from bangfu.funds.cli import SpreadsheetCommand
from bangfu.projects.selectors import project_list
from bangfu.projects.spreadsheets import projects_import, projects_template, projects_xlsx


class Command(SpreadsheetCommand):
    help = (
        "Projects: import from CSV/XLSX, export to XLSX (with their funding), write the template."
    )
    noun = "projects"

    def add_import_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def template(self) -> bytes:
        return projects_template()

    def export(self, *, pairing: int | None, include_nested: bool, year: int | None) -> bytes:
        projects = project_list(
            user=SYSTEM, pairing=pairing, include_nested=include_nested, year=year
        ).order_by("pairing_id", "start_year", "code")
        return projects_xlsx(projects)

    def import_file(self, actor: Any, path: Path, options: dict[str, Any]) -> Any:
        return projects_import(
            actor=actor, source=path, filename=path.name, dry_run=options["dry_run"]
        )
