"""Reads of users, scoped like everything else."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import scope_for


def user_list(*, user: Any) -> QuerySet[User]:
    """The users `user` may manage.

    A superuser: everybody. An administrator of a region: the users whose region, or whose
    organisation's region, lies in that region's subtree (superusers excepted). An administrator
    of an organisation: that organisation's users. Anybody else: nobody.
    """
    scope = scope_for(user)
    users = User.objects.select_related("region", "organisation").order_by("username")
    if scope.is_superuser:
        return users
    if not scope.has_role(Role.ADMINISTRATOR):
        return users.none()
    if scope.region_prefix is not None:
        prefix = scope.region_prefix
        q = Q(region__code__startswith=prefix) | Q(organisation__region__code__startswith=prefix)
    elif scope.organisation_id is not None:
        q = Q(organisation_id=scope.organisation_id)
    else:
        return users.none()
    return users.filter(q, is_superuser=False)
