"""Excel import and export of figures and targets (schemas as data, bangfu.ingest.spreadsheets).

Imports are all or nothing: every row goes through the same services as manual entry (scope,
side, rules, closed periods), every refused cell or row is reported with file, row, column and
reason, and a file with any error writes nothing. An exported file imports again unchanged.
"""

from __future__ import annotations

import io as _io
from collections.abc import Callable
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.core.errors import ImportRefused, PermissionDenied, RowError, ValidationFailed
from bangfu.indicators import selectors, services
from bangfu.indicators.models import Indicator, Side, Source
from bangfu.indicators.periods import Period, PeriodError, parse
from bangfu.ingest.spreadsheets import Column, ColumnKind, Row, Schema, Sheet, read_file, write_xlsx
from bangfu.pairings import selectors as pairing_selectors
from bangfu.pairings.models import Pairing

SIDES = {"帮扶方": Side.DONOR, "受援方": Side.RECIPIENT}
_INDICATOR = Column("indicator", "指标代码", required=True, aliases=("indicator",), width=28)
_NAME = Column("name", "指标名称", export_only=True, width=24)
_PAIRING = Column("pairing", "结对ID", ColumnKind.INTEGER, required=True, aliases=("pairing",))
_PERIOD = Column(
    "period", "期间", required=True, aliases=("period",), help="2020, 2020H1, 2020Q3, 2020-06, "
    "2016-01-01..2020-11-30",
)  # fmt: skip
_VALUE = Column("value", "数值", required=True, aliases=("value",))
_COMMENT = Column("comment", "备注", aliases=("comment",), width=30)

VALUE_SCHEMA: Schema = (
    _INDICATOR,
    _NAME,
    _PAIRING,
    Column("side", "填报方", ColumnKind.CHOICE, required=True, choices=SIDES, aliases=("side",)),
    _PERIOD,
    _VALUE,
    Column("status", "状态", export_only=True),
    _COMMENT,
)
_FIELD_HEADERS = {
    "indicator": _INDICATOR.header,
    "period": _PERIOD.header,
    "pairing": _PAIRING.header,
    "reported_by": VALUE_SCHEMA[3].header,
    "comment": _COMMENT.header,
}
TARGET_SCHEMA: Schema = (_INDICATOR, _NAME, _PAIRING, _PERIOD, _VALUE, _COMMENT)


def _resolve(
    row: Row, filename: str, user: Any, indicators: dict[str, Indicator]
) -> tuple[Indicator, Pairing, Period] | RowError:
    v = row.values
    indicator = indicators.get(v["indicator"])
    if indicator is None:
        return RowError(filename, row.number, _INDICATOR.header, _("no such indicator"))
    pairing = pairing_selectors.pairing_get(user=user, pk=v["pairing"])
    if pairing is None:
        return RowError(filename, row.number, _PAIRING.header, _("no such pairing in your scope"))
    try:
        period = parse(str(v["period"]))
    except PeriodError as exc:
        return RowError(filename, row.number, _PERIOD.header, str(exc))
    return indicator, pairing, period


def _import(
    *,
    actor: Any,
    source: bytes | BinaryIO,
    filename: str,
    schema: Schema,
    save: Callable[[Row, Indicator, Pairing, Period], Any],
) -> int:
    rows, errors = read_file(source, filename, schema)
    indicators = Indicator.objects.in_bulk(field_name="code")
    with transaction.atomic():
        for row in rows:
            if any(e.row == row.number for e in errors):
                continue
            resolved = _resolve(row, filename, actor, indicators)
            if isinstance(resolved, RowError):
                errors.append(resolved)
                continue
            try:
                with transaction.atomic():
                    save(row, *resolved)
            except ValidationFailed as exc:
                for field, messages in exc.errors.items():
                    column = _FIELD_HEADERS.get(field, _VALUE.header)
                    errors.extend(RowError(filename, row.number, column, m) for m in messages)
            except PermissionDenied as exc:
                errors.append(RowError(filename, row.number, "", str(exc)))
        if errors:
            raise ImportRefused(sorted(errors, key=lambda e: (e.row, e.column)))
    return len(rows)


def values_import(*, actor: Any, source: bytes | BinaryIO, filename: str) -> int:
    """Import figures as drafts; returns the number of rows saved."""

    def save(row: Row, indicator: Indicator, pairing: Pairing, period: Period) -> Any:
        return services.data_value_set(
            actor=actor,
            indicator=indicator,
            period=period,
            value=row.values["value"],
            pairing=pairing,
            reported_by=row.values["side"],
            source=Source.IMPORT,
            document_ref=filename,
            comment=row.values.get("comment") or "",
        )

    return _import(actor=actor, source=source, filename=filename, schema=VALUE_SCHEMA, save=save)


def targets_import(*, actor: Any, source: bytes | BinaryIO, filename: str) -> int:
    def save(row: Row, indicator: Indicator, pairing: Pairing, period: Period) -> Any:
        return services.target_set(
            actor=actor,
            indicator=indicator,
            pairing=pairing,
            period=period,
            value=row.values["value"],
            comment=row.values.get("comment") or "",
        )

    return _import(actor=actor, source=source, filename=filename, schema=TARGET_SCHEMA, save=save)


def _plain(value: Any) -> str:
    return format(value.normalize(), "f")


def values_export(*, user: Any, pairing: Pairing | None = None, year: int | None = None) -> bytes:
    within = Period.year(year) if year else None
    figures = selectors.value_list(user=user, pairing=pairing, within=within).filter(
        pairing__isnull=False
    )
    rows = (
        {
            "indicator": f.indicator.code,
            "name": f.indicator.name_zh,
            "pairing": f.pairing_id,
            "side": f.reported_by,
            "period": str(f.period),
            "value": _plain(f.value),
            "status": f.get_status_display(),
            "comment": f.comment,
        }
        for f in figures
    )
    buffer = _io.BytesIO()
    write_xlsx(buffer, [Sheet("values", VALUE_SCHEMA, rows)])
    return buffer.getvalue()


def targets_export(*, user: Any, pairing: Pairing | None = None, year: int | None = None) -> bytes:
    within = Period.year(year) if year else None
    rows = (
        {
            "indicator": t.indicator.code,
            "name": t.indicator.name_zh,
            "pairing": t.pairing_id,
            "period": str(t.period),
            "value": _plain(t.value),
            "comment": t.comment,
        }
        for t in selectors.target_list(user=user, pairing=pairing, within=within)
    )
    buffer = _io.BytesIO()
    write_xlsx(buffer, [Sheet("targets", TARGET_SCHEMA, rows)])
    return buffer.getvalue()
