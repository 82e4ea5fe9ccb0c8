import pytest
from rest_framework.authtoken.models import Token

from bangfu.accounts import services
from bangfu.accounts.models import PiiGrant, Role, User
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditAction, AuditEvent
from bangfu.core.testing import get_region, make_organisation, make_user

STRONG = "Xq7-harbour-lantern-91"


@pytest.fixture
def fengshan_admin(world):
    return make_user(username="fs-admin", region=world.fengshan, roles=[Role.ADMINISTRATOR])


def test_system_creates_a_user_with_roles_and_an_audit_event(world):
    user = services.user_create(
        actor=SYSTEM,
        username="erin",
        password=STRONG,
        region=world.fengshan,
        roles=[Role.REVIEWER, "viewer"],
    )
    assert sorted(user.role_assignments.values_list("role", flat=True)) == ["reviewer", "viewer"]
    assert user.check_password(STRONG)
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor_id is None
    assert event.after is not None
    assert event.after["roles"] == ["reviewer", "viewer"]
    assert "password" not in event.after


def test_only_administrators_and_superusers_get_the_admin(world):
    viewer = services.user_create(
        actor=SYSTEM, username="v", password=STRONG, region=world.fengshan, roles=[Role.VIEWER]
    )
    admin = services.user_create(
        actor=SYSTEM, username="a", password=STRONG, region=world.fengshan, roles=["administrator"]
    )
    superuser = services.user_create(
        actor=SYSTEM, username="s", password=STRONG, roles=[Role.VIEWER], is_superuser=True
    )
    assert (viewer.is_staff, admin.is_staff, superuser.is_staff) == (False, True, True)


def test_an_unknown_role_is_refused_as_a_validation_error(world):
    with pytest.raises(ValidationFailed) as caught:
        services.user_create(
            actor=SYSTEM, username="x", password=STRONG, region=world.fengshan, roles=["boss"]
        )
    assert list(caught.value.errors) == ["roles"]
    assert not User.objects.filter(username="x").exists()


def test_username_is_unique_regardless_of_case(world):
    with pytest.raises(ValidationFailed) as caught:
        services.user_create(actor=SYSTEM, username="ALICE", password=STRONG, region=world.wuhua)
    assert caught.value.errors == {"username": ["该用户名已存在。"]}


def test_weak_password_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        services.user_create(actor=SYSTEM, username="x", password="123", region=world.fengshan)
    assert list(caught.value.errors) == ["password"]


def test_region_administrator_creates_users_only_inside_their_region(world, fengshan_admin):
    village = get_region("451223101201")
    user = services.user_create(
        actor=fengshan_admin, username="cun", password=STRONG, region=village
    )
    assert user.region == village
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=fengshan_admin, username="x", password=STRONG, region=world.longhua
        )


def test_non_administrator_cannot_create_users(world):
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=world.alice, username="x", password=STRONG, region=world.fengshan
        )


def test_region_administrator_cannot_create_a_superuser(world, fengshan_admin):
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=fengshan_admin,
            username="x",
            password=STRONG,
            region=world.fengshan,
            is_superuser=True,
        )


def test_region_administrator_cannot_touch_a_superuser_living_in_their_region(
    world, fengshan_admin
):
    boss = make_user(username="boss", region=world.fengshan, is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.user_set_roles(actor=fengshan_admin, user=boss, roles=[Role.VIEWER])
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=fengshan_admin, user=boss, password=STRONG)


def test_set_roles_records_before_and_after_and_updates_staff(world):
    services.user_set_roles(actor=world.dana, user=world.alice, roles=[Role.ADMINISTRATOR])
    world.alice.refresh_from_db()
    assert list(world.alice.role_assignments.values_list("role", flat=True)) == ["administrator"]
    assert world.alice.is_staff
    event = AuditEvent.objects.get(object_id=str(world.alice.pk), action=AuditAction.UPDATE)
    assert event.before == {"roles": ["data_entry", "viewer"]}
    assert event.after == {"roles": ["administrator"]}
    assert event.actor_id == world.dana.pk


def test_set_roles_outside_the_administrators_region_is_refused(world, fengshan_admin):
    with pytest.raises(PermissionDenied):
        services.user_set_roles(actor=fengshan_admin, user=world.bob, roles=[Role.VIEWER])


def test_user_update_changes_only_given_fields_and_audits_them(world):
    services.user_update(actor=world.dana, user=world.alice, data={"first_name": "李爱丽"})
    event = AuditEvent.objects.get(object_id=str(world.alice.pk), action=AuditAction.UPDATE)
    assert event.before == {"first_name": ""}
    assert event.after == {"first_name": "李爱丽"}


def test_user_update_cannot_move_a_user_out_of_the_administrators_region(world, fengshan_admin):
    with pytest.raises(PermissionDenied):
        services.user_update(actor=fengshan_admin, user=world.alice, data={"region": world.wuhua})
    world.alice.refresh_from_db()
    assert world.alice.region == world.fengshan


def test_user_update_refuses_region_and_organisation_together(world):
    org = make_organisation(region=world.fengshan)
    with pytest.raises(ValidationFailed):
        services.user_update(actor=world.dana, user=world.alice, data={"organisation": org})


def test_user_update_refuses_unknown_fields(world):
    with pytest.raises(ValueError, match="password"):
        services.user_update(actor=world.dana, user=world.alice, data={"password": "x"})


def test_set_password_is_audited_without_the_password(world):
    services.user_set_password(actor=SYSTEM, user=world.alice, password=STRONG)
    world.alice.refresh_from_db()
    assert world.alice.check_password(STRONG)
    event = AuditEvent.objects.get(object_id=str(world.alice.pk))
    assert event.after == {"password": "changed"}


def test_system_grants_pii_to_a_recipient_county_user(world):
    grant = services.pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    assert grant.granted_by is None
    assert AuditEvent.objects.filter(object_type="accounts.piigrant").count() == 1


def test_an_administrator_is_recorded_as_the_grantor(world, fengshan_admin):
    grant = services.pii_grant_create(actor=fengshan_admin, user=world.alice, county=world.fengshan)
    assert grant.granted_by == fengshan_admin


def test_granting_twice_keeps_one_grant_and_one_audit_event(world):
    services.pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    services.pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    assert PiiGrant.objects.filter(user=world.alice).count() == 1
    assert AuditEvent.objects.filter(object_type="accounts.piigrant").count() == 1


def test_donor_side_user_never_gets_household_personal_data(world):
    with pytest.raises(ValidationFailed) as caught:
        services.pii_grant_create(actor=SYSTEM, user=world.bob, county=world.fengshan)
    assert list(caught.value.errors) == ["county"]
    assert not PiiGrant.objects.exists()


def test_pii_grants_are_per_county(world):
    with pytest.raises(ValidationFailed):
        services.pii_grant_create(actor=SYSTEM, user=world.alice, county=get_region("451200000000"))


def test_administrator_cannot_grant_pii_of_a_county_outside_their_scope(world, fengshan_admin):
    with pytest.raises(PermissionDenied):
        services.pii_grant_create(actor=fengshan_admin, user=world.charlie, county=world.wuhua)


def test_withdrawing_a_grant_is_audited(world):
    grant = services.pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    services.pii_grant_delete(actor=world.dana, grant=grant)
    assert not PiiGrant.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 1


def test_token_create_replaces_the_old_token_and_never_audits_the_key(world):
    first = services.token_create(actor=SYSTEM, user=world.alice)
    second = services.token_create(actor=SYSTEM, user=world.alice)
    assert first.key != second.key
    assert list(Token.objects.filter(user=world.alice).values_list("key", flat=True)) == [
        second.key
    ]
    for event in AuditEvent.objects.all():
        assert second.key not in str(event.after) + event.object_repr


def test_token_revoke_reports_whether_there_was_a_token(world):
    services.token_create(actor=SYSTEM, user=world.alice)
    assert services.token_revoke(actor=SYSTEM, user=world.alice) is True
    assert services.token_revoke(actor=SYSTEM, user=world.alice) is False


def test_inactive_user_gets_no_token(world):
    world.alice.is_active = False
    world.alice.save()
    with pytest.raises(ValidationFailed):
        services.token_create(actor=SYSTEM, user=world.alice)


def test_non_administrator_cannot_create_tokens(world):
    with pytest.raises(PermissionDenied):
        services.token_create(actor=world.alice, user=world.alice)
