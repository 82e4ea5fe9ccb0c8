"""`bangfu funds import FILE | export --out FILE | template --out FILE`."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from bangfu.accounts.scopes import SYSTEM
from bangfu.funds.cli import SpreadsheetCommand
from bangfu.funds.exports import fund_flows_template, fund_flows_xlsx
from bangfu.funds.imports import fund_flows_import
from bangfu.funds.selectors import fund_flow_list


class Command(SpreadsheetCommand):
    help = "Fund flows: import from CSV/XLSX, export to XLSX (amounts in 万元), write the template."
    noun = "fund flows"

    def add_import_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def template(self) -> bytes:
        return fund_flows_template()

    def export(self, *, pairing: int | None, include_nested: bool, year: int | None) -> bytes:
        flows = fund_flow_list(
            user=SYSTEM, pairing=pairing, include_nested=include_nested, year=year
        )
        return fund_flows_xlsx(flows)

    def import_file(self, actor: Any, path: Path, options: dict[str, Any]) -> Any:
        return fund_flows_import(
            actor=actor, source=path, filename=path.name, dry_run=options["dry_run"]
        )
