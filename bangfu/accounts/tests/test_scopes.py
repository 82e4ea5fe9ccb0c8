import pytest

from bangfu.accounts.scopes import scope_for, visible_organisations, visible_pairings
from bangfu.core.testing import get_region, make_organisation, make_user, pairing


def test_recipient_and_donor_both_see_their_shared_pairing(world):
    assert list(visible_pairings(world.alice)) == [world.longhua_fengshan]
    assert list(visible_pairings(world.bob)) == [world.longhua_fengshan]


def test_charlie_sees_no_pairing_of_alice_or_bob(world):
    assert list(visible_pairings(world.charlie)) == []


def test_superuser_sees_every_pairing(world):
    assert set(visible_pairings(world.dana)) == {world.longhua_fengshan, world.tianhe_nayong}


def test_user_without_region_or_organisation_sees_nothing(world):
    assert list(visible_pairings(make_user())) == []


def test_anonymous_user_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert list(visible_pairings(AnonymousUser())) == []
    assert scope_for(AnonymousUser()).sees_nothing


def test_nested_pairing_with_organisation_party_is_in_the_donor_subtree(world):
    community = make_organisation(name="观湖社区", region=get_region("440309001000"))
    village = get_region("451223101201")
    child = pairing(community, village, parent=world.longhua_fengshan)
    assert child in visible_pairings(world.bob)
    assert child in visible_pairings(world.alice)
    assert child not in visible_pairings(world.charlie)


def test_organisation_user_sees_only_pairings_where_their_organisation_is_a_party(world):
    school = make_organisation(name="龙华中学", region=world.longhua)
    other = make_organisation(name="龙华小学", region=world.longhua)
    mine = pairing(school, make_organisation(name="凤山中学", region=world.fengshan))
    pairing(other, make_organisation(name="凤山小学", region=world.fengshan))
    teacher = make_user(organisation=school)
    assert list(visible_pairings(teacher)) == [mine]
    assert set(visible_organisations(teacher).values_list("name", flat=True)) == {
        "龙华中学",
        "凤山中学",
    }


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_region_user_sees_organisations_of_their_subtree_and_of_their_pairings(world, name):
    make_organisation(name="五华企业", region=world.wuhua)
    user = getattr(world, name)
    make_organisation(name="本地企业", region=user.region)
    assert "五华企业" not in set(visible_organisations(user).values_list("name", flat=True))
    assert "本地企业" in set(visible_organisations(user).values_list("name", flat=True))
