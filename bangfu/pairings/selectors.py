"""Reads of pairings and their records, always through the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from bangfu.accounts.scopes import pairing_q, visible_organisations, visible_pairings
from bangfu.pairings.models import (
    Agreement,
    Meeting,
    MeetingDocument,
    MeetingKind,
    Organisation,
    Pairing,
)
from bangfu.regions import codes
from bangfu.regions.models import Region

_PAIRING_RELATED = (
    "donor_region",
    "donor_organisation",
    "recipient_region",
    "recipient_organisation",
)


def active_on_q(day: dt.date, path: str = "") -> Q:
    """Pairings running on `day` (both ends inclusive)."""
    return Q(**{f"{path}start_date__lte": day}) & (
        Q(**{f"{path}end_date__isnull": True}) | Q(**{f"{path}end_date__gte": day})
    )


def party_in_region_q(code: str) -> Q:
    """Pairings with a party on either side in the region's subtree (regions or organisations)."""
    prefix = codes.prefix_of(code)
    return (
        Q(donor_region__code__startswith=prefix)
        | Q(recipient_region__code__startswith=prefix)
        | Q(donor_organisation__region__code__startswith=prefix)
        | Q(recipient_organisation__region__code__startswith=prefix)
    )


def party_organisation_q(organisation_id: int) -> Q:
    return Q(donor_organisation_id=organisation_id) | Q(recipient_organisation_id=organisation_id)


def organisation_in_region_q(code: str) -> Q:
    return Q(region__code__startswith=codes.prefix_of(code))


def pairing_list(*, user: Any) -> QuerySet[Pairing]:
    """Visible pairings with their parties, each annotated with `is_active` (running today)."""
    return (
        visible_pairings(user)
        .select_related(*_PAIRING_RELATED)
        .annotate(
            is_active=ExpressionWrapper(
                active_on_q(timezone.localdate()), output_field=BooleanField()
            )
        )
        .order_by("start_date", "id")
    )


def pairing_get(*, user: Any, pk: int) -> Pairing | None:
    return pairing_list(user=user).filter(pk=pk).first()


@dataclass
class PairingNode:
    pairing: Pairing
    children: list[PairingNode] = field(default_factory=list)
    parent_hidden: bool = False  # nested under a pairing outside the user's scope


def pairing_tree(*, user: Any) -> list[PairingNode]:
    """The user's pairings as a forest, in one query.

    A pairing whose parent the user cannot see sits at the top level, so nothing visible is lost.
    """
    pairings = list(pairing_list(user=user))
    nodes = {p.pk: PairingNode(p) for p in pairings}
    roots: list[PairingNode] = []
    for p in pairings:
        node = nodes[p.pk]
        parent = nodes.get(p.parent_id) if p.parent_id is not None else None
        if parent is not None:
            parent.children.append(node)
        else:
            node.parent_hidden = p.parent_id is not None
            roots.append(node)
    return roots


def organisation_list(*, user: Any) -> QuerySet[Organisation]:
    return visible_organisations(user).select_related("region").order_by("region_id", "name", "id")


def organisation_get(*, user: Any, pk: int) -> Organisation | None:
    return organisation_list(user=user).filter(pk=pk).first()


def party_organisation_get(*, pk: int) -> Organisation | None:
    """An organisation named as a party of a new pairing.

    The other side of a pairing usually lies outside the user's scope, so any organisation may be
    named; the pairing service then requires that one party be the user's own.
    """
    return Organisation.objects.select_related("region").filter(pk=pk).first()


def party_organisation_choices() -> QuerySet[Organisation]:
    """Organisations that may be named as a party (see party_organisation_get)."""
    return Organisation.objects.select_related("region").order_by("region_id", "name")


def region_get(*, code: str) -> Region | None:
    """Regions are public reference data: every signed-in user may name any of them."""
    return Region.objects.filter(code=code).first()


def agreement_list(*, user: Any) -> QuerySet[Agreement]:
    return Agreement.objects.filter(pairing_q(user, "pairing__")).order_by("signed_on", "id")


def agreement_get(*, user: Any, pk: int) -> Agreement | None:
    return agreement_list(user=user).select_related("pairing").filter(pk=pk).first()


def meeting_list(*, user: Any) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(pairing_q(user, "pairing__"))
        .prefetch_related("documents")
        .order_by("date", "id")
    )


def meeting_get(*, user: Any, pk: int) -> Meeting | None:
    return meeting_list(user=user).select_related("pairing").filter(pk=pk).first()


def meeting_document_get(*, user: Any, pk: int) -> MeetingDocument | None:
    return MeetingDocument.objects.filter(pairing_q(user, "meeting__pairing__"), pk=pk).first()


def pairing_subtree_ids(pairing: Pairing) -> list[int]:
    """The pairing and every pairing nested under it, at any depth (one query per level)."""
    ids = [pairing.pk]
    frontier = [pairing.pk]
    while frontier:
        frontier = list(Pairing.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


@dataclass(frozen=True)
class MeetingCounts:
    joint_meetings: int
    leaders_visits: int
    working_visits: int

    @property
    def visits(self) -> int:
        return self.leaders_visits + self.working_visits


def meeting_counts(
    *,
    user: Any,
    pairing: Pairing,
    start: dt.date | None = None,
    end: dt.date | None = None,
    include_nested: bool = False,
) -> MeetingCounts:
    """Meetings and visits of a pairing within [start, end], counted from the records."""
    ids = pairing_subtree_ids(pairing) if include_nested else [pairing.pk]
    meetings = meeting_list(user=user).filter(pairing_id__in=ids)
    if start is not None:
        meetings = meetings.filter(date__gte=start)
    if end is not None:
        meetings = meetings.filter(date__lte=end)
    totals = meetings.aggregate(
        joint=Count("pk", filter=Q(kind=MeetingKind.JOINT_MEETING)),
        leaders=Count("pk", filter=Q(kind=MeetingKind.LEADERS_VISIT)),
        working=Count("pk", filter=Q(kind=MeetingKind.WORKING_VISIT)),
    )
    return MeetingCounts(totals["joint"], totals["leaders"], totals["working"])


@dataclass(frozen=True)
class PairingDetail:
    pairing: Pairing
    parent: Pairing | None
    agreements: list[Agreement]
    meetings: list[Meeting]
    children: list[Pairing]
    counts: MeetingCounts
    nested_counts: MeetingCounts | None  # including sub-pairings; None when there are none


def pairing_detail(*, user: Any, pk: int) -> PairingDetail | None:
    """Everything the pairing page shows, in a bounded number of queries; None outside the scope."""
    pairing = pairing_get(user=user, pk=pk)
    if pairing is None:
        return None
    children = list(pairing_list(user=user).filter(parent=pairing))
    return PairingDetail(
        pairing=pairing,
        parent=pairing_get(user=user, pk=pairing.parent_id) if pairing.parent_id else None,
        agreements=list(agreement_list(user=user).filter(pairing=pairing)),
        meetings=list(meeting_list(user=user).filter(pairing=pairing)),
        children=children,
        counts=meeting_counts(user=user, pairing=pairing),
        nested_counts=(
            meeting_counts(user=user, pairing=pairing, include_nested=True) if children else None
        ),
    )
