import pytest
from django.test import Client

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import PermissionDenied
from bangfu.core.models import AuditAction, AuditEvent
from bangfu.core.testing import get_region, make_user
from bangfu.regions.services import region_rename


@pytest.fixture
def dana_client(world):
    client = Client()
    client.force_login(world.dana)
    return client


def test_admin_lists_and_searches_regions(dana_client):
    response = dana_client.get("/admin/regions/region/", {"q": "凤山"})
    assert response.status_code == 200
    assert "451223000000" in response.content.decode()


def test_shipped_levels_are_read_only_in_the_admin(dana_client):
    response = dana_client.get("/admin/regions/region/451223000000/change/")
    assert response.status_code == 200
    assert 'name="name"' not in response.content.decode()


def test_admin_renames_a_township_through_the_service(dana_client):
    response = dana_client.post(
        "/admin/regions/region/451223101000/change/", {"name": "长洲镇（新）"}
    )
    assert response.status_code == 302
    assert get_region("451223101000").name == "长洲镇（新）"
    event = AuditEvent.objects.get()
    assert (event.action, event.before, event.after) == (
        AuditAction.UPDATE,
        {"name": "长洲镇"},
        {"name": "长洲镇（新）"},
    )


def test_regions_cannot_be_added_or_deleted_in_the_admin(dana_client):
    assert dana_client.get("/admin/regions/region/add/").status_code == 403
    assert dana_client.get("/admin/regions/region/451223101000/delete/").status_code == 403


def test_rename_needs_an_administrator_of_the_region(world):
    township = get_region("451223101000")
    with pytest.raises(PermissionDenied):
        region_rename(actor=world.alice, region=township, name="x镇")
    wuhua_admin = make_user(region=world.wuhua, roles=[Role.ADMINISTRATOR])
    with pytest.raises(PermissionDenied):
        region_rename(actor=wuhua_admin, region=township, name="x镇")
    with pytest.raises(PermissionDenied):
        region_rename(actor=SYSTEM, region=world.fengshan, name="凤山新县")
    assert get_region("451223101000").name == "长洲镇"
    assert AuditEvent.objects.count() == 0
