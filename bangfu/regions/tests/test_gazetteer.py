import time

import pytest
from django.core.cache import cache

from bangfu.accounts.scopes import SYSTEM
from bangfu.regions import codes, gazetteer
from bangfu.regions.gazetteer import (
    GazetteerIndex,
    Resolution,
    clean,
    short_name,
    split_suffix,
)
from bangfu.regions.services import regions_import
from bangfu.regions.tests.files import FENGSHAN_ROWS, write_csv


def _code(resolution: Resolution) -> str:
    assert resolution.region is not None, resolution
    return resolution.region.code


# --- names, without the database


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("凤山县", "凤山"),
        ("宝安区", "宝安"),
        ("陆丰市", "陆丰"),
        ("都安瑶族自治县", "都安"),
        ("积石山保安族东乡族撒拉族自治县", "积石山"),
        ("黔东南苗族侗族自治州", "黔东南"),
        ("广西壮族自治区", "广西"),
        ("新疆维吾尔自治区", "新疆"),
        ("内蒙古自治区", "内蒙古"),
        ("广东省", "广东"),
        ("阿里地区", "阿里"),
        ("莫力达瓦达斡尔族自治旗", "莫力达瓦"),
        ("凤城镇", "凤城"),
        ("金牙瑶族乡", "金牙"),
        ("观湖街道", "观湖"),
        ("长洲村委会", "长洲"),
        ("光明社区居民委员会", "光明"),
    ],
)
def test_short_name_drops_the_kind_of_division(name, short):
    assert short_name(name) == short


@pytest.mark.parametrize("name", ["城区", "易县", "凤山", "郊区"])
def test_names_with_a_one_character_stem_or_no_suffix_have_no_short_name(name):
    assert short_name(name) is None


def test_split_suffix_keeps_the_suffix_written():
    assert split_suffix("都安县") == ("都安", "县")
    assert split_suffix("汕尾市城区") == ("汕尾市城", "区")


def test_clean_removes_spaces_punctuation_and_full_width_forms():
    assert clean(" 广西·凤山县\u3000") == "广西凤山县"
    assert clean("凤山县（广西）") == "凤山县广西"


ROWS = [
    ("140000000000", "山西省", "province"),
    ("140300000000", "阳泉市", "prefecture"),
    ("140302000000", "城区", "county"),
    ("140500000000", "晋城市", "prefecture"),
    ("140502000000", "城区", "county"),
    ("440000000000", "广东省", "province"),
    ("441500000000", "汕尾市", "prefecture"),
    ("441502000000", "城区", "county"),
    ("450000000000", "广西壮族自治区", "province"),
    ("451200000000", "河池市", "prefecture"),
    ("451223000000", "凤山县", "county"),
    ("451223100000", "凤城镇", "township"),
    ("451223100201", "凤山村委会", "village"),
]


@pytest.fixture
def index():
    return GazetteerIndex.build(ROWS)


def test_index_composes_full_names_from_the_prefecture_down(index):
    assert index.records["451223100201"].full_name == "河池市凤山县凤城镇凤山村委会"
    assert index.records["450000000000"].full_name == "广西壮族自治区"


def test_a_bare_stem_prefers_the_county_over_a_village_of_the_same_name(index):
    assert _code(index.resolve("凤山")) == "451223000000"
    assert _code(index.resolve("凤山村")) == "451223100201"


def test_three_cheng_qu_are_ambiguous_without_context(index):
    resolution = index.resolve("城区")
    assert resolution.status == "ambiguous"
    assert resolution.region is None
    assert [m.code for m in resolution.matches] == ["140302000000", "140502000000", "441502000000"]


def test_context_prefers_matches_inside_it(index):
    assert _code(index.resolve("城区", context="440000000000")) == "441502000000"
    assert _code(index.resolve("城区", context="140500000000")) == "140502000000"


def test_context_outside_every_match_prefers_the_nearest(index):
    # 441600000000 (河源) shares the province with 汕尾市城区 only.
    assert _code(index.resolve("城区", context="441600000000")) == "441502000000"


def test_context_that_leaves_several_equally_near_stays_ambiguous(index):
    resolution = index.resolve("城区", context="140000000000")
    assert resolution.status == "ambiguous"
    assert [m.code for m in resolution.matches] == ["140302000000", "140502000000"]


def test_unknown_name_is_not_found(index):
    resolution = index.resolve("不存在县")
    assert (resolution.status, resolution.matches, resolution.region) == ("not_found", (), None)


# --- the real index (the whole country from the migration)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("凤山县", "451223000000"),
        ("凤山", "451223000000"),
        ("宝安区", "440306000000"),
        ("宝安", "440306000000"),
        ("汕尾市城区", "441502000000"),
        ("都安瑶族自治县", "451228000000"),
        ("都安", "451228000000"),
        ("都安县", "451228000000"),
        ("广西凤山县", "451223000000"),
        ("深圳市宝安区", "440306000000"),
        ("广州市天河区", "440106000000"),
        ("河池市凤山县", "451223000000"),
        ("广西河池市凤山县", "451223000000"),
        ("广东省汕尾市城区", "441502000000"),
        ("广西", "450000000000"),
        ("广东", "440000000000"),
        ("贵州", "520000000000"),
        ("西藏", "540000000000"),
        ("云南", "530000000000"),
        ("新疆", "650000000000"),
        ("察隅", "540425000000"),
        ("北京市东城区", "110101000000"),
    ],
)
def test_names_as_reports_write_them_resolve_to_one_region(name, code):
    resolution = gazetteer.resolve(name)
    assert (resolution.status, _code(resolution)) == ("found", code)
    assert resolution.query == name


@pytest.mark.django_db
def test_cheng_qu_is_ambiguous_until_a_context_is_given():
    resolution = gazetteer.resolve("城区")
    assert resolution.status == "ambiguous"
    assert [(m.code, m.full_name) for m in resolution.matches] == [
        ("140302000000", "阳泉市城区"),
        ("140502000000", "晋城市城区"),
        ("441502000000", "汕尾市城区"),
    ]
    assert _code(gazetteer.resolve("城区", context="440000000000")) == "441502000000"
    assert _code(gazetteer.resolve("城区", context="140500000000")) == "140502000000"


@pytest.mark.django_db
def test_a_malformed_context_is_refused():
    with pytest.raises(codes.InvalidCode):
        gazetteer.resolve("城区", context="44")


@pytest.mark.django_db
def test_an_import_makes_new_townships_resolvable_at_once(tmp_path):
    assert gazetteer.resolve("三门海镇").status == "not_found"
    regions_import(actor=SYSTEM, path=write_csv(tmp_path / "f.csv", FENGSHAN_ROWS))
    assert _code(gazetteer.resolve("三门海镇")) == "451223102000"
    assert _code(gazetteer.resolve("凤山县三门海镇")) == "451223102000"


@pytest.mark.django_db
def test_another_process_importing_is_noticed_through_the_shared_version(monkeypatch):
    index = gazetteer.get_index()
    assert gazetteer.get_index() is index
    cache.set(gazetteer.VERSION_CACHE_KEY, "bumped elsewhere")
    monkeypatch.setattr(gazetteer, "RECHECK_SECONDS", 0.0)
    assert gazetteer.get_index() is not index


@pytest.mark.django_db
def test_ten_thousand_names_resolve_well_under_a_second():
    gazetteer.get_index()
    from bangfu.regions.models import Region

    names = list(Region.objects.values_list("name", flat=True))
    names = [f"{name}{suffix}" for suffix in ("", "X", "镇") for name in names][:10_000]
    assert len(names) == 10_000
    # CPU time of this process, so other jobs on a busy machine do not count.
    started = time.process_time()
    resolutions = gazetteer.resolve_many(names)
    elapsed = time.process_time() - started
    assert len(resolutions) == 10_000
    assert elapsed < 1.0, f"{elapsed:.2f} s"
