"""Who may see and change what. Every page, endpoint, export and command goes through here.

A user belongs to a region office or to an organisation:
- a region user sees the pairings where either party is in their region's subtree (a region party
  inside it, or an organisation located inside it), in both directions;
- an organisation user sees the pairings where their organisation is a party, and the pairings
  nested directly under those;
- a user with neither sees nothing; a superuser sees everything.
Region reference data (the public 统计用区划代码) is readable by every signed-in user.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from bangfu.accounts.models import Role
from bangfu.core.errors import PermissionDenied
from bangfu.pairings.models import Organisation, Pairing
from bangfu.regions import codes

if TYPE_CHECKING:
    pass

_NOTHING = Q(pk__in=[])


class SystemActor:
    """The platform itself acting (demo loader, command line run by the operator).

    It sees everything; audit events it writes have no actor.
    """

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_superuser: bool
    region_code: str | None
    region_prefix: str | None
    organisation_id: int | None
    roles: frozenset[str]

    @property
    def sees_nothing(self) -> bool:
        return not self.is_superuser and self.region_prefix is None and self.organisation_id is None

    def has_role(self, role: Role) -> bool:
        return self.is_superuser or role in self.roles or Role.ADMINISTRATOR in self.roles


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per user object."""
    cached = getattr(user, "_bangfu_scope", None)
    if cached is not None:
        return cached
    if isinstance(user, SystemActor):
        return Scope(None, True, None, None, None, frozenset())
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        scope = Scope(None, False, None, None, None, frozenset())
    else:
        region_code = user.region_id
        scope = Scope(
            user_id=user.pk,
            is_superuser=bool(user.is_superuser),
            region_code=region_code,
            region_prefix=codes.prefix_of(region_code) if region_code else None,
            organisation_id=user.organisation_id,
            roles=frozenset(user.role_assignments.values_list("role", flat=True)),
        )
    with contextlib.suppress(AttributeError):
        user._bangfu_scope = scope
    return scope


def pairing_q(user: Any, path: str = "") -> Q:
    """A filter selecting rows whose pairing (reached through `path`) the user may see."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Q()
    if scope.region_prefix is not None:
        prefix = scope.region_prefix
        return (
            Q(**{f"{path}donor_region__code__startswith": prefix})
            | Q(**{f"{path}recipient_region__code__startswith": prefix})
            | Q(**{f"{path}donor_organisation__region__code__startswith": prefix})
            | Q(**{f"{path}recipient_organisation__region__code__startswith": prefix})
        )
    if scope.organisation_id is not None:
        org = scope.organisation_id
        return (
            Q(**{f"{path}donor_organisation_id": org})
            | Q(**{f"{path}recipient_organisation_id": org})
            | Q(**{f"{path}parent__donor_organisation_id": org})
            | Q(**{f"{path}parent__recipient_organisation_id": org})
        )
    return _NOTHING


def visible_pairings(user: Any) -> QuerySet[Pairing]:
    return Pairing.objects.filter(pairing_q(user))


def visible_organisations(user: Any) -> QuerySet[Organisation]:
    scope = scope_for(user)
    if scope.is_superuser:
        return Organisation.objects.all()
    if scope.sees_nothing:
        return Organisation.objects.none()
    pairings = visible_pairings(user)
    q = Q(pk__in=pairings.values("donor_organisation")) | Q(
        pk__in=pairings.values("recipient_organisation")
    )
    if scope.region_prefix is not None:
        q |= Q(region__code__startswith=scope.region_prefix)
    if scope.organisation_id is not None:
        q |= Q(pk=scope.organisation_id)
    return Organisation.objects.filter(q)


def region_in_scope(user: Any, region_code: str) -> bool:
    """True when the region lies in the user's own subtree (where they may create data)."""
    scope = scope_for(user)
    if scope.is_superuser:
        return True
    return scope.region_prefix is not None and region_code.startswith(scope.region_prefix)


def can_view_pairing(user: Any, pairing: Pairing) -> bool:
    return visible_pairings(user).filter(pk=pairing.pk).exists()


def require_role(user: Any, role: Role) -> None:
    if not scope_for(user).has_role(role):
        raise PermissionDenied(f"This needs the role “{role.label}”.")


def require_pairing_role(user: Any, pairing: Pairing, role: Role) -> None:
    """The user holds `role` and the pairing is in their scope; raise PermissionDenied otherwise."""
    require_role(user, role)
    if not can_view_pairing(user, pairing):
        raise PermissionDenied("This pairing is outside your scope.")


def require_party_in_scope(
    user: Any, *, regions: list[str], organisations: list[int], role: Role
) -> None:
    """For creating a pairing: at least one party must lie in the user's own scope."""
    require_role(user, role)
    scope = scope_for(user)
    if scope.is_superuser:
        return
    if scope.organisation_id is not None and scope.organisation_id in organisations:
        return
    if scope.region_prefix is not None:
        if any(code.startswith(scope.region_prefix) for code in regions):
            return
        org_regions = Organisation.objects.filter(pk__in=organisations).values_list(
            "region_id", flat=True
        )
        if any(code.startswith(scope.region_prefix) for code in org_regions):
            return
    raise PermissionDenied("Neither party of this pairing lies in your scope.")


def audit_q(user: Any) -> Q:
    """Audit events about objects the user may see."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Q()
    if scope.sees_nothing:
        return _NOTHING
    q = Q(pairing_id__in=visible_pairings(user).values("pk"))
    if scope.region_prefix is not None:
        q |= Q(region_code__startswith=scope.region_prefix)
    return q
