from decimal import Decimal

import pytest

from bangfu.ingest.text.normalise import normalise
from bangfu.ingest.text.quantities import find_quantities


def found(text):
    norm = normalise(text).text
    return [
        (norm[q.start : q.end], q.value, q.unit, q.measure, q.qualifier)
        for q in find_quantities(norm)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("区里拨付奖补资金86万元。", ("86万元", Decimal(860000), "yuan", None, "exact")),
        ("全年投入2.5亿元。", ("2.5亿元", Decimal(250000000), "yuan", None, "exact")),
        ("共结算1,250元。", ("1,250元", Decimal(1250), "yuan", None, "exact")),
        ("安置群众38人。", ("38人", Decimal(38), "person", None, "exact")),
        ("选派9名医生。", ("9名", Decimal(9), "person", None, "exact")),
        ("聘请7位专家。", ("7位", Decimal(7), "person", None, "exact")),
        ("覆盖农户356户。", ("356户", Decimal(356), "household", None, "exact")),
        ("开展义诊620人次。", ("620人次", Decimal(620), "person_time", None, "exact")),
        ("合格率达98.5%。", ("98.5%", Decimal("98.5"), "percent", None, "exact")),
        ("种植茶叶1200亩。", ("1200亩", Decimal(1200), "mu", None, "exact")),
        ("销售大米45吨。", ("45吨", Decimal(45), "ton", None, "exact")),
        ("新建车间4个。", ("4个", Decimal(4), "count", "个", "exact")),
        ("引进企业11家。", ("11家", Decimal(11), "count", "家", "exact")),
        ("举办讲座6期。", ("6期", Decimal(6), "count", "期", "exact")),
        ("签约项目3宗。", ("3宗", Decimal(3), "count", "宗", "exact")),
        ("培训农民300余人。", ("300余人", Decimal(300), "person", None, "approx")),
        ("筹集善款80多万元。", ("80多万元", Decimal(800000), "yuan", None, "approx")),
        ("惠及近900户。", ("近900户", Decimal(900), "household", None, "approx")),
        ("服务超5000人次。", ("超5000人次", Decimal(5000), "person_time", None, "at_least")),
        ("每村不少于3个项目。", ("不少于3个", Decimal(3), "count", "个", "at_least")),
        ("培训20名以上。", ("20名以上", Decimal(20), "person", None, "at_least")),
        ("共有三个乡镇。", ("三个", Decimal(3), "count", "个", "exact")),
        ("覆盖两县。", ("两县", Decimal(2), "count", "县", "exact")),
        ("捐出3600多万善款资金。", ("3600多万", Decimal(36000000), "yuan", None, "approx")),
    ],
)
def test_it_reads_a_quantity_with_its_unit_and_qualifier(text, expected):
    assert found(text) == [expected]


def test_a_household_and_a_person_count_written_together_are_two_quantities():
    assert [(v, u) for _t, v, u, _m, _q in found("脱贫2301户8870人。")] == [
        (Decimal(2301), "household"),
        (Decimal(8870), "person"),
    ]
    assert [(v, u) for _t, v, u, _m, _q in found("带动2.3万户9.6万人。")] == [
        (Decimal(23000), "household"),
        (Decimal(96000), "person"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2019年出台办法。",
        "2020年5月12日召开。",
        "历时3个月完成。",
        "成为全省第18个示范点。",
        "坚持“六个到位”原则。",
        "落实两不愁三保障要求。",
        "推进五个一批工程,做到四个不摘。",
        "建设一批示范基地,开办一家工厂。",
        "千家万户受益。",
        "联系电话:0771-5612345,手机13912345678。",
        "位于3号楼二层。",
        "签署《2021年帮扶协议》。",
        "一是强化领导;二是压实责任。",
        "发布时间 2022-01-05 09:30:00",
        "图片 1080x720_0f3a.jpg",
    ],
)
def test_it_does_not_read_dates_ordinals_slogans_or_phone_numbers_as_quantities(text):
    assert found(text) == []


def test_each_is_recorded_for_figures_shared_by_several_parties():
    norm = normalise("向甲县、乙县各派出12名教师、5名医生。").text
    assert [q.each for q in find_quantities(norm)] == [True, True]
    norm = normalise("开展各类活动8场。").text
    assert [q.each for q in find_quantities(norm)] == [False]
