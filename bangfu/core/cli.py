"""The `bangfu` console command: a thin front for the project's management commands.

`bangfu demo` runs `manage.py demo`, `bangfu regions import FILE` runs `manage.py regions import
FILE`, and so on. `bangfu --help` lists the commands with their one-line help.
"""

from __future__ import annotations

import os
import sys

# Management commands that make up the public CLI; everything else stays reachable through
# `bangfu manage ...` (Django's own commands such as migrate or createcachetable).
PUBLIC_COMMANDS = (
    "serve",
    "demo",
    "regions",
    "createuser",
    "token",
    "funds",
    "projects",
    "indicators",
    "households",
    "extract",
    "monitor",
    "cases",
)

# Two-word commands that are separate management commands underneath.
ALIASES = {
    ("demo", "households"): "demo_households",
    ("households", "import"): "import_households",
}


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def _print_help() -> None:
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    print("usage: bangfu COMMAND [options]\n")
    print("bangfu — paired assistance and relapse-prevention monitoring.\n")
    print("commands:")
    for name in PUBLIC_COMMANDS:
        if name not in commands:
            continue
        command = load_command_class(commands[name], name)
        summary = (command.help or "").strip().splitlines()[0] if command.help else ""
        print(f"  {name:<18} {summary}")
    for (first, second), target in ALIASES.items():
        if target in commands:
            command = load_command_class(commands[target], target)
            summary = (command.help or "").strip().splitlines()[0] if command.help else ""
            print(f"  {first + ' ' + second:<18} {summary}")
    print(f"  {'manage':<18} Run any Django management command (e.g. bangfu manage migrate).")
    print("\nRun `bangfu COMMAND --help` for a command's options.")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if args and args[0] == "extract":
        # Extraction needs no models: it starts without Django's set-up when it can.
        from bangfu.ingest.batch import run_light

        status = run_light(args[1:])
        if status is not None:
            return status
    _setup()
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help", "help"}:
        _print_help()
        return 0
    if args[0] == "manage":
        args = args[1:]
    elif len(args) >= 2 and (args[0], args[1]) in ALIASES:
        args = [ALIASES[(args[0], args[1])], *args[2:]]
    execute_from_command_line(["bangfu", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
