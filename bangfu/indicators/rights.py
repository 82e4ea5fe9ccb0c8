"""Who may enter, review and close indicator figures (on top of bangfu.accounts.scopes).

- Entering: the data-entry role, and the figure's side must be the user's own: a region user
  reports for a party located in their subtree, an organisation user for their organisation (or
  the organisations of the pairing directly above). Party figures (no pairing) likewise.
- Reviewing (approve, send back, lock) needs the reviewer role and one of:
  * the level above: the reviewer's region strictly contains the reporting party's region
    (凤山县's figures are approved in 河池市 or 广西, never in 凤山县 itself);
  * the counterpart: for a pairing figure, a reviewer whose scope holds the other party of the
    same pairing (the recipient county confirms what the donor district reports, and back).
  Nobody approves a figure they entered or submitted themselves.
- Unlocking needs the administrator role. Superusers and the platform itself (SYSTEM) may do all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import scope_for
from bangfu.indicators.models import DataValue, Side
from bangfu.pairings.models import Organisation, Pairing


def party_code(pairing: Pairing, side: str) -> str:
    """The region code where a pairing's party of `side` is located ('' when unknown)."""
    region_id = getattr(pairing, f"{side}_region_id")
    if region_id:
        return str(region_id)
    organisation: Organisation | None = getattr(pairing, f"{side}_organisation")
    return str(organisation.region_id) if organisation is not None else ""


def reporter_code(value: DataValue) -> str:
    """The region code of the party that reported the figure."""
    if value.pairing is not None:
        return party_code(value.pairing, value.reported_by)
    if value.party_region_id:
        return str(value.party_region_id)
    assert value.party_organisation is not None
    return str(value.party_organisation.region_id)


def sides_for(actor: Any, pairing: Pairing) -> set[str]:
    """The sides of `pairing` the actor may report for."""
    scope = scope_for(actor)
    if scope.is_superuser:
        return {Side.DONOR, Side.RECIPIENT}
    sides: set[str] = set()
    for side in (Side.DONOR, Side.RECIPIENT):
        code = party_code(pairing, side)
        if scope.region_prefix is not None and code.startswith(scope.region_prefix):
            sides.add(side)
        if scope.organisation_id is not None:
            parent = pairing.parent
            ids = {
                getattr(pairing, f"{side}_organisation_id"),
                getattr(parent, f"{side}_organisation_id", None) if parent else None,
            }
            if scope.organisation_id in ids:
                sides.add(side)
    return sides


def may_enter(actor: Any, value: DataValue) -> bool:
    scope = scope_for(actor)
    if not scope.has_role(Role.DATA_ENTRY):
        return False
    if scope.is_superuser:
        return True
    if value.pairing is not None:
        return value.reported_by in sides_for(actor, value.pairing)
    return may_enter_for_party(
        actor, code=reporter_code(value), organisation_id=value.party_organisation_id
    )


def may_enter_for_party(actor: Any, *, code: str, organisation_id: int | None) -> bool:
    """May the actor enter figures or targets of one party as a whole (no pairing)?

    `code` is the region code where the party is located."""
    scope = scope_for(actor)
    if not scope.has_role(Role.DATA_ENTRY):
        return False
    if scope.is_superuser:
        return True
    if organisation_id is not None and scope.organisation_id is not None:
        return organisation_id == scope.organisation_id
    return scope.region_prefix is not None and code.startswith(scope.region_prefix)


def may_review(actor: Any, value: DataValue) -> bool:
    scope = scope_for(actor)
    if scope.is_superuser:
        return True
    if not scope.has_role(Role.REVIEWER):
        return False
    if scope.user_id is not None and scope.user_id in {value.entered_by_id, value.submitted_by_id}:
        return False
    code = reporter_code(value)
    above = scope.region_prefix is not None and scope.region_code != code
    if above and code.startswith(scope.region_prefix or "-"):
        return True
    if value.pairing is not None and value.reported_by in (Side.DONOR, Side.RECIPIENT):
        other = Side.RECIPIENT if value.reported_by == Side.DONOR else Side.DONOR
        other_code = party_code(value.pairing, other)
        if scope.region_prefix is not None and other_code.startswith(scope.region_prefix):
            return True
        other_org = getattr(value.pairing, f"{other}_organisation_id")
        if scope.organisation_id is not None and other_org == scope.organisation_id:
            return True
    return False


def deadline_days() -> int:
    return int(getattr(settings, "BANGFU_PERIOD_DEADLINE_DAYS", 60))


def closes_on(period_end: dt.date) -> dt.date:
    """The last day figures of a period ending on `period_end` may be entered or submitted."""
    return period_end + dt.timedelta(days=deadline_days())


def is_closed(period_end: dt.date, today: dt.date | None = None) -> bool:
    return (today or timezone.localdate()) > closes_on(period_end)
