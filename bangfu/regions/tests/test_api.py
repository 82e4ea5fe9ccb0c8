import pytest
from django.test import Client
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.routers import DefaultRouter

from bangfu.core.testing import make_user
from bangfu.regions.api import register


@pytest.fixture
def alice_client(world):
    client = Client()
    client.force_login(world.alice)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/api/regions/",
        "/api/regions/451223000000/",
        "/api/regions/resolve/?name=凤山",
    ],
)
def test_anonymous_users_may_not_read_regions(world, url):
    assert Client().get(url).status_code == 403


def test_list_is_paginated_in_code_order(alice_client):
    body = alice_client.get("/api/regions/").json()
    assert body["count"] == 2975 + 342 + 31 + 3  # the world adds 观湖街道, 长洲镇, 长洲村委会
    assert len(body["results"]) == 50
    assert body["results"][0] == {
        "code": "110000000000",
        "name": "北京市",
        "level": "province",
        "parent_code": None,
    }


def test_list_filters_by_level_parent_within_and_name(alice_client):
    def codes(query: str) -> list[str]:
        response = alice_client.get(f"/api/regions/?{query}")
        assert response.status_code == 200
        return [r["code"] for r in response.json()["results"]]

    assert codes("parent=451223000000") == ["451223101000"]
    assert codes("within=451223000000") == ["451223000000", "451223101000", "451223101201"]
    assert codes("within=451223000000&level=village") == ["451223101201"]
    assert codes("q=都安") == ["451228000000"]
    assert len(codes("level=province")) == 31


def test_list_is_readable_by_a_user_without_region(world):
    client = Client()
    client.force_login(make_user())
    assert client.get("/api/regions/?q=凤山").json()["count"] == 1


def test_invalid_filters_are_refused(alice_client):
    response = alice_client.get("/api/regions/?within=45&level=hamlet")
    assert response.status_code == 400
    assert set(response.json()) == {"within", "level"}


def test_list_takes_a_fixed_number_of_queries(alice_client, django_assert_num_queries):
    # session, user, roles (scope), count, page
    with django_assert_num_queries(5):
        assert alice_client.get("/api/regions/?level=county").status_code == 200


def test_detail_shows_ancestors_and_full_name(alice_client):
    body = alice_client.get("/api/regions/441502000000/").json()
    assert body == {
        "code": "441502000000",
        "name": "城区",
        "level": "county",
        "parent_code": "441500000000",
        "full_name": "汕尾市城区",
        "ancestors": [
            {"code": "440000000000", "name": "广东省", "level": "province"},
            {"code": "441500000000", "name": "汕尾市", "level": "prefecture"},
        ],
    }


def test_unknown_code_is_not_found(alice_client):
    assert alice_client.get("/api/regions/999900000000/").status_code == 404


def test_resolve_returns_the_unique_match(alice_client):
    body = alice_client.get("/api/regions/resolve/", {"name": "广西凤山县"}).json()
    fengshan = {
        "code": "451223000000",
        "name": "凤山县",
        "level": "county",
        "full_name": "河池市凤山县",
    }
    assert body == {
        "query": "广西凤山县",
        "status": "found",
        "region": fengshan,
        "matches": [fengshan],
    }


def test_resolve_lists_every_match_when_ambiguous_and_uses_context(alice_client):
    body = alice_client.get("/api/regions/resolve/", {"name": "城区"}).json()
    assert (body["status"], body["region"]) == ("ambiguous", None)
    assert [m["code"] for m in body["matches"]] == [
        "140302000000",
        "140502000000",
        "441502000000",
    ]
    body = alice_client.get(
        "/api/regions/resolve/", {"name": "城区", "context": "440000000000"}
    ).json()
    assert body["region"]["code"] == "441502000000"


def test_resolve_needs_a_name_and_a_valid_context(alice_client):
    response = alice_client.get("/api/regions/resolve/", {"context": "44"})
    assert response.status_code == 400
    assert set(response.json()) == {"name", "context"}


def test_resolve_of_an_unknown_name_is_not_found(alice_client):
    body = alice_client.get("/api/regions/resolve/", {"name": "乌有县"}).json()
    assert body == {"query": "乌有县", "status": "not_found", "region": None, "matches": []}


def test_regions_are_read_only(alice_client):
    assert alice_client.post("/api/regions/", {"code": "451223100000"}).status_code == 405


def test_schema_documents_the_query_parameters():
    # Only this app's endpoints, so the test does not depend on other apps' serializers.
    router = DefaultRouter()
    register(router)
    generator = SchemaGenerator(patterns=[path("api/", include(router.urls))])
    schema = generator.get_schema(request=None, public=True)
    list_params = {p["name"] for p in schema["paths"]["/api/regions/"]["get"]["parameters"]}
    assert list_params == {"level", "parent", "within", "q", "page"}
    resolve = schema["paths"]["/api/regions/resolve/"]["get"]
    assert {(p["name"], p.get("required", False)) for p in resolve["parameters"]} == {
        ("name", True),
        ("context", False),
    }
    assert set(schema["components"]["schemas"]["Resolution"]["properties"]) == {
        "query",
        "status",
        "region",
        "matches",
    }
