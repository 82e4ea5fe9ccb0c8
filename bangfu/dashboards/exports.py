"""Workbooks of what the dashboards show: each table's and chart's data, and the annual workbook of
a pairing (one sheet per work area, Chinese headers) that a county can hand in.

Headers are Chinese in every language (they are the file format, as in the import files);
money is written in 万元 through the shared spreadsheet writer (ingest.spreadsheets)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from bangfu.core.money import Unit
from bangfu.dashboards import selectors
from bangfu.dashboards.pages import PairingDashboard
from bangfu.funds.selectors import SummaryRow
from bangfu.indicators.io import VALUE_SCHEMA
from bangfu.indicators.models import DataValue, Indicator, WorkArea
from bangfu.indicators.periods import Period
from bangfu.indicators.selectors import Owner, Progress, figures
from bangfu.ingest.spreadsheets import Column, ColumnKind, Sheet, write_xlsx

_WAN = Unit.WAN

# Work areas as a county's report names them (sheet names, at most 31 characters).
AREA_SHEETS: Mapping[str, str] = {
    WorkArea.LEADERSHIP: "组织领导",
    WorkArea.FUNDS: "资金支持",
    WorkArea.INDUSTRY: "产业合作",
    WorkArea.LABOUR: "劳务协作",
    WorkArea.CONSUMPTION: "消费帮扶",
    WorkArea.TALENT: "人才交流",
    WorkArea.SOCIAL: "社会帮扶",
    WorkArea.LIVELIHOOD: "民生保障",
    WorkArea.RESULTS: "工作成效",
}

HEADLINE_SCHEMA = (
    Column("name", "结对关系/地区", width=36),
    Column("funds_planned", "计划资金（万元）", ColumnKind.AMOUNT, unit=_WAN),
    Column("funds_arrived", "到位资金（万元）", ColumnKind.AMOUNT, unit=_WAN),
    Column("funds_paid_out", "拨付资金（万元）", ColumnKind.AMOUNT, unit=_WAN),
    Column("arrival_rate", "资金到位率（%）"),
    Column("disbursement_rate", "资金拨付率（%）"),
    Column("projects", "项目数", ColumnKind.INTEGER),
    Column("employed", "帮助就业人数"),
    Column("products", "消费帮扶金额（万元）", ColumnKind.AMOUNT, unit=_WAN),
    Column("talents", "选派人才人数"),
    Column("out_of_poverty", "脱贫户数"),
    Column("monitored", "监测户数", ColumnKind.INTEGER),
)

FUNDS_SCHEMA = (
    Column("year", "年度", ColumnKind.INTEGER, width=8),
    Column("planned", "计划资金（万元）", ColumnKind.AMOUNT, unit=_WAN),
    Column("arrived", "到位资金（万元）", ColumnKind.AMOUNT, unit=_WAN),
    Column("paid_out", "拨付资金（万元）", ColumnKind.AMOUNT, unit=_WAN),
    Column("spent", "使用资金（万元）", ColumnKind.AMOUNT, unit=_WAN),
    Column("arrival_rate", "资金到位率（%）"),
    Column("disbursement_rate", "资金拨付率（%）"),
)

PROGRESS_SCHEMA = (
    Column("code", "指标代码", width=26),
    Column("name", "指标名称", width=26),
    Column("unit", "单位", width=10),
    Column("period", "期间", width=14),
    Column("target", "目标值"),
    Column("actual", "完成值"),
    Column("percent", "完成进度（%）"),
    Column("pace", "进度判断", width=10),
)

AREA_SCHEMA = (
    Column("code", "指标代码", width=26),
    Column("name", "指标名称", width=28),
    Column("unit", "单位", width=10),
    Column("target", "年度目标"),
    Column("actual", "年度完成"),
    Column("percent", "完成进度（%）"),
    Column("pace", "进度判断", width=10),
    Column("basis", "数据来源", width=12),
)

UNITS_ZH = {
    "yuan": "元",
    "person": "人",
    "household": "户",
    "person_time": "人次",
    "count": "个",
    "percent": "%",
    "mu": "亩",
    "ton": "吨",
    "yuan_per_person": "元/人",
}


def _plain(value: Decimal | int | None) -> str | None:
    if value is None:
        return None
    number = Decimal(value)
    return (
        format(number.normalize(), "f")
        if number != number.to_integral_value()
        else str(int(number))
    )


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str((value * 100).quantize(Decimal("0.1")))


def _book(sheets: Sequence[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def headline_row(name: str, h: selectors.Headlines) -> dict[str, Any]:
    return {
        "name": name,
        "funds_planned": h.funds.planned,
        "funds_arrived": h.funds.arrived,
        "funds_paid_out": h.funds.paid_out,
        "arrival_rate": _rate(h.funds.arrival_rate),
        "disbursement_rate": _rate(h.funds.disbursement_rate),
        "projects": h.projects,
        "employed": _plain(h.indicator("employed").value),
        "products": h.indicator("products").value,
        "talents": _plain(h.indicator("talents").value),
        "out_of_poverty": _plain(h.indicator("out_of_poverty").value),
        "monitored": h.monitored_households,
    }


def headlines_xlsx(rows: Iterable[tuple[str, selectors.Headlines]], sheet: str) -> bytes:
    return _book([Sheet(sheet, HEADLINE_SCHEMA, [headline_row(n, h) for n, h in rows])])


def funds_rows(summary: list[SummaryRow]) -> list[dict[str, Any]]:
    return [
        {
            "year": row.key["year"],
            "planned": row.totals.planned,
            "arrived": row.totals.arrived,
            "paid_out": row.totals.paid_out,
            "spent": row.totals.spent,
            "arrival_rate": _rate(row.totals.arrival_rate),
            "disbursement_rate": _rate(row.totals.disbursement_rate),
        }
        for row in summary
    ]


def _pace(p: Progress) -> str:
    return {True: "滞后", False: "正常", None: ""}[p.behind_pace]


def progress_rows(progress: list[Progress]) -> list[dict[str, Any]]:
    return [
        {
            "code": p.indicator.code,
            "name": p.indicator.name_zh,
            "unit": UNITS_ZH.get(p.indicator.unit, p.indicator.unit),
            "period": str(p.period),
            "target": _plain(p.target),
            "actual": _plain(p.actual.value),
            "percent": _plain(p.percent),
            "pace": _pace(p),
        }
        for p in progress
    ]


def funds_xlsx(board: PairingDashboard) -> bytes:
    return _book([Sheet("资金", FUNDS_SCHEMA, funds_rows(board.funds_by_year))])


def progress_xlsx(board: PairingDashboard) -> bytes:
    return _book([Sheet("指标进度", PROGRESS_SCHEMA, progress_rows(board.progress))])


def values_xlsx(values: QuerySet[DataValue]) -> bytes:
    """Data values in the indicators import format (VALUE_SCHEMA); party figures have no
    pairing column value."""
    rows = (
        {
            "indicator": v.indicator.code,
            "name": v.indicator.name_zh,
            "pairing": v.pairing_id,
            "side": v.reported_by,
            "period": str(v.period),
            "value": _plain(v.value),
            "status": v.get_status_display(),
            "comment": v.comment,
        }
        for v in values
    )
    return _book([Sheet("values", VALUE_SCHEMA, rows)])


def annual_workbook(*, user: Any, board: PairingDashboard) -> bytes:
    """The year's figures of one pairing: a summary sheet, then one sheet per work area listing
    every active indicator of the area with its target, the year's figure and the pace."""
    pairing, year = board.pairing, board.year
    period = Period.year(year)
    today = timezone.localdate()
    reported = {
        f.indicator.pk: f for f in figures(user=user, owner=Owner(pairing=pairing), period=period)
    }
    progress = {p.indicator.pk: p for p in board.progress}
    summary_schema = (Column("item", "项目", width=28), Column("value", "内容", width=44))
    summary = [
        {"item": "结对关系", "value": f"{pairing.donor_name} → {pairing.recipient_name}"},
        {"item": "帮扶方", "value": pairing.donor_name},
        {"item": "受援方", "value": pairing.recipient_name},
        {"item": "结对类型", "value": str(pairing.get_kind_display())},
        {"item": "年度", "value": str(year)},
        {"item": "生成日期", "value": today.isoformat()},
    ]
    head = headline_row(f"{pairing.donor_name} → {pairing.recipient_name}", board.headlines)
    sheets = [
        Sheet("概况", summary_schema, summary),
        Sheet("一组数据", HEADLINE_SCHEMA, [head]),
        Sheet("资金（分年度）", FUNDS_SCHEMA, funds_rows(board.funds_by_year)),
    ]
    indicators = Indicator.objects.filter(is_active=True).order_by("sort_order", "code")
    by_area: dict[str, list[dict[str, Any]]] = {area: [] for area in AREA_SHEETS}
    for indicator in indicators:
        p = progress.get(indicator.pk)
        figure = reported.get(indicator.pk)
        actual = p.actual.value if p is not None else (figure.value if figure else None)
        basis = ("计算" if indicator.is_computed else "填报") if actual is not None else ""
        by_area.setdefault(indicator.work_area, []).append(
            {
                "code": indicator.code,
                "name": indicator.name_zh,
                "unit": UNITS_ZH.get(indicator.unit, indicator.unit),
                "target": _plain(p.target) if p is not None else None,
                "actual": _plain(actual),
                "percent": _plain(p.percent) if p is not None else None,
                "pace": _pace(p) if p is not None else "",
                "basis": basis,
            }
        )
    for area, rows in by_area.items():
        sheets.append(Sheet(AREA_SHEETS.get(area, area), AREA_SCHEMA, rows))
    return _book(sheets)
