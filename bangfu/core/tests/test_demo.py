"""The demo loader: the seed reports' pairings, their reported counts, users, idempotence.

The demo is loaded once for the whole module inside a transaction that is rolled back at the
end, so the other test modules never see it.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.utils import translation

from bangfu.accounts.models import PiiGrant, User
from bangfu.accounts.scopes import SYSTEM, visible_pairings
from bangfu.cases.choices import CaseSource, CaseState, EliminationWay
from bangfu.cases.models import Case, CaseMeasure, CaseStep, CaseVisit
from bangfu.cases.selectors import case_list
from bangfu.core.models import AuditEvent
from bangfu.demo import data
from bangfu.demo.cases import COUNTIES, case_plans
from bangfu.households.models import Household, MonitoringRun, Person
from bangfu.pairings.models import (
    Agreement,
    AgreementKind,
    Meeting,
    MeetingKind,
    Organisation,
    OrganisationKind,
    Pairing,
    PairingKind,
    PairingLevel,
)
from bangfu.pairings.selectors import meeting_counts
from bangfu.regions.models import Region

DEMO_PASSWORD = "demo-password-for-tests"
DEMO_HOUSEHOLDS = 240  # enough for every demo case, small enough to stay quick
COUNTED_MODELS = (
    Region,
    Organisation,
    Pairing,
    Agreement,
    Meeting,
    User,
    PiiGrant,
    Household,
    Person,
    MonitoringRun,
    Case,
    CaseStep,
    CaseMeasure,
    CaseVisit,
    AuditEvent,
)


@dataclass(frozen=True)
class DemoRuns:
    first_output: str
    second_output: str
    rows_after_first: dict[str, int]
    rows_after_second: dict[str, int]


def _row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED_MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Every test using this fixture also asks for `db`: pytest-django runs tests without it after
    # the transactional ones, which leave the tables empty, so the demo's regions would be gone.
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as mp:
        mp.setenv("BANGFU_DEMO_PASSWORD", DEMO_PASSWORD)
        # The console messages are checked in English, the source language.
        with translation.override("en"), transaction.atomic():
            first, second = io.StringIO(), io.StringIO()
            call_command("demo", "--households", str(DEMO_HOUSEHOLDS), stdout=first)
            after_first = _row_counts()
            call_command("demo", "--households", str(DEMO_HOUSEHOLDS), stdout=second)
            yield DemoRuns(first.getvalue(), second.getvalue(), after_first, _row_counts())
            transaction.set_rollback(True)


def county_pairing(donor: str, recipient: str) -> Pairing:
    return Pairing.objects.get(donor_region=donor, recipient_region=recipient, parent=None)


@pytest.mark.parametrize(
    ("donor", "recipient", "kind", "start"),
    [
        (data.LONGHUA, data.FENGSHAN, PairingKind.EAST_WEST, dt.date(2021, 1, 1)),
        (data.BAOAN, data.LONGCHUAN, PairingKind.PAIRED_ASSISTANCE, dt.date(2016, 1, 1)),
        (data.BAOAN, data.DUAN, PairingKind.EAST_WEST, dt.date(2017, 1, 1)),
        (data.BAOAN, data.DAHUA, PairingKind.EAST_WEST, dt.date(2017, 1, 1)),
        (data.GUANGMING, data.TIANLIN, PairingKind.EAST_WEST, dt.date(2017, 1, 1)),
        (
            data.GUANGMING,
            data.SHANWEI_CHENGQU,
            PairingKind.PAIRED_ASSISTANCE,
            dt.date(2016, 5, 1),
        ),
        (data.GUANGMING, data.CHAYU, PairingKind.COUNTERPART_SUPPORT, dt.date(2016, 8, 1)),
        (data.TIANHE, data.NAYONG, PairingKind.EAST_WEST, dt.date(2016, 9, 1)),
    ],
)
def test_each_seed_county_pairing_exists_with_its_kind_and_start(
    demo, db, donor, recipient, kind, start
):
    pairing = county_pairing(donor, recipient)

    assert (pairing.kind, pairing.level, pairing.start_date, pairing.end_date) == (
        kind,
        PairingLevel.COUNTY_COUNTY,
        start,
        None,
    )
    assert pairing.is_demo is True


def test_the_demo_has_eight_county_pairings_and_nests_everything_else_under_them(demo, db):
    top = Pairing.objects.filter(parent=None)
    assert top.count() == 8
    assert set(top.values_list("level", flat=True)) == {PairingLevel.COUNTY_COUNTY}
    assert Pairing.objects.filter(parent__parent__isnull=False).count() == 0


def test_guangming_streets_pair_with_chayu_townships_from_2020(demo, db):
    chayu = county_pairing(data.GUANGMING, data.CHAYU)

    children = {
        (p.donor_region_id, p.recipient_region_id, p.level, p.start_date, p.kind)
        for p in chayu.children.all()
    }

    assert children == {
        (
            "440311003000",  # 新湖街道
            "540425102000",  # 下察隅镇
            PairingLevel.TOWNSHIP_TOWNSHIP,
            dt.date(2020, 1, 1),
            PairingKind.COUNTERPART_SUPPORT,
        ),
        (
            "440311005000",  # 玉塘街道
            "540425101000",  # 上察隅镇
            PairingLevel.TOWNSHIP_TOWNSHIP,
            dt.date(2020, 1, 1),
            PairingKind.COUNTERPART_SUPPORT,
        ),
    }


def test_guangming_pairs_six_villages_of_shanwei_including_fenghuang_with_junchuantou(demo, db):
    chengqu = county_pairing(data.GUANGMING, data.SHANWEI_CHENGQU)
    children = chengqu.children.select_related("donor_region", "recipient_region")

    assert children.count() == 6
    assert {p.level for p in children} == {PairingLevel.STREET_VILLAGE}
    assert {p.recipient_region.level for p in children if p.recipient_region} == {"village"}
    assert all(str(p.recipient_region_id).startswith("441502") for p in children)
    assert len({p.donor_region_id for p in children}) == 6
    fenghuang = children.get(donor_region="440311004000")
    assert fenghuang.recipient_region is not None
    assert (fenghuang.recipient_region.name, fenghuang.start_date) == (
        "军船头村委会",
        dt.date(2016, 5, 1),
    )


@pytest.mark.parametrize(
    ("donor", "recipient", "level", "pairings", "donor_units", "recipient_units"),
    [
        (data.BAOAN, data.LONGCHUAN, PairingLevel.SCHOOL_SCHOOL, 12, 12, 12),
        (data.BAOAN, data.LONGCHUAN, PairingLevel.HOSPITAL_HOSPITAL, 22, 18, 22),
        (data.TIANHE, data.NAYONG, PairingLevel.SCHOOL_SCHOOL, 67, 54, 67),
        (data.TIANHE, data.NAYONG, PairingLevel.HOSPITAL_HOSPITAL, 32, 14, 32),
    ],
)
def test_school_and_hospital_pairings_match_the_reported_counts(
    demo, db, donor, recipient, level, pairings, donor_units, recipient_units
):
    children = county_pairing(donor, recipient).children.filter(level=level)

    counts = children.aggregate(
        pairings=Count("pk"),
        donors=Count("donor_organisation", distinct=True),
        recipients=Count("recipient_organisation", distinct=True),
    )

    assert counts == {
        "pairings": pairings,
        "donors": donor_units,
        "recipients": recipient_units,
    }
    expected_kind = (
        OrganisationKind.SCHOOL
        if level == PairingLevel.SCHOOL_SCHOOL
        else OrganisationKind.HOSPITAL
    )
    donor_kinds = set(children.values_list("donor_organisation__kind", flat=True))
    recipient_kinds = set(children.values_list("recipient_organisation__kind", flat=True))
    assert donor_kinds == recipient_kinds == {expected_kind}
    assert set(children.values_list("donor_organisation__region", flat=True)) == {donor}
    assert set(children.values_list("recipient_organisation__region", flat=True)) == {recipient}


def test_baoan_pairs_192_units_with_192_villages_of_duan_and_dahua(demo, db):
    children = Pairing.objects.filter(
        parent__in=[
            county_pairing(data.BAOAN, data.DUAN),
            county_pairing(data.BAOAN, data.DAHUA),
        ]
    )

    assert children.count() == 192
    assert children.values("donor_organisation").distinct().count() == 192
    assert children.values("recipient_region").distinct().count() == 192
    by_kind = dict(
        children.values_list("donor_organisation__kind").annotate(n=Count("pk")).order_by()
    )
    assert by_kind == {
        OrganisationKind.COMMUNITY: 100,
        OrganisationKind.ENTERPRISE: 72,
        OrganisationKind.SOCIAL_ORGANISATION: 20,
    }
    by_level = dict(children.values_list("level").annotate(n=Count("pk")).order_by())
    assert by_level == {
        PairingLevel.STREET_VILLAGE: 100,
        PairingLevel.ENTERPRISE_VILLAGE: 72,
        PairingLevel.SOCIAL_ORG_VILLAGE: 20,
    }
    for child in children.select_related("parent", "recipient_region"):
        assert child.recipient_region is not None
        assert child.parent is not None
        assert child.recipient_region.level == "village"
        assert str(child.recipient_region_id)[:6] == str(child.parent.recipient_region_id)[:6]


def test_tianhe_streets_bring_77_enterprises_to_villages_of_nayong(demo, db):
    children = county_pairing(data.TIANHE, data.NAYONG).children.filter(
        level=PairingLevel.ENTERPRISE_VILLAGE
    )

    assert children.count() == 77
    assert set(children.values_list("donor_organisation__region", flat=True)) == {
        data.TIANHE_QIANJIN,
        data.TIANHE_XINGHUA,
        data.TIANHE_YUANCUN,
    }
    assert children.values("recipient_region").distinct().count() == 77
    assert all(
        code.startswith("520525") for code in children.values_list("recipient_region", flat=True)
    )


def test_meeting_counts_for_tianhe_nayong_reproduce_12_visits_and_8_joint_meetings(demo, db):
    counts = meeting_counts(user=SYSTEM, pairing=county_pairing(data.TIANHE, data.NAYONG))

    assert (counts.leaders_visits, counts.visits, counts.joint_meetings) == (12, 12, 8)
    dates = Meeting.objects.filter(pairing__recipient_region=data.NAYONG).values_list(
        "date", flat=True
    )
    assert min(dates) >= dt.date(2016, 9, 1)
    assert max(dates) <= dt.date(2021, 4, 25)  # the report's date


def test_longhua_fengshan_has_its_framework_agreement_joint_meeting_and_visit(demo, db):
    pairing = county_pairing(data.LONGHUA, data.FENGSHAN)

    agreements = list(pairing.agreements.values_list("kind", "title", "signed_on"))
    meetings = list(pairing.meetings.order_by("kind").values_list("kind", "date"))

    assert agreements == [
        (AgreementKind.FRAMEWORK, "深圳市龙华区-广西凤山县粤桂协作框架协议书", dt.date(2021, 8, 30))
    ]
    assert meetings == [
        (MeetingKind.JOINT_MEETING, dt.date(2021, 8, 30)),
        (MeetingKind.LEADERS_VISIT, dt.date(2021, 8, 30)),
    ]
    assert "凤山县第一幼儿园" in pairing.meetings.get(kind=MeetingKind.LEADERS_VISIT).place


def test_baoan_longchuan_has_the_2018_visit_and_the_park_meeting(demo, db):
    pairing = county_pairing(data.BAOAN, data.LONGCHUAN)

    on_day = pairing.meetings.filter(date=dt.date(2018, 9, 18))

    assert sorted(on_day.values_list("kind", flat=True)) == [
        MeetingKind.JOINT_MEETING,
        MeetingKind.LEADERS_VISIT,
    ]
    assert on_day.get(kind=MeetingKind.JOINT_MEETING).summary == "宝安—龙川园区共建会议。"


def test_the_2020_work_meeting_is_recorded_for_all_three_baoan_pairings(demo, db):
    meetings = Meeting.objects.filter(date=dt.date(2020, 3, 13))

    assert sorted(meetings.values_list("pairing__recipient_region", flat=True)) == sorted(
        [data.LONGCHUAN, data.DUAN, data.DAHUA]
    )


def test_tianhe_nayong_has_its_framework_agreement(demo, db):
    pairing = county_pairing(data.TIANHE, data.NAYONG)

    assert list(pairing.agreements.values_list("kind", "title")) == [
        (AgreementKind.FRAMEWORK, "对口帮扶合作框架协议")
    ]
    assert "联席会议制度" in pairing.notes


def test_every_demo_record_is_marked_as_demo(demo, db):
    assert not Pairing.objects.filter(is_demo=False).exists()
    assert not Organisation.objects.filter(is_demo=False).exists()
    assert not Meeting.objects.filter(is_demo=False).exists()


def test_every_demo_record_was_written_through_a_service_with_its_audit_event(demo, db):
    audited = dict(
        AuditEvent.objects.filter(action="create", actor=None)
        .values_list("object_type")
        .annotate(n=Count("pk"))
        .order_by()
    )

    assert audited["pairings.pairing"] == Pairing.objects.count()
    assert audited["pairings.organisation"] == Organisation.objects.count()
    assert audited["pairings.meeting"] == Meeting.objects.count()
    assert audited["pairings.agreement"] == Agreement.objects.count() == 2
    assert audited["accounts.user"] == User.objects.count() == len(data.DEMO_USERS)


def test_a_second_run_creates_nothing_and_writes_no_audit_event(demo, db):
    assert demo.rows_after_second == demo.rows_after_first
    assert demo.rows_after_first["Pairing"] == 8 + 2 + 6 + 12 + 22 + 192 + 67 + 32 + 77


def test_a_second_run_says_everything_was_already_present(demo, db):
    lines = demo.second_output.splitlines()

    pairings_line = next(line for line in lines if line.startswith("pairings"))
    assert pairings_line.split() == ["pairings", "0", str(demo.rows_after_first["Pairing"])]
    assert "Nothing to do: the demo was already loaded." in lines
    assert DEMO_PASSWORD not in demo.second_output


def test_the_first_run_names_the_password_source_without_printing_it(demo, db):
    assert "Demo users (the passwords are shown only now):" in demo.first_output
    assert "  fengshan     (the value of BANGFU_DEMO_PASSWORD)" in demo.first_output.splitlines()
    assert DEMO_PASSWORD not in demo.first_output


@pytest.mark.parametrize(
    ("username", "region", "roles", "pii_counties"),
    [
        ("admin", None, ["administrator"], []),
        ("longhua", data.LONGHUA, ["data_entry", "viewer"], []),
        ("baoan", data.BAOAN, ["data_entry", "viewer"], []),
        ("guangming", data.GUANGMING, ["data_entry", "viewer"], []),
        ("tianhe", data.TIANHE, ["data_entry", "viewer"], []),
        ("fengshan", data.FENGSHAN, ["data_entry", "reviewer", "viewer"], [data.FENGSHAN]),
        ("longchuan", data.LONGCHUAN, ["data_entry", "reviewer", "viewer"], [data.LONGCHUAN]),
        ("duan", data.DUAN, ["data_entry", "reviewer", "viewer"], [data.DUAN]),
        ("dahua", data.DAHUA, ["data_entry", "reviewer", "viewer"], [data.DAHUA]),
        ("tianlin", data.TIANLIN, ["data_entry", "reviewer", "viewer"], [data.TIANLIN]),
        (
            "shanwei",
            data.SHANWEI_CHENGQU,
            ["data_entry", "reviewer", "viewer"],
            [data.SHANWEI_CHENGQU],
        ),
        ("chayu", data.CHAYU, ["data_entry", "reviewer", "viewer"], [data.CHAYU]),
        ("nayong", data.NAYONG, ["data_entry", "reviewer", "viewer"], [data.NAYONG]),
    ],
)
def test_demo_users_have_the_documented_home_roles_and_grants(
    demo, db, username, region, roles, pii_counties
):
    user = User.objects.get(username=username)

    assert user.region_id == region
    assert sorted(user.role_assignments.values_list("role", flat=True)) == roles
    assert list(user.pii_grants.values_list("county", flat=True)) == pii_counties
    assert user.is_superuser is (username == "admin")
    assert user.check_password(DEMO_PASSWORD)


def test_a_demo_user_sees_the_pairings_of_their_side_only(demo, db):
    fengshan = User.objects.get(username="fengshan")
    tianhe = User.objects.get(username="tianhe")

    assert list(visible_pairings(fengshan).values_list("donor_region", flat=True)) == [data.LONGHUA]
    assert visible_pairings(tianhe).count() == 1 + 67 + 32 + 77
    assert not visible_pairings(tianhe).filter(recipient_region=data.FENGSHAN).exists()


def test_reset_passwords_prints_new_random_passwords_that_work(demo, db, monkeypatch):
    monkeypatch.delenv("BANGFU_DEMO_PASSWORD", raising=False)
    out = io.StringIO()

    with translation.override("en"):
        call_command("demo", "--reset-passwords", "--households", str(DEMO_HOUSEHOLDS), stdout=out)

    lines = out.getvalue().splitlines()
    start = lines.index("Demo users (the passwords are shown only now):")
    printed = dict(line.split() for line in lines[start + 1 :])
    assert sorted(printed) == sorted(u.username for u in data.DEMO_USERS)
    assert len(set(printed.values())) == len(printed)
    for username, password in printed.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert not user.check_password(DEMO_PASSWORD)


def test_reset_passwords_uses_the_demo_password_variable_when_set(demo, db, monkeypatch):
    monkeypatch.setenv("BANGFU_DEMO_PASSWORD", "another demo password")
    before = AuditEvent.objects.count()

    call_command(
        "demo", "--reset-passwords", "--households", str(DEMO_HOUSEHOLDS), stdout=io.StringIO()
    )

    assert User.objects.get(username="nayong").check_password("another demo password")
    assert AuditEvent.objects.count() == before + len(data.DEMO_USERS)
    changed = AuditEvent.objects.filter(object_type="accounts.user").order_by("-id")[0]
    assert "another demo password" not in str(changed.after)


# Households and cases ----------------------------------------------------------------------


def test_the_demo_households_are_spread_over_the_recipient_counties(demo, db):
    by_county = {
        county: Household.objects.filter(village__code__startswith=county[:6]).count()
        for county in COUNTIES
    }

    assert sum(by_county.values()) == DEMO_HOUSEHOLDS
    assert by_county[data.FENGSHAN] == DEMO_HOUSEHOLDS // 3
    assert all(count > 0 for count in by_county.values())
    assert not Household.objects.filter(is_demo=False).exists()
    assert Person.objects.count() > DEMO_HOUSEHOLDS


def test_every_planned_demo_case_exists_and_every_state_has_cases(demo, db):
    states = dict(Case.objects.values_list("state").annotate(n=Count("pk")).order_by())

    assert Case.objects.count() == len(case_plans())
    assert sorted(states) == sorted(CaseState.values)
    assert all(count >= 2 for count in states.values())


def test_demo_cases_come_from_every_source_and_include_the_green_channel(demo, db):
    sources = set(Case.objects.values_list("source", flat=True))
    ways = set(
        Case.objects.filter(state=CaseState.ELIMINATED).values_list("elimination_way", flat=True)
    )

    assert sources == set(CaseSource.values)
    assert ways == {EliminationWay.BY_ASSISTANCE, EliminationWay.NATURAL}
    green = Case.objects.filter(green_channel=True)
    assert green.filter(state=CaseState.CLUE, case_measures__before_identification=True).exists()
    assert Case.objects.filter(source=CaseSource.MONITORING_FINDING, finding__isnull=False).exists()


def test_some_demo_cases_are_overdue_and_others_are_not(demo, db):
    overdue = case_list(SYSTEM, overdue=True)

    assert {case.state for case in overdue} >= {CaseState.CLUE, CaseState.RECORDED}
    assert case_list(SYSTEM, overdue=False).filter(state=CaseState.CLUE).exists()


def test_assisted_demo_cases_have_measures_and_visits(demo, db):
    assisted = Case.objects.filter(state=CaseState.ASSISTED)

    assert all(case.case_measures.exists() for case in assisted)
    assert all(case.visits.exists() for case in assisted)
    recorded = Case.objects.filter(state=CaseState.RECORDED)
    assert recorded.filter(case_measures__isnull=False).exists()


def test_every_demo_case_step_was_audited(demo, db):
    case_events = AuditEvent.objects.filter(object_type="cases.case").count()

    assert case_events == CaseStep.objects.count() + CaseMeasure.objects.count()
    assert AuditEvent.objects.filter(object_type="cases.casevisit").count() == (
        CaseVisit.objects.count()
    )
    generation = AuditEvent.objects.filter(
        object_type="regions.region", action="import", after__has_key="demo_households"
    )
    assert generation.count() == len(COUNTIES)


def test_the_demo_prints_households_and_cases_per_state(demo, db):
    first = demo.first_output.splitlines()
    second = demo.second_output.splitlines()

    households_line = next(line for line in first if line.startswith("demo households"))
    assert households_line.split()[-2:] == [str(DEMO_HOUSEHOLDS), "0"]
    cases_again = next(line for line in second if line.startswith("monitoring cases"))
    assert cases_again.split()[-2:] == ["0", str(len(case_plans()))]
    assert any(line.startswith("Demo cases by state: clue ") for line in second)


def test_a_negative_household_count_is_refused(db):
    with pytest.raises(CommandError, match="--households must be 0 or more"):
        call_command("demo", "--households", "-1", stdout=io.StringIO())
