"""The approval inbox: submitted figures this reviewer may approve or send back.

The candidates are the submitted figures the user can see (one query, with everything
`rights.may_review` reads joined in); the rights module then decides per figure, so the inbox
and the services never disagree about who reviews what. Submitted figures are few at any time
(they wait for one review), so filtering them in Python keeps the query count constant.
"""

from __future__ import annotations

from typing import Any

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import scope_for
from bangfu.indicators import rights
from bangfu.indicators.models import DataValue, Status
from bangfu.indicators.selectors import value_q


def _candidates(user: Any) -> Any:
    return (
        DataValue.objects.filter(value_q(user), status=Status.SUBMITTED)
        .exclude(submitted_by_id=user.pk)
        .exclude(entered_by_id=user.pk)
        .select_related(
            "indicator",
            "pairing",
            "pairing__donor_region",
            "pairing__recipient_region",
            "pairing__donor_organisation",
            "pairing__recipient_organisation",
            "party_region",
            "party_organisation",
            "submitted_by",
        )
        .order_by("submitted_at", "id")
    )


def review_inbox(user: Any) -> list[DataValue]:
    """Submitted figures awaiting this reviewer, the longest waiting first."""
    if not scope_for(user).has_role(Role.REVIEWER):
        return []
    return [value for value in _candidates(user) if rights.may_review(user, value)]


def inbox_get(user: Any, pk: int) -> DataValue | None:
    """One figure of the user's inbox (None when it is not there to review)."""
    if not scope_for(user).has_role(Role.REVIEWER):
        return None
    value = _candidates(user).filter(pk=pk).first()
    return value if value is not None and rights.may_review(user, value) else None
