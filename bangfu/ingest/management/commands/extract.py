"""`bangfu extract FILE... [--format json|table]`: propose figures and pairings from reports."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.core.errors import ValidationFailed
from bangfu.ingest.extract import Extraction, get_extractor
from bangfu.ingest.readers import read_path


class Command(BaseCommand):
    help = "Read reports (.txt, .docx, .pdf, .html) and print the figures and pairings they state."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="report files to read")
        parser.add_argument(
            "--format",
            choices=("json", "table"),
            default="table",
            help="json (machine-readable) or table (default)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        extractor = get_extractor()
        documents = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            try:
                text = read_path(path)
            except ValidationFailed as error:
                raise CommandError(f"{name}: {error}") from error
            documents.append((name, extractor.extract_text(text, with_parties=False)))
        if options["format"] == "json":
            self.stdout.write(json.dumps(as_json(documents), ensure_ascii=False))
        else:
            for name, extraction in documents:
                self.stdout.write(as_table(name, extraction))


def as_json(documents: list[tuple[str, Extraction]]) -> dict[str, Any]:
    return {
        "documents": [
            {
                "source": name,
                "quantities": [q.as_json() for q in extraction.quantities],
                "pairings": [p.as_json() for p in extraction.pairings],
            }
            for name, extraction in documents
        ]
    }


def as_table(name: str, extraction: Extraction) -> str:
    lines = [f"== {name}"]
    if extraction.report_date:
        lines.append(f"report date: {extraction.report_date.isoformat()}")
    lines.append(
        f"{'text':<16} {'value':>16} {'unit':<12} {'qualifier':<9} {'indicator':<30} period"
    )
    for q in extraction.quantities:
        period = q.period["text"] if q.period else ""
        flags = (" target" if q.is_target else "") + (" each" if q.each else "")
        unit = q.unit + (f"({q.measure})" if q.measure else "")
        lines.append(
            f"{q.text.replace(chr(10), ' '):<16} {q.value.normalize():>16f} {unit:<12} "
            f"{q.qualifier:<9} {q.indicator or '-':<30} {period}{flags}"
        )
    lines.append("pairings:")
    for p in extraction.pairings:
        lines.append(
            f"  {p.donor} ({p.donor_code or '?'}) → {p.recipient} ({p.recipient_code or '?'})"
        )
    return "\n".join(lines) + "\n"
