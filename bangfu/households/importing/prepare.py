"""The database-free half of an import: one batch of raw rows in, rows ready to write out.

A batch (`Task`) is the raw text of a run of CSV records or a list of spreadsheet rows. `prepare`
parses it, converts and validates it column by column (columns.py), checks each row on its own
(the ID against the declared type, sex and birth date; incomes), computes ID tokens, encrypts
the personal data and returns the rows as tuples in the table's column order, already adapted
for the database (decimals and dates as text), plus the few keys the main process still has
to check against the rest of the file and the database (`Prepared`).

Nothing here touches the database, so batches can be prepared in worker processes (`ordered_map`)
while the main process checks and writes the previous ones. Workers are forked from the main
process: the keys are never sent anywhere, they are the same process memory. Reasons never quote
a cell (see columns.py); a worker's output carries personal data only encrypted.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import multiprocessing
import os
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from bangfu.households.choices import IdType, Relation
from bangfu.households.fields import EncryptedTextField
from bangfu.households.idcards import declared_mismatches
from bangfu.households.importing import columns as cols
from bangfu.households.importing.mapping import Spec
from bangfu.households.models import Household, Person, VillageFigures
from bangfu.households.services import compute_incomes

INCOME = ("wage_income", "business_income", "property_income", "transfer_income", "business_costs")
MODELS: dict[str, type[models.Model]] = {
    "village": VillageFigures,
    "household": Household,
    "person": Person,
}
# Person fields that come from the ID or from references rather than from their own column.
PERSON_DERIVED = frozenset({"household", "id_number", "id_type", "sex", "birth_date"})
STAMPS = ("created_at", "updated_at")


@dataclass
class Task:
    file_index: int
    table: str
    specs: tuple[Spec, ...]
    positions: dict[str, int]
    width: int
    income_year: int
    stamp: Any  # created_at / updated_at, already adapted for the database
    language: str | None
    text: str | None = None  # CSV records (whole records, header excluded)
    rows: list[list[Any]] | None = None  # or spreadsheet rows
    # Hand the values over column by column (`Prepared.column_values`): for a first load,
    # whose rows all go to the database as they are, no row tuples are built, pickled or
    # unpacked again.
    by_column: bool = False


@dataclass
class Prepared:
    file_index: int
    records: int  # records read, blank ones included (row numbers continue after them)
    rows: int  # records with data
    columns: list[str]  # attnames of `values`, every concrete field but the primary key
    update_columns: list[str]  # the fields a re-import updates (those the file gives)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (record, header, reason)
    offsets: list[int] = field(default_factory=list)  # record offset of each good row
    keys: dict[str, list[Any]] = field(default_factory=dict)  # per good row, for the main checks
    values: list[tuple[Any, ...]] = field(default_factory=list)  # per good row, ready to write
    column_values: list[list[Any]] | None = None  # instead of `values`, for a by_column task

    def row_tuples(self) -> list[tuple[Any, ...]]:
        """The good rows as tuples, whichever way they were handed over."""
        if self.column_values is None:
            return self.values
        return list(zip(*self.column_values, strict=True))


# Reading -----------------------------------------------------------------------------------------


def _records(task: Task) -> Iterable[list[Any]]:
    if task.text is not None:
        return csv.reader(io.StringIO(task.text, newline=""))
    return task.rows or []


def _blank(row: list[Any]) -> bool:
    return not any(v not in (None, "") for v in row)


# Adaptation --------------------------------------------------------------------------------------


def _adapter(db_field: models.Field[Any, Any]) -> Callable[[list[Any]], list[Any]] | None:
    """Whole-column conversion to what the database drivers take as is (text for decimals and
    dates works for SQLite's executemany and PostgreSQL's COPY alike)."""
    if isinstance(db_field, models.DecimalField):
        return lambda values: (
            [None if v is None else str(v) for v in values]
            if cols.has_none(values)
            else list(map(str, values))
        )
    if isinstance(db_field, models.DateTimeField):
        return None
    if isinstance(db_field, models.DateField):
        return lambda values: [None if v is None else v.isoformat() for v in values]
    return None


def _default(db_field: models.Field[Any, Any]) -> Any:
    value = db_field.get_default()
    adapt = _adapter(db_field)
    return adapt([value])[0] if adapt is not None else value


def _assemble(
    model: type[models.Model],
    given: dict[str, list[Any]],
    count: int,
    task: Task,
    out: Prepared,
) -> None:
    """Rows in the model's column order (a person's household id first, for the main process
    to fill in): given columns adapted and encrypted, the rest defaults. Into `out.columns`
    and `out.values`, or `out.column_values` for a by_column task."""
    stamp = task.stamp
    names: list[str] = []
    column_values: list[Any] = []
    ordered = sorted(
        (f for f in model._meta.concrete_fields if not f.primary_key),
        key=lambda f: f.attname != "household_id",
    )
    for db_field in ordered:
        attname = db_field.attname
        names.append(attname)
        key = attname if attname in given else db_field.name
        if attname in STAMPS:
            column_values.append([stamp] * count)
        elif key in given:
            values = given[key]
            if isinstance(db_field, EncryptedTextField):
                values = cols.encrypt_column(values, context=db_field.context)
            else:
                adapt = _adapter(db_field)
                if adapt is not None:
                    values = adapt(values)
            column_values.append(values)
        else:
            column_values.append([_default(db_field)] * count)
    out.columns = names
    if task.by_column:
        out.column_values = column_values
    else:
        out.values = list(zip(*column_values, strict=True))


def _fill_defaults(
    model: type[models.Model], data: dict[str, list[Any]], keys: Iterable[str]
) -> None:
    """Blank cells of optional columns take the field's default."""
    for key in keys:
        values = data[key]
        if cols.has_none(values):
            db_field = model._meta.get_field(key)
            assert isinstance(db_field, models.Field)
            default = db_field.get_default()
            data[key] = [default if v is None else v for v in values]


def _select(data: dict[str, list[Any]], good: list[int], size: int) -> dict[str, list[Any]]:
    if len(good) == size:
        return data
    return {key: [values[i] for i in good] for key, values in data.items()}


def compact_numbers(numbers: Sequence[str]) -> list[Any]:
    """Person or household numbers as kept in the duplicate sets (millions of them): digits as
    an int, with a leading 1 so 007 and 7 stay apart; anything else as the text."""
    joined = "".join(numbers)
    if all(numbers) and joined.isascii() and joined.isdigit():  # the usual column, at once
        return list(map(int, map("1".__add__, numbers)))
    return [int("1" + n) if n.isdigit() and n.isascii() else n for n in numbers]


# Preparing a batch -------------------------------------------------------------------------------


class PrepareFailed(RuntimeError):
    """An unexpected error while preparing a batch, told without its message: messages of
    arbitrary exceptions may quote a cell, and this one travels from a worker to the job's
    record and the logs."""


def prepare(task: Task) -> Prepared:
    """Convert, check and encrypt one batch (runs in a worker process or inline)."""
    try:
        with translation.override(task.language), collector_paused():
            return _prepare(task)
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        raise PrepareFailed(
            f"{type(exc).__name__} in {Path(where.filename).name} line {where.lineno} while "
            f"preparing a batch of the {task.table} table"
        ) from None


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a batch is prepared (or, in the main process,
    while batches are checked and written): a batch allocates hundreds of thousands of lists,
    tuples and ID records, none of them in reference cycles, and the collector's passes over
    them cost a sixth of a worker's time. What a batch leaves behind is freed by reference
    counting; the collector runs again afterwards (workers forked inside the main process's
    pause keep it off for their short lives)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _prepare(task: Task) -> Prepared:
    width = task.width
    raw: list[list[Any]] = list(_records(task))
    records = len(raw)
    offsets: list[int] = list(range(records))
    # The usual batch (no blank record, every record as wide as the header) is recognised by
    # two passes in C; any other goes record by record.
    if not all(map(any, raw)) or set(map(len, raw)) - {width}:
        records_read, raw, offsets = raw, [], []
        for index, row in enumerate(records_read):
            if not any(row) and _blank(row):  # any() first: a quick yes for nearly every row
                continue
            if len(row) != width:
                row = (row + [None] * width)[:width]
            offsets.append(index)
            raw.append(row)
    result = Prepared(task.file_index, records, len(raw), [], [])
    columns = list(zip(*raw, strict=True)) if raw else [() for _ in range(width)]
    bad: set[int] = set()
    data: dict[str, list[Any]] = {}
    for spec in task.specs:
        values, errors = cols.convert_column(spec, columns[task.positions[spec.key]])
        data[spec.key] = values
        for index, reason in errors:
            bad.add(index)
            result.errors.append((offsets[index], spec.header, reason))
    preparer = {"village": _villages, "household": _households, "person": _persons}[task.table]
    preparer(task, data, bad, offsets, result)
    return result


def _headers(task: Task) -> dict[str, str]:
    return {spec.key: spec.header for spec in task.specs}


def _villages(
    task: Task, data: dict[str, list[Any]], bad: set[int], offsets: list[int], out: Prepared
) -> None:
    size = len(offsets)
    good = [i for i in range(size) if i not in bad]
    present = [s.key for s in task.specs if s.key not in {"village", "year"}]
    _fill_defaults(VillageFigures, data, present)
    given = _select(data, good, size)
    given["village_id"] = given.pop("village")
    out.offsets = [offsets[i] for i in good]
    out.keys = {"village": given["village_id"], "year": given["year"]}
    _assemble(VillageFigures, given, len(good), task, out)
    out.update_columns = present


def _households(
    task: Task, data: dict[str, list[Any]], bad: set[int], offsets: list[int], out: Prepared
) -> None:
    size = len(offsets)
    good = [i for i in range(size) if i not in bad]
    present = [s.key for s in task.specs if s.key not in {"number", "village"}]
    _fill_defaults(Household, data, [k for k in present if k != "income_year"])
    if "income_year" in data:
        data["income_year"] = [task.income_year if v is None else v for v in data["income_year"]]
    else:
        data["income_year"] = [task.income_year] * size
        present.append("income_year")
    given = _select(data, good, size)
    zero = Decimal(0)
    components = [given.get(k) or [zero] * len(good) for k in INCOME]
    nets, per_capitas = [], []
    for wage, business, prop, transfer, costs, members in zip(
        *components, given["household_size"], strict=True
    ):
        net, per_capita = compute_incomes(
            components={
                "wage_income": wage,
                "business_income": business,
                "property_income": prop,
                "transfer_income": transfer,
                "business_costs": costs,
            },
            household_size=members,
        )
        nets.append(net)
        per_capitas.append(per_capita)
    given["net_income"], given["per_capita_net_income"] = nets, per_capitas
    given["village_id"] = given.pop("village")
    out.offsets = [offsets[i] for i in good]
    out.keys = {"number": given["number"], "village": given["village_id"]}
    _assemble(Household, given, len(good), task, out)
    out.update_columns = [*present, "net_income", "per_capita_net_income", "village_id"]


def _persons(
    task: Task, data: dict[str, list[Any]], bad: set[int], offsets: list[int], out: Prepared
) -> None:
    header = _headers(task)
    size = len(offsets)

    def refuse(index: int, key: str, reason: str) -> None:
        bad.add(index)
        out.errors.append((offsets[index], header[key], reason))

    # Identity: the declared type, sex and birth date agree with the ID.
    parsed = data["id_number"]
    declared_type = data.get("id_type") or [None] * size
    declared_sex = data.get("sex") or [None] * size
    declared_birth = data.get("birth_date") or [None] * size
    sexes: list[Any] = [None] * size
    births: list[Any] = [None] * size
    for i in range(size):
        identity = parsed[i]
        if identity is None:
            continue
        if declared_type[i] and declared_type[i] != identity.id_type:
            refuse(
                i,
                "id_type",
                _("The ID type is “%(declared)s” but the number has the form of “%(found)s”.")
                % {"declared": IdType(declared_type[i]).label, "found": identity.id_type.label},
            )
        if declared_sex[i] or declared_birth[i]:
            for field_name, reason in declared_mismatches(
                identity, sex=declared_sex[i], birth_date=declared_birth[i]
            ).items():
                refuse(i, field_name, reason)
        sexes[i] = declared_sex[i] or identity.sex
        births[i] = declared_birth[i] or identity.birth_date
        if not sexes[i] or births[i] is None:
            refuse(
                i,
                "id_number",
                _("The sex and birth date are required for a person without an ID number."),
            )

    present = [s.key for s in task.specs if s.key not in PERSON_DERIVED]
    _fill_defaults(Person, data, [k for k in present if k != "number"])
    good = [i for i in range(size) if i not in bad]
    identities = [parsed[i] for i in good]
    tokens = cols.id_tokens([identity.canonical for identity in identities])
    given = _select({key: data[key] for key in present}, good, size)
    given["household_id"] = [None] * len(good)  # filled in by the main process
    given["id_token"] = tokens
    given["id_number"] = [identity.normalised for identity in identities]
    given["id_type"] = [identity.id_type.value for identity in identities]
    given["sex"] = [str(sexes[i]) for i in good]
    given["birth_date"] = [births[i] for i in good]
    head = Relation.HEAD.value
    households = [data["household"][i] for i in good]
    out.offsets = [offsets[i] for i in good]
    out.keys = {
        "number": compact_numbers(given["number"]),
        "household": households,
        "household_key": compact_numbers(households),
        "token": [int(token[:32], 16) for token in tokens],
        "head": [relation == head for relation in given["relation"]],
    }
    _assemble(Person, given, len(good), task, out)
    out.update_columns = [
        *(k for k in present if k != "number"),
        "id_number",
        "id_type",
        "sex",
        "birth_date",
        "number",
    ]


# Running batches in worker processes -------------------------------------------------------------

T = TypeVar("T")
R = TypeVar("R")


def worker_count(rows: int, threshold: int) -> int:
    """Two workers for big files on a machine with two or more cores; inline otherwise."""
    if rows < threshold or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(2, os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else 0


def ordered_map(
    func: Callable[[T], R], tasks: Iterator[T], *, workers: int, window: int = 8
) -> Iterator[R]:
    """func over tasks, results in order. With workers, at most `window` batches are in flight,
    so memory stays bounded whichever side is faster; without, everything runs inline."""
    if workers <= 0:
        for task in tasks:
            yield func(task)
        return
    # Forked: the workers already hold the settings and keys and never use the database
    # connections they inherit (they leave through os._exit, which closes nothing).
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque[Any] = deque()
        for task in tasks:
            pending.append(pool.apply_async(func, (task,)))
            while len(pending) >= window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
