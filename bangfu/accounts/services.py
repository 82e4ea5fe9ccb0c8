"""Writes for users, roles, personal-data grants and API tokens. Each one is audited.

`actor` is the user doing the write, or `bangfu.accounts.scopes.SYSTEM` for the operator's command
line (`None` is accepted as a synonym). A non-superuser administrator manages only users whose
region or organisation lies in their own subtree, and never a superuser.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from bangfu.accounts.models import PiiGrant, Role, User, UserRole
from bangfu.accounts.scopes import SYSTEM, region_in_scope, require_role, scope_for
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditAction, AuditEvent
from bangfu.core.services import audit_record, model_update, snapshot
from bangfu.pairings.models import Organisation
from bangfu.regions.codes import Level, is_within
from bangfu.regions.models import Region

logger = logging.getLogger(__name__)

_USER_AUDIT_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "region",
    "organisation",
    "is_active",
    "is_staff",
    "is_superuser",
]
# Fields user_update may change; roles, grants, passwords and tokens have their own services.
USER_UPDATE_FIELDS = frozenset(
    {"first_name", "last_name", "email", "region", "organisation", "is_active", "is_superuser"}
)


def _home_region_code(region: Region | None, organisation: Organisation | None) -> str:
    if region is not None:
        return region.code
    return organisation.region_id if organisation is not None else ""


def _actor(actor: Any | None) -> Any:
    return SYSTEM if actor is None else actor


def _role_values(roles: Iterable[Role | str]) -> list[str]:
    try:
        return sorted({Role(r).value for r in roles})
    except ValueError:
        valid = ", ".join(Role.values)
        raise ValidationFailed({"roles": [_("Unknown role; use one of: %s.") % valid]}) from None


def check_may_manage(
    *,
    actor: Any | None,
    region: Region | None,
    organisation: Organisation | None,
    is_superuser: bool = False,
) -> None:
    """Raise PermissionDenied unless the actor may manage a user with this home and status."""
    actor = _actor(actor)
    require_role(actor, Role.ADMINISTRATOR)
    if scope_for(actor).is_superuser:
        return
    if is_superuser:
        raise PermissionDenied(_("Only a superuser can manage a superuser."))
    home = _home_region_code(region, organisation)
    if not (home and region_in_scope(actor, home)):
        raise PermissionDenied(_("The user's region lies outside your scope."))


def _is_staff(*, is_superuser: bool, roles: Iterable[str]) -> bool:
    # The Django admin is for administrators; everybody else works in the pages and the API.
    return is_superuser or Role.ADMINISTRATOR in set(roles)


def _forget_scope(user: User) -> None:
    if hasattr(user, "_bangfu_scope"):
        del user._bangfu_scope


@transaction.atomic
def user_create(
    *,
    actor: Any | None,
    username: str,
    password: str | None,
    region: Region | None = None,
    organisation: Organisation | None = None,
    roles: Iterable[Role | str] = (Role.VIEWER,),
    full_name: str = "",
    email: str = "",
    is_superuser: bool = False,
    validate: bool = True,
) -> User:
    """Create a user. `password=None` leaves the user without a usable password."""
    check_may_manage(
        actor=actor, region=region, organisation=organisation, is_superuser=is_superuser
    )
    if region is not None and organisation is not None:
        raise ValidationFailed(
            {"organisation": [_("Choose a region or an organisation, not both.")]}
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed({"username": [_("A user with this name already exists.")]})
    role_values = _role_values(roles)
    user = User(
        username=username,
        region=region,
        organisation=organisation,
        email=email,
        first_name=full_name,
        is_superuser=is_superuser,
        is_staff=_is_staff(is_superuser=is_superuser, roles=role_values),
    )
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            try:
                validate_password(password, user)
            except DjangoValidationError as exc:
                raise ValidationFailed({"password": list(exc.messages)}) from None
        user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc) from None
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in role_values])
    after = snapshot(user, _USER_AUDIT_FIELDS) | {"roles": role_values}
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=user,
        after=after,
        region_code=_home_region_code(region, organisation),
    )
    return user


@transaction.atomic
def user_update(*, actor: Any | None, user: User, data: Mapping[str, Any]) -> User:
    """Change a user's name, e-mail, home (region or organisation) or status."""
    unknown = set(data) - USER_UPDATE_FIELDS
    if unknown:
        raise ValueError(f"user_update cannot change {sorted(unknown)}")
    check_may_manage(
        actor=actor,
        region=user.region,
        organisation=user.organisation,
        is_superuser=user.is_superuser,
    )
    new_region = data.get("region", user.region)
    new_organisation = data.get("organisation", user.organisation)
    check_may_manage(
        actor=actor,
        region=new_region,
        organisation=new_organisation,
        is_superuser=bool(data.get("is_superuser", user.is_superuser)),
    )
    if new_region is not None and new_organisation is not None:
        raise ValidationFailed(
            {"organisation": [_("Choose a region or an organisation, not both.")]}
        )
    changes = dict(data)
    if "is_superuser" in changes:
        roles = user.role_assignments.values_list("role", flat=True)
        changes["is_staff"] = _is_staff(is_superuser=bool(changes["is_superuser"]), roles=roles)
    try:
        user, before, changed = model_update(instance=user, data=changes)
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc) from None
    if changed:
        _forget_scope(user)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=user,
            before=before,
            after=snapshot(user, _field_names(before)),
            region_code=_home_region_code(user.region, user.organisation),
        )
    return user


def _field_names(before: Mapping[str, Any]) -> list[str]:
    """Field names of a snapshot whose keys are attribute names (region_id → region)."""
    return [name.removesuffix("_id") for name in before]


@transaction.atomic
def user_set_roles(*, actor: Any | None, user: User, roles: Iterable[Role | str]) -> User:
    check_may_manage(
        actor=actor,
        region=user.region,
        organisation=user.organisation,
        is_superuser=user.is_superuser,
    )
    before = sorted(user.role_assignments.values_list("role", flat=True))
    wanted = _role_values(roles)
    if before == wanted:
        return user
    user.role_assignments.exclude(role__in=wanted).delete()
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in wanted if r not in before])
    is_staff = _is_staff(is_superuser=user.is_superuser, roles=wanted)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    _forget_scope(user)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=user,
        before={"roles": before},
        after={"roles": wanted},
        region_code=_home_region_code(user.region, user.organisation),
    )
    return user


@transaction.atomic
def user_set_password(
    *, actor: Any | None, user: User, password: str | None, validate: bool = True
) -> User:
    """Set a new password (`None`: no usable password). The password never enters the audit."""
    check_may_manage(
        actor=actor,
        region=user.region,
        organisation=user.organisation,
        is_superuser=user.is_superuser,
    )
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            try:
                validate_password(password, user)
            except DjangoValidationError as exc:
                raise ValidationFailed({"password": list(exc.messages)}) from None
        user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=user,
        after={"password": "changed" if password is not None else "disabled"},
        region_code=_home_region_code(user.region, user.organisation),
    )
    return user


def pii_grant_check(*, actor: Any | None, user: User, county: Region) -> None:
    """Raise unless `actor` may let `user` see household personal data of `county`.

    Refused for a county outside the user's own region lineage: a donor-side user (whose region
    neither contains nor lies in the county) never receives household personal data.
    """
    actor = _actor(actor)
    require_role(actor, Role.ADMINISTRATOR)
    if not region_in_scope(actor, county.code):
        raise PermissionDenied(_("This county lies outside your scope."))
    check_may_manage(
        actor=actor,
        region=user.region,
        organisation=user.organisation,
        is_superuser=user.is_superuser,
    )
    if county.level != Level.COUNTY:
        raise ValidationFailed({"county": [_("Personal-data grants are given per county.")]})
    home = _home_region_code(user.region, user.organisation)
    in_lineage = bool(home) and (is_within(home, county.code) or is_within(county.code, home))
    if not in_lineage:
        raise ValidationFailed(
            {
                "county": [
                    _(
                        "Only users of this county, or of a region containing it, may see its "
                        "household personal data."
                    )
                ]
            }
        )


@transaction.atomic
def pii_grant_create(*, actor: Any | None, user: User, county: Region) -> PiiGrant:
    """Let a recipient-side user see household personal data of one county."""
    pii_grant_check(actor=actor, user=user, county=county)
    granted_by = actor if isinstance(actor, User) else None
    grant, created = PiiGrant.objects.get_or_create(
        user=user, county=county, defaults={"granted_by": granted_by}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            instance=grant,
            after=snapshot(grant),
            region_code=county.code,
        )
    return grant


@transaction.atomic
def pii_grant_delete(*, actor: Any | None, grant: PiiGrant) -> None:
    actor = _actor(actor)
    require_role(actor, Role.ADMINISTRATOR)
    if not region_in_scope(actor, grant.county_id):
        raise PermissionDenied(_("This county lies outside your scope."))
    before = snapshot(grant)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=grant,
        before=before,
        region_code=grant.county_id,
    )
    grant.delete()


@transaction.atomic
def token_create(*, actor: Any | None, user: User) -> Token:
    """Give the user a new API token, replacing any token they had."""
    check_may_manage(
        actor=actor,
        region=user.region,
        organisation=user.organisation,
        is_superuser=user.is_superuser,
    )
    if not user.is_active:
        raise ValidationFailed({"user": [_("This user is inactive.")]})
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    # The key itself never goes into the audit trail.
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=user,
        before={"api_token": "present" if replaced else "absent"},
        after={"api_token": "created"},
        region_code=_home_region_code(user.region, user.organisation),
    )
    return token


@transaction.atomic
def token_revoke(*, actor: Any | None, user: User) -> bool:
    """Delete the user's API token; False when they had none."""
    check_may_manage(
        actor=actor,
        region=user.region,
        organisation=user.organisation,
        is_superuser=user.is_superuser,
    )
    deleted = Token.objects.filter(user=user).delete()[0] > 0
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=user,
            before={"api_token": "present"},
            after={"api_token": "revoked"},
            region_code=_home_region_code(user.region, user.organisation),
        )
    return deleted


@transaction.atomic
def login_lock_record(
    *, username: str, address: str, locked: Iterable[str], seconds: int
) -> AuditEvent | None:
    """Record that failed sign-ins locked a username (and/or the client address).

    Called by the authentication backend. The audit event is attached to the account whose
    username was locked; a lock of an unknown username or of an address alone has no account to
    attach to and only goes to the log.
    """
    kinds = sorted(locked)
    user = User.objects.filter(username__iexact=username.strip()).first() if username else None
    if user is None or "user" not in kinds:
        logger.warning("sign-in locked (%s) for address %s", ", ".join(kinds), address or "?")
        return None
    return audit_record(
        actor=SYSTEM,
        action=AuditAction.LOGIN_LOCKED,
        instance=user,
        after={"locked": kinds, "address": address, "seconds": seconds},
        region_code=_home_region_code(user.region, user.organisation),
    )
