"""The dashboard page cache: a body is reused until the next audited write, per user."""

from __future__ import annotations

from django.core.cache import cache
from django.test import Client, override_settings

from bangfu.accounts.models import User
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.testing import World
from bangfu.funds.models import FundFlow
from bangfu.funds.services import fund_flow_record


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _arrive(world: World, amount: int, stage: str = "arrived") -> None:
    """Record money of the pairing in 2021 (amounts in yuan; pages show 万元)."""
    fund_flow_record(
        actor=SYSTEM,
        pairing=world.longhua_fengshan,
        year=2021,
        stage=stage,
        amount=amount,
        source_kind="fiscal_district",
        reported_by="donor",
    )


@override_settings(BANGFU_PAGE_CACHE_SECONDS=600)
def test_a_cached_page_is_reused_until_an_audited_write_changes_the_data(world):
    cache.clear()
    _arrive(world, 100_000_000, stage="planned")
    _arrive(world, 12_340_000)
    bob = _client(world.bob)
    pairing_url = f"/pairings/{world.longhua_fengshan.pk}/?year=2021"
    assert "1,234" in bob.get("/").content.decode()
    assert "1,234" in bob.get(pairing_url).content.decode()
    # A row written behind the services' back (no audit event) does not show: the cache
    # answers, which proves it is used.
    FundFlow.objects.filter(stage="arrived").update(amount=43_210_000)
    assert "1,234" in bob.get("/").content.decode()
    assert "1,234" in bob.get(pairing_url).content.decode()
    # Any write through a service records an audit event: every cached body is stale at once.
    _arrive(world, 10_000)
    overview = bob.get("/").content.decode()
    assert "4,322" in overview
    assert "1,234" not in overview
    assert "4,322" in bob.get(pairing_url).content.decode()


@override_settings(BANGFU_PAGE_CACHE_SECONDS=600)
def test_cached_bodies_belong_to_one_user_and_scope_is_checked_before_the_cache(world):
    cache.clear()
    _arrive(world, 100_000_000, stage="planned")
    _arrive(world, 12_340_000)
    url = f"/pairings/{world.longhua_fengshan.pk}/?year=2021"
    assert _client(world.bob).get(url).status_code == 200
    charlie = _client(world.charlie)
    assert charlie.get(url).status_code == 404
    assert "1,234" not in charlie.get("/").content.decode()
    # htmx asks for the panel only; it is cached apart from the whole body
    panel = _client(world.bob).get(url, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    assert "<html" not in panel.content.decode()
    assert charlie.get(url, HTTP_HX_REQUEST="true").status_code == 404


@override_settings(BANGFU_PAGE_CACHE_SECONDS=600)
def test_region_page_is_cached_per_language(world):
    cache.clear()
    _arrive(world, 100_000_000, stage="planned")
    _arrive(world, 12_340_000)
    bob = _client(world.bob)
    url = f"/regions/{world.bob.region_id}/"
    english = bob.get(url).content.decode()
    chinese = bob.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert english != chinese
