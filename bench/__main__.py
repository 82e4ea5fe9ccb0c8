"""Run the benchmarks: every bench/*_bench.py module's main(), or only the names given.

`python -m bench` runs them all; `python -m bench monitor import` runs monitor_bench and
import_bench. Each module prints its own figures next to their targets.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(path.stem.removesuffix("_bench") for path in here.glob("*_bench.py"))


def main(argv: list[str]) -> int:
    names = available()
    wanted = [name.removesuffix("_bench") for name in argv] or names
    unknown = [name for name in wanted if name not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}")
        return 2
    failures = 0
    for name in wanted:
        print(f"== {name} ==", flush=True)
        module = importlib.import_module(f"bench.{name}_bench")
        result = module.main()
        failures += 1 if result else 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
