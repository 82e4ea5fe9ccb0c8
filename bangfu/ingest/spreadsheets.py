"""Spreadsheet reading and writing shared by every import and export. No HTTP, no models.

A `Schema` (a tuple of `Column`s) is the data describing a file format: its headers, what each
cell must hold and how it converts. `read_file` turns a CSV or XLSX/XLS/ODS file into typed rows
plus a list of `RowError`s naming file, row, column and reason for every bad cell;
`write_xlsx` and `template_xlsx` write files from the same schema, so an exported file can be
imported again.

Headers are part of the file format, not interface text: they stay Chinese (as users' own
spreadsheets have them) in every interface language. Files may also use a column's key or one of
its aliases as the header.

Numbers in XLSX cells arrive as binary floats; they are converted through their shortest decimal
representation (what the user typed, for up to 15 significant digits) and never used as floats.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from bangfu.core.errors import RowError
from bangfu.core.money import AmountError, Unit, parse_amount, to_unit


class ColumnKind(Enum):
    TEXT = "text"
    INTEGER = "integer"
    AMOUNT = "amount"  # money: a number in the column's unit, or text with its own unit
    DATE = "date"
    CHOICE = "choice"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: ColumnKind = ColumnKind.TEXT
    required: bool = False
    # For CHOICE: the text a cell may hold → the stored value. Exports write the first label of
    # each value; imports also accept the value itself.
    choices: Mapping[str, str] = field(default_factory=dict)
    unit: Unit = Unit.YUAN
    aliases: tuple[str, ...] = ()
    help: str = ""
    width: int = 14
    export_only: bool = False  # computed on export, ignored on import
    max_length: int | None = None
    positive: bool = False  # AMOUNT: refuse zero and negative amounts

    def label_of(self, value: str) -> str:
        for label, stored in self.choices.items():
            if stored == value:
                return label
        return value


Schema = tuple[Column, ...]


@dataclass(frozen=True)
class Row:
    number: int  # the row number as the spreadsheet program shows it (headers are row 1)
    values: dict[str, Any]


SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def read_cells(source: bytes | str | Path | BinaryIO, filename: str) -> list[list[Any]]:
    """All cells of a CSV file or of the first sheet of a workbook, as rows of values."""
    if isinstance(source, str | Path):
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError(_("The CSV file is neither UTF-8 nor GB18030 text."))
        return [list(r) for r in csv.reader(io.StringIO(text))]
    if suffix in SPREADSHEET_SUFFIXES:
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            return [
                list(r) for r in workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
            ]
        except CalamineError as exc:
            raise ValueError(_("The file could not be read as a spreadsheet: %s") % exc) from None
    raise ValueError(_("Unsupported file type “%s”; use .csv or .xlsx.") % suffix)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    return Decimal(str(value).strip().replace(",", ""))


def convert(column: Column, value: Any) -> Any:
    """The cell's value as the column's type; raises ValueError with the reason."""
    if column.kind is ColumnKind.TEXT:
        text = (
            str(int(value))
            if isinstance(value, float) and value.is_integer()
            else str(value).strip()
        )
        if column.max_length and len(text) > column.max_length:
            raise ValueError(_("longer than %d characters") % column.max_length)
        return text
    if column.kind is ColumnKind.INTEGER:
        try:
            number = _decimal(value)
        except InvalidOperation:
            raise ValueError(_("“%s” is not a whole number") % value) from None
        if number != number.to_integral_value():
            raise ValueError(_("“%s” is not a whole number") % value)
        return int(number)
    if column.kind is ColumnKind.AMOUNT:
        try:
            yuan = parse_amount(value if isinstance(value, str) else _decimal(value), column.unit)
        except (AmountError, InvalidOperation):
            raise ValueError(_("“%s” is not an exact amount") % value) from None
        if column.positive and yuan <= 0:
            raise ValueError(_("The amount must be greater than zero."))
        return yuan
    if column.kind is ColumnKind.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip().replace("/", "-").replace(".", "-")
        try:
            year, month, day = (int(part) for part in text.split("-"))
            return dt.date(year, month, day)
        except ValueError:
            raise ValueError(_("“%s” is not a date (YYYY-MM-DD)") % value) from None
    text = str(value).strip()
    if text in column.choices:
        return column.choices[text]
    if text in column.choices.values():
        return text
    raise ValueError(
        _("“%(value)s” is not one of: %(allowed)s")
        % {"value": text, "allowed": "、".join(column.choices)}
    )


def parse_rows(
    cells: Sequence[Sequence[Any]], schema: Schema, filename: str
) -> tuple[list[Row], list[RowError]]:
    """Map headers to columns and convert every cell; collect every error."""
    if not cells:
        return [], [RowError(filename, 1, "", _("The file is empty."))]
    names: dict[str, Column] = {}
    for column in schema:
        for name in (column.header, column.key, *column.aliases):
            names[name] = column
    positions: dict[int, Column] = {}
    for index, header in enumerate(cells[0]):
        match = names.get(str(header).strip()) if header is not None else None
        if match is not None and not match.export_only:
            positions[index] = match
    found = {c.key for c in positions.values()}
    missing = [c for c in schema if c.required and c.key not in found]
    if missing:
        return [], [
            RowError(filename, 1, c.header, _("This required column is missing.")) for c in missing
        ]
    rows: list[Row] = []
    errors: list[RowError] = []
    for number, raw in enumerate(cells[1:], start=2):
        if all(_blank(v) for v in raw):
            continue
        values: dict[str, Any] = {}
        for index, column in positions.items():
            value = raw[index] if index < len(raw) else None
            if _blank(value):
                if column.required:
                    errors.append(
                        RowError(filename, number, column.header, _("A value is required."))
                    )
                values[column.key] = None
                continue
            try:
                values[column.key] = convert(column, value)
            except ValueError as exc:
                errors.append(RowError(filename, number, column.header, str(exc)))
        rows.append(Row(number, values))
    if not rows and not errors:
        errors.append(RowError(filename, 2, "", _("The file has no data rows.")))
    return rows, errors


def read_file(
    source: bytes | str | Path | BinaryIO, filename: str, schema: Schema
) -> tuple[list[Row], list[RowError]]:
    try:
        cells = read_cells(source, filename)
    except ValueError as exc:
        return [], [RowError(filename, 0, "", str(exc))]
    return parse_rows(cells, schema, filename)


# Writing --------------------------------------------------------------------------------------


def _cell(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind is ColumnKind.AMOUNT:
        return float(to_unit(Decimal(value), column.unit))
    if column.kind is ColumnKind.CHOICE:
        return column.label_of(str(value))
    if column.kind is ColumnKind.DATE and isinstance(value, dt.date):
        return value
    return value


@dataclass
class Sheet:
    name: str
    schema: Schema
    rows: Iterable[Mapping[str, Any]] = ()


def write_xlsx(target: str | Path | BinaryIO, sheets: Sequence[Sheet]) -> None:
    """Write sheets with bold frozen headers; amounts as numbers with 4 decimals in their unit."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "remove_timezone": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    formats = {
        ColumnKind.AMOUNT: workbook.add_format({"num_format": "#,##0.0000"}),
        ColumnKind.DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
        ColumnKind.INTEGER: workbook.add_format({"num_format": "0"}),
    }
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.name[:31])
        for index, column in enumerate(sheet.schema):
            worksheet.write_string(0, index, column.header, bold)
            worksheet.set_column(index, index, column.width, formats.get(column.kind))
            if column.kind is ColumnKind.CHOICE and column.choices:
                labels = list(dict.fromkeys(column.label_of(v) for v in column.choices.values()))
                worksheet.data_validation(
                    1, index, 100_000, index,
                    {"validate": "list", "source": labels, "ignore_blank": True},
                )  # fmt: skip
        worksheet.freeze_panes(1, 0)
        # Printed (or converted to PDF): landscape A4, all columns on one page width, the
        # header row repeated on every page.
        worksheet.set_landscape()
        worksheet.set_paper(9)
        worksheet.fit_to_pages(1, 0)
        worksheet.repeat_rows(0)
        for row_index, row in enumerate(sheet.rows, start=1):
            for index, column in enumerate(sheet.schema):
                value = _cell(column, row.get(column.key))
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    worksheet.write_datetime(row_index, index, value, formats[ColumnKind.DATE])
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    worksheet.write_number(row_index, index, value, formats.get(column.kind))
                else:
                    worksheet.write_string(row_index, index, str(value))
    workbook.close()


def schema_notes(schema: Schema) -> Sheet:
    """A sheet describing each importable column: required, type and allowed values."""
    notes: Schema = (
        Column("header", "列名", width=18),
        Column("required", "必填", width=8),
        Column("allowed", "填写说明", width=80),
    )
    kinds = {
        ColumnKind.TEXT: "文本",
        ColumnKind.INTEGER: "整数",
        ColumnKind.DATE: "日期 YYYY-MM-DD",
        ColumnKind.CHOICE: "从下列选项中选择",
    }
    rows = []
    for column in schema:
        if column.export_only:
            continue
        if column.kind is ColumnKind.AMOUNT:
            kind = f"金额，单位{column.unit.label}，可带单位书写（如 4994万元、4.1565亿元）"
        else:
            kind = kinds[column.kind]
        if column.choices:
            kind += "：" + "、".join(
                dict.fromkeys(column.label_of(v) for v in column.choices.values())
            )
        if column.help:
            kind += "。" + column.help
        rows.append(
            {"header": column.header, "required": "是" if column.required else "", "allowed": kind}
        )
    return Sheet("填写说明", notes, rows)


def template_xlsx(schema: Schema, sheet_name: str) -> bytes:
    """An empty import file for the schema, with a sheet explaining its columns."""
    buffer = io.BytesIO()
    importable = tuple(c for c in schema if not c.export_only)
    write_xlsx(buffer, [Sheet(sheet_name, importable), schema_notes(schema)])
    return buffer.getvalue()


# Streaming (large imports) -------------------------------------------------------------------


def _decoded_lines(path: Path) -> Iterator[str]:
    """The lines of a UTF-8 (with or without BOM) or GB18030 CSV file, read as a stream."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(encoding=encoding, newline="") as handle:
                handle.read(1 << 16)  # sniff: a wrong encoding fails within the first block
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    with path.open(encoding=encoding, newline="") as handle:
        yield from handle


def iter_cells(source: bytes | str | Path, filename: str) -> Iterator[list[Any]]:
    """The rows of a CSV file or of a workbook's first sheet, one at a time (header first).

    Unlike `read_cells` this never holds the whole file: a CSV is decoded line by line and a
    workbook sheet is walked with calamine's row iterator.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        if isinstance(source, bytes):
            cells = read_cells(source, filename)
            yield from cells
            return
        yield from csv.reader(_decoded_lines(Path(source)))
        return
    if suffix in SPREADSHEET_SUFFIXES:
        try:
            workbook = (
                CalamineWorkbook.from_filelike(io.BytesIO(source))
                if isinstance(source, bytes)
                else CalamineWorkbook.from_path(str(source))
            )
            rows = workbook.get_sheet_by_index(0).iter_rows()
        except CalamineError as exc:
            raise ValueError(_("The file could not be read as a spreadsheet: %s") % exc) from None
        yield from (list(r) for r in rows)
        return
    raise ValueError(_("Unsupported file type “%s”; use .csv or .xlsx.") % suffix)


def match_headers(header_row: Sequence[Any], schema: Schema) -> tuple[dict[str, int], list[Column]]:
    """Column key → position for the file's header row (header, key or alias), and the
    required columns that are missing."""
    names: dict[str, Column] = {}
    for column in schema:
        for name in (column.header, column.key, *column.aliases):
            names[name] = column
    positions: dict[str, int] = {}
    for index, header in enumerate(header_row):
        match = names.get(str(header).strip()) if header is not None else None
        if match is not None and not match.export_only and match.key not in positions:
            positions[match.key] = index
    missing = [c for c in schema if c.required and c.key not in positions]
    return positions, missing
