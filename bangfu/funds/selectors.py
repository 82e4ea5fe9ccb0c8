"""Reads of the fund-flow ledger: entries, totals and rates, reconciliation. Always scoped.

Every total is computed in the database (aggregate/annotate); Python only walks the grouped rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from bangfu.accounts.scopes import pairing_q
from bangfu.core.money import CENT
from bangfu.funds.ledger import ZERO, StageTotals, counted, stage_sums
from bangfu.funds.models import SIGNED_AMOUNT, FundFlow, ReportedBy
from bangfu.pairings.models import Pairing
from bangfu.pairings.selectors import pairing_subtree_ids

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)

# Names callers may group summaries by, and the columns behind them.
GROUPS: dict[str, str] = {
    "pairing": "pairing_id",
    "year": "year",
    "source_kind": "source_kind",
    "project": "project_id",
}


def _pairing_ids(pairing: Pairing | int, include_nested: bool) -> list[int]:
    if isinstance(pairing, int):
        pairing = Pairing.objects.get(pk=pairing)
    return pairing_subtree_ids(pairing) if include_nested else [pairing.pk]


def fund_flow_list(
    *,
    user: Any,
    pairing: Pairing | int | None = None,
    include_nested: bool = False,
    year: int | None = None,
    years: tuple[int | None, int | None] = (None, None),
    stage: str | None = None,
    source_kind: str | Sequence[str] | None = None,
    project: int | None = None,
    reported_by: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[FundFlow]:
    """The entries the user may see, filtered. Reversals are included (they count negatively)."""
    flows = FundFlow.objects.filter(pairing_q(user, "pairing__"))
    if pairing is not None:
        flows = flows.filter(pairing_id__in=_pairing_ids(pairing, include_nested))
    if year is not None:
        flows = flows.filter(year=year)
    if years[0] is not None:
        flows = flows.filter(year__gte=years[0])
    if years[1] is not None:
        flows = flows.filter(year__lte=years[1])
    if stage:
        flows = flows.filter(stage=stage)
    if isinstance(source_kind, str):
        flows = flows.filter(source_kind=source_kind)
    elif source_kind:
        flows = flows.filter(source_kind__in=list(source_kind))
    if project is not None:
        flows = flows.filter(project_id=project)
    if reported_by:
        flows = flows.filter(reported_by=reported_by)
    if date_from is not None:
        flows = flows.filter(date__gte=date_from)
    if date_to is not None:
        flows = flows.filter(date__lte=date_to)
    return flows.select_related(
        "pairing__donor_region",
        "pairing__recipient_region",
        "pairing__donor_organisation",
        "pairing__recipient_organisation",
        "source_organisation",
        "receiving_organisation",
        "project",
        "reverses",
    ).order_by("pairing_id", "year", "date", "id")


def fund_flow_get(*, user: Any, pk: int) -> FundFlow | None:
    return fund_flow_list(user=user).filter(pk=pk).first()


def fund_totals(*, user: Any, **filters: Any) -> StageTotals:
    """Totals per stage with the three rates, over the entries `fund_flow_list` selects.

    Without a `year` this is the cumulative figure since the pairing began (累计); pass
    `years=(None, 2018)` for the cumulative figure up to a year.
    """
    flows = fund_flow_list(user=user, **filters)
    return StageTotals.from_row(counted(flows).order_by().aggregate(**stage_sums()))


@dataclass(frozen=True)
class SummaryRow:
    """Totals of one group (the `key` holds the grouped values, e.g. {"year": 2018})."""

    key: dict[str, Any]
    totals: StageTotals


def fund_summary(
    *, user: Any, group_by: Sequence[str] = ("pairing", "year"), **filters: Any
) -> list[SummaryRow]:
    """Totals per stage for each group, e.g. per pairing and year, per source, per project."""
    unknown = set(group_by) - set(GROUPS)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    columns = [GROUPS[name] for name in group_by]
    flows = counted(fund_flow_list(user=user, **filters))
    rows = flows.order_by().values(*columns).annotate(**stage_sums()).order_by(*columns)
    return [
        SummaryRow(
            key={name: row[GROUPS[name]] for name in group_by}, totals=StageTotals.from_row(row)
        )
        for row in rows
    ]


# Reconciliation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconciliationLine:
    stage: str
    project_id: int | None
    source_kind: str | None
    donor_amount: Decimal
    recipient_amount: Decimal
    donor_entries: int
    recipient_entries: int

    @property
    def difference(self) -> Decimal:
        """Recipient minus donor: positive when the recipient reports more."""
        return self.recipient_amount - self.donor_amount


@dataclass
class Reconciliation:
    """Both sides' reports of one pairing and year, compared group by group."""

    pairing_id: int
    year: int
    matched: list[ReconciliationLine] = field(default_factory=list)
    missing_on_donor_side: list[ReconciliationLine] = field(default_factory=list)
    missing_on_recipient_side: list[ReconciliationLine] = field(default_factory=list)
    differing: list[ReconciliationLine] = field(default_factory=list)

    @property
    def is_reconciled(self) -> bool:
        return not (self.missing_on_donor_side or self.missing_on_recipient_side or self.differing)


def reconciliation(
    *, user: Any, pairing: Pairing | int, year: int, by_source: bool = True
) -> Reconciliation:
    """Match the donor's and the recipient's entries by stage, project and (optionally) source.

    A side "reported" a group when its entries there do not cancel out to zero; a group both
    sides reported is matched when the amounts are equal and differing otherwise.
    """
    pairing_id = pairing if isinstance(pairing, int) else pairing.pk
    columns = ["stage", "project_id", *(["source_kind"] if by_source else [])]
    donor, recipient = Q(reported_by=ReportedBy.DONOR), Q(reported_by=ReportedBy.RECIPIENT)
    rows = (
        fund_flow_list(user=user, pairing=pairing_id, year=year)
        .order_by()
        .values(*columns)
        .annotate(
            donor_amount=Coalesce(
                Sum(SIGNED_AMOUNT, filter=donor), Value(ZERO), output_field=_MONEY
            ),
            recipient_amount=Coalesce(
                Sum(SIGNED_AMOUNT, filter=recipient), Value(ZERO), output_field=_MONEY
            ),
            donor_entries=Count("pk", filter=donor),
            recipient_entries=Count("pk", filter=recipient),
        )
        .order_by(*columns)
    )
    report = Reconciliation(pairing_id=pairing_id, year=year)
    for row in rows:
        line = ReconciliationLine(
            stage=row["stage"],
            project_id=row["project_id"],
            source_kind=row.get("source_kind"),
            donor_amount=Decimal(row["donor_amount"]).quantize(CENT),
            recipient_amount=Decimal(row["recipient_amount"]).quantize(CENT),
            donor_entries=row["donor_entries"],
            recipient_entries=row["recipient_entries"],
        )
        donor_reported = line.donor_amount != 0
        recipient_reported = line.recipient_amount != 0
        if donor_reported and recipient_reported:
            target = report.matched if line.difference == 0 else report.differing
        elif donor_reported:
            target = report.missing_on_recipient_side
        elif recipient_reported:
            target = report.missing_on_donor_side
        else:
            continue  # both sides reversed everything they reported: nothing to compare
        target.append(line)
    return report
