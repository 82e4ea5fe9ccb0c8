"""Test helpers shared by every app: factories and the Alice / Bob / Charlie world.

- Alice works for 凤山县 (a recipient county), Bob for 龙华区 (its donor district),
  Charlie for 五华区, a county with no pairing to either; Dana is a superuser.
- 龙华区 → 凤山县 is the pairing Alice and Bob share; 天河区 → 纳雍县 belongs to nobody here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import factory
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
    "451223101000": "凤城镇",
    "451223101201": "同乐村",
    "520000000000": "贵州省",
    "520500000000": "毕节市",
    "520525000000": "纳雍县",
    "530000000000": "云南省",
    "530100000000": "昆明市",
    "530102000000": "五华区",
}


def region(code: str, name: str | None = None) -> Region:
    """Get or create a region and its missing ancestors (names from REGIONS when known)."""
    existing = Region.objects.filter(code=code).first()
    if existing is not None:
        return existing
    parent = parent_code(code)
    parent_region = region(parent) if parent else None
    return Region.objects.create(
        code=code, name=name or REGIONS.get(code, code), level=level_of(code), parent=parent_region
    )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = OrganisationKind.ENTERPRISE
    region = factory.LazyFunction(lambda: region("440309000000"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()
            for role in extracted or [Role.VIEWER]:
                UserRole.objects.get_or_create(user=self, role=role)


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
            region(code)
        fengshan, longhua = (
            Region.objects.get(pk="451223000000"),
            Region.objects.get(pk="440309000000"),
        )
        wuhua, tianhe = Region.objects.get(pk="530102000000"), Region.objects.get(pk="440106000000")
        nayong = Region.objects.get(pk="520525000000")
        roles = [Role.VIEWER, Role.DATA_ENTRY]
        return World(
            alice=UserFactory(username="alice", region=fengshan, roles=roles),
            bob=UserFactory(username="bob", region=longhua, roles=roles),
            charlie=UserFactory(username="charlie", region=wuhua, roles=roles),
            dana=UserFactory(
                username="dana", is_superuser=True, is_staff=True, roles=[Role.ADMINISTRATOR]
            ),
            fengshan=fengshan,
            longhua=longhua,
            wuhua=wuhua,
            tianhe=tianhe,
            nayong=nayong,
            longhua_fengshan=pairing(longhua, fengshan),
            tianhe_nayong=pairing(tianhe, nayong, start=dt.date(2016, 9, 1)),
        )
