"""The state machine's guards, without the database: one test per criterion."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from bangfu.cases.choices import CaseState, ComparisonResult, EliminationWay, ReviewResult
from bangfu.cases.workflow import (
    CaseFacts,
    assistance_failures,
    due_on,
    failed_criteria,
    green_channel_failures,
    level_allows,
    months_between,
)
from bangfu.households.choices import HouseholdType, MonitoringCategory
from bangfu.regions.codes import Level

TODAY = dt.date(2024, 9, 30)
SECURE = {
    "food_clothing_secure": True,
    "compulsory_education_secure": True,
    "basic_medical_secure": True,
    "housing_secure": True,
    "drinking_water_secure": True,
}


def facts(state: CaseState, **changes) -> CaseFacts:
    base = CaseFacts(
        state=state,
        opened_on=dt.date(2024, 1, 2),
        last_step_on=dt.date(2024, 1, 2),
        household_type=HouseholdType.POVERTY_EXITED,
        risk_types=("illness",),
        comparison_result=ComparisonResult.CONSISTENT,
        review_result=ReviewResult.AGREED,
        notice_end=dt.date(2024, 1, 12),
        elimination_notice_end=dt.date(2024, 9, 10),
        identified_on=dt.date(2024, 1, 20),
        measure_categories=frozenset({"health", "employment"}),
        has_working_age_labour=True,
        per_capita_income=Decimal("9000"),
        income_year=2024,
        threshold=Decimal("7300"),
        security=SECURE,
    )
    return replace(base, **changes)


def refused(state: CaseState, target: CaseState, step=None, **changes) -> list[str]:
    return failed_criteria(facts(state, **changes), target, step or {}, today=TODAY)


# Identification -------------------------------------------------------------------------------


def test_a_move_not_in_the_machine_is_refused_naming_both_states():
    assert refused(CaseState.CLUE, CaseState.RECORDED) == [
        "a case in state “clue” cannot move to “recorded as monitored household”"
    ]


def test_a_step_dated_in_the_future_is_refused():
    step = {"result": "consistent", "date": dt.date(2024, 10, 1)}
    assert refused(CaseState.VERIFIED, CaseState.COMPARED, step) == [
        "the step's date 2024-10-01 lies in the future"
    ]


def test_a_step_dated_before_the_previous_step_is_refused():
    step = {"result": "consistent", "date": dt.date(2024, 1, 1)}
    assert refused(CaseState.VERIFIED, CaseState.COMPARED, step) == [
        "the step's date 2024-01-01 is before the previous step (2024-01-02)"
    ]


def test_home_verification_needs_the_member_who_signed():
    assert refused(CaseState.CLUE, CaseState.VERIFIED, {"authorisation_scan": "scan.pdf"}) == [
        "the signed authorisation needs the household member who signed it"
    ]


def test_home_verification_needs_the_scan_of_the_authorisation():
    assert refused(CaseState.CLUE, CaseState.VERIFIED, {"signer": object()}) == [
        "the scan of the signed authorisation (承诺授权书) is missing"
    ]


def test_data_comparison_needs_its_result():
    assert refused(CaseState.VERIFIED, CaseState.COMPARED) == [
        "the result of the data comparison is missing"
    ]


def test_democratic_review_is_refused_after_a_not_eligible_comparison():
    failures = refused(
        CaseState.COMPARED,
        CaseState.REVIEWED,
        {"result": "agreed"},
        comparison_result=ComparisonResult.NOT_ELIGIBLE,
    )
    assert failures == [
        "the data comparison found the household not eligible; dismiss the case instead"
    ]


def test_notice_is_refused_when_the_democratic_review_did_not_agree():
    step = {"notice_start": dt.date(2024, 2, 1), "notice_end": dt.date(2024, 2, 5)}
    failures = refused(
        CaseState.REVIEWED,
        CaseState.NOTICE,
        {**step, "date": dt.date(2024, 2, 1)},
        review_result=ReviewResult.REJECTED,
    )
    assert failures == ["the democratic review did not agree; dismiss the case instead"]


def test_notice_shorter_than_five_days_is_refused():
    step = {
        "date": dt.date(2024, 2, 1),
        "notice_start": dt.date(2024, 2, 1),
        "notice_end": dt.date(2024, 2, 4),
    }
    assert refused(CaseState.REVIEWED, CaseState.NOTICE, step) == [
        "the notice is posted for 4 days; at least 5 are required"
    ]


def test_notice_of_five_days_counting_both_ends_is_allowed():
    step = {
        "date": dt.date(2024, 2, 1),
        "notice_start": dt.date(2024, 2, 1),
        "notice_end": dt.date(2024, 2, 5),
    }
    assert refused(CaseState.REVIEWED, CaseState.NOTICE, step) == []


def test_township_review_during_the_notice_is_refused():
    step = {"date": dt.date(2024, 1, 12)}
    assert refused(CaseState.NOTICE, CaseState.TOWNSHIP_REVIEWED, step) == [
        "the notice runs until 2024-01-12; the review can only follow it"
    ]


def test_township_review_with_objections_needs_how_they_were_handled():
    step = {"date": dt.date(2024, 1, 13), "objections": "a neighbour objects"}
    assert refused(CaseState.NOTICE, CaseState.TOWNSHIP_REVIEWED, step) == [
        "objections were raised; record how they were handled"
    ]


def test_recording_needs_a_category():
    assert refused(CaseState.COUNTY_APPROVED, CaseState.RECORDED) == [
        "choose the monitoring category"
    ]


def test_an_ordinary_household_cannot_be_recorded_as_unstable():
    step = {"monitoring_category": MonitoringCategory.UNSTABLE}
    failures = refused(
        CaseState.COUNTY_APPROVED,
        CaseState.RECORDED,
        step,
        household_type=HouseholdType.ORDINARY,
    )
    assert failures == ["only a household out of poverty (脱贫户) can be 脱贫不稳定户"]


def test_a_household_out_of_poverty_cannot_be_recorded_as_marginal():
    step = {"monitoring_category": MonitoringCategory.MARGINAL}
    assert refused(CaseState.COUNTY_APPROVED, CaseState.RECORDED, step) == [
        "only an ordinary household (一般农户) can be 边缘易致贫户"
    ]


def test_recording_needs_a_risk_type():
    step = {"monitoring_category": MonitoringCategory.UNSTABLE}
    assert refused(CaseState.COUNTY_APPROVED, CaseState.RECORDED, step, risk_types=()) == [
        "record at least one risk type"
    ]


def test_recording_more_than_five_risk_types_is_refused():
    risks = ["illness", "schooling", "disability", "housing", "drinking_water", "other"]
    step = {"monitoring_category": MonitoringCategory.UNSTABLE, "risk_types": risks}
    assert refused(CaseState.COUNTY_APPROVED, CaseState.RECORDED, step) == [
        "6 risk types given; at most 5 are allowed"
    ]


def test_recording_a_risk_type_twice_is_refused():
    step = {"monitoring_category": MonitoringCategory.UNSTABLE, "risk_types": ["illness"] * 2}
    assert refused(CaseState.COUNTY_APPROVED, CaseState.RECORDED, step) == [
        "a risk type is given twice"
    ]


def test_recording_an_unknown_risk_type_is_refused():
    step = {"monitoring_category": MonitoringCategory.UNSTABLE, "risk_types": ["因穷"]}
    assert refused(CaseState.COUNTY_APPROVED, CaseState.RECORDED, step) == [
        "unknown risk type: 因穷"
    ]


@pytest.mark.parametrize("target", [CaseState.DISMISSED])
def test_dismissal_needs_a_reason(target):
    assert refused(CaseState.NOTICE, target, {"reason": "  "}) == ["give the reason"]


# Measures ------------------------------------------------------------------------------------


def test_measures_in_place_needs_at_least_one_measure():
    assert refused(CaseState.RECORDED, CaseState.ASSISTED, measure_categories=frozenset()) == [
        "no assistance measure is recorded; at least 1 is required"
    ]


@pytest.mark.parametrize(
    ("risk", "message"),
    [
        ("illness", "risk type illness (因病) has no matching measure "
         "(health (健康帮扶) or social assistance (社会帮扶))"),
        ("schooling", "risk type schooling (因学) has no matching measure "
         "(education, 雨露计划 (教育帮扶) or compulsory education (义务教育保障))"),
        ("disability", "risk type disability (因残) has no matching measure "
         "(comprehensive protection: 低保, 特困供养, disability allowance (综合保障))"),
        ("housing", "risk type housing safety (因安全住房) has no matching measure "
         "(housing safety (住房安全保障) or relocation (搬迁))"),
        ("drinking_water", "risk type drinking-water safety (因安全饮水) has no matching "
         "measure (drinking-water safety (饮水安全保障))"),
    ],
)  # fmt: skip
def test_each_risk_type_needs_its_matching_measure(risk, message):
    failures = refused(
        CaseState.RECORDED,
        CaseState.ASSISTED,
        risk_types=(risk,),
        measure_categories=frozenset({"employment"}),
    )
    assert failures == [message]


def test_a_household_with_labour_needs_a_development_measure():
    failures = refused(CaseState.RECORDED, CaseState.ASSISTED, measure_categories={"health"})
    assert failures == [
        "the household has labour but no development-type measure (产业, 就业, 金融 or 公益岗位)"
    ]


def test_a_household_without_labour_may_have_only_protection_measures():
    failures = refused(
        CaseState.RECORDED,
        CaseState.ASSISTED,
        measure_categories={"health"},
        has_working_age_labour=False,
    )
    assert failures == []


# Risk elimination -----------------------------------------------------------------------------

CHECK = {"way": EliminationWay.BY_ASSISTANCE, "date": dt.date(2024, 9, 30)}


def test_elimination_with_every_criterion_met_is_allowed():
    assert refused(CaseState.ASSISTED, CaseState.ELIMINATION_CHECKED, CHECK) == []


def test_elimination_before_six_months_of_monitoring_is_refused():
    failures = refused(
        CaseState.ASSISTED, CaseState.ELIMINATION_CHECKED, CHECK, identified_on=dt.date(2024, 5, 15)
    )
    assert failures == ["monitored for 4 months; at least 6 are required"]


def test_elimination_without_a_measure_is_refused():
    failures = refused(
        CaseState.ASSISTED, CaseState.ELIMINATION_CHECKED, CHECK, measure_categories=frozenset()
    )
    assert failures == ["no assistance measure is recorded; at least 1 is required"]


def test_elimination_with_income_not_above_the_threshold_is_refused():
    failures = refused(
        CaseState.ASSISTED,
        CaseState.ELIMINATION_CHECKED,
        CHECK,
        per_capita_income=Decimal("7300.00"),
    )
    assert failures == [
        "per-capita net income 7300.00 yuan is not above the 2024 threshold of 7300 yuan"
    ]


def test_elimination_without_a_threshold_for_the_year_is_refused():
    failures = refused(CaseState.ASSISTED, CaseState.ELIMINATION_CHECKED, CHECK, threshold=None)
    assert failures == ["no monitoring threshold is set for 2024"]


def test_elimination_with_unsafe_housing_is_refused():
    security = {**SECURE, "housing_secure": False}
    failures = refused(CaseState.ASSISTED, CaseState.ELIMINATION_CHECKED, CHECK, security=security)
    assert failures == ["safe housing is not secure"]


def test_elimination_with_water_not_assessed_is_refused():
    security = {**SECURE, "drinking_water_secure": None}
    failures = refused(CaseState.ASSISTED, CaseState.ELIMINATION_CHECKED, CHECK, security=security)
    assert failures == ["safe drinking water has not been assessed"]


def test_elimination_of_a_household_without_working_age_labour_is_refused():
    failures = refused(
        CaseState.ASSISTED, CaseState.ELIMINATION_CHECKED, CHECK, has_working_age_labour=False
    )
    assert failures == ["the household has no working-age labour and stays monitored"]


def test_elimination_needs_its_way():
    failures = refused(CaseState.ASSISTED, CaseState.ELIMINATION_CHECKED, {})
    assert failures == ["choose how the risk was eliminated (帮扶消除 or 自然消除)"]


def test_elimination_notice_shorter_than_five_days_is_refused():
    step = {
        "result": "agreed",
        "date": dt.date(2024, 9, 1),
        "notice_start": dt.date(2024, 9, 1),
        "notice_end": dt.date(2024, 9, 3),
    }
    assert refused(CaseState.ELIMINATION_CHECKED, CaseState.ELIMINATION_NOTICE, step) == [
        "the notice is posted for 3 days; at least 5 are required"
    ]


def test_elimination_township_review_during_the_notice_is_refused():
    step = {"date": dt.date(2024, 9, 10)}
    assert refused(CaseState.ELIMINATION_NOTICE, CaseState.ELIMINATION_TOWNSHIP, step) == [
        "the notice runs until 2024-09-10; the review can only follow it"
    ]


def test_county_approval_of_elimination_checks_the_criteria_again():
    failures = refused(
        CaseState.ELIMINATION_TOWNSHIP,
        CaseState.ELIMINATED,
        {},
        per_capita_income=Decimal("5000"),
    )
    assert failures == [
        "per-capita net income 5000 yuan is not above the 2024 threshold of 7300 yuan"
    ]


def test_months_are_whole_calendar_months():
    assert months_between(dt.date(2024, 1, 15), dt.date(2024, 7, 14)) == 5
    assert months_between(dt.date(2024, 1, 15), dt.date(2024, 7, 15)) == 6


# Green channel, levels and deadlines ----------------------------------------------------------


def test_measures_wait_for_recording_outside_the_green_channel():
    assert assistance_failures(facts(CaseState.NOTICE)) == [
        "assistance starts once the household is recorded; only disasters and accidents "
        "(green channel) may start earlier"
    ]


def test_green_channel_allows_measures_during_identification():
    assert assistance_failures(facts(CaseState.CLUE, green_channel=True)) == []


def test_green_channel_is_only_for_disasters_and_accidents():
    assert green_channel_failures(["illness"]) == [
        "the green channel is only for natural disasters (因自然灾害) and accidents (因意外事故)"
    ]
    assert green_channel_failures(["accident"]) == []


def test_township_steps_need_a_township_or_higher():
    assert level_allows(Level.TOWNSHIP, Level.TOWNSHIP)
    assert level_allows(Level.COUNTY, Level.TOWNSHIP)
    assert not level_allows(Level.VILLAGE, Level.TOWNSHIP)
    assert not level_allows(Level.TOWNSHIP, Level.COUNTY)


def test_identification_is_due_fifteen_days_after_the_clue():
    assert due_on(
        facts(CaseState.NOTICE), identification_days=15, first_measure_days=30
    ) == dt.date(2024, 1, 17)


def test_first_measure_is_due_a_month_after_identification():
    recorded = facts(CaseState.RECORDED, measure_categories=frozenset())
    assert due_on(recorded, identification_days=15, first_measure_days=30) == dt.date(2024, 2, 19)
    with_measure = facts(CaseState.RECORDED)
    assert due_on(with_measure, identification_days=15, first_measure_days=30) is None
