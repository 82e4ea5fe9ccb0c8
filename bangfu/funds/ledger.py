"""Set-based arithmetic over the fund-flow ledger, shared by services (rules) and selectors.

Nothing here checks permissions: callers pass querysets they have already scoped.

Counting rule: when both sides report the same stage/year/project/source of a pairing, totals use
the recipient's entries (the side that holds the money once it has arrived) and ignore the
donor's, so a figure is never counted twice; the reconciliation report lists the differences.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from bangfu.core.money import CENT, ratio
from bangfu.funds.models import SIGNED_AMOUNT, STAGE_ORDER, FundFlow, ReportedBy, Stage

ZERO = Decimal("0.00")
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)


def _project_key(path: str = "project_id") -> Coalesce:
    # NULL never equals NULL in SQL; flows without a project form their own group under key 0.
    return Coalesce(path, Value(0))


def counted(flows: QuerySet[FundFlow]) -> QuerySet[FundFlow]:
    """The entries that count in totals: all recipient-reported ones, and donor-reported ones
    whose group (pairing, year, stage, source, project) the recipient has not reported."""
    recipient_reported = (
        FundFlow.objects.filter(
            reported_by=ReportedBy.RECIPIENT,
            pairing_id=OuterRef("pairing_id"),
            year=OuterRef("year"),
            stage=OuterRef("stage"),
            source_kind=OuterRef("source_kind"),
        )
        .annotate(project_key=_project_key())
        .filter(project_key=_project_key(OuterRef("project_id")))  # type: ignore[arg-type]
    )
    return flows.filter(Q(reported_by=ReportedBy.RECIPIENT) | ~Exists(recipient_reported))


def stage_sums() -> dict[str, Coalesce]:
    """Aggregate expressions: the signed total of each stage, 0 when there is none."""
    return {
        stage: Coalesce(Sum(SIGNED_AMOUNT, filter=Q(stage=stage)), Value(ZERO), output_field=_MONEY)
        for stage in STAGE_ORDER
    }


@dataclass(frozen=True)
class StageTotals:
    planned: Decimal = ZERO
    arrived: Decimal = ZERO
    paid_out: Decimal = ZERO
    spent: Decimal = ZERO

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StageTotals:
        # SQLite hands back sums without their two decimal places; make every total alike.
        values = {str(s): Decimal(row.get(s) or ZERO).quantize(CENT) for s in STAGE_ORDER}
        return cls(**values)

    def of(self, stage: str) -> Decimal:
        return getattr(self, str(stage))

    @property
    def arrival_rate(self) -> Decimal | None:
        """到位率: arrived ÷ planned."""
        return ratio(self.arrived, self.planned)

    @property
    def disbursement_rate(self) -> Decimal | None:
        """拨付率: paid out ÷ arrived."""
        return ratio(self.paid_out, self.arrived)

    @property
    def spending_rate(self) -> Decimal | None:
        """Spent ÷ paid out."""
        return ratio(self.spent, self.paid_out)


def stage_totals(flows: QuerySet[FundFlow], *, dedupe_sides: bool = True) -> StageTotals:
    """Totals per stage of the given entries (one query)."""
    source = counted(flows) if dedupe_sides else flows
    return StageTotals.from_row(source.order_by().aggregate(**stage_sums()))


def previous_stage(stage: str) -> str | None:
    index = STAGE_ORDER.index(stage)
    return STAGE_ORDER[index - 1] if index else None


def next_stage(stage: str) -> str | None:
    index = STAGE_ORDER.index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


__all__ = [
    "ZERO",
    "Stage",
    "StageTotals",
    "counted",
    "next_stage",
    "previous_stage",
    "stage_sums",
    "stage_totals",
]
