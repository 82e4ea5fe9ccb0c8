"""The project file format (one column schema for export, import and template), the export and
the import. Importing the same file again changes nothing (projects are recognised by pairing and
project number); a changed row updates the project through the services; a whole file is refused,
with every bad row named, before anything is written."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from bangfu.accounts.scopes import visible_pairings
from bangfu.core.errors import BangfuError, ImportRefused, RowError, ValidationFailed
from bangfu.core.money import Unit
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
from bangfu.projects.models import Category, Project, ProjectStatusChange, Status
from bangfu.projects.services import EDITABLE_FIELDS, project_create, project_update
from bangfu.regions.models import Region

CATEGORY_LABELS: Mapping[str, str] = {
    "产业": Category.INDUSTRY,
    "就业": Category.EMPLOYMENT,
    "基础设施": Category.INFRASTRUCTURE,
    "教育": Category.EDUCATION,
    "医疗": Category.HEALTH,
    "住房": Category.HOUSING,
    "饮水": Category.DRINKING_WATER,
    "民生/社会事业": Category.LIVELIHOOD,
    "民生": Category.LIVELIHOOD,
    "消费帮扶": Category.CONSUMPTION,
    "人才": Category.TALENT,
    "其他": Category.OTHER,
}
STATUS_LABELS: Mapping[str, str] = {
    "计划": Status.PLANNED,
    "已立项": Status.APPROVED,
    "在建": Status.UNDER_CONSTRUCTION,
    "已完工": Status.COMPLETED,
    "已投入使用": Status.IN_USE,
    "已移交": Status.HANDED_OVER,
}

PROJECT_SCHEMA: Schema = (
    Column("pairing", "结对编号", ColumnKind.INTEGER, required=True, width=10),
    Column("donor", "帮扶方", export_only=True),
    Column("recipient", "受援方", export_only=True),
    Column("code", "项目编号", required=True, max_length=64, width=16),
    Column("name", "项目名称", required=True, max_length=255, width=48),
    Column("region", "所在地区代码", required=True, max_length=12, help="12位统计用区划代码"),
    Column("region_name", "所在地区", export_only=True),
    Column("category", "类别", ColumnKind.CHOICE, required=True, choices=CATEGORY_LABELS),
    Column("start_year", "开始年度", ColumnKind.INTEGER, required=True, width=9),
    Column("end_year", "结束年度", ColumnKind.INTEGER, width=9),
    Column("budget", "预算(万元)", ColumnKind.AMOUNT, unit=Unit.WAN, width=14),
    Column("status", "状态", ColumnKind.CHOICE, required=True, choices=STATUS_LABELS, width=10),
    Column("status_date", "状态日期", ColumnKind.DATE, width=12, help="新项目当前状态的日期"),
    Column("beneficiary_villages", "受益村数", ColumnKind.INTEGER, width=9),
    Column("beneficiary_households", "受益户数", ColumnKind.INTEGER, width=9),
    Column("beneficiary_people", "受益人数", ColumnKind.INTEGER, width=9),
    Column("linked_people", "带动人数", ColumnKind.INTEGER, width=9),
    Column("linked_registered_poor", "其中脱贫人口", ColumnKind.INTEGER, width=11),
    Column("outputs", "建设内容及成效", width=48),
    Column("funded_planned", "计划资金(万元)", ColumnKind.AMOUNT, unit=Unit.WAN, export_only=True),
    Column("funded_arrived", "到位资金(万元)", ColumnKind.AMOUNT, unit=Unit.WAN, export_only=True),
    Column("funded_paid_out", "拨付资金(万元)", ColumnKind.AMOUNT, unit=Unit.WAN, export_only=True),
    Column("funded_spent", "支出资金(万元)", ColumnKind.AMOUNT, unit=Unit.WAN, export_only=True),
    Column("unspent_flag", "完工未支出", export_only=True, width=10),
)  # fmt: skip
_HEADERS = {c.key: c.header for c in PROJECT_SCHEMA}
_COUNTS = (
    "beneficiary_villages",
    "beneficiary_households",
    "beneficiary_people",
    "linked_people",
    "linked_registered_poor",
)


def project_rows(projects: QuerySet[Project]) -> Iterator[dict[str, Any]]:
    """One dict per project of a `project_list` queryset (which carries the funding), with the
    date of its current status (a new database importing the file gets the same date)."""
    latest = ProjectStatusChange.objects.filter(project=OuterRef("pk")).order_by("-date", "-id")
    dated = projects.annotate(current_status_date=Subquery(latest.values("date")[:1]))
    for project in dated:
        values: dict[str, Any] = {c.key: getattr(project, c.key, None) for c in PROJECT_SCHEMA}
        values.update(
            pairing=project.pairing_id,
            donor=project.pairing.donor_name,
            recipient=project.pairing.recipient_name,
            region=project.region_id,
            region_name=project.region.name,
            unspent_flag="是" if getattr(project, "unspent_flag", False) else "",
            status_date=getattr(project, "current_status_date", None),
        )
        yield values


def projects_xlsx(projects: QuerySet[Project]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, [Sheet("项目", PROJECT_SCHEMA, project_rows(projects))])
    return buffer.getvalue()


def projects_template() -> bytes:
    return template_xlsx(PROJECT_SCHEMA, "项目")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _changes(project: Project, values: dict[str, Any]) -> dict[str, Any]:
    changes = {}
    for key in EDITABLE_FIELDS:
        if key not in values or key == "description":
            continue
        given = values[key]
        if key in _COUNTS and given is None:
            given = 0
        if key == "outputs" and given is None:
            given = ""
        stored = project.region_id if key == "region" else getattr(project, key)
        if key == "region" and given != stored:
            changes[key] = given  # resolved to a Region below
        elif key != "region" and stored != given:
            changes[key] = given
    return changes


def projects_import(
    *, actor: Any, source: bytes | str | Path | BinaryIO, filename: str, dry_run: bool = False
) -> ImportResult:
    """Check every row, then create or update through the services in one transaction; every
    refused row is reported and nothing is written. `dry_run`: check and count, write nothing."""
    rows, errors = read_file(source, filename, PROJECT_SCHEMA)
    if errors:
        raise ImportRefused(errors)
    file = Path(filename).name
    pairings = visible_pairings(actor).in_bulk(list({r.values["pairing"] for r in rows}))
    regions = Region.objects.in_bulk(list({r.values["region"] for r in rows}))
    existing = {
        (p.pairing_id, p.code): p
        for p in Project.objects.filter(
            pairing_id__in=pairings, code__in={r.values["code"] for r in rows}
        )
    }

    def refuse(row: Row, key: str, reason: str) -> None:
        errors.append(RowError(file, row.number, _HEADERS.get(key, key), reason))

    seen: set[tuple[int, str]] = set()
    plan: list[tuple[Row, Project | None, dict[str, Any]]] = []
    result = ImportResult()
    for row in rows:
        v = row.values
        pairing = pairings.get(v["pairing"])
        if pairing is None:
            refuse(row, "pairing", _("No pairing with this number in your scope."))
            continue
        if (pairing.pk, v["code"]) in seen:
            refuse(row, "code", _("The same project number appears twice in the file."))
            continue
        seen.add((pairing.pk, v["code"]))
        if v["region"] not in regions:
            refuse(row, "region", _("Unknown region code."))
            continue
        project = existing.get((pairing.pk, v["code"]))
        if project is None:
            plan.append((row, None, {}))
            continue
        if project.status != v["status"]:
            refuse(row, "status", _("A status changes only through a dated transition."))
            continue
        changes = _changes(project, v)
        if changes:
            plan.append((row, project, changes))
        else:
            result.unchanged += 1

    # Rows that passed the checks above go through the services too, so their errors are reported
    # in the same answer; any error at all undoes the whole transaction.
    with transaction.atomic():
        for row, project, changes in plan:
            v = row.values
            try:
                if project is None:
                    project_create(
                        actor=actor,
                        pairing=pairings[v["pairing"]],
                        code=v["code"],
                        name=v["name"],
                        region=regions[v["region"]],
                        category=v["category"],
                        start_year=v["start_year"],
                        end_year=v.get("end_year"),
                        budget=v.get("budget"),
                        status=v["status"],
                        status_date=v.get("status_date"),
                        outputs=v.get("outputs") or "",
                        beneficiary_villages=v.get("beneficiary_villages") or 0,
                        beneficiary_households=v.get("beneficiary_households") or 0,
                        beneficiary_people=v.get("beneficiary_people") or 0,
                        linked_people=v.get("linked_people") or 0,
                        linked_registered_poor=v.get("linked_registered_poor") or 0,
                    )
                    result.created += 1
                else:
                    if "region" in changes:
                        changes["region"] = regions[changes["region"]]
                    project_update(actor=actor, project=project, **changes)
                    result.updated += 1
            except BangfuError as exc:
                if isinstance(exc, ValidationFailed):
                    for key, messages in exc.errors.items():
                        for message in messages:
                            refuse(row, "" if key == "__all__" else key, message)
                else:
                    refuse(row, "", str(exc))
        if errors:
            raise ImportRefused(sorted(errors, key=lambda e: e.row))
        if dry_run:
            transaction.set_rollback(True)
    return result
