import datetime as dt

from bangfu.ingest.text import context
from bangfu.ingest.text.normalise import normalise
from bangfu.ingest.text.quantities import find_quantities


def first(text, reported=None):
    norm = normalise(text).text
    quantity = find_quantities(norm)[0]
    return norm, quantity


def period_of(text, start, reported):
    period = context.guess_period(text, start, reported)
    assert period is not None
    return period


def test_the_indicator_is_the_keyword_nearest_the_figure():
    norm, _q = first("劳务协作方面:开设扶贫车间5个,吸纳就业230人。")
    quantities = find_quantities(norm)
    assert [context.guess_indicator(norm, x.start, x.end, x.unit) for x in quantities] == [
        "workshops",
        "workshop_employed",
    ]


def test_a_noun_right_after_the_unit_names_the_indicator():
    norm = normalise("向对方选派7名教师、4名医务人员。").text
    quantities = find_quantities(norm)
    assert [context.guess_indicator(norm, x.start, x.end, x.unit) for x in quantities] == [
        "teachers_sent",
        "medical_staff_sent",
    ]


def test_no_indicator_when_no_keyword_fits_the_unit():
    norm, q = first("天气晴好,到场12人。")
    assert context.guess_indicator(norm, q.start, q.end, q.unit) is None


def test_the_report_date_comes_from_the_header():
    assert context.report_date("来源:某某网 2022-07-15 10:00\n正文") == dt.date(2022, 7, 15)
    assert context.report_date("2021年3月9日,某县召开会议") == dt.date(2021, 3, 9)
    assert context.report_date("没有日期的正文") is None


def test_a_year_in_the_sentence_is_the_period():
    norm, q = first("2019年帮助脱贫320人。")
    assert context.guess_period(norm, q.start, None) == {
        "kind": "year",
        "start": "2019-01-01",
        "end": "2019-12-31",
        "text": "2019年",
    }


def test_an_as_of_month_end_is_a_stock_date():
    norm, q = first("截至2021年9月底,已拨付资金300万元。")
    period = period_of(norm, q.start, None)
    assert (period["kind"], period["end"]) == ("as_of", "2021-09-30")


def test_cumulative_since_a_year_runs_to_the_report_date():
    norm, q = first("2017年以来累计投入资金900万元。")
    period = period_of(norm, q.start, dt.date(2020, 5, 1))
    assert (period["kind"], period["start"], period["end"]) == (
        "cumulative",
        "2017-01-01",
        "2020-05-01",
    )


def test_this_year_and_first_half_resolve_against_the_report_date():
    reported = dt.date(2021, 8, 31)
    norm, q = first("今年投入资金500万元。")
    assert period_of(norm, q.start, reported)["start"] == "2021-01-01"
    norm, q = first("上半年开展活动4场。")
    period = period_of(norm, q.start, reported)
    assert (period["kind"], period["start"], period["end"]) == (
        "half_year",
        "2021-01-01",
        "2021-06-30",
    )


def test_plans_and_targets_are_told_from_achievements():
    norm, q = first("计划全年培训劳动力600人。")
    assert context.is_target(norm, q.start) is True
    norm, q = first("力争引进企业5家。")
    assert context.is_target(norm, q.start) is True
    norm, q = first("下一步将新建车间3个。")
    assert context.is_target(norm, q.start) is True
    norm, q = first("全年已培训劳动力600人。")
    assert context.is_target(norm, q.start) is False


def test_every_keyword_names_a_catalogue_indicator_of_the_same_unit():
    from bangfu.indicators.catalogue import CATALOGUE_V1
    from bangfu.ingest.services import FUND_FLOW_KINDS
    from bangfu.ingest.text.keywords import FUND_INDICATORS, INDICATOR_KEYWORDS

    units = {row.code: row.unit for row in CATALOGUE_V1}
    assert {code: units.get(code) for code in INDICATOR_KEYWORDS} == {
        code: unit for code, (unit, _words) in INDICATOR_KEYWORDS.items()
    }
    assert set(FUND_FLOW_KINDS) == set(FUND_INDICATORS)
