import pytest

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import SYSTEM
from bangfu.accounts.services import pii_grant_create
from bangfu.cases import selectors, services
from bangfu.cases.choices import CaseSource, CaseState
from bangfu.cases.models import Case, CaseStep
from bangfu.cases.tests.helpers import (
    BANK,
    PHONE,
    PLAIN_ID,
    START,
    TOWNSHIP,
    case_in,
    days_ago,
    monitored_household,
    open_case,
    path_steps,
    reviewer,
    today,
)
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditEvent
from bangfu.core.testing import make_user
from bangfu.households import services as household_services
from bangfu.households.choices import Health, LabourSkill, MeasureCategory, MonitoringCategory
from bangfu.households.models import (
    Finding,
    Household,
    HouseholdRisk,
    MonitoringRun,
    RuleKind,
    Threshold,
)
from bangfu.households.tests.helpers import NAYONG_VILLAGE, TONGLE, make_household, make_person

pytestmark = pytest.mark.django_db


def step_for(case, target):
    return dict(next(step for state, step in path_steps(case.household) if state == target))


def refusal(exc_info):
    return exc_info.value.errors["__all__"]


# The whole path -------------------------------------------------------------------------------


def test_a_case_goes_from_clue_to_eliminated_with_a_timeline_and_audit(world):
    case = case_in(CaseState.ELIMINATED)
    steps = list(case.steps.values_list("from_state", "to_state"))
    assert steps[0] == ("", "clue")
    assert steps[-1] == ("elimination_township", "eliminated")
    assert len(steps) == 13
    assert case.identified_on == days_ago(START - 11)
    assert case.eliminated_on == days_ago(START - 227)
    assert case.authorisation_scan.name.startswith("cases/authorisations/")
    household = Household.objects.get(pk=case.household_id)
    assert household.monitoring_category == MonitoringCategory.UNSTABLE
    assert (household.identified_on, household.eliminated_on) == (
        case.identified_on,
        case.eliminated_on,
    )
    assert list(
        HouseholdRisk.objects.filter(household=household).values_list("risk_type", flat=True)
    ) == ["illness"]
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert events.count() == 1 + 12 + 2  # opened, twelve moves, two measures linked


def test_the_authorisation_is_recorded_with_its_signer_and_date(world):
    case = case_in(CaseState.VERIFIED)
    assert case.authorised_by == case.household.persons.get()
    assert case.authorised_on == days_ago(START - 1)
    step = case.steps.get(to_state="verified")
    assert step.data["signer"] == case.household.persons.get().number
    assert "张三" not in str(step.data)


def test_a_refused_move_writes_nothing_and_names_the_criterion(world):
    case = case_in(CaseState.REVIEWED)
    step = {"date": days_ago(300), "notice_start": days_ago(300), "notice_end": days_ago(298)}
    with pytest.raises(ValidationFailed) as exc:
        services.case_advance(actor=world.alice, case=case, to_state="notice", **step)
    assert refusal(exc) == ["the notice is posted for 3 days; at least 5 are required"]
    assert Case.objects.get(pk=case.pk).state == CaseState.REVIEWED
    assert CaseStep.objects.filter(case=case, to_state="notice").count() == 0


def test_a_signer_from_another_household_is_refused(world):
    case = open_case()
    stranger = make_person(make_household(), id_number="11010519491231002X")
    step = {**step_for(case, CaseState.VERIFIED), "signer": stranger.pk}
    with pytest.raises(ValidationFailed) as exc:
        services.case_advance(actor=world.alice, case=case, to_state="verified", **step)
    assert refusal(exc) == ["the signed authorisation needs the household member who signed it"]


def test_a_field_the_step_does_not_record_is_refused(world):
    case = case_in(CaseState.VERIFIED)
    with pytest.raises(ValidationFailed) as exc:
        services.case_advance(
            actor=world.alice, case=case, to_state="compared", result="consistent", way="natural"
        )
    assert exc.value.errors == {"way": ["This field cannot be set here."]}


# Guards read from the database ----------------------------------------------------------------


def test_measures_in_place_is_refused_while_illness_has_no_health_measure(world):
    case = case_in(CaseState.RECORDED)
    services.case_measure_add(
        actor=world.alice, case=case, category=MeasureCategory.EMPLOYMENT, date=days_ago(380)
    )
    with pytest.raises(ValidationFailed) as exc:
        services.case_advance(actor=world.alice, case=case, to_state="assisted")
    assert refusal(exc) == [
        "risk type illness (因病) has no matching measure "
        "(health (健康帮扶) or social assistance (社会帮扶))"
    ]


def test_elimination_is_refused_four_months_after_identification(world):
    case = case_in(CaseState.ASSISTED)
    step = {"date": days_ago(START - 11 - 125), "way": "natural"}
    with pytest.raises(ValidationFailed) as exc:
        services.case_advance(
            actor=world.alice, case=case, to_state=CaseState.ELIMINATION_CHECKED, **step
        )
    assert refusal(exc) == ["monitored for 4 months; at least 6 are required"]


def test_elimination_uses_the_provinces_threshold_of_the_income_year(world):
    Threshold.objects.create(province_id="450000000000", year=2023, yuan_per_person=12000)
    case = case_in(CaseState.ASSISTED)
    step = step_for(case, CaseState.ELIMINATION_CHECKED)
    with pytest.raises(ValidationFailed) as exc:
        services.case_advance(actor=world.alice, case=case, to_state="elimination_checked", **step)
    assert refusal(exc) == [
        "per-capita net income 11000.00 yuan is not above the 2023 threshold of 12000.00 yuan"
    ]


def test_elimination_is_refused_for_a_household_without_working_age_labour(world):
    case = case_in(CaseState.ASSISTED)
    head = case.household.persons.get()
    household_services.person_update(actor=SYSTEM, person=head, labour_skill=LabourSkill.NONE)
    step = step_for(case, CaseState.ELIMINATION_CHECKED)
    with pytest.raises(ValidationFailed) as exc:
        services.case_advance(actor=world.alice, case=case, to_state="elimination_checked", **step)
    assert refusal(exc) == ["the household has no working-age labour and stays monitored"]


def test_elimination_is_refused_while_the_house_is_unsafe(world):
    case = case_in(CaseState.ASSISTED)
    household_services.household_update(
        actor=SYSTEM, household=case.household, housing_secure=False
    )
    step = step_for(case, CaseState.ELIMINATION_CHECKED)
    with pytest.raises(ValidationFailed) as exc:
        services.case_advance(actor=world.alice, case=case, to_state="elimination_checked", **step)
    assert refusal(exc) == ["safe housing is not secure"]


# Opening a case -----------------------------------------------------------------------------


def test_a_department_alert_needs_its_department(world):
    with pytest.raises(ValidationFailed) as exc:
        open_case(source=CaseSource.DEPARTMENT_ALERT)
    assert refusal(exc) == ["a department alert needs the department that raised it"]


def make_finding(household, rule="INCOME_IN_RANGE"):
    run = MonitoringRun.objects.create(as_of=today())
    return Finding.objects.create(
        run=run,
        rule_code=rule,
        rule_version=1,
        kind=RuleKind.RISK,
        household=household,
        village_id=household.village_id,
    )


def test_a_clue_from_monitoring_keeps_the_finding_and_its_rule(world):
    household = monitored_household()
    finding = make_finding(household)
    case = open_case(household, source=CaseSource.MONITORING_FINDING, finding=finding)
    assert (case.finding_id, case.finding_rule) == (finding.pk, "INCOME_IN_RANGE")
    finding.run.delete()
    case.refresh_from_db()
    assert (case.finding_id, case.finding_rule) == (None, "INCOME_IN_RANGE")


def test_a_clue_from_monitoring_needs_a_finding_about_the_household(world):
    with pytest.raises(ValidationFailed) as exc:
        open_case(source=CaseSource.MONITORING_FINDING)
    assert refusal(exc) == ["a clue from monitoring needs the finding"]
    other = make_finding(make_household())
    with pytest.raises(ValidationFailed) as exc:
        open_case(source=CaseSource.MONITORING_FINDING, finding=other)
    assert refusal(exc) == ["the finding is about another household"]


def test_a_household_has_one_open_case_at_a_time(world):
    case = open_case()
    with pytest.raises(ValidationFailed) as exc:
        open_case(case.household)
    assert refusal(exc) == [f"the household already has an open case ({case.pk})"]


# Green channel ------------------------------------------------------------------------------


def test_green_channel_lets_measures_start_during_identification(world):
    case = open_case(risk_types=["accident"], green_channel=True)
    link = services.case_measure_add(
        actor=world.alice, case=case, category=MeasureCategory.SOCIAL_ASSISTANCE, date=today()
    )
    assert link.before_identification is True
    assert case.state == CaseState.CLUE


def test_measures_wait_for_recording_without_the_green_channel(world):
    case = open_case()
    with pytest.raises(ValidationFailed) as exc:
        services.case_measure_add(
            actor=world.alice, case=case, category=MeasureCategory.HEALTH, date=today()
        )
    assert refusal(exc) == [
        "assistance starts once the household is recorded; only disasters and accidents "
        "(green channel) may start earlier"
    ]


def test_green_channel_for_illness_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        open_case(risk_types=["illness"], green_channel=True)
    assert refusal(exc) == [
        "the green channel is only for natural disasters (因自然灾害) and accidents (因意外事故)"
    ]


def test_visits_are_recorded_with_who_and_when(world):
    case = case_in(CaseState.ASSISTED)
    visit = services.case_visit_add(
        actor=world.alice, case=case, date=days_ago(3), visited_by="驻村工作队 李四", notes="ok"
    )
    assert (visit.visited_by, visit.recorded_by_id) == ("驻村工作队 李四", world.alice.pk)


# Permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bob", "charlie"])
def test_donor_side_and_unrelated_users_cannot_open_or_advance_a_case(world, name):
    user = getattr(world, name)
    household = monitored_household()
    with pytest.raises(PermissionDenied):
        services.case_open(actor=user, household=household, source=CaseSource.CADRE_VISIT)
    case = open_case(household)
    with pytest.raises(PermissionDenied):
        services.case_advance(actor=user, case=case, to_state="verified")
    assert selectors.visible_cases(user).count() == 0


def test_a_viewer_cannot_advance_a_case(world):
    viewer = make_user(region=world.fengshan, roles=[Role.VIEWER])
    case = case_in(CaseState.VERIFIED)
    with pytest.raises(PermissionDenied) as exc:
        services.case_advance(actor=viewer, case=case, to_state="compared", result="consistent")
    assert str(exc.value) == "This needs the role “data entry”."


def test_data_entry_cannot_do_the_township_review(world):
    case = case_in(CaseState.NOTICE)
    with pytest.raises(PermissionDenied) as exc:
        services.case_advance(actor=world.alice, case=case, to_state="township_reviewed")
    assert str(exc.value) == "This needs the role “reviewer”."


def test_a_village_reviewer_cannot_do_the_township_review(world):
    case = case_in(CaseState.NOTICE)
    with pytest.raises(PermissionDenied) as exc:
        services.case_advance(actor=reviewer(TONGLE), case=case, to_state="township_reviewed")
    assert str(exc.value) == "This step needs a user at township level or above."


def test_a_township_reviewer_reviews_but_cannot_approve_for_the_county(world):
    township = reviewer(TOWNSHIP)
    case = case_in(CaseState.NOTICE)
    step = step_for(case, CaseState.TOWNSHIP_REVIEWED)
    case = services.case_advance(actor=township, case=case, to_state="township_reviewed", **step)
    with pytest.raises(PermissionDenied) as exc:
        services.case_advance(actor=township, case=case, to_state="county_approved")
    assert str(exc.value) == "This step needs a user at county level or above."
    case = services.case_advance(actor=reviewer(), case=case, to_state="county_approved")
    assert case.state == CaseState.COUNTY_APPROVED


def test_a_reviewer_of_another_county_cannot_approve(world):
    case = case_in(CaseState.TOWNSHIP_REVIEWED)
    with pytest.raises(PermissionDenied) as exc:
        services.case_advance(actor=reviewer("520525000000"), case=case, to_state="county_approved")
    assert str(exc.value) == "This household lies outside your scope."


# Deadlines and overdue cases ------------------------------------------------------------------


def test_overdue_cases_are_listed_first(world):
    fresh = open_case(opened_on=days_ago(3))
    late = open_case(opened_on=days_ago(16))
    recorded_late = case_in(CaseState.RECORDED)  # identified 389 days ago, no measure yet
    rows = list(selectors.case_list(world.alice))
    assert [(c.pk, c.overdue) for c in rows] == [  # type: ignore[attr-defined]
        (recorded_late.pk, True),
        (late.pk, True),
        (fresh.pk, False),
    ]
    assert [c.pk for c in selectors.case_list(world.alice, overdue=False)] == [fresh.pk]


def test_a_case_within_fifteen_days_is_not_overdue(world):
    case = open_case(opened_on=days_ago(15))
    detail = selectors.case_detail(world.alice, case.pk)
    assert detail is not None
    assert (detail.due_on, detail.overdue) == (today(), False)


def test_the_first_measure_clears_the_measure_deadline(world):
    case = case_in(CaseState.RECORDED)
    services.case_measure_add(
        actor=world.alice, case=case, category=MeasureCategory.HEALTH, date=days_ago(10)
    )
    assert selectors.case_list(world.alice).get(pk=case.pk).overdue is False  # type: ignore[attr-defined]


def test_cases_filter_by_state_and_village(world):
    here = open_case()
    open_case(make_household(NAYONG_VILLAGE))
    assert [c.pk for c in selectors.case_list(SYSTEM, village=TONGLE)] == [here.pk]
    assert selectors.case_list(SYSTEM, state="recorded").count() == 0


# The village notice ---------------------------------------------------------------------------


def test_the_notice_masks_the_name_without_the_grant_and_shows_nothing_else(world):
    case = case_in(CaseState.NOTICE)
    notice = selectors.notice_for(world.alice, case.pk)
    assert notice is not None
    assert (notice.head_name, notice.head_name_clear) == ("张*", False)
    assert notice.kind == "identification"


def test_the_notice_shows_the_heads_full_name_with_the_grant(world):
    pii_grant_create(actor=SYSTEM, user=world.alice, county=world.fengshan)
    case = case_in(CaseState.NOTICE)
    notice = selectors.notice_for(world.alice, case.pk)
    assert notice is not None
    assert (notice.head_name, notice.head_name_clear) == ("张三", True)
    text = repr(notice)
    for secret in (PLAIN_ID, PHONE, BANK, "illness", "因病", str(Health.HEALTHY.label)):
        assert secret not in text


def test_there_is_no_notice_before_the_democratic_review(world):
    case = case_in(CaseState.COMPARED)
    assert selectors.notice_for(world.alice, case.pk) is None
