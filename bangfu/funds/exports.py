"""The fund-flow file format (one column schema for export, import and template) and the export."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet

from bangfu.core.money import Unit
from bangfu.funds.models import FundFlow, ReportedBy, SourceKind, Stage
from bangfu.ingest.spreadsheets import Column, ColumnKind, Schema, Sheet, template_xlsx, write_xlsx

# File vocabulary (Chinese, as in users' own spreadsheets) → stored values.
STAGE_LABELS: Mapping[str, str] = {
    "计划/下达": Stage.PLANNED,
    "计划": Stage.PLANNED,
    "下达": Stage.PLANNED,
    "到位": Stage.ARRIVED,
    "拨付": Stage.PAID_OUT,
    "支出": Stage.SPENT,
}
SOURCE_LABELS: Mapping[str, str] = {
    "市级财政": SourceKind.FISCAL_CITY,
    "区级财政": SourceKind.FISCAL_DISTRICT,
    "市直单位": SourceKind.FISCAL_CITY_DEPARTMENTS,
    "市国企": SourceKind.FISCAL_CITY_SOES,
    "社会捐赠资金": SourceKind.DONATION_CASH,
    "捐物折款": SourceKind.DONATION_IN_KIND,
}
SIDE_LABELS: Mapping[str, str] = {"帮扶方": ReportedBy.DONOR, "受援方": ReportedBy.RECIPIENT}

FUND_FLOW_SCHEMA: Schema = (
    Column("pairing", "结对编号", ColumnKind.INTEGER, required=True, width=10),
    Column("donor", "帮扶方", export_only=True),
    Column("recipient", "受援方", export_only=True),
    Column("year", "年度", ColumnKind.INTEGER, required=True, width=8),
    Column("stage", "阶段", ColumnKind.CHOICE, required=True, choices=STAGE_LABELS, width=10),
    Column("source_kind", "资金来源", ColumnKind.CHOICE, required=True, choices=SOURCE_LABELS),
    Column(
        "amount", "金额(万元)", ColumnKind.AMOUNT, required=True, unit=Unit.WAN, width=16,
        positive=True, help="大于零；更正已有记录请用冲销",
    ),
    Column("reported_by", "报送方", ColumnKind.CHOICE, required=True, choices=SIDE_LABELS, width=9),
    Column(
        "reference", "编号", required=True, max_length=64, width=40,
        help="同一结对、同一报送方内唯一；再次导入时据此识别已有记录",
    ),
    Column("project", "项目编号", max_length=64, help="该结对已有项目的编号"),
    Column("source_organisation", "来源单位", width=26),
    Column("receiving_organisation", "接收单位", width=26),
    Column("date", "日期", ColumnKind.DATE, width=12),
    Column("description", "说明", width=50),
    Column("reverses", "冲销编号", max_length=64, help="冲销（更正）记录：被冲销记录的编号"),
    Column("reason", "冲销原因", width=24, help="冲销记录必填"),
)  # fmt: skip


def fund_flow_rows(flows: QuerySet[FundFlow]) -> Iterator[dict[str, Any]]:
    """One dict per entry, keyed like FUND_FLOW_SCHEMA. As in the ledger, a reversal keeps a
    positive amount and names the entry it reverses, so the file can be imported again."""
    for flow in flows.iterator(chunk_size=2000):
        yield {
            "pairing": flow.pairing_id,
            "donor": flow.pairing.donor_name,
            "recipient": flow.pairing.recipient_name,
            "year": flow.year,
            "stage": flow.stage,
            "source_kind": flow.source_kind,
            "amount": flow.amount,
            "reported_by": flow.reported_by,
            "reference": flow.reference,
            "project": flow.project.code if flow.project else None,
            "source_organisation": flow.source_organisation.name
            if flow.source_organisation
            else None,
            "receiving_organisation": flow.receiving_organisation.name
            if flow.receiving_organisation
            else None,
            "date": flow.date,
            "description": flow.description or None,
            "reverses": flow.reverses.reference if flow.reverses else None,
            "reason": flow.reason or None,
        }


def fund_flows_xlsx(flows: QuerySet[FundFlow]) -> bytes:
    """The given (already scoped and filtered) entries as an XLSX workbook."""
    buffer = io.BytesIO()
    write_xlsx(buffer, [Sheet("资金流水", FUND_FLOW_SCHEMA, fund_flow_rows(flows))])
    return buffer.getvalue()


def fund_flows_template() -> bytes:
    return template_xlsx(FUND_FLOW_SCHEMA, "资金流水")
