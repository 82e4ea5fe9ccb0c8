"""Who may act on a case: recipient-side users whose region subtree holds the household's
village, with the role the step needs, and for township review / county approval a region at
that level or above. Donor-side users' regions never hold a recipient village."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import region_in_scope, scope_for
from bangfu.cases.workflow import level_allows
from bangfu.core.errors import PermissionDenied
from bangfu.regions.codes import Level, level_of


def refusal(user: Any, village_code: str, role: Role, min_level: Level | None = None) -> str:
    """Why the user may not act with `role` on a case of this village; "" when they may."""
    scope = scope_for(user)
    if not scope.has_role(role):
        return _("This needs the role “%(role)s”.") % {"role": role.label}
    if not region_in_scope(user, village_code):
        return _("This household lies outside your scope.")
    user_level = level_of(scope.region_code) if scope.region_code else None
    if not level_allows(user_level, min_level):
        assert min_level is not None
        return _("This step needs a user at %(level)s level or above.") % {"level": min_level.label}
    return ""


def require(user: Any, village_code: str, role: Role, min_level: Level | None = None) -> None:
    reason = refusal(user, village_code, role, min_level)
    if reason:
        raise PermissionDenied(reason)
