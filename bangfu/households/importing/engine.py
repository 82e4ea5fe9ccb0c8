"""The import of village, household and person tables.

Files are read as streams in batches of records. Each batch is converted, validated column by
column, checked row by row, tokenised and encrypted by `prepare.prepare` (no database), in two
forked worker processes for big imports. The main process takes the prepared batches in file
order, checks them against the file so far (duplicate numbers and ID tokens, one head per
household) and against the database with one query per batch and concern (village codes,
existing households and persons, person → household references), and writes them.

Everything runs inside one transaction: batches are written as long as no error has been
found, reading continues to the end to report every bad row, and any error rolls the whole
import back, so a refused file writes nothing. Re-imports match households by number and
persons by (household, ID token); unchanged rows are not written. A table that was empty when
the import began needs no lookups of existing rows: the in-file checks already cover it.
"""

from __future__ import annotations

import contextlib
import csv
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from django.db import connection, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import require_role, scope_for
from bangfu.core.errors import ImportRefused, RowError
from bangfu.core.models import AuditAction, Job
from bangfu.core.services import audit_record
from bangfu.households import crypto
from bangfu.households.bulkload import IndexSuspension
from bangfu.households.fields import EncryptedTextField, reveal
from bangfu.households.importing import prepare as prep
from bangfu.households.importing import writer as db
from bangfu.households.importing.mapping import TABLES, Spec, apply_overrides, schema_of
from bangfu.households.importing.writer import TableWriter, comparable
from bangfu.households.models import Household, Person, VillageFigures
from bangfu.ingest.spreadsheets import iter_cells, match_headers
from bangfu.regions.codes import Level
from bangfu.regions.models import Region

BATCH_ROWS = 20_000  # spreadsheet rows per batch
BLOCK_CHARS = 3_000_000  # CSV characters per batch (about 20,000 records)
QUERY_CHUNK = 5_000
MAX_MESSAGES = 10_000
# Below this many rows the worker processes cost more to start than they save.
POOL_MIN_ROWS = 50_000
# From this many rows on, a table empty at the start is loaded without its secondary indexes,
# but for those that begin with its parent's key (bulkload.IndexSuspension._kept).
BULK_MIN_ROWS = 50_000
KEEP_LEADING = {
    Household._meta.db_table: Household._meta.get_field("village").column,
    Person._meta.db_table: Person._meta.get_field("household").column,
}
Progress = Callable[[int, int], None]


@dataclass
class Source:
    filename: str  # as the user named it (messages use its base name)
    path: Path | None = None
    data: bytes | None = None
    table: str | None = None  # village, household or person; None = detect from headers

    def cells(self) -> Iterator[list[Any]]:
        return iter_cells(
            self.data if self.data is not None else Path(self.path or ""), self.filename
        )

    def count_rows(self) -> int:
        """Data rows (a close upper bound for CSV: quoted line breaks count twice)."""
        if Path(self.filename).suffix.lower() == ".csv":
            if self.data is not None:
                return max(0, self.data.count(b"\n") - 1)
            lines = 0
            with Path(self.path or "").open("rb") as handle:
                while block := handle.read(1 << 22):
                    lines += block.count(b"\n")
            return max(0, lines - 1)
        return sum(1 for _ in self.cells()) - 1


@dataclass
class Plan:
    """One file on its way through the import."""

    index: int
    name: str
    table: str
    specs: tuple[Spec, ...]
    positions: dict[str, int]
    width: int
    tasks: Iterator[prep.Task]
    counts: Counts
    next_row: int = 2  # the row number of the next batch's first record


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Summary:
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Where the time went (seconds): waiting for prepared batches (receiving them included),
    # checking them against the file and the database, writing, rebuilding suspended indexes,
    # and the commit.
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def persons(self) -> int:
        return sum(f["rows"] for f in self.files.values() if f["table"] == "person")


def _chunks(items: Sequence[Any], size: int = QUERY_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _open_csv(path: Path) -> TextIO:
    """The file as text: UTF-8 (with or without BOM) or GB18030, as the shared reader takes it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(encoding=encoding, newline="") as handle:
                handle.read(1 << 16)  # sniff: a wrong encoding fails within the first block
        except UnicodeDecodeError:
            continue
        return path.open(encoding=encoding, newline="")
    raise ValueError(_("The CSV file is neither UTF-8 nor GB18030 text."))


def _csv_blocks(handle: TextIO, size: int) -> Iterator[str]:
    """The rest of a CSV file as blocks of about `size` characters of whole records: a block
    ends at a line break, after an even number of quote characters (a quoted field may hold
    line breaks). Reading blocks rather than lines keeps the main process's share small."""
    carry = ""
    with handle:
        while chunk := handle.read(size):
            text = carry + chunk
            cut = text.rfind("\n") + 1
            if not cut or text.count('"', 0, cut) % 2:
                carry = text  # no record ends here yet: read on
                continue
            carry = text[cut:]
            yield text[:cut]
        if carry:
            yield carry


class Importer:
    def __init__(
        self,
        *,
        actor: Any,
        overrides: Mapping[str, Any] | None = None,
        income_year: int,
        progress: Progress | None = None,
    ) -> None:
        require_role(actor, Role.DATA_ENTRY)
        self.actor = actor
        self.prefix = "" if scope_for(actor).is_superuser else scope_for(actor).region_prefix
        self.overrides = overrides or {}
        self.income_year = income_year
        self.progress = progress or (lambda done, total: None)
        self.errors: list[RowError] = []
        self.error_count = 0
        self.done = self.total = 0
        self.villages: dict[str, bool] = {}
        # What the file so far holds, for the duplicate checks (numbers compacted, tokens as
        # their first 128 bits, heads by household: millions of entries stay in memory).
        self.household_numbers: set[Any] = set()
        self.village_years: set[tuple[str, int]] = set()
        self.person_numbers: set[Any] = set()
        self.person_tokens: set[int] = set()
        self.heads: set[Any] = set()  # compacted household numbers
        self.was_empty: dict[str, bool] = {}
        self.suspension = IndexSuspension(constraints=True, keep_leading=KEEP_LEADING)
        self.seconds = dict.fromkeys(("waiting", "checks", "writing"), 0.0)

    # Errors ------------------------------------------------------------------------------------

    def refuse(self, file: str, row: int, column: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(RowError(file, row, column, reason))

    # Running -----------------------------------------------------------------------------------

    def run(self, sources: Sequence[Source], *, job: Job) -> Summary:
        """Import every file in one transaction; raise ImportRefused (nothing written) on errors."""
        summary = Summary()
        prepared = []
        for source in sources:
            table = source.table or self._detect(source)
            if table is None:
                self.refuse(
                    Path(source.filename).name,
                    1,
                    "",
                    _("The headers match neither the village, household nor person table."),
                )
                continue
            prepared.append((TABLES.index(table), table, source))
        if self.errors:
            raise ImportRefused(self.errors)
        prepared.sort(key=lambda item: item[0])
        sizes = dict.fromkeys(prep.MODELS, 0)
        for _order, table, source in prepared:
            sizes[table] += source.count_rows()
        self.total = sum(sizes.values())
        self.progress(0, self.total)
        workers = prep.worker_count(self.total, POOL_MIN_ROWS)
        seconds = self.seconds
        with transaction.atomic(), db.bulk_session(), prep.collector_paused():
            for table, model in prep.MODELS.items():
                self.was_empty[table] = db.table_is_empty(model)
            stamp = db.stamp()
            plans: list[Plan] = []
            for _order, table, source in prepared:
                plan = self._open(len(plans), source, table, stamp)
                if plan is not None:
                    plans.append(plan)
            tasks = (task for plan in plans for task in plan.tasks)
            loading = ""  # the table whose batches are being written
            clock = time.perf_counter()
            for batch in prep.ordered_map(prep.prepare, tasks, workers=workers):
                received = time.perf_counter()
                seconds["waiting"] += received - clock
                plan = plans[batch.file_index]
                if plan.table != loading:
                    self.suspension.resume()  # the next table's checks read the last one's
                    loading = plan.table
                    self._suspend_indexes(plan.table, sizes[plan.table])
                self._batch(plan, batch)
                clock = time.perf_counter()
                seconds["checks"] += clock - received
            # (what the loop spent writing and rebuilding indexes is not checking)
            seconds["checks"] -= seconds["writing"] + self.suspension.seconds
            if not self.error_count:  # else everything is rolled back, indexes included
                self.suspension.resume()
            for plan in plans:
                if not plan.counts.rows and not self.error_count:
                    self.refuse(plan.name, 2, "", _("The file has no data rows."))
            if self.error_count:
                raise ImportRefused(self.errors)
            for plan in plans:
                summary.files[plan.name] = {"table": plan.table, **plan.counts.__dict__}
                audit_record(
                    actor=self.actor,
                    action=AuditAction.IMPORT,
                    instance=job,
                    after={"file": plan.name, "table": plan.table, **plan.counts.__dict__},
                )
            clock = time.perf_counter()
        seconds["commit"] = time.perf_counter() - clock
        seconds["indexes"] = self.suspension.seconds
        summary.seconds = {name: round(value, 2) for name, value in seconds.items()}
        return summary

    def _suspend_indexes(self, table: str, rows: int) -> None:
        """A big load into an empty table goes in without the table's secondary indexes,
        rebuilt once its last batch is written (bulkload.py): a file of millions of persons
        would otherwise spend most of its time updating an index keyed by random ID tokens.
        The in-file checks already guarantee what the unique ones would (the table held no
        rows), and rebuilding them checks again."""
        if self.was_empty[table] and rows >= BULK_MIN_ROWS:
            self.suspension.suspend([prep.MODELS[table]])

    def _detect(self, source: Source) -> str | None:
        from bangfu.households.importing.mapping import detect_table

        try:
            header = next(source.cells(), [])
        except ValueError:
            return None
        return detect_table(header, self.overrides)

    def _open(self, index: int, source: Source, table: str, stamp: Any) -> Plan | None:
        """Read the header; the plan's tasks then stream the rest of the file in batches."""
        name = Path(source.filename).name
        mapping = apply_overrides(table, self.overrides)
        csv_path = source.path is not None and Path(source.filename).suffix.lower() == ".csv"
        try:
            if csv_path:
                handle = _open_csv(Path(source.path or ""))
                header = next(csv.reader(handle), None)
            else:
                rows = source.cells()
                header = next(rows, None)
        except ValueError as exc:
            self.refuse(name, 0, "", str(exc))
            return None
        if header is None:
            self.refuse(name, 1, "", _("The file is empty."))
            return None
        positions, missing = match_headers(header, schema_of(mapping))
        for spec in missing:
            self.refuse(name, 1, spec.header, _("This required column is missing."))
        if missing:
            if csv_path:
                handle.close()
            return None
        specs = tuple(spec for spec in mapping if spec.key in positions)
        language = translation.get_language()

        def task(text: str | None = None, batch: list[list[Any]] | None = None) -> prep.Task:
            return prep.Task(
                file_index=index,
                table=table,
                specs=specs,
                positions=positions,
                width=len(header),
                income_year=self.income_year,
                stamp=stamp,
                language=language,
                text=text,
                rows=batch,
                by_column=self.was_empty[table] and table in ("household", "person"),
            )

        def tasks() -> Iterator[prep.Task]:
            try:
                if csv_path:
                    for text in _csv_blocks(handle, BLOCK_CHARS):
                        yield task(text=text)
                else:
                    while batch := list(islice(rows, BATCH_ROWS)):
                        yield task(batch=batch)
            except ValueError as exc:  # an unreadable part of a spreadsheet
                self.refuse(name, 0, "", str(exc))

        return Plan(index, name, table, specs, positions, len(header), tasks(), Counts())

    def _batch(self, plan: Plan, batch: prep.Prepared) -> None:
        first = plan.next_row
        plan.next_row += batch.records
        for offset, header, reason in batch.errors:
            self.refuse(plan.name, first + offset, header, reason)
        numbers = [first + offset for offset in batch.offsets]
        handler = {
            "village": self._villages_batch,
            "household": self._households_batch,
            "person": self._persons_batch,
        }[plan.table]
        handler(plan, numbers, batch)
        plan.counts.rows += batch.rows
        self.done += batch.rows
        self.progress(self.done, max(self.total, self.done))

    # Shared checks -----------------------------------------------------------------------------

    def header(self, plan: Plan, key: str) -> str:
        return next(spec.header for spec in plan.specs if spec.key == key)

    def _check_villages(
        self, plan: Plan, numbers: list[int], codes: list[Any], bad: set[int]
    ) -> None:
        header = self.header(plan, "village")
        unknown = sorted({c for c in codes if c and c not in self.villages})
        for chunk in _chunks(unknown):
            found = set(
                Region.objects.filter(code__in=chunk, level=Level.VILLAGE).values_list(
                    "code", flat=True
                )
            )
            self.villages.update({code: code in found for code in chunk})
        prefix = self.prefix
        if prefix is not None and all(
            self.villages.get(code) and code.startswith(prefix) for code in set(codes)
        ):
            return  # each distinct code checked once: every row passes
        for index, code in enumerate(codes):
            if not self.villages.get(code):
                self.refuse(
                    plan.name,
                    numbers[index],
                    header,
                    _("No village with this code in the register."),
                )
                bad.add(index)
            elif self.prefix is None or not code.startswith(self.prefix):
                self.refuse(
                    plan.name, numbers[index], header, _("This village lies outside your scope.")
                )
                bad.add(index)

    def _unique_in_file(
        self,
        plan: Plan,
        numbers: list[int],
        keys: list[Any],
        seen: set[Any],
        bad: set[int],
        key: str,
        reason: str,
    ) -> None:
        if not bad and len(set(keys)) == len(keys) and seen.isdisjoint(keys):
            seen.update(keys)  # no duplicate: the sets decide for the whole batch at once
            return
        header = self.header(plan, key)
        for index, value in enumerate(keys):
            if index in bad:
                continue
            if value in seen:
                self.refuse(plan.name, numbers[index], header, reason)
                bad.add(index)
            else:
                seen.add(value)

    def write(
        self,
        model: type[models.Model],
        batch: prep.Prepared,
        new_rows: list[tuple[Any, ...]],
        updates: list[tuple[tuple[Any, ...], dict[str, Any]]],
        counts: Counts,
    ) -> None:
        """Insert the new rows; update the existing rows (row, stored values) that changed."""
        if self.error_count:
            return
        with self._writing():
            self._write(model, batch, new_rows, updates, counts)

    def write_all(
        self,
        model: type[models.Model],
        batch: prep.Prepared,
        counts: Counts,
        *,
        first: Sequence[Any] | None = None,
    ) -> None:
        """Insert every good row of the batch (a first load whose checks all passed)."""
        if self.error_count:
            return
        with self._writing():
            writer = TableWriter(model)
            if batch.column_values is not None:
                writer.insert_columns(batch.columns, batch.column_values, first=first)
            else:
                writer.insert_rows(batch.columns, batch.values, first=first)
            counts.created += len(batch.offsets)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds["writing"] += time.perf_counter() - started

    def _write(
        self,
        model: type[models.Model],
        batch: prep.Prepared,
        new_rows: list[tuple[Any, ...]],
        updates: list[tuple[tuple[Any, ...], dict[str, Any]]],
        counts: Counts,
    ) -> None:
        writer = TableWriter(model)
        writer.insert_rows(batch.columns, new_rows)
        counts.created += len(new_rows)
        if not updates:
            return
        position = {name: batch.columns.index(name) for name in batch.update_columns}
        fields = {
            name: next(f for f in model._meta.concrete_fields if name in (f.name, f.attname))
            for name in batch.update_columns
        }
        changed: list[tuple[Any, dict[str, Any]]] = []
        for row, stored in updates:
            typed: dict[str, Any] = {}
            differs = False
            for name in batch.update_columns:
                db_field = fields[name]
                value = row[position[name]]
                if isinstance(db_field, EncryptedTextField):
                    plain = crypto.decrypt(value, context=db_field.context) if value else ""
                    differs = differs or reveal(stored[name]) != plain
                else:
                    value = db_field.to_python(value)
                    differs = differs or comparable(stored[name]) != comparable(value)
                typed[name] = value
            if differs:
                changed.append((stored["id"], typed))
        counts.updated += len(changed)
        counts.unchanged += len(updates) - len(changed)
        if changed:
            writer.update(
                [pk for pk, _typed in changed],
                {name: [typed[name] for _pk, typed in changed] for name in batch.update_columns},
            )

    def stored(
        self, model: type[models.Model], pks: list[int], names: Sequence[str]
    ) -> dict[int, dict[str, Any]]:
        """The stored values of the given fields, for the rows a re-import matched."""
        found: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(pks):
            for values in model._default_manager.filter(pk__in=chunk).values("id", *names):
                found[values["id"]] = values
        return found

    # Tables ------------------------------------------------------------------------------------

    def _villages_batch(self, plan: Plan, numbers: list[int], batch: prep.Prepared) -> None:
        bad: set[int] = set()
        codes, years = batch.keys["village"], batch.keys["year"]
        self._check_villages(plan, numbers, codes, bad)
        self._unique_in_file(
            plan,
            numbers,
            list(zip(codes, years, strict=True)),
            self.village_years,
            bad,
            "village",
            _("This village and year appear twice in the file."),
        )
        good = [i for i in range(len(numbers)) if i not in bad]
        existing: dict[tuple[str, int], int] = {}
        for chunk in _chunks(sorted({codes[i] for i in good})):
            for pk, village, year in VillageFigures.objects.filter(
                village_id__in=chunk
            ).values_list("id", "village_id", "year"):
                existing[(village, year)] = pk
        new_rows: list[tuple[Any, ...]] = []
        matched: list[tuple[tuple[Any, ...], int]] = []
        values = batch.row_tuples()
        for i in good:
            found = existing.get((codes[i], years[i]))
            if found is None:
                new_rows.append(values[i])
            else:
                matched.append((values[i], found))
        stored = self.stored(VillageFigures, [pk for _row, pk in matched], batch.update_columns)
        updates = [(row, stored[pk]) for row, pk in matched]
        self.write(VillageFigures, batch, new_rows, updates, plan.counts)

    def _households_batch(self, plan: Plan, numbers: list[int], batch: prep.Prepared) -> None:
        bad: set[int] = set()
        self._check_villages(plan, numbers, batch.keys["village"], bad)
        household_numbers = batch.keys["number"]
        self._unique_in_file(
            plan,
            numbers,
            prep.compact_numbers(household_numbers),
            self.household_numbers,
            bad,
            "number",
            _("This household number appears twice in the file."),
        )
        if batch.column_values is not None:  # a first load: all rows or, on an error, none
            self.write_all(Household, batch, plan.counts)
            return
        good = [i for i in range(len(numbers)) if i not in bad]
        existing: dict[str, int] = {}
        if not self.was_empty["household"]:
            table = connection.ops.quote_name(Household._meta.db_table)
            existing = dict(
                db.select_in(
                    f"SELECT number, id FROM {table} WHERE number IN ({{}})",  # noqa: S608
                    [household_numbers[i] for i in good],
                )
            )
        new_rows, matched = [], []
        values = batch.row_tuples()
        for i in good:
            pk = existing.get(household_numbers[i])
            if pk is None:
                new_rows.append(values[i])
            else:
                matched.append((values[i], pk))
        stored = self.stored(Household, [pk for _row, pk in matched], batch.update_columns)
        updates = [(row, stored[pk]) for row, pk in matched]
        self.write(Household, batch, new_rows, updates, plan.counts)

    def _persons_batch(self, plan: Plan, numbers: list[int], batch: prep.Prepared) -> None:
        from bangfu.households.importing.persons import persons_batch

        persons_batch(self, plan, numbers, batch)
