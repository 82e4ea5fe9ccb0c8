from typing import Any

import pytest

from bangfu.accounts.models import PiiGrant, Role, User
from bangfu.core.models import AuditAction, AuditEvent
from bangfu.core.testing import get_region, make_user

CHANGELIST = "/admin/accounts/user/"
ADD = "/admin/accounts/user/add/"
STRONG = "Xq7-harbour-lantern-91"


def _change_url(user: Any) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


@pytest.fixture
def fengshan_admin(world):
    return make_user(username="fs-admin", region=world.fengshan, roles=[Role.ADMINISTRATOR])


def _add_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "username": "erin",
        "password1": STRONG,
        "password2": STRONG,
        "first_name": "",
        "email": "",
        "region": "451223000000",
        "organisation": "",
        "roles": ["viewer", "reviewer"],
    }
    data.update(overrides)
    return data


def _change_data(user: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": user.first_name,
        "email": user.email,
        "region": user.region_id or "",
        "organisation": user.organisation_id or "",
        "roles": list(user.role_assignments.values_list("role", flat=True)),
        "is_active": "on" if user.is_active else "",
        "pii_grants-TOTAL_FORMS": "0",
        "pii_grants-INITIAL_FORMS": "0",
        "pii_grants-MIN_NUM_FORMS": "0",
        "pii_grants-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_speaks_chinese(client, world):
    client.force_login(world.dana)
    response = client.get("/admin/")
    text = response.content.decode()
    assert "帮扶 bangfu 管理后台" in text
    assert "用户与权限" in text


def test_superuser_lists_every_user_with_roles_and_unit(client, world):
    client.force_login(world.dana)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert [u.username for u in response.context["cl"].result_list] == [
        "alice",
        "bob",
        "charlie",
        "dana",
    ]
    text = response.content.decode()
    assert "查看人员、填报人员" in text or "填报人员、查看人员" in text
    assert "凤山县" in text


def test_region_administrator_lists_only_users_of_their_region(client, world, fengshan_admin):
    client.force_login(fengshan_admin)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert [u.username for u in response.context["cl"].result_list] == ["alice", "fs-admin"]


def test_region_administrator_cannot_open_a_user_of_another_region(client, world, fengshan_admin):
    client.force_login(fengshan_admin)
    response = client.get(_change_url(world.bob))
    assert response.status_code == 302  # the admin redirects to its index for a missing object
    assert client.get(f"/admin/accounts/user/{world.bob.pk}/password/").status_code == 404


def test_user_without_administrator_role_is_refused(client, world):
    world.alice.is_staff = True
    world.alice.save()
    client.force_login(world.alice)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(ADD).status_code == 403


def test_users_cannot_be_deleted_in_the_admin(client, world):
    client.force_login(world.dana)
    assert client.get(f"/admin/accounts/user/{world.alice.pk}/delete/").status_code == 403


def test_adding_a_user_goes_through_the_service(client, world, fengshan_admin):
    client.force_login(fengshan_admin)
    response = client.post(ADD, _add_data())
    assert response.status_code == 302, response.context["adminform"].form.errors
    erin = User.objects.get(username="erin")
    assert erin.check_password(STRONG)
    assert sorted(erin.role_assignments.values_list("role", flat=True)) == ["reviewer", "viewer"]
    assert not erin.is_staff
    event = AuditEvent.objects.get(object_id=str(erin.pk), action=AuditAction.CREATE)
    assert event.actor_id == fengshan_admin.pk


def test_adding_a_user_outside_the_administrators_region_is_a_form_error(
    client, world, fengshan_admin
):
    client.force_login(fengshan_admin)
    response = client.post(ADD, _add_data(region="440309000000"))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "该用户所在行政区划不在您的管辖范围内。"
    ]
    assert not User.objects.filter(username="erin").exists()


def test_region_administrator_cannot_make_a_superuser(client, world, fengshan_admin):
    client.force_login(fengshan_admin)
    client.post(ADD, _add_data(is_superuser="on"))
    assert User.objects.get(username="erin").is_superuser is False


def test_changing_roles_goes_through_the_service(client, world, fengshan_admin):
    client.force_login(fengshan_admin)
    response = client.post(_change_url(world.alice), _change_data(world.alice, roles=["reviewer"]))
    assert response.status_code == 302
    assert list(world.alice.role_assignments.values_list("role", flat=True)) == ["reviewer"]
    event = AuditEvent.objects.get(object_id=str(world.alice.pk), action=AuditAction.UPDATE)
    assert event.after == {"roles": ["reviewer"]}


def test_changing_the_name_goes_through_the_service(client, world, fengshan_admin):
    client.force_login(fengshan_admin)
    response = client.post(_change_url(world.alice), _change_data(world.alice, first_name="李爱丽"))
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.first_name == "李爱丽"
    event = AuditEvent.objects.get(object_id=str(world.alice.pk), action=AuditAction.UPDATE)
    assert event.before == {"first_name": ""}


def test_moving_a_user_out_of_the_administrators_region_is_a_form_error(
    client, world, fengshan_admin
):
    client.force_login(fengshan_admin)
    response = client.post(
        _change_url(world.alice), _change_data(world.alice, region="530102000000")
    )
    assert response.status_code == 200
    world.alice.refresh_from_db()
    assert world.alice.region_id == "451223000000"


def _grant_data(user: Any, county: str) -> dict[str, Any]:
    return _change_data(
        user,
        **{
            "pii_grants-TOTAL_FORMS": "1",
            "pii_grants-0-county": county,
            "pii_grants-0-id": "",
            "pii_grants-0-user": str(user.pk),
        },
    )


def test_granting_pii_to_a_recipient_user_goes_through_the_service(client, world, fengshan_admin):
    client.force_login(fengshan_admin)
    response = client.post(_change_url(world.alice), _grant_data(world.alice, "451223000000"))
    assert response.status_code == 302
    grant = PiiGrant.objects.get(user=world.alice)
    assert grant.granted_by == fengshan_admin
    assert AuditEvent.objects.filter(object_type="accounts.piigrant").count() == 1


def test_donor_side_pii_grant_is_refused_with_a_form_error(client, world):
    client.force_login(world.dana)
    response = client.post(_change_url(world.bob), _grant_data(world.bob, "451223000000"))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors == [
        {"county": ["只有本县或其上级行政区划的用户才能查看本县农户的个人信息。"]}
    ]
    assert not PiiGrant.objects.exists()


def test_withdrawing_a_grant_goes_through_the_service(client, world):
    grant = PiiGrant.objects.create(user=world.alice, county=world.fengshan)
    client.force_login(world.dana)
    data = _change_data(
        world.alice,
        **{
            "pii_grants-TOTAL_FORMS": "1",
            "pii_grants-INITIAL_FORMS": "1",
            "pii_grants-0-id": str(grant.pk),
            "pii_grants-0-user": str(world.alice.pk),
            "pii_grants-0-DELETE": "on",
        },
    )
    response = client.post(_change_url(world.alice), data)
    assert response.status_code == 302
    assert not PiiGrant.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 1


def test_admin_sign_in_page_is_the_lock_aware_form(client, world):
    response = client.get("/admin/login/")
    assert type(response.context["form"]).__name__ == "AdminSignInForm"


def test_admin_search_finds_village_users_of_the_county(client, world, fengshan_admin):
    make_user(username="cun", region=get_region("451223101201"))
    client.force_login(fengshan_admin)
    response = client.get(CHANGELIST, {"q": "cun"})
    assert [u.username for u in response.context["cl"].result_list] == ["cun"]


def test_administrator_opens_the_password_page_of_a_user_in_scope(client, world, fengshan_admin):
    client.force_login(fengshan_admin)
    response = client.get(f"/admin/accounts/user/{world.alice.pk}/password/")
    assert response.status_code == 200


def test_tokens_and_groups_are_not_managed_in_the_admin(client, world):
    client.force_login(world.dana)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert client.get("/admin/auth/group/").status_code == 404
