from __future__ import annotations

import argparse
import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from bangfu.core import cli

DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "docs" / "cli.md"
# Help is wrapped to a fixed width so the reference does not depend on the terminal.
HELP_WIDTH = "100"

_PREAMBLE = """\
# Command-line reference

Generated from the commands' own help by `bangfu manage docs`; do not edit by hand.
A test (`bangfu/core/tests/test_cli.py`) fails when this file and the help disagree.

`bangfu COMMAND` runs the management command of that name; any other Django management command
is reachable as `bangfu manage COMMAND` (for example `bangfu manage migrate`).
"""


@contextlib.contextmanager
def _fixed_width() -> Iterator[None]:
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    try:
        yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def _block(text: str) -> str:
    return f"```text\n{text.rstrip()}\n```\n"


def _subparsers(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.extend(action.choices.items())
    return found


def render_cli_reference() -> str:
    """docs/cli.md as it should read: `bangfu --help` and the help of each public command."""
    sections = [_PREAMBLE]
    # English (the source language) so the file does not depend on the active locale.
    with _fixed_width(), translation.override("en"):
        top = io.StringIO()
        with contextlib.redirect_stdout(top):
            cli.main(["--help"])
        sections.append("## bangfu\n\n" + _block(top.getvalue()))
        commands = get_commands()
        for name in cli.PUBLIC_COMMANDS:
            if name not in commands:
                continue
            parser = load_command_class(commands[name], name).create_parser("bangfu", name)
            sections.append(f"## bangfu {name}\n\n" + _block(parser.format_help()))
            for sub_name, sub_parser in _subparsers(parser):
                sections.append(
                    f"### bangfu {name} {sub_name}\n\n" + _block(sub_parser.format_help())
                )
        for (first, second), target in cli.ALIASES.items():
            if target not in commands:
                continue
            parser = load_command_class(commands[target], target).create_parser(
                "bangfu", f"{first} {second}"
            )
            sections.append(f"## bangfu {first} {second}\n\n" + _block(parser.format_help()))
    return "\n".join(sections)


class Command(BaseCommand):
    help = "Write the command-line reference (docs/cli.md) from the commands' help."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=DEFAULT_OUTPUT, help="file to write (docs/cli.md)"
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; fail when the file differs from the current help",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"]
        text = render_cli_reference()
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                raise CommandError(f"{path} is out of date: run `bangfu manage docs`.")
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
