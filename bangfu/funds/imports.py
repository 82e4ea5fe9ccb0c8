"""Import of fund flows from CSV/XLSX: the whole file is checked first, nothing is written if any
row is refused, and importing the same file again changes nothing (rows are recognised by their
natural key: pairing, reporting side and reference)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.scopes import visible_organisations, visible_pairings
from bangfu.core.errors import BangfuError, ImportRefused, RowError, ValidationFailed
from bangfu.funds.exports import FUND_FLOW_SCHEMA
from bangfu.funds.models import STAGE_ORDER, FundFlow
from bangfu.funds.services import fund_flow_record, fund_flow_reverse
from bangfu.ingest.spreadsheets import Row, read_file
from bangfu.pairings.models import Organisation
from bangfu.projects.models import Project

_HEADERS = {c.key: c.header for c in FUND_FLOW_SCHEMA}
# Service error keys → the file column they came from.
_ERROR_COLUMNS = {**_HEADERS, "__all__": ""}
# Columns compared when a row's key is already in the ledger.
_COMPARED = ("year", "stage", "source_kind", "amount", "project", "date", "reverses")


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    updated: int = 0
    warnings: list[str] = field(default_factory=list)


class _DryRun(Exception):
    pass


def _stored(flow: FundFlow) -> dict[str, Any]:
    return {
        "year": flow.year,
        "stage": flow.stage,
        "source_kind": flow.source_kind,
        "amount": flow.amount,
        "project": flow.project.code if flow.project else None,
        "date": flow.date,
        "reverses": flow.reverses.reference if flow.reverses else None,
    }


def _organisation(
    name: str | None, by_name: dict[str, list[Organisation]], row: Row, key: str, file: str
) -> tuple[Organisation | None, RowError | None]:
    if not name:
        return None, None
    matches = by_name.get(name, [])
    if len(matches) == 1:
        return matches[0], None
    reason = (
        _("No organisation of that name in your scope.")
        if not matches
        else _("Several organisations have that name.")
    )
    return None, RowError(file, row.number, _HEADERS[key], reason)


def fund_flows_import(
    *, actor: Any, source: bytes | str | Path | BinaryIO, filename: str, dry_run: bool = False
) -> ImportResult:
    """Check every row, then record the new ones through the services in one transaction.

    Raises ImportRefused listing every bad row (file, row, column, reason); then nothing is written.
    """
    rows, errors = read_file(source, filename, FUND_FLOW_SCHEMA)
    if errors:
        raise ImportRefused(errors)
    file = Path(filename).name
    pairing_ids = {r.values["pairing"] for r in rows}
    pairings = visible_pairings(actor).in_bulk(list(pairing_ids))
    projects = {
        (p.pairing_id, p.code): p
        for p in Project.objects.filter(
            pairing_id__in=pairings, code__in={r.values.get("project") for r in rows} - {None}
        )
    }
    names = {
        r.values.get(k) for r in rows for k in ("source_organisation", "receiving_organisation")
    }
    by_name: dict[str, list[Organisation]] = {}
    for organisation in visible_organisations(actor).filter(name__in=names - {None}):
        by_name.setdefault(organisation.name, []).append(organisation)
    references = {r.values["reference"] for r in rows} | {r.values.get("reverses") for r in rows}
    existing = {
        (f.pairing_id, f.reported_by, f.reference): f
        for f in FundFlow.objects.filter(
            pairing_id__in=pairings, reference__in=references - {None}
        ).select_related("project", "reverses")
    }

    def refuse(row: Row, key: str, reason: str) -> None:
        errors.append(RowError(file, row.number, _HEADERS[key], reason))

    plan: list[tuple[Row, dict[str, Any]]] = []
    seen: set[tuple[int, str, str]] = set()
    file_keys = {
        (r.values["pairing"], r.values["reported_by"], r.values["reference"]) for r in rows
    }
    result = ImportResult()
    for row in rows:
        v = row.values
        pairing = pairings.get(v["pairing"])
        if pairing is None:
            refuse(row, "pairing", _("No pairing with this number in your scope."))
            continue
        key = (pairing.pk, v["reported_by"], v["reference"])
        if key in seen:
            refuse(row, "reference", _("The same reference appears twice in the file."))
            continue
        seen.add(key)
        if key in existing:
            stored = _stored(existing[key])
            differing = [name for name in _COMPARED if stored[name] != v.get(name)]
            if differing:
                name = differing[0]
                message = _(
                    "Already recorded under this reference with “%(stored)s”, the file has "
                    "“%(given)s”. Recorded entries are never changed: correct them with a reversal."
                )
                refuse(row, name, message % {"stored": stored[name], "given": v.get(name)})
            else:
                result.unchanged += 1
            continue
        errors_before = len(errors)
        kwargs: dict[str, Any] = {"pairing": pairing}
        code = v.get("project")
        if code:
            kwargs["project"] = projects.get((pairing.pk, code))
            if kwargs["project"] is None:
                refuse(row, "project", _("No project with this number in the pairing."))
        for org_key in ("source_organisation", "receiving_organisation"):
            kwargs[org_key], error = _organisation(v.get(org_key), by_name, row, org_key, file)
            if error:
                errors.append(error)
        if v.get("reverses"):
            target_key = (pairing.pk, v["reported_by"], v["reverses"])
            if target_key not in existing and target_key not in file_keys:
                refuse(row, "reverses", _("No entry with this reference to reverse."))
            if not v.get("reason"):
                refuse(row, "reason", _("A reversal needs a reason."))
        if len(errors) == errors_before:
            plan.append((row, kwargs))
    # Rows that passed the checks above go through the services too, so their errors are reported
    # in the same answer; any error at all undoes the whole transaction.
    # Earlier stages first, so the stage rule sees what a later stage is compared with whatever
    # the order of the file; reversals last, latest stage first, for the same reason.
    plan.sort(key=_write_order)
    try:
        with transaction.atomic():
            written: dict[tuple[int, str, str], FundFlow] = dict(existing)
            for row, kwargs in plan:
                v = row.values
                try:
                    if v.get("reverses"):
                        target = written.get(
                            (kwargs["pairing"].pk, v["reported_by"], v["reverses"])
                        )
                        if target is None:
                            refuse(row, "reverses", _("The entry to reverse was not recorded."))
                            continue
                        outcome = fund_flow_reverse(
                            actor=actor, flow=target, reason=v["reason"], date=v.get("date"),
                            reference=v["reference"],
                        )  # fmt: skip
                    else:
                        outcome = fund_flow_record(
                            actor=actor, year=v["year"], stage=v["stage"], amount=v["amount"],
                            source_kind=v["source_kind"], reported_by=v["reported_by"],
                            date=v.get("date"), description=v.get("description") or "",
                            reference=v["reference"], **kwargs,
                        )  # fmt: skip
                except BangfuError as exc:
                    errors.extend(_row_errors(file, row, exc))
                    continue
                written[(kwargs["pairing"].pk, v["reported_by"], v["reference"])] = outcome.flow
                result.created += 1
                result.warnings.extend(
                    f"{file}, row {row.number}: {warning}" for warning in outcome.warnings
                )
            if errors:
                raise ImportRefused(sorted(errors, key=lambda e: e.row))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def _write_order(item: tuple[Row, dict[str, Any]]) -> tuple[int, int, int]:
    row = item[0]
    stage = STAGE_ORDER.index(row.values["stage"])
    if row.values.get("reverses"):
        return (1, -stage, row.number)
    return (0, stage, row.number)


def _row_errors(file: str, row: Row, exc: BangfuError) -> list[RowError]:
    if isinstance(exc, ValidationFailed):
        return [
            RowError(file, row.number, _ERROR_COLUMNS.get(key, key), message)
            for key, messages in exc.errors.items()
            for message in messages
        ]
    return [RowError(file, row.number, "", str(exc))]
