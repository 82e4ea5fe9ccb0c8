"""Reads of pairings and their records, always through the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from bangfu.accounts.scopes import pairing_q, visible_organisations, visible_pairings
from bangfu.pairings.models import Agreement, Meeting, MeetingKind, Organisation, Pairing

_PAIRING_RELATED = (
    "donor_region",
    "donor_organisation",
    "recipient_region",
    "recipient_organisation",
    "parent",
)


def pairing_list(*, user: Any) -> QuerySet[Pairing]:
    return visible_pairings(user).select_related(*_PAIRING_RELATED).order_by("start_date", "id")


def pairing_get(*, user: Any, pk: int) -> Pairing | None:
    return pairing_list(user=user).filter(pk=pk).first()


def organisation_list(*, user: Any) -> QuerySet[Organisation]:
    return visible_organisations(user).select_related("region")


def agreement_list(*, user: Any) -> QuerySet[Agreement]:
    return Agreement.objects.filter(pairing_q(user, "pairing__")).select_related("pairing")


def meeting_list(*, user: Any) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(pairing_q(user, "pairing__"))
        .select_related("pairing")
        .prefetch_related("documents")
    )


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
