"""The import of village, household and person tables.

Files are read as streams in batches. Each batch is converted and validated column by column
(columns.py), then checked against the file so far (duplicate numbers and ID tokens, one head
per household) and against the database with one query per batch and concern (village codes,
existing households and persons, person → household references). Everything runs inside one
transaction: batches are written as long as no error has been found, reading continues to
the end to report every bad row, and any error rolls the whole import back, so a refused file
writes nothing. Re-imports match households by number and persons by (household, ID token);
unchanged rows are not written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import require_role, scope_for
from bangfu.core.errors import ImportRefused, RowError
from bangfu.core.models import AuditAction, Job
from bangfu.core.services import audit_record
from bangfu.households.fields import EncryptedTextField, reveal
from bangfu.households.importing import columns as cols
from bangfu.households.importing.mapping import TABLES, Spec, apply_overrides, schema_of
from bangfu.households.importing.writer import TableWriter, comparable
from bangfu.households.models import Household, VillageFigures
from bangfu.households.services import compute_incomes
from bangfu.ingest.spreadsheets import iter_cells, match_headers
from bangfu.regions.codes import Level
from bangfu.regions.models import Region

BATCH_ROWS = 20_000
QUERY_CHUNK = 5_000
MAX_MESSAGES = 10_000
INCOME = ("wage_income", "business_income", "property_income", "transfer_income", "business_costs")
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
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Summary:
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def persons(self) -> int:
        return sum(f["rows"] for f in self.files.values() if f["table"] == "person")


def _chunks(items: Sequence[Any], size: int = QUERY_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _defaults(model: type[Any]) -> dict[str, Any]:
    return {f.name: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


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
        self.household_numbers: set[str] = set()
        self.village_years: set[tuple[str, int]] = set()
        self.person_numbers: set[str] = set()
        self.person_tokens: set[int] = set()
        self.heads: set[str] = set()

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
        self.total = sum(source.count_rows() for _order, _table, source in prepared)
        self.progress(0, self.total)
        with transaction.atomic():
            for _order, table, source in prepared:
                counts = self._file(source, table)
                name = Path(source.filename).name
                summary.files[name] = {"table": table, **counts.__dict__}
                if not self.error_count:
                    audit_record(
                        actor=self.actor,
                        action=AuditAction.IMPORT,
                        instance=job,
                        after={"file": name, "table": table, **counts.__dict__},
                    )
            if self.error_count:
                raise ImportRefused(self.errors)
        return summary

    def _detect(self, source: Source) -> str | None:
        from bangfu.households.importing.mapping import detect_table

        try:
            header = next(source.cells(), [])
        except ValueError:
            return None
        return detect_table(header, self.overrides)

    def _file(self, source: Source, table: str) -> Counts:
        name = Path(source.filename).name
        mapping = apply_overrides(table, self.overrides)
        counts = Counts()
        try:
            rows = source.cells()
            header = next(rows, None)
        except ValueError as exc:
            self.refuse(name, 0, "", str(exc))
            return counts
        if header is None:
            self.refuse(name, 1, "", _("The file is empty."))
            return counts
        positions, missing = match_headers(header, schema_of(mapping))
        for spec in missing:
            self.refuse(name, 1, spec.header, _("This required column is missing."))
        if missing:
            return counts
        handler = {
            "village": self._villages_batch,
            "household": self._households_batch,
            "person": self._persons_batch,
        }[table]
        specs = [spec for spec in mapping if spec.key in positions]
        try:
            for numbers, batch in self._batches(rows, len(header)):
                converted, bad = self._convert(name, numbers, batch, specs, positions)
                handler(name, numbers, converted, bad, specs, counts)
                counts.rows += len(numbers)
                self.done += len(numbers)
                self.progress(self.done, max(self.total, self.done))
        except ValueError as exc:  # unreadable part of a spreadsheet
            self.refuse(name, 0, "", str(exc))
        if not counts.rows and not self.error_count:
            self.refuse(name, 2, "", _("The file has no data rows."))
        return counts

    def _batches(
        self, rows: Iterable[list[Any]], width: int
    ) -> Iterator[tuple[list[int], list[list[Any]]]]:
        numbers: list[int] = []
        batch: list[list[Any]] = []
        for number, row in enumerate(rows, start=2):
            if not any(v not in (None, "") for v in row):
                continue
            if len(row) < width:
                row.extend([None] * (width - len(row)))
            numbers.append(number)
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                yield numbers, batch
                numbers, batch = [], []
        if batch:
            yield numbers, batch

    def _convert(
        self,
        name: str,
        numbers: list[int],
        batch: list[list[Any]],
        specs: list[Spec],
        positions: dict[str, int],
    ) -> tuple[dict[str, list[Any]], set[int]]:
        converted: dict[str, list[Any]] = {}
        bad: set[int] = set()
        for spec in specs:
            position = positions[spec.key]
            values, errors = cols.convert_column(spec, [row[position] for row in batch])
            converted[spec.key] = values
            for index, reason in errors:
                bad.add(index)
                self.refuse(name, numbers[index], spec.header, reason)
        return converted, bad

    # Shared checks -----------------------------------------------------------------------------

    def _check_villages(
        self, name: str, numbers: list[int], codes: list[Any], bad: set[int], header: str
    ) -> None:
        unknown = sorted({c for c in codes if c and c not in self.villages})
        for chunk in _chunks(unknown):
            found = set(
                Region.objects.filter(code__in=chunk, level=Level.VILLAGE).values_list(
                    "code", flat=True
                )
            )
            self.villages.update({code: code in found for code in chunk})
        for index, code in enumerate(codes):
            if index in bad or code is None:
                continue
            if not self.villages.get(code):
                self.refuse(
                    name, numbers[index], header, _("No village with this code in the register.")
                )
                bad.add(index)
            elif self.prefix is None or not code.startswith(self.prefix):
                self.refuse(
                    name, numbers[index], header, _("This village lies outside your scope.")
                )
                bad.add(index)

    def _unique_in_file(
        self,
        name: str,
        numbers: list[int],
        keys: list[Any],
        seen: set[Any],
        bad: set[int],
        header: str,
        reason: str,
    ) -> None:
        for index, key in enumerate(keys):
            if key is None:
                continue
            if key in seen:
                self.refuse(name, numbers[index], header, reason)
                bad.add(index)
            else:
                seen.add(key)

    def _write(
        self,
        model: type[Any],
        new: list[int],
        updates: list[tuple[int, int]],
        rows: dict[str, list[Any]],
        present: Sequence[str],
        counts: Counts,
        changed_fields: Callable[[int, int], bool],
    ) -> None:
        """Insert the new rows; update existing rows whose present fields changed."""
        if self.error_count:
            return
        writer = TableWriter(model)
        encrypted = {
            f.name: f.context
            for f in model._meta.concrete_fields
            if isinstance(f, EncryptedTextField)
        }

        def column(key: str, indexes: list[int]) -> list[Any]:
            values = [rows[key][i] for i in indexes]
            return (
                cols.encrypt_column(values, context=encrypted[key]) if key in encrypted else values
            )

        writer.insert({key: column(key, new) for key in rows}, len(new))
        counts.created += len(new)
        changed = [(index, pk) for index, pk in updates if changed_fields(index, pk)]
        counts.updated += len(changed)
        counts.unchanged += len(updates) - len(changed)
        if changed:
            indexes = [index for index, _pk in changed]
            writer.update(
                [pk for _index, pk in changed], {key: column(key, indexes) for key in present}
            )

    def _differs(
        self,
        stored: Mapping[str, Any],
        rows: dict[str, list[Any]],
        index: int,
        present: Sequence[str],
        encrypted: frozenset[str],
    ) -> bool:
        for key in present:
            new = rows[key][index]
            old = stored[key]
            if key in encrypted:
                if reveal(old) != (new or ""):
                    return True
            elif comparable(old) != comparable(new):
                return True
        return False

    # Tables ------------------------------------------------------------------------------------

    def _villages_batch(
        self,
        name: str,
        numbers: list[int],
        data: dict[str, list[Any]],
        bad: set[int],
        specs: list[Spec],
        counts: Counts,
    ) -> None:
        header = {s.key: s.header for s in specs}
        self._check_villages(name, numbers, data["village"], bad, header["village"])
        keys = [
            (v, y) if i not in bad else None
            for i, (v, y) in enumerate(zip(data["village"], data["year"], strict=True))
        ]
        self._unique_in_file(
            name,
            numbers,
            keys,
            self.village_years,
            bad,
            header["village"],
            _("This village and year appear twice in the file."),
        )
        good = [i for i in range(len(numbers)) if i not in bad]
        defaults = _defaults(VillageFigures)
        present = [s.key for s in specs if s.key not in {"village", "year"}]
        rows: dict[str, list[Any]] = {"village_id": [], "year": []}
        for key in present:
            rows[key] = []
        rows_keys = list(present)
        for i in good:
            rows["village_id"].append(data["village"][i])
            rows["year"].append(data["year"][i])
            for key in rows_keys:
                value = data[key][i]
                rows[key].append(defaults[key] if value is None else value)
        existing: dict[tuple[str, int], dict[str, Any]] = {}
        for chunk in _chunks(sorted({data["village"][i] for i in good})):
            for stored in VillageFigures.objects.filter(village_id__in=chunk).values(
                "id", "village_id", "year", *present
            ):
                existing[(stored["village_id"], stored["year"])] = stored
        new, updates = [], []
        for position, (village, year) in enumerate(
            zip(rows["village_id"], rows["year"], strict=True)
        ):
            stored = existing.get((village, year))
            if stored is None:
                new.append(position)
            else:
                updates.append((position, stored["id"]))
        by_pk = {s["id"]: s for s in existing.values()}
        self._write(
            VillageFigures,
            new,
            updates,
            rows,
            present,
            counts,
            lambda i, pk: self._differs(by_pk[pk], rows, i, present, frozenset()),
        )

    def _households_batch(
        self,
        name: str,
        numbers: list[int],
        data: dict[str, list[Any]],
        bad: set[int],
        specs: list[Spec],
        counts: Counts,
    ) -> None:
        header = {s.key: s.header for s in specs}
        self._check_villages(name, numbers, data["village"], bad, header["village"])
        self._unique_in_file(
            name,
            numbers,
            [n if i not in bad else None for i, n in enumerate(data["number"])],
            self.household_numbers,
            bad,
            header["number"],
            _("This household number appears twice in the file."),
        )
        good = [i for i in range(len(numbers)) if i not in bad]
        defaults = _defaults(Household)
        present = [s.key for s in specs if s.key not in {"number", "village"}]
        if "income_year" not in present:
            present.append("income_year")
        present += ["net_income", "per_capita_net_income"]
        rows: dict[str, list[Any]] = {key: [] for key in ("number", "village_id", *present)}
        fill = [k for k in present if k not in ("net_income", "per_capita_net_income")]
        for i in good:
            rows["number"].append(data["number"][i])
            rows["village_id"].append(data["village"][i])
            for key in fill:
                value = data[key][i] if key in data else None
                if value is None:
                    value = self.income_year if key == "income_year" else defaults[key]
                rows[key].append(value)
            components = {
                k: (data[k][i] if k in data and data[k][i] is not None else defaults[k])
                for k in INCOME
            }
            net, per_capita = compute_incomes(
                components=components, household_size=data["household_size"][i]
            )
            rows["net_income"].append(net)
            rows["per_capita_net_income"].append(per_capita)
        existing: dict[str, dict[str, Any]] = {}
        present_fields = [k for k in present if k != "village"] + ["village_id"]
        for chunk in _chunks(rows["number"]):
            for stored in Household.objects.filter(number__in=chunk).values(
                "id", "number", *present_fields
            ):
                existing[stored["number"]] = stored
        new, updates = [], []
        for position, number in enumerate(rows["number"]):
            stored = existing.get(number)
            if stored is None:
                new.append(position)
            else:
                updates.append((position, stored["id"]))
        by_pk = {s["id"]: s for s in existing.values()}
        encrypted = frozenset({"collector_name", "collector_phone"})
        compare = [*present, "village_id"]
        self._write(
            Household,
            new,
            updates,
            rows,
            compare,
            counts,
            lambda i, pk: self._differs(by_pk[pk], rows, i, compare, encrypted),
        )

    def _persons_batch(
        self,
        name: str,
        numbers: list[int],
        data: dict[str, list[Any]],
        bad: set[int],
        specs: list[Spec],
        counts: Counts,
    ) -> None:
        from bangfu.households.importing.persons import prepare_persons

        prepare_persons(self, name, numbers, data, bad, specs, counts)
