"""Reads of projects with their funding (the sum of their linked fund flows). Always scoped."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from bangfu.accounts.scopes import pairing_q
from bangfu.funds.ledger import ZERO, StageTotals, counted, stage_sums
from bangfu.funds.models import SIGNED_AMOUNT, STAGE_ORDER, FundFlow
from bangfu.pairings.models import Pairing
from bangfu.pairings.selectors import pairing_subtree_ids
from bangfu.projects.models import FINISHED_STATUSES, Project, ProjectDocument
from bangfu.regions import codes

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)


def _funded(stage: str) -> Coalesce:
    """The counted total of the project's linked entries at one stage (a correlated subquery)."""
    totals = (
        counted(FundFlow.objects.filter(project_id=OuterRef("pk"), stage=stage))
        .order_by()
        .values("project_id")
        .annotate(total=Sum(SIGNED_AMOUNT))
        .values("total")
    )
    return Coalesce(Subquery(totals, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def with_funding(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate funded_planned / funded_arrived / funded_paid_out / funded_spent and
    `unspent_flag`: finished (completed, in use, handed over) without any spending."""
    return projects.annotate(
        **{f"funded_{stage}": _funded(stage) for stage in STAGE_ORDER}
    ).annotate(
        unspent_flag=ExpressionWrapper(
            Q(status__in=FINISHED_STATUSES) & Q(funded_spent__lte=0), output_field=BooleanField()
        )
    )


def project_list(
    *,
    user: Any,
    pairing: Pairing | int | None = None,
    include_nested: bool = False,
    year: int | None = None,
    category: str | None = None,
    status: str | None = None,
    region: str | None = None,
    unspent_only: bool = False,
) -> QuerySet[Project]:
    """Projects the user may see, with their funding. `year` selects projects running that year
    (start year ≤ year ≤ end year, or the start year when there is no end year); `region` a
    region code, selecting projects located in it or anywhere below it."""
    projects = Project.objects.filter(pairing_q(user, "pairing__"))
    if pairing is not None:
        root = pairing if isinstance(pairing, Pairing) else Pairing.objects.get(pk=pairing)
        ids = pairing_subtree_ids(root) if include_nested else [root.pk]
        projects = projects.filter(pairing_id__in=ids)
    if year is not None:
        projects = projects.filter(start_year__lte=year).filter(
            Q(end_year__gte=year) | Q(end_year__isnull=True, start_year=year)
        )
    if category:
        projects = projects.filter(category=category)
    if status:
        projects = projects.filter(status=status)
    if region:
        projects = projects.filter(region__code__startswith=codes.prefix_of(region))
    projects = with_funding(projects)
    if unspent_only:
        projects = projects.filter(**{"unspent_flag": True})
    return projects.select_related("pairing__donor_region", "pairing__recipient_region", "region")


def project_get(*, user: Any, pk: int) -> Project | None:
    return (
        project_list(user=user)
        .filter(pk=pk)
        .prefetch_related("status_changes", "documents")
        .first()
    )


def project_document_list(
    *, user: Any, project: Project | None = None
) -> QuerySet[ProjectDocument]:
    """Documents and photos of the projects the user may see."""
    documents = ProjectDocument.objects.filter(pairing_q(user, "project__pairing__"))
    if project is not None:
        documents = documents.filter(project=project)
    return documents.order_by("project_id", "id")


def project_document_get(*, user: Any, pk: int) -> ProjectDocument | None:
    """A document or photo, only when the user may see its project's pairing."""
    return project_document_list(user=user).filter(pk=pk).select_related("project").first()


@dataclass(frozen=True)
class ProjectTotals:
    projects: int
    budget: Decimal
    beneficiary_villages: int
    beneficiary_households: int
    beneficiary_people: int
    linked_people: int
    linked_registered_poor: int
    unspent_flagged: int
    funding: StageTotals


def project_totals(*, user: Any, **filters: Any) -> ProjectTotals:
    """Counts, budgets, beneficiaries and funding of the projects `project_list` selects."""
    projects = project_list(user=user, **filters)
    plain = Project.objects.filter(pk__in=projects.values("pk"))
    row = plain.aggregate(
        projects=Count("pk"),
        budget=Coalesce(Sum("budget"), Value(ZERO), output_field=_MONEY),
        beneficiary_villages=Coalesce(Sum("beneficiary_villages"), 0),
        beneficiary_households=Coalesce(Sum("beneficiary_households"), 0),
        beneficiary_people=Coalesce(Sum("beneficiary_people"), 0),
        linked_people=Coalesce(Sum("linked_people"), 0),
        linked_registered_poor=Coalesce(Sum("linked_registered_poor"), 0),
    )
    flows = counted(FundFlow.objects.filter(project__in=plain.values("pk")))
    funding = StageTotals.from_row(flows.order_by().aggregate(**stage_sums()))
    unspent = projects.filter(**{"unspent_flag": True}).count()
    return ProjectTotals(**row, unspent_flagged=unspent, funding=funding)
