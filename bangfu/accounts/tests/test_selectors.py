from typing import Any

from bangfu.accounts.models import Role
from bangfu.accounts.selectors import user_list
from bangfu.core.testing import get_region, make_organisation, make_user


def _names(user: Any) -> list[str]:
    return list(user_list(user=user).values_list("username", flat=True))


def test_superuser_lists_everybody(world):
    assert _names(world.dana) == ["alice", "bob", "charlie", "dana"]


def test_region_administrator_lists_users_of_their_subtree_and_its_organisations(world):
    admin = make_user(username="fs-admin", region=world.fengshan, roles=[Role.ADMINISTRATOR])
    make_user(username="cun", region=get_region("451223101201"))
    make_user(username="school", organisation=make_organisation(region=world.fengshan))
    make_user(username="fs-root", region=world.fengshan, is_superuser=True)
    assert _names(admin) == ["alice", "cun", "fs-admin", "school"]


def test_prefecture_administrator_sees_county_users_but_not_other_provinces(world):
    admin = make_user(
        username="hc-admin", region=get_region("451200000000"), roles=[Role.ADMINISTRATOR]
    )
    assert _names(admin) == ["alice", "hc-admin"]


def test_organisation_administrator_lists_their_organisation_only(world):
    school = make_organisation(name="龙华中学", region=world.longhua)
    admin = make_user(username="head", organisation=school, roles=[Role.ADMINISTRATOR])
    make_user(username="teacher", organisation=school)
    make_user(username="other", organisation=make_organisation(region=world.longhua))
    assert _names(admin) == ["head", "teacher"]


def test_non_administrators_list_nobody(world):
    assert _names(world.alice) == []
    assert _names(world.bob) == []
