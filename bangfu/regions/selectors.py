"""Reads of regions. Region reference data is readable by every signed-in user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from bangfu.accounts.scopes import scope_for
from bangfu.regions import codes
from bangfu.regions.codes import Level
from bangfu.regions.gazetteer import PLACEHOLDER_NAMES as PLACEHOLDERS
from bangfu.regions.models import Region, RegionQuerySet


def _readable(user: Any) -> RegionQuerySet:
    scope = scope_for(user)
    if scope.is_superuser or scope.user_id is not None:
        return Region.objects.all()
    return Region.objects.none()


def region_list(
    *,
    user: Any,
    level: str | None = None,
    parent: str | None = None,
    within: str | None = None,
    q: str | None = None,
) -> QuerySet[Region]:
    """Regions in code order; `within` is the region and its subtree, `q` a name substring."""
    regions = _readable(user)
    if level:
        regions = regions.filter(level=level)
    if parent:
        regions = regions.filter(parent_id=parent)
    if within:
        try:
            regions = regions.within(within)
        except codes.InvalidCode:
            regions = regions.none()
    if q:
        regions = regions.filter(name__contains=q.strip())
    return regions.order_by("code")


def region_get(*, user: Any, code: str) -> Region | None:
    return _readable(user).select_related("parent").filter(code=code).first()


def region_children(*, user: Any, code: str) -> QuerySet[Region]:
    return _readable(user).filter(parent_id=code).order_by("code")


def region_ancestors(*, user: Any, region: Region) -> list[Region]:
    """Province first."""
    return list(_readable(user).ancestors_of(region.code).order_by("code"))


@dataclass(frozen=True)
class RegionDetail:
    code: str
    name: str
    level: str
    parent_code: str | None
    full_name: str
    ancestors: list[Region]


def region_detail(*, user: Any, code: str) -> RegionDetail | None:
    """A region with its ancestors and the full name reports use (汕尾市城区)."""
    region = region_get(user=user, code=code)
    if region is None:
        return None
    ancestors = region_ancestors(user=user, region=region)
    names = [a.name for a in ancestors if a.level != Level.PROVINCE and a.name not in PLACEHOLDERS]
    return RegionDetail(
        code=region.code,
        name=region.name,
        level=region.level,
        parent_code=region.parent_id,
        full_name="".join([*names, region.name]),
        ancestors=ancestors,
    )
