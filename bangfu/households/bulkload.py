"""Loading big tables without their secondary indexes, rebuilt once at the end.

Inserting millions of rows into a b-tree keyed by a random value (an ID token) costs a cache
miss per row once the index outgrows the cache; building the index afterwards sorts once.
`IndexSuspension` drops a table's secondary indexes and remembers the database's own
definitions to recreate them; everything happens inside the caller's transaction, so a failure
rolls the indexes back with the rows. The generator (`BulkLoad`) and the import of an empty
table use it.

What is dropped: every index that backs no constraint (on SQLite every index with SQL, i.e. all
but the primary key and the column UNIQUE ones) and, on PostgreSQL with `constraints=True`,
the unique and foreign-key constraints of the tables (each foreign key would otherwise look up
and lock the parent row for every row copied; re-adding it checks all rows in one join).
Unique indexes come back as unique, so rebuilding them checks the loaded rows once more.

On PostgreSQL dropping an index locks its table against readers until the transaction ends:
use this only on a table that held no rows when the transaction began.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from typing import Any

from django.db import connection, models, transaction


class IndexSuspension:
    """Drop secondary indexes now (`suspend`), recreate them later (`resume`)."""

    def __init__(self, *, constraints: bool, keep_leading: Mapping[str, str] | None = None) -> None:
        self.constraints = constraints
        # table → column: indexes that begin with this column stay (see `_kept`).
        self.keep_leading = dict(keep_leading or {})
        self.recreate: list[str] = []
        self.seconds = 0.0  # spent recreating

    @property
    def active(self) -> bool:
        return bool(self.recreate)

    def suspend(self, tables: list[type[models.Model]]) -> None:
        names = [model._meta.db_table for model in tables]
        with connection.cursor() as cursor, self._checks_now(cursor):
            drops, recreate = self._statements(cursor, names)
            for statement in drops:
                cursor.execute(statement)
        self.recreate += recreate

    def resume(self) -> None:
        if not self.recreate:
            return
        started = time.perf_counter()
        with connection.cursor() as cursor, self._checks_now(cursor):
            for statement in self.recreate:
                cursor.execute(statement)
        self.recreate = []
        self.seconds += time.perf_counter() - started

    @contextlib.contextmanager
    def _checks_now(self, cursor: Any) -> Iterator[None]:
        """PostgreSQL refuses to drop or add a foreign key while deferred checks are pending
        on the tables it joins (rows written earlier in the transaction): run them first, and
        defer again afterwards, as Django declares its foreign keys."""
        if connection.vendor != "postgresql" or not self.constraints:
            yield
            return
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _statements(self, cursor: Any, tables: list[str]) -> tuple[list[str], list[str]]:
        quote = connection.ops.quote_name
        drops: list[str] = []
        recreate: list[str] = []
        if connection.vendor == "sqlite":
            for table in tables:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
                for name, sql in cursor.fetchall():
                    if self._kept(cursor, table, name):
                        continue
                    drops.append(f"DROP INDEX {quote(name)}")
                    recreate.append(sql)
            return drops, recreate
        if connection.vendor != "postgresql":
            return drops, recreate
        constraints: list[tuple[str, str, str, str]] = []
        for table in tables:
            if self.constraints:
                cursor.execute(
                    "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                    [table],
                )
                constraints += [(table, *row) for row in cursor.fetchall()]
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
            for name, definition in cursor.fetchall():
                if self._kept(cursor, table, name):
                    continue
                drops.append(f"DROP INDEX {quote(name)}")
                recreate.append(definition)
        uniques = [c for c in constraints if c[2] == "u"]
        keys = [c for c in constraints if c[2] == "f"]
        # Foreign keys first on the way out, last on the way back (after the unique keys).
        drops = [
            *(f"ALTER TABLE {quote(t)} DROP CONSTRAINT {quote(n)}" for t, n, _k, _d in keys),
            *(f"ALTER TABLE {quote(t)} DROP CONSTRAINT {quote(n)}" for t, n, _k, _d in uniques),
            *drops,
        ]
        recreate = [
            *(f"ALTER TABLE {quote(t)} ADD CONSTRAINT {quote(n)} {d}" for t, n, _k, d in uniques),
            *recreate,
            *(f"ALTER TABLE {quote(t)} ADD CONSTRAINT {quote(n)} {d}" for t, n, _k, d in keys),
        ]
        return drops, recreate

    def _kept(self, cursor: Any, table: str, index: str) -> bool:
        """Whether the index begins with the table's `keep_leading` column. Such an index
        takes a first load's rows in the order of its key when the file lists rows by that
        column (households by village, persons by household, as registry exports do): it
        grows at its end, which costs less while loading than a full scan of the table to
        rebuild it, and the scan would come at the end, when nothing else runs."""
        column = self.keep_leading.get(table)
        if column is None:
            return False
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA index_info({connection.ops.quote_name(index)})")
            first = [name for seqno, _cid, name in cursor.fetchall() if seqno == 0]
        else:
            cursor.execute(
                "SELECT a.attname FROM pg_index x JOIN pg_attribute a "
                "ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0] "
                "WHERE x.indexrelid = %s::regclass",
                [connection.ops.quote_name(index)],
            )
            first = [name for (name,) in cursor.fetchall()]
        return first == [column]


class BulkLoad:
    """A transaction that loads `tables` without their secondary indexes (and, on PostgreSQL,
    their unique and foreign-key constraints), recreated when it ends without an error."""

    def __init__(self, tables: list[type[models.Model]], *, enabled: bool) -> None:
        self.tables = tables
        self.enabled = enabled
        self.suspension = IndexSuspension(constraints=True)
        self.atomic = transaction.atomic()

    @property
    def seconds(self) -> float:
        return self.suspension.seconds

    def __enter__(self) -> BulkLoad:
        if not self.enabled:
            return self
        self.atomic.__enter__()
        try:
            self.suspension.suspend(self.tables)
        except BaseException as exc:
            self.atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if not self.enabled:
            return
        if kind is None:
            try:
                self.suspension.resume()
            except BaseException as error:
                self.atomic.__exit__(type(error), error, error.__traceback__)
                raise
        self.atomic.__exit__(kind, exc, tb)
