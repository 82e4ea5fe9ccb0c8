"""Who sees household personal data in clear, and the one way every interface presents it.

Pages, the API, exports and the admin all call `present_person` / `present_collector`; none
reveals an encrypted field itself. A value is shown in clear only to a user holding a PiiGrant
for the county of the household's village, and only while that county still lies in the user's
own region lineage (a grant is refused to donor-side users when given; the lineage check here
also covers a user moved to another region afterwards). Everyone else gets the masked form.
Superusers are not exempt: they see masked values unless they hold a grant. The platform itself
(`SYSTEM`, e.g. the key rotation) sees everything.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bangfu.accounts.scopes import SystemActor
from bangfu.households import crypto
from bangfu.households.fields import EncryptedTextField, Sealed, reveal
from bangfu.regions.codes import is_within

if TYPE_CHECKING:
    from django.db import models

    from bangfu.households.models import Household, Person

MASKERS: dict[str, Callable[[str], str]] = {
    "person.name": crypto.mask_name,
    "person.id_number": crypto.mask_id,
    "person.phone": crypto.mask_phone,
    "person.bank_account": crypto.mask_bank_account,
    "household.collector_name": crypto.mask_name,
    "household.collector_phone": crypto.mask_phone,
}

ID_TOKEN_PURPOSE = "person.id"  # noqa: S105 - a label, not a secret


def id_token(canonical_id: str) -> str:
    """The lookup token of a person's canonical 18-character ID (see idcards.ParsedId)."""
    return crypto.lookup_token(canonical_id, purpose=ID_TOKEN_PURPOSE)


def masked(value: Sealed | str | None, context: str) -> str:
    plain = reveal(value)
    return MASKERS[context](plain) if plain else ""


def clear_counties(user: Any) -> frozenset[str] | None:
    """6-digit county prefixes whose PII the user sees in clear; None means all (the platform)."""
    if isinstance(user, SystemActor):
        return None
    cached = getattr(user, "_bangfu_pii_counties", None)
    if cached is not None:
        return cached
    counties: frozenset[str] = frozenset()
    if getattr(user, "is_authenticated", False) and getattr(user, "is_active", False):
        from bangfu.accounts.models import PiiGrant

        home = user.region_id or ""
        granted = PiiGrant.objects.filter(user_id=user.pk).values_list("county_id", flat=True)
        counties = frozenset(
            code[:6]
            for code in granted
            if home and (is_within(home, code) or is_within(code, home))
        )
    with contextlib.suppress(AttributeError):
        user._bangfu_pii_counties = counties
    return counties


def can_see_pii(user: Any, village_code: str) -> bool:
    counties = clear_counties(user)
    return counties is None or village_code[:6] in counties


def _shown(value: Sealed | str | None, context: str, clear: bool) -> str:
    return reveal(value) if clear else masked(value, context)


@dataclass(frozen=True)
class PersonPii:
    name: str
    id_number: str
    phone: str
    bank_account: str
    clear: bool


def present_person(person: Person, user: Any) -> PersonPii:
    """The person's personal data as this user may see it (clear or masked)."""
    clear = can_see_pii(user, person.household.village_id)
    return PersonPii(
        name=_shown(person.name, "person.name", clear),
        id_number=_shown(person.id_number, "person.id_number", clear),
        phone=_shown(person.phone, "person.phone", clear),
        bank_account=_shown(person.bank_account, "person.bank_account", clear),
        clear=clear,
    )


@dataclass(frozen=True)
class CollectorPii:
    name: str
    phone: str
    clear: bool


def present_collector(household: Household, user: Any) -> CollectorPii:
    clear = can_see_pii(user, household.village_id)
    return CollectorPii(
        name=_shown(household.collector_name, "household.collector_name", clear),
        phone=_shown(household.collector_phone, "household.collector_phone", clear),
        clear=clear,
    )


def safe_snapshot(instance: models.Model, fields: Any = None) -> dict[str, Any]:
    """Like core.services.snapshot, with every encrypted value masked (for audit rows)."""
    from bangfu.core.services import snapshot

    data = snapshot(instance, fields)
    for field in instance._meta.concrete_fields:
        if isinstance(field, EncryptedTextField) and field.attname in data:
            data[field.attname] = masked(getattr(instance, field.attname), field.context)
    return data
