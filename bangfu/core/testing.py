"""Test helpers shared by every app: factories and the Alice / Bob / Charlie world.

- Alice works for 凤山县 (a recipient county), Bob for 龙华区 (its donor district),
  Charlie for 五华区, a county with no pairing to either; Dana is a superuser.
- 龙华区 → 凤山县 is the pairing Alice and Bob share; 天河区 → 纳雍县 belongs to nobody here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from bangfu.accounts.models import Role, User, UserRole
from bangfu.pairings.models import (
    Organisation,
    OrganisationKind,
    Pairing,
    PairingKind,
    PairingLevel,
)
from bangfu.regions.codes import level_of, parent_code
from bangfu.regions.models import Region

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 - test-only

REGIONS = {
    "440000000000": "广东省",
    "440100000000": "广州市",
    "440106000000": "天河区",
    "440300000000": "深圳市",
    "440309000000": "龙华区",
    "440309001000": "观湖街道",
    "450000000000": "广西壮族自治区",
    "451200000000": "河池市",
    "451223000000": "凤山县",
    "451223101000": "长洲镇",
    "451223101201": "长洲村委会",
    "520000000000": "贵州省",
    "520500000000": "毕节市",
    "520525000000": "纳雍县",
    "530000000000": "云南省",
    "530100000000": "昆明市",
    "530102000000": "五华区",
}


def get_region(code: str, name: str | None = None) -> Region:
    """Get or create a region and its missing ancestors (names from REGIONS when known)."""
    existing = Region.objects.filter(code=code).first()
    if existing is not None:
        return existing
    parent = parent_code(code)
    parent_region = get_region(parent) if parent else None
    return Region.objects.create(
        code=code, name=name or REGIONS.get(code, code), level=level_of(code), parent=parent_region
    )


_counter = itertools.count(1)


def make_organisation(
    *,
    name: str | None = None,
    kind: str = OrganisationKind.ENTERPRISE,
    region: Region | None = None,
) -> Organisation:
    return Organisation.objects.create(
        name=name or f"单位{next(_counter)}", kind=kind, region=region or get_region("440309000000")
    )


def make_user(
    *,
    username: str | None = None,
    region: Region | None = None,
    organisation: Organisation | None = None,
    roles: list[Role] | None = None,
    is_superuser: bool = False,
    password: str = TEST_PASSWORD,
) -> User:
    user = User(
        username=username or f"user{next(_counter)}",
        region=region,
        organisation=organisation,
        is_superuser=is_superuser,
        is_staff=True,
    )
    user.set_password(password)
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in (roles or [Role.VIEWER])])
    return user


def pairing(
    donor: Region | Organisation,
    recipient: Region | Organisation,
    *,
    kind: str = PairingKind.EAST_WEST,
    level: str = PairingLevel.COUNTY_COUNTY,
    start: dt.date = dt.date(2021, 1, 1),
    parent: Pairing | None = None,
) -> Pairing:
    fields: dict[str, Any] = {}
    fields["donor_region" if isinstance(donor, Region) else "donor_organisation"] = donor
    fields["recipient_region" if isinstance(recipient, Region) else "recipient_organisation"] = (
        recipient
    )
    return Pairing.objects.create(kind=kind, level=level, start_date=start, parent=parent, **fields)


@dataclass
class World:
    alice: User
    bob: User
    charlie: User
    dana: User
    fengshan: Region
    longhua: Region
    wuhua: Region
    tianhe: Region
    nayong: Region
    longhua_fengshan: Pairing
    tianhe_nayong: Pairing


def build_world() -> World:
    with transaction.atomic():
        for code in REGIONS:
            get_region(code)
        fengshan, longhua = (
            Region.objects.get(pk="451223000000"),
            Region.objects.get(pk="440309000000"),
        )
        wuhua, tianhe = Region.objects.get(pk="530102000000"), Region.objects.get(pk="440106000000")
        nayong = Region.objects.get(pk="520525000000")
        roles = [Role.VIEWER, Role.DATA_ENTRY]
        return World(
            alice=make_user(username="alice", region=fengshan, roles=roles),
            bob=make_user(username="bob", region=longhua, roles=roles),
            charlie=make_user(username="charlie", region=wuhua, roles=roles),
            dana=make_user(username="dana", is_superuser=True, roles=[Role.ADMINISTRATOR]),
            fengshan=fengshan,
            longhua=longhua,
            wuhua=wuhua,
            tianhe=tianhe,
            nayong=nayong,
            longhua_fengshan=pairing(longhua, fengshan),
            tianhe_nayong=pairing(tianhe, nayong, start=dt.date(2016, 9, 1)),
        )
