"""Typed readers for environment variables.

Every setting that comes from the environment goes through these helpers so that a malformed
value stops start-up with a message naming the variable, instead of surfacing later as an
obscure error deep inside Django.
"""

from __future__ import annotations

import os
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_env(default_sqlite_path: str) -> dict[str, Any]:
    """Return Django's DATABASES['default'] from DATABASE_URL, or SQLite at the given path."""
    raw = os.environ.get("DATABASE_URL", "").strip()
    if not raw:
        return sqlite_database(default_sqlite_path)
    if "://" not in raw:
        raise ImproperlyConfigured(
            f"DATABASE_URL={raw!r} is malformed: expected a URL such as "
            "postgres://user:password@127.0.0.1:5432/bangfu or sqlite:////path/to/bangfu.sqlite3."
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        return sqlite_database(config["NAME"])
    if not engine.endswith("postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL selects {engine!r}; bangfu supports PostgreSQL and SQLite only."
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL has no database name (the path after the host).")
    return dict(config)


def sqlite_database(path: str) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers work while an import writes; IMMEDIATE avoids "database is locked"
            # upgrades from read to write transactions under gunicorn's several workers.
            # 16 KiB pages (taken only by a new database; an existing one keeps its own): a
            # registry of millions of rows moves through the page cache, the WAL and the
            # checkpoint in a quarter of the pages.
            "init_command": (
                "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
