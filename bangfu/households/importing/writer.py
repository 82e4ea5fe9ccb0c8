"""Batched writes of already validated, already encrypted rows.

Rows arrive column-wise (field name → list of values). Inserts go through COPY on PostgreSQL
and one `executemany` on SQLite; updates are one `executemany` of an UPDATE by primary key.
This skips building model instances, which at millions of rows costs more than the database
itself. What the ORM would do on the way is done here on purpose: encrypted columns arrive
encrypted (columns.encrypt_column), `created_at`/`updated_at` are set, values are adapted
with the connection's own adapters, and the database constraints still check every row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone


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

    def insert(self, data: Mapping[str, Sequence[Any]], count: int) -> None:
        if not count:
            return
        data = dict(data)
        for stamp in ("created_at", "updated_at"):
            if stamp in self.fields:
                data[stamp] = [self.now()] * count
        given = {self.attname(key) for key in data}
        for attname, field in self.fields.items():
            if attname not in given:
                data[attname] = [field.get_default()] * count
        names, columns = self._columns(data)
        rows = list(zip(*columns, strict=True))
        quoted = ", ".join(self.quote(n) for n in names)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {self.quote(self.table)} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(names))
                cursor.executemany(
                    f"INSERT INTO {self.quote(self.table)} ({quoted}) VALUES ({placeholders})",  # noqa: S608
                    rows,
                )

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
