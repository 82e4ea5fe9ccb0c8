"""Writes to regions: importing townships and villages, renaming them. Each one is audited."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import region_in_scope, require_role
from bangfu.core.errors import ImportRefused, PermissionDenied, RowError, ValidationFailed
from bangfu.core.models import AuditAction
from bangfu.core.services import audit_record
from bangfu.regions import codes, gazetteer
from bangfu.regions.codes import Level
from bangfu.regions.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
LOCAL_CSV = DATA_DIR / "regions_local.csv"

# Levels an import may add; county level and above ship with the project (migration 0002).
IMPORTABLE_LEVELS = (Level.TOWNSHIP, Level.VILLAGE)
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

# Accepted headers (compared case-insensitively, spaces ignored) → column.
HEADERS: dict[str, str] = {
    "code": "code",
    "代码": "code",
    "区划代码": "code",
    "统计用区划代码": "code",
    "name": "name",
    "名称": "name",
    "level": "level",
    "级别": "level",
    "parent_code": "parent_code",
    "上级代码": "parent_code",
}
REQUIRED_COLUMNS = ("code", "name")

# Values accepted in the level column besides the Level values themselves.
LEVEL_WORDS: dict[str, str] = {
    "省": Level.PROVINCE,
    "省级": Level.PROVINCE,
    "地": Level.PREFECTURE,
    "地级": Level.PREFECTURE,
    "市级": Level.PREFECTURE,
    "县": Level.COUNTY,
    "县级": Level.COUNTY,
    "乡": Level.TOWNSHIP,
    "乡级": Level.TOWNSHIP,
    "乡镇": Level.TOWNSHIP,
    "村": Level.VILLAGE,
    "村级": Level.VILLAGE,
}
NAME_MAX_LENGTH = Region._meta.get_field("name").max_length or 100
SHOWN_OUT_OF_SCOPE_ROWS = 5


@dataclass(frozen=True)
class ImportResult:
    file: str
    created: int
    unchanged: int
    created_by_level: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


@dataclass(frozen=True)
class _Row:
    number: int
    code: str
    name: str
    level: str
    parent_code: str


# ---------------------------------------------------------------------------------------------
# Reading files (no database)


def _cell_text(value: Any) -> str:
    """A cell as text; spreadsheets store codes typed as numbers as floats (4.51223101e11)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _read_table(path: Path, label: str) -> list[list[str]]:
    """All rows of the file (the first sheet of a workbook) as text, header row first."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                return [[cell.strip() for cell in row] for row in csv.reader(handle)]
        except UnicodeDecodeError as exc:
            raise ImportRefused(
                [RowError(label, 0, "", _("The file is not UTF-8 text (%s).") % exc.reason)]
            ) from None
        except csv.Error as exc:
            raise ImportRefused([RowError(label, 0, "", _("Unreadable CSV: %s") % exc)]) from None
    if suffix in SPREADSHEET_SUFFIXES:
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            with CalamineWorkbook.from_path(str(path)) as workbook:
                sheet = workbook.get_sheet_by_index(0)
                # Keep leading empty rows so row numbers match what the user sees.
                rows = sheet.to_python(skip_empty_area=False)
        except (CalamineError, OSError, ValueError) as exc:
            raise ImportRefused(
                [RowError(label, 0, "", _("Unreadable spreadsheet: %s") % exc)]
            ) from None
        return [[_cell_text(cell) for cell in row] for row in rows]
    raise ImportRefused(
        [RowError(label, 0, "", _("Unsupported file type “%s”; use CSV or XLSX.") % path.suffix)]
    )


def _header_key(header: str) -> str:
    return "".join(header.split()).lower()


def _parse(table: list[list[str]], label: str) -> tuple[list[_Row], list[RowError]]:
    """Rows keyed by column, and the errors of the header row. Row numbers count from 1."""
    errors: list[RowError] = []
    if not table or not any(table[0]):
        return [], [RowError(label, 1, "", _("The header row is missing."))]
    header, body = table[0], table[1:]
    positions: dict[str, int] = {}
    for position, raw in enumerate(header):
        if not raw:
            if any(position < len(row) and row[position] for row in body):
                errors.append(RowError(label, 1, "", _("A column with values has no header.")))
            continue
        column = HEADERS.get(_header_key(raw))
        if column is None:
            errors.append(RowError(label, 1, raw, _("Unknown column.")))
        elif column in positions:
            errors.append(RowError(label, 1, raw, _("This column appears twice.")))
        else:
            positions[column] = position
    for column in REQUIRED_COLUMNS:
        if column not in positions:
            errors.append(
                RowError(label, 1, column, _("The required column “%s” is missing.") % column)
            )
    if errors:
        return [], errors

    def cell(row: list[str], column: str) -> str:
        position = positions.get(column)
        return row[position] if position is not None and position < len(row) else ""

    rows = [
        _Row(
            number=number,
            code=cell(row, "code"),
            name=cell(row, "name"),
            level=cell(row, "level"),
            parent_code=cell(row, "parent_code"),
        )
        for number, row in enumerate(body, start=2)
        if any(row)  # blank lines are not rows
    ]
    return rows, []


# ---------------------------------------------------------------------------------------------
# Validation


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_names(wanted: set[str]) -> dict[str, str]:
    """Code → name of the wanted codes already in the database, in batches."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(wanted)):
        found.update(Region.objects.filter(code__in=chunk).values_list("code", "name"))
    return found


def _level_word(value: str) -> str | None:
    word = value.strip().lower()
    if word in Level.values:
        return word
    return LEVEL_WORDS.get(word)


def _check_rows(rows: list[_Row], label: str) -> tuple[list[_Row], int, list[RowError]]:
    """The rows to create, how many are already present unchanged, and every error."""
    errors: list[RowError] = []
    levels: dict[int, str] = {}
    for row in rows:
        if not row.name:
            errors.append(RowError(label, row.number, "name", _("The name is empty.")))
        elif len(row.name) > NAME_MAX_LENGTH:
            errors.append(
                RowError(
                    label,
                    row.number,
                    "name",
                    _("The name is longer than %d characters.") % NAME_MAX_LENGTH,
                )
            )
        try:
            level = codes.level_of(row.code)
        except codes.InvalidCode:
            errors.append(
                RowError(label, row.number, "code", _("“%s” is not a 12-digit code.") % row.code)
                if not codes.CODE_RE.match(row.code)
                else RowError(
                    label,
                    row.number,
                    "code",
                    _("“%s” is not a valid division code (a zero part above a non-zero one).")
                    % row.code,
                )
            )
            continue
        levels[row.number] = level
        if row.level:
            given = _level_word(row.level)
            if given is None:
                errors.append(
                    RowError(label, row.number, "level", _("Unknown level “%s”.") % row.level)
                )
            elif given != level:
                errors.append(
                    RowError(
                        label,
                        row.number,
                        "level",
                        _(
                            "The level “%(given)s” disagrees with the code, "
                            "which denotes a %(level)s."
                        )
                        % {"given": row.level, "level": Level(level).label},
                    )
                )
        if level not in IMPORTABLE_LEVELS:
            errors.append(
                RowError(
                    label,
                    row.number,
                    "code",
                    _(
                        "%s: county level and above ship with bangfu; "
                        "only townships and villages can be imported."
                    )
                    % Level(level).label,
                )
            )
        expected_parent = codes.parent_code(row.code)
        if row.parent_code and row.parent_code != expected_parent:
            errors.append(
                RowError(
                    label,
                    row.number,
                    "parent_code",
                    _("The parent code %(given)s does not match the code; expected %(expected)s.")
                    % {"given": row.parent_code, "expected": expected_parent},
                )
            )

    valid = [row for row in rows if row.number in levels]
    first_row: dict[str, int] = {}
    for row in valid:
        if row.code in first_row:
            errors.append(
                RowError(
                    label,
                    row.number,
                    "code",
                    _("The code %(code)s appears twice (first in row %(row)d).")
                    % {"code": row.code, "row": first_row[row.code]},
                )
            )
        else:
            first_row[row.code] = row.number

    parents = {codes.parent_code(row.code) or "" for row in valid}
    in_database = _existing_names({row.code for row in valid} | parents)
    to_create: list[_Row] = []
    unchanged = 0
    for row in valid:
        if first_row[row.code] != row.number:
            continue
        parent = codes.parent_code(row.code) or ""
        if parent not in in_database and parent not in first_row:
            errors.append(
                RowError(
                    label,
                    row.number,
                    "parent_code",
                    _("The parent %s exists neither in the database nor in this file.") % parent,
                )
            )
        existing = in_database.get(row.code)
        if existing is None:
            to_create.append(row)
        elif existing == row.name:
            unchanged += 1
        else:
            errors.append(
                RowError(
                    label,
                    row.number,
                    "name",
                    _("The code %(code)s already exists as “%(name)s”.")
                    % {"code": row.code, "name": existing},
                )
            )
    column_order = {"code": 0, "name": 1, "level": 2, "parent_code": 3}
    errors.sort(key=lambda e: (e.row, column_order.get(e.column, 4)))
    return to_create, unchanged, errors


def _require_rows_in_scope(actor: Any, rows: list[_Row], label: str) -> None:
    outside = [
        row
        for row in rows
        if codes.CODE_RE.match(row.code) and not region_in_scope(actor, row.code)
    ]
    if outside:
        shown = ", ".join(str(row.number) for row in outside[:SHOWN_OUT_OF_SCOPE_ROWS])
        raise PermissionDenied(
            _("%(file)s: %(count)d rows lie outside your region (rows %(rows)s).")
            % {"file": label, "count": len(outside), "rows": shown}
        )


# ---------------------------------------------------------------------------------------------
# Services


@transaction.atomic
def regions_import(
    *, actor: Any, path: Path, file_label: str | None = None, dry_run: bool = False
) -> ImportResult:
    """Add the townships and villages of a CSV or XLSX file, or refuse the whole file.

    Raises PermissionDenied (not an administrator, or rows outside the actor's region) or
    ImportRefused with every bad row; in either case nothing is written. Rows already present
    with the same name are counted as unchanged, so importing a file twice changes nothing.
    """
    label = file_label or path.name
    require_role(actor, Role.ADMINISTRATOR)
    rows, header_errors = _parse(_read_table(path, label), label)
    if header_errors:
        raise ImportRefused(header_errors)
    _require_rows_in_scope(actor, rows, label)
    to_create, unchanged, errors = _check_rows(rows, label)
    if errors:
        raise ImportRefused(errors)

    by_level: dict[str, int] = {level.value: 0 for level in IMPORTABLE_LEVELS}
    for row in to_create:
        by_level[codes.level_of(row.code)] += 1
    result = ImportResult(
        file=label,
        created=len(to_create),
        unchanged=unchanged,
        created_by_level=by_level,
        dry_run=dry_run,
    )
    if dry_run or not to_create:
        return result

    to_create.sort(key=lambda row: row.code)  # parents sort before their children
    Region.objects.bulk_create(
        [
            Region(
                code=row.code,
                name=row.name,
                level=codes.level_of(row.code),
                parent_id=codes.parent_code(row.code),
            )
            for row in to_create
        ],
        batch_size=500,
    )
    created_codes = [row.code for row in to_create]
    anchor_code = codes.common_ancestor(created_codes)
    anchor = Region.objects.filter(code=anchor_code).first() if anchor_code else None
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        instance=anchor or Region.objects.get(code=created_codes[0]),
        after={
            "file": label,
            "created": result.created,
            "unchanged": result.unchanged,
            "created_by_level": by_level,
            "first_code": created_codes[0],
            "last_code": created_codes[-1],
        },
        region_code=anchor.code if anchor else "",
    )
    gazetteer.invalidate()
    return result


def regions_load_local(*, actor: Any) -> ImportResult:
    """Import the shipped townships and villages of the demo counties (safe to run twice)."""
    return regions_import(actor=actor, path=LOCAL_CSV, file_label=LOCAL_CSV.name)


@transaction.atomic
def region_rename(*, actor: Any, region: Region, name: str) -> Region:
    """Correct the name of a township or village in the actor's region."""
    require_role(actor, Role.ADMINISTRATOR)
    if region.level not in IMPORTABLE_LEVELS:
        raise PermissionDenied(_("County level and above ship with bangfu and cannot be renamed."))
    if not region_in_scope(actor, region.code):
        raise PermissionDenied(_("This region lies outside your scope."))
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": [_("The name is empty.")]})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            {"name": [_("The name is longer than %d characters.") % NAME_MAX_LENGTH]}
        )
    current = Region.objects.select_for_update().get(pk=region.pk)
    if current.name == name:
        return current
    before = {"name": current.name}
    current.name = name
    current.save(update_fields=["name"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=current,
        before=before,
        after={"name": name},
        region_code=current.code,
    )
    gazetteer.invalidate()
    return current
