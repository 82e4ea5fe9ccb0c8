"""Batched writes of already validated, already encrypted rows.

New rows arrive as tuples in the table's column order (prepare.py builds them, encrypted and
adapted); inserts go through COPY on PostgreSQL and multi-row INSERTs on SQLite. Updates arrive
column-wise (field name → list of values) and are one `executemany` of an UPDATE by primary key.
This skips building model instances, which at millions of rows costs more than the database
itself. What the ORM would do on the way is done here on purpose: encrypted columns arrive
encrypted (columns.encrypt_column), `created_at`/`updated_at` are set, values are adapted
with the connection's own adapters, and the database constraints still check every row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import chain
from typing import Any

from django.db import connection, models
from django.utils import timezone

# SQLite page cache for the import's connection (KiB, as PRAGMA cache_size takes it when
# negative): the ID-token and birth-date indexes take rows in random order, and at millions of
# rows the default 2 MB cache turns every insert into page reads.
SQLITE_IMPORT_CACHE_KIB = 256 * 1024
SQLITE_ROWS_PER_INSERT = 1000
SQLITE_SORT_THREADS = 2


@contextlib.contextmanager
def bulk_session() -> Iterator[None]:
    """Connection settings for one big import, restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA threads")
        (threads,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        # Helper threads for SQLite's sorter: the indexes of a first load are rebuilt at the
        # end (bulkload.py), when the worker processes are done and the other core is free.
        cursor.execute(f"PRAGMA threads = {SQLITE_SORT_THREADS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")
            cursor.execute(f"PRAGMA threads = {int(threads)}")


def stamp() -> Any:
    """created_at / updated_at for new rows, adapted for the connection."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        return now
    return connection.ops.adapt_datetimefield_value(now)


def query_chunk() -> int:
    """How many parameters one IN (…) may carry on this connection."""
    limit = connection.features.max_query_params
    return min(limit or 5000, 5000)


def select_in(sql: str, values: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """Rows of `sql` (with one `{}` for the placeholders of an IN list) over all values."""
    size = query_chunk()
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            chunk = values[start : start + size]
            cursor.execute(sql.format(", ".join(["%s"] * len(chunk))), list(chunk))
            yield from cursor.fetchall()


def table_is_empty(model: type[models.Model]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(model._meta.db_table)} LIMIT 1")  # noqa: S608
        return cursor.fetchone() is None


def _adapter(field: models.Field[Any, Any]) -> Any:
    """A value adapter for one column, or None when the driver takes the Python value as is."""
    if connection.vendor == "postgresql":
        return None
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else str(v)
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else connection.ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    return None


class TableWriter:
    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        self.names: dict[str, str] = {
            f.name: f.attname for f in model._meta.concrete_fields if f.attname
        }
        self.quote: Any = connection.ops.quote_name

    def attname(self, key: str) -> str:
        return self.names.get(key, key)

    def now(self) -> Any:
        """The time stamp, adapted once for the whole batch."""
        now = timezone.now()
        if connection.vendor == "postgresql":
            return now
        return connection.ops.adapt_datetimefield_value(now)

    def _columns(self, data: Mapping[str, Sequence[Any]]) -> tuple[list[str], list[list[Any]]]:
        names, columns = [], []
        for key, values in data.items():
            attname = self.attname(key)
            field = self.fields[attname]
            adapt = None if attname in ("created_at", "updated_at") else _adapter(field)
            names.append(field.column)
            columns.append(list(values) if adapt is None else [adapt(v) for v in values])
        return names, columns

    def insert_rows(
        self,
        attnames: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        first: Sequence[Any] | None = None,
    ) -> None:
        """Insert rows already in the database's terms (see prepare.py); `first`, when
        given, replaces every row's first column (a person's household id)."""
        if not rows:
            return
        if first is not None and len(first) != len(rows):
            raise ValueError("one first-column value per row")
        names = [self.fields[attname].column for attname in attnames]
        quoted = ", ".join(self.quote(n) for n in names)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {self.quote(self.table)} ({quoted}) FROM STDIN") as copy:
                    if first is None:
                        for row in rows:
                            copy.write_row(row)
                    else:
                        for value, row in zip(first, rows, strict=True):
                            copy.write_row((value, *row[1:]))
            else:
                self._insert_sqlite(quoted, len(names), rows, first)

    def _insert_sqlite(
        self,
        quoted: str,
        width: int,
        rows: Sequence[Sequence[Any]],
        first: Sequence[Any] | None,
    ) -> None:
        """Multi-row INSERTs (1,000 rows each): a sixth less CPU per row than `executemany`
        (one statement run per row), and the writer is what limits a big import's pace. The
        parameters are the rows flattened; `first` is set into them by a slice assignment."""
        raw = connection.connection
        per, statement = self._sqlite_statements(raw, quoted, width)
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = statement(len(chunk))
            params = list(chain.from_iterable(chunk))
            if first is not None:
                params[0::width] = first[start : start + per]
            raw.execute(sql, params)

    def insert_columns(
        self,
        attnames: Sequence[str],
        columns: Sequence[Sequence[Any]],
        *,
        first: Sequence[Any] | None = None,
    ) -> None:
        """`insert_rows` for values handed over column by column (prepare.Prepared)."""
        if not columns or not columns[0]:
            return
        if connection.vendor != "sqlite":
            self.insert_rows(attnames, list(zip(*columns, strict=True)), first=first)
            return
        if first is not None:
            columns = [first, *columns[1:]]
        names = [self.fields[attname].column for attname in attnames]
        quoted = ", ".join(self.quote(n) for n in names)
        raw = connection.connection
        width = len(names)
        per, statement = self._sqlite_statements(raw, quoted, width)
        count = len(columns[0])
        for start in range(0, count, per):
            size = min(per, count - start)
            sql = statement(size)
            # The parameters row after row, filled a column at a time by slice assignment.
            params: list[Any] = [None] * (size * width)
            for position, column in enumerate(columns):
                params[position::width] = column[start : start + size]
            raw.execute(sql, params)

    def _sqlite_statements(
        self, raw: Any, quoted: str, width: int
    ) -> tuple[int, Callable[[int], str]]:
        """Rows per statement (SQLITE_ROWS_PER_INSERT, fewer when the variable limit says
        so), and the INSERT for a given number of rows (the full one built once)."""
        limit = min(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32_766)
        per = max(1, min(SQLITE_ROWS_PER_INSERT, limit // width))
        one = "(" + ", ".join(["?"] * width) + ")"
        head = f"INSERT INTO {self.quote(self.table)} ({quoted}) VALUES "  # noqa: S608
        full = head + ", ".join([one] * per)
        return per, lambda rows: full if rows == per else head + ", ".join([one] * rows)

    def update(self, pks: Sequence[int], data: Mapping[str, Sequence[Any]]) -> None:
        if not pks:
            return
        data = dict(data)
        if "updated_at" in self.fields:
            data["updated_at"] = [self.now()] * len(pks)
        names, columns = self._columns(data)
        rows = [(*values, pk) for *values, pk in zip(*columns, pks, strict=True)]
        assignments = ", ".join(f"{self.quote(n)} = %s" for n in names)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {self.quote(self.table)} SET {assignments} WHERE id = %s",  # noqa: S608
                rows,
            )


def comparable(value: Any) -> Any:
    """Values as loaded vs. as converted: decimals by value, dates as dates."""
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(Decimal("0.01"))
    if isinstance(value, dt.datetime):
        return value.date()
    return value
