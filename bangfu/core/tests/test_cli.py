"""The `bangfu` console command and its generated reference (docs/cli.md)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class

from bangfu.core import cli
from bangfu.core.management.commands.docs import DEFAULT_OUTPUT, render_cli_reference


def test_the_committed_cli_reference_matches_the_commands_help():
    committed = DEFAULT_OUTPUT.read_text(encoding="utf-8")

    assert committed == render_cli_reference(), (
        "docs/cli.md is out of date: run `bangfu manage docs` and commit the result."
    )


def test_the_cli_reference_has_a_section_for_bangfu_and_every_public_command():
    headings = re.findall(r"^## (.+)$", render_cli_reference(), flags=re.M)

    assert headings == [
        "bangfu",
        *(f"bangfu {name}" for name in cli.PUBLIC_COMMANDS),
        *(f"bangfu {first} {second}" for first, second in cli.ALIASES),
    ]


def test_bangfu_help_lists_each_public_command_with_its_one_line_help(capsys):
    assert cli.main(["--help"]) == 0

    lines = capsys.readouterr().out.splitlines()
    commands = get_commands()
    for name in cli.PUBLIC_COMMANDS:
        summary = load_command_class(commands[name], name).help.strip().splitlines()[0]
        assert f"  {name:<18} {summary}" in lines
    assert any(line.startswith("  manage ") for line in lines)


def test_bangfu_demo_help_goes_through_the_console_entry_point(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "--help"])

    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: bangfu demo ")
    assert "--reset-passwords" in out


def test_docs_check_refuses_a_stale_reference(tmp_path):
    stale = tmp_path / "cli.md"
    stale.write_text("# Command-line reference\n", encoding="utf-8")

    with pytest.raises(CommandError, match="out of date"):
        call_command("docs", "--check", "--output", str(stale), stdout=io.StringIO())


def test_docs_writes_the_reference_that_check_then_accepts(tmp_path):
    target = tmp_path / "cli.md"

    call_command("docs", "--output", str(target), stdout=io.StringIO())
    out = io.StringIO()
    call_command("docs", "--check", "--output", str(target), stdout=out)

    assert target.read_text(encoding="utf-8") == render_cli_reference()
    assert out.getvalue() == f"{target} is up to date.\n"


def test_two_word_commands_reach_their_management_command(capsys):
    from bangfu.core import cli

    with pytest.raises(SystemExit) as exited:
        cli.main(["demo", "households", "--help"])
    assert exited.value.code == 0
    assert "--count" in capsys.readouterr().out
