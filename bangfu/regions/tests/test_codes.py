import pytest

from bangfu.regions import codes
from bangfu.regions.codes import Level


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("450000000000", Level.PROVINCE),
        ("451200000000", Level.PREFECTURE),
        ("451223000000", Level.COUNTY),
        ("451223101000", Level.TOWNSHIP),
        ("451223101201", Level.VILLAGE),
        ("441900003000", Level.TOWNSHIP),  # 东莞: townships directly under the city
        ("441900003001", Level.VILLAGE),
    ],
)
def test_level_is_read_from_trailing_zeros(code, level):
    assert codes.level_of(code) == level


@pytest.mark.parametrize(
    "code",
    [
        "45122300000",  # 11 digits
        "4512230000000",
        "45122300000x",
        " 451223000000",
        "000000000000",
        "001223000000",  # no province
        "450023000000",  # county under a missing prefecture
        "451223000201",  # village under a missing township
    ],
)
def test_malformed_codes_are_refused(code):
    with pytest.raises(codes.InvalidCode):
        codes.level_of(code)


def test_parent_code_steps_up_one_level():
    assert codes.parent_code("451223101201") == "451223101000"
    assert codes.parent_code("451223101000") == "451223000000"
    assert codes.parent_code("451223000000") == "451200000000"
    assert codes.parent_code("451200000000") == "450000000000"
    assert codes.parent_code("450000000000") is None


def test_parent_of_a_township_in_a_city_without_counties_is_the_city():
    assert codes.parent_code("441900003000") == "441900000000"


def test_ancestors_are_listed_province_first():
    assert codes.ancestor_codes("451223101201") == [
        "450000000000",
        "451200000000",
        "451223000000",
        "451223101000",
    ]
    assert codes.ancestor_codes("450000000000") == []


def test_ancestors_of_a_dongguan_township_skip_the_missing_county_once():
    assert codes.ancestor_codes("441900003000") == ["440000000000", "441900000000"]


def test_prefix_is_the_significant_part_of_each_level():
    assert codes.prefix_of("450000000000") == "45"
    assert codes.prefix_of("451200000000") == "4512"
    assert codes.prefix_of("451223000000") == "451223"
    assert codes.prefix_of("451223101000") == "451223101"
    assert codes.prefix_of("451223101201") == "451223101201"


def test_descendants_are_found_by_prefix():
    assert codes.is_within("451223101201", "450000000000")
    assert codes.is_within("451223101201", "451223000000")
    assert codes.is_within("451223000000", "451223000000")
    assert not codes.is_within("451228000000", "451223000000")
    assert not codes.is_within("450000000000", "451223000000")


def test_shared_depth_counts_common_levels_from_the_top():
    assert codes.shared_depth("140302000000", "140502000000") == 1
    assert codes.shared_depth("140302000000", "441502000000") == 0
    assert codes.shared_depth("451223101000", "451223101201") == 4


def test_common_ancestor_is_the_lowest_division_holding_all_codes():
    assert codes.common_ancestor(["451223101000", "451223101201"]) == "451223101000"
    assert codes.common_ancestor(["451223101000", "451223102000"]) == "451223000000"
    assert codes.common_ancestor(["451223101000", "451228101000"]) == "451200000000"
    assert codes.common_ancestor(["451223101000", "441502001000"]) is None
    assert codes.common_ancestor([]) is None
