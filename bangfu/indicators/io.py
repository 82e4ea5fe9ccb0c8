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
from bangfu.indicators.selectors import Owner
from bangfu.ingest.spreadsheets import (
    Column,
    ColumnKind,
    Row,
    Schema,
    Sheet,
    read_file,
    template_xlsx,
    write_xlsx,
)
from bangfu.pairings import selectors as pairing_selectors
from bangfu.pairings.models import Pairing
from bangfu.regions.models import Region

SIDES = {"帮扶方": Side.DONOR, "受援方": Side.RECIPIENT}
_INDICATOR = Column("indicator", "指标代码", required=True, aliases=("indicator",), width=28)
_NAME = Column("name", "指标名称", export_only=True, width=24)
_PAIRING = Column("pairing", "结对ID", ColumnKind.INTEGER, required=True, aliases=("pairing",))
_PERIOD = Column(
    "period", "期间", required=True, aliases=("period",), help="2020, 2020H1, 2020Q3, 2020-06, "
    "2016-01-01..2020-11-30",
)  # fmt: skip
_VALUE = Column("value", "数值", required=True, aliases=("value",))
# A target of one party as a whole (no pairing): the party's region code.
_PARTY = Column(
    "party_region", "填报地区代码", aliases=("party_region",), width=16,
    help="只填结对ID或地区代码之一：地区代码用于整个地区的目标（如宝安区 440306000000）",
)  # fmt: skip
_TARGET_PAIRING = Column(
    "pairing", "结对ID", ColumnKind.INTEGER, aliases=("pairing",), help="或填写填报地区代码"
)
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
TARGET_SCHEMA: Schema = (_INDICATOR, _NAME, _TARGET_PAIRING, _PARTY, _PERIOD, _VALUE, _COMMENT)


def _owner(row: Row, filename: str, user: Any) -> Owner | RowError:
    pairing_id, code = row.values.get("pairing"), row.values.get("party_region") or ""
    if (pairing_id is None) == (not code):
        return RowError(
            filename, row.number, _PAIRING.header, _("give either a pairing or a region code")
        )
    if pairing_id is not None:
        pairing = pairing_selectors.pairing_get(user=user, pk=pairing_id)
        if pairing is None:
            return RowError(
                filename, row.number, _PAIRING.header, _("no such pairing in your scope")
            )
        return Owner(pairing=pairing)
    region = pairing_selectors.region_get(code=code)
    if region is None or not selectors.party_visible(user=user, region=region):
        return RowError(filename, row.number, _PARTY.header, _("no such region in your scope"))
    return Owner(party_region=region)


def _resolve(
    row: Row, filename: str, user: Any, indicators: dict[str, Indicator]
) -> tuple[Indicator, Owner, Period] | RowError:
    v = row.values
    indicator = indicators.get(v["indicator"])
    if indicator is None:
        return RowError(filename, row.number, _INDICATOR.header, _("no such indicator"))
    owner = _owner(row, filename, user)
    if isinstance(owner, RowError):
        return owner
    try:
        period = parse(str(v["period"]))
    except PeriodError as exc:
        return RowError(filename, row.number, _PERIOD.header, str(exc))
    return indicator, owner, period


def _import(
    *,
    actor: Any,
    source: bytes | BinaryIO,
    filename: str,
    schema: Schema,
    save: Callable[[Row, Indicator, Owner, Period], Any],
    dry_run: bool = False,
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
        if dry_run:
            transaction.set_rollback(True)
    return len(rows)


def values_import(
    *, actor: Any, source: bytes | BinaryIO, filename: str, dry_run: bool = False
) -> int:
    """Import figures as drafts; returns the number of rows saved (checked only: `dry_run`)."""

    def save(row: Row, indicator: Indicator, owner: Owner, period: Period) -> Any:
        return services.data_value_set(
            actor=actor,
            indicator=indicator,
            period=period,
            value=row.values["value"],
            pairing=owner.pairing,
            reported_by=row.values["side"],
            source=Source.IMPORT,
            document_ref=filename,
            comment=row.values.get("comment") or "",
        )

    return _import(
        actor=actor,
        source=source,
        filename=filename,
        schema=VALUE_SCHEMA,
        save=save,
        dry_run=dry_run,
    )


def targets_import(
    *, actor: Any, source: bytes | BinaryIO, filename: str, dry_run: bool = False
) -> int:
    """Import targets of pairings (结对ID) or of whole regions (填报地区代码)."""

    def save(row: Row, indicator: Indicator, owner: Owner, period: Period) -> Any:
        return services.target_set(
            actor=actor,
            indicator=indicator,
            pairing=owner.pairing,
            party_region=owner.party_region,
            period=period,
            value=row.values["value"],
            comment=row.values.get("comment") or "",
        )

    return _import(
        actor=actor,
        source=source,
        filename=filename,
        schema=TARGET_SCHEMA,
        save=save,
        dry_run=dry_run,
    )


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


def targets_export(
    *,
    user: Any,
    pairing: Pairing | None = None,
    party_region: Region | None = None,
    year: int | None = None,
) -> bytes:
    """Targets of pairings and of whole regions (organisations' own targets are not exported:
    the file has no column for them)."""
    within = Period.year(year) if year else None
    targets = selectors.target_list(
        user=user, pairing=pairing, party_region=party_region, within=within
    ).filter(party_organisation__isnull=True)
    rows = (
        {
            "indicator": t.indicator.code,
            "name": t.indicator.name_zh,
            "pairing": t.pairing_id,
            "party_region": t.party_region_id or "",
            "period": str(t.period),
            "value": _plain(t.value),
            "comment": t.comment,
        }
        for t in targets
    )
    buffer = _io.BytesIO()
    write_xlsx(buffer, [Sheet("targets", TARGET_SCHEMA, rows)])
    return buffer.getvalue()


def values_template() -> bytes:
    return template_xlsx(VALUE_SCHEMA, "values")


def targets_template() -> bytes:
    return template_xlsx(TARGET_SCHEMA, "targets")
