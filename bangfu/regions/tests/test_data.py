import csv
from pathlib import Path

import pytest

from bangfu.regions import codes
from bangfu.regions.codes import Level
from bangfu.regions.models import Region

DATA = Path(__file__).resolve().parent.parent / "data"
DEMO_COUNTIES = {
    "451223000000": "凤山县",
    "451228000000": "都安瑶族自治县",
    "451229000000": "大化瑶族自治县",
    "451029000000": "田林县",
    "441622000000": "龙川县",
    "520525000000": "纳雍县",
    "441502000000": "城区",
    "540425000000": "察隅县",
    "440306000000": "宝安区",
    "440309000000": "龙华区",
    "440311000000": "光明区",
    "440106000000": "天河区",
}


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.django_db
def test_every_database_has_the_country_down_to_county_level():
    assert Region.objects.filter(level=Level.PROVINCE).count() == 31
    assert Region.objects.filter(level=Level.PREFECTURE).count() == 342
    assert Region.objects.filter(level=Level.COUNTY).count() == 2975
    assert Region.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).count() == 0


@pytest.mark.django_db
def test_every_demo_county_is_shipped():
    shipped = dict(Region.objects.filter(code__in=DEMO_COUNTIES).values_list("code", "name"))
    assert shipped == DEMO_COUNTIES


@pytest.mark.django_db
def test_every_shipped_region_but_a_province_has_its_parent():
    orphans = Region.objects.exclude(level=Level.PROVINCE).filter(parent__isnull=True)
    assert orphans.count() == 0
    for region in Region.objects.exclude(level=Level.PROVINCE).only("code", "parent_id"):
        assert region.parent_id == codes.parent_code(region.code)


@pytest.mark.parametrize("name", ["regions_country.csv", "regions_local.csv"])
def test_data_files_are_well_formed(name):
    rows = _rows(name)
    by_code = {row["code"]: row for row in rows}
    assert len(by_code) == len(rows)
    assert [row["code"] for row in rows] == sorted(by_code)
    for row in rows:
        assert codes.level_of(row["code"]) == row["level"]
        assert row["name"]
        assert (row["parent_code"] or None) == codes.parent_code(row["code"])


def test_local_file_holds_only_townships_and_villages_of_the_demo_counties():
    rows = _rows("regions_local.csv")
    country = {row["code"] for row in _rows("regions_country.csv")}
    local = {row["code"] for row in rows}
    assert len(rows) == 1885
    assert {row["level"] for row in rows} == {"township", "village"}
    for row in rows:
        assert row["parent_code"] in country | local
        assert any(codes.is_within(row["code"], county) for county in DEMO_COUNTIES)
    counties_with_villages = {row["code"][:6] for row in rows if row["level"] == "village"}
    assert counties_with_villages == {
        "451223",
        "451228",
        "451229",
        "451029",
        "441622",
        "520525",
        "441502",
        "540425",
    }
