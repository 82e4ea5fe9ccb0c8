"""Writes for users, roles and personal-data grants. Each one is audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.models import PiiGrant, Role, User, UserRole
from bangfu.accounts.scopes import region_in_scope, require_role, scope_for
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditAction
from bangfu.core.services import audit_record, snapshot
from bangfu.pairings.models import Organisation
from bangfu.regions.codes import Level, is_within
from bangfu.regions.models import Region

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


def _home_region_code(region: Region | None, organisation: Organisation | None) -> str:
    if region is not None:
        return region.code
    return organisation.region_id if organisation is not None else ""


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
    """Create a user. `actor=None` is the command line run by the system operator."""
    if actor is not None:
        require_role(actor, Role.ADMINISTRATOR)
        home = _home_region_code(region, organisation)
        if is_superuser and not scope_for(actor).is_superuser:
            raise PermissionDenied(_("Only a superuser can create a superuser."))
        if not scope_for(actor).is_superuser and not (home and region_in_scope(actor, home)):
            raise PermissionDenied(_("The new user's region lies outside your scope."))
    if region is not None and organisation is not None:
        raise ValidationFailed(
            {"organisation": [_("Choose a region or an organisation, not both.")]}
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed({"username": [_("A user with this name already exists.")]})
    user = User(
        username=username,
        region=region,
        organisation=organisation,
        email=email,
        first_name=full_name,
        is_superuser=is_superuser,
        is_staff=True,
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
        raise ValidationFailed(
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        ) from None
    user.save()
    role_values = sorted({Role(r).value for r in roles})
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
def user_set_roles(*, actor: Any | None, user: User, roles: Iterable[Role | str]) -> User:
    if actor is not None:
        require_role(actor, Role.ADMINISTRATOR)
        home = _home_region_code(user.region, user.organisation)
        if not scope_for(actor).is_superuser and not (home and region_in_scope(actor, home)):
            raise PermissionDenied(_("This user lies outside your scope."))
    before = sorted(user.role_assignments.values_list("role", flat=True))
    wanted = sorted({Role(r).value for r in roles})
    if before == wanted:
        return user
    user.role_assignments.exclude(role__in=wanted).delete()
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in wanted if r not in before])
    if hasattr(user, "_bangfu_scope"):
        del user._bangfu_scope
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
def pii_grant_create(*, actor: Any | None, user: User, county: Region) -> PiiGrant:
    """Let a recipient-side user see household personal data of one county.

    Refused for a county outside the user's own region lineage: a donor-side user (whose region
    neither contains nor lies in the county) never receives household personal data.
    """
    if actor is not None:
        require_role(actor, Role.ADMINISTRATOR)
        if not region_in_scope(actor, county.code):
            raise PermissionDenied(_("This county lies outside your scope."))
    if county.level != Level.COUNTY:
        raise ValidationFailed({"county": [_("Personal-data grants are given per county.")]})
    home = _home_region_code(user.region, user.organisation)
    in_lineage = bool(home) and (is_within(home, county.code) or is_within(county.code, home))
    if not in_lineage:
        raise ValidationFailed(
            {
                "user": [
                    _(
                        "Only users of this county, or of a region containing it, may see its "
                        "household personal data."
                    )
                ]
            }
        )
    grant, created = PiiGrant.objects.get_or_create(
        user=user, county=county, defaults={"granted_by": actor if actor is not None else None}
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
