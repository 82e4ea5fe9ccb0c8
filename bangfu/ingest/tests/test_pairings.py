from bangfu.ingest.extract import Extractor
from bangfu.regions.gazetteer import GazetteerIndex

ROWS = [
    ("440000000000", "广东省", "province"),
    ("440300000000", "深圳市", "prefecture"),
    ("440309000000", "龙华区", "county"),
    ("440309001000", "观湖街道", "township"),
    ("440100000000", "广州市", "prefecture"),
    ("440106000000", "天河区", "county"),
    ("450000000000", "广西壮族自治区", "province"),
    ("451200000000", "河池市", "prefecture"),
    ("451223000000", "凤山县", "county"),
    ("451223101000", "长洲镇", "township"),
    ("451223101201", "长洲村委会", "village"),
    ("451228000000", "都安瑶族自治县", "county"),
    ("520000000000", "贵州省", "province"),
    ("520500000000", "毕节市", "prefecture"),
    ("520525000000", "纳雍县", "county"),
]


def pairs(text):
    extractor = Extractor(GazetteerIndex.build(ROWS))
    return [
        (p.donor, p.recipient, p.donor_code, p.recipient_code)
        for p in extractor.extract_text(text).pairings
    ]


def test_a_donor_assisting_a_recipient_is_a_pairing_resolved_to_codes():
    assert pairs("龙华区对口帮扶凤山县,成效明显。") == [
        ("深圳市龙华区", "河池市凤山县", "440309000000", "451223000000"),
    ]


def test_short_names_and_dates_between_donor_and_verb_are_understood():
    assert pairs("天河2018年起结对帮扶纳雍,投入资金。")[0][2:] == (
        "440106000000",
        "520525000000",
    )


def test_a_list_of_recipients_gives_one_pairing_each():
    assert [p[3] for p in pairs("龙华区扶贫协作凤山、都安两县。")] == [
        "451223000000",
        "451228000000",
    ]


def test_with_dash_towards_and_visit_forms():
    assert pairs("龙华区的学校与凤山县的学校开展结对。")[0][2:] == ("440309000000", "451223000000")
    assert pairs("签订深圳市龙华区-广西凤山县东西部协作协议。")[0][2:] == (
        "440309000000",
        "451223000000",
    )
    assert pairs("龙华区向凤山县捐赠物资。")[0][2:] == ("440309000000", "451223000000")
    assert pairs("龙华区副区长一行到凤山县开展对口帮扶调研。")[0][2:] == (
        "440309000000",
        "451223000000",
    )


def test_a_heading_without_a_donor_takes_the_reports_main_donor():
    text = "天河区对口帮扶纳雍县。\n帮扶凤山:\n当地开展培训。"
    assert [p[2:] for p in pairs(text)] == [
        ("440106000000", "520525000000"),
        ("440106000000", "451223000000"),
    ]


def test_the_same_pairing_stated_twice_is_listed_once():
    text = "龙华区对口帮扶凤山县。龙华区继续帮扶凤山县。"
    assert len(pairs(text)) == 1


def test_a_township_pairs_with_a_village_named_as_the_assisted_unit():
    text = "长洲村成为帮扶单位观湖街道的联系点。"
    assert pairs(text)[0][2:] == ("440309001000", "451223101201")


def test_unknown_names_and_plain_assistance_words_give_no_pairing():
    assert pairs("加大帮扶力度,落实帮扶资金。") == []
    assert pairs("某某区对口帮扶某某县。") == []
