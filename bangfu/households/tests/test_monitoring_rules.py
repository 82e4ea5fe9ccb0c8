"""Each monitoring rule alone, on a few hand-built households."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from bangfu.accounts.scopes import SYSTEM
from bangfu.core.testing import get_region
from bangfu.households import services
from bangfu.households.choices import (
    HouseGrade,
    HouseholdType,
    LabourSkill,
    MeasureCategory,
    MonitoringCategory,
    OutOfSchoolReason,
    Relation,
    RiskType,
    SchoolingStatus,
)
from bangfu.households.models import HouseholdIncome, HouseholdRisk
from bangfu.households.monitoring.rules import RULES, Context, Parameters, rule_by_code
from bangfu.households.tests.helpers import make_household, make_id, make_person

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2024, 6, 30)


def fired(code: str, ctx: Context | None = None) -> list[dict[str, Any]]:
    rule = rule_by_code(code)
    rows = rule.findings(ctx or Context(as_of=AS_OF))
    return sorted(rows, key=lambda row: (row["f_household"], row["f_person"] or 0))


def poor(**fields: Any) -> Any:
    # 4 people, 20000 net: 5000 per head, under the 6000 floor.
    return make_household(wage_income=Decimal("16000"), transfer_income=Decimal("4000"), **fields)


def comfortable(**fields: Any) -> Any:
    # 4 people, 48000 net: 12000 per head.
    return make_household(wage_income=Decimal("40000"), transfer_income=Decimal("8000"), **fields)


def test_every_rule_has_a_unique_code_version_and_description() -> None:
    keys = [rule.key for rule in RULES]
    assert len(keys) == len(set(keys))
    assert all(str(rule.description) for rule in RULES)


def test_income_in_range_fires_with_income_threshold_and_category_by_type(world: Any) -> None:
    exited = poor()
    ordinary = poor(household_type=HouseholdType.ORDINARY)
    comfortable()
    rows = fired("INCOME_IN_RANGE")
    assert [(r["f_household"], r["f_category"], r["f_value"], r["f_threshold"]) for r in rows] == [
        (exited.pk, MonitoringCategory.UNSTABLE, Decimal("5000.00"), Decimal("6000.00")),
        (ordinary.pk, MonitoringCategory.MARGINAL, Decimal("5000.00"), Decimal("6000.00")),
    ]


def test_income_in_range_uses_the_provinces_own_threshold(world: Any) -> None:
    services.threshold_set(
        actor=SYSTEM, province=get_region("450000000000"), year=2023, yuan_per_person=4000
    )
    poor()
    assert fired("INCOME_IN_RANGE") == []


def test_income_drop_fires_at_thirty_percent_and_suggests_sudden_hardship(world: Any) -> None:
    dropped = comfortable()  # 12000 now
    HouseholdIncome.objects.create(
        household=dropped, year=2022, net_income=80000, per_capita_net_income=20000
    )
    steady = comfortable()
    HouseholdIncome.objects.create(
        household=steady, year=2022, net_income=60000, per_capita_net_income=15000
    )
    rows = fired("INCOME_DROP")
    assert [(r["f_household"], r["f_value"], r["f_threshold"], r["f_reference"]) for r in rows] == [
        (dropped.pk, Decimal("40.00"), Decimal("30.00"), Decimal("20000.00"))
    ]
    assert rows[0]["f_category"] == MonitoringCategory.SUDDEN_HARDSHIP


def test_income_drop_percentage_is_configurable(world: Any) -> None:
    steady = comfortable()
    HouseholdIncome.objects.create(
        household=steady, year=2022, net_income=60000, per_capita_net_income=15000
    )
    ctx = Context(as_of=AS_OF, parameters=Parameters(drop_percent=Decimal("20")))
    assert [r["f_value"] for r in fired("INCOME_DROP", ctx)] == [Decimal("20.00")]


def test_large_expenses_fire_against_half_the_net_income(world: Any) -> None:
    sick = comfortable(medical_out_of_pocket=Decimal("30000"))
    comfortable(education_expenses=Decimal("10000"))
    rows = fired("LARGE_EXPENSES")
    assert [(r["f_household"], r["f_value"], r["f_threshold"], r["f_detail"]) for r in rows] == [
        (sick.pk, Decimal("30000.00"), Decimal("24000.00"), "medical_out_of_pocket")
    ]
    assert rows[0]["f_category"] == MonitoringCategory.SUDDEN_HARDSHIP


def test_child_out_of_school_fires_per_child_unless_for_health(world: Any) -> None:
    household = comfortable()
    make_person(household)
    truant = make_person(
        household,
        id_number=make_id(dt.date(2012, 3, 1), 21),
        relation=Relation.SON,
        labour_skill=LabourSkill.NONE,
        schooling_status=SchoolingStatus.DROPPED_OUT,
        out_of_school_reason=OutOfSchoolReason.FINANCIAL,
    )
    make_person(
        household,
        id_number=make_id(dt.date(2013, 3, 1), 22),
        relation=Relation.DAUGHTER,
        labour_skill=LabourSkill.NONE,
        schooling_status=SchoolingStatus.NOT_IN_SCHOOL,
        out_of_school_reason=OutOfSchoolReason.ILLNESS,
    )
    rows = fired("CHILD_OUT_OF_SCHOOL")
    assert [(r["f_household"], r["f_person"], r["f_detail"]) for r in rows] == [
        (household.pk, truant.pk, SchoolingStatus.DROPPED_OUT)
    ]


def test_missing_insurance_names_what_is_missing(world: Any) -> None:
    household = comfortable()
    make_person(household, resident_medical_insurance=True, critical_illness_insurance=True)
    uninsured = make_person(
        household,
        id_number=make_id(dt.date(1982, 1, 1), 31),
        relation=Relation.SPOUSE,
        critical_illness_insurance=True,
    )
    rows = fired("NO_MEDICAL_INSURANCE")
    assert [(r["f_person"], r["f_detail"]) for r in rows] == [(uninsured.pk, "basic")]


def test_dangerous_house_fires_on_grades_c_and_d(world: Any) -> None:
    c = comfortable(dangerous_house_grade=HouseGrade.C)
    comfortable(dangerous_house_grade=HouseGrade.B)
    assert [(r["f_household"], r["f_detail"]) for r in fired("DANGEROUS_HOUSE")] == [(c.pk, "C")]


def test_unsafe_water_names_the_first_failing_check(world: Any) -> None:
    h = comfortable(drinking_water_secure=True, water_reliable=False)
    comfortable(drinking_water_secure=True)
    assert [(r["f_household"], r["f_detail"]) for r in fired("UNSAFE_WATER")] == [
        (h.pk, "water_reliable")
    ]


def test_no_labour_fires_when_nobody_can_work(world: Any) -> None:
    elderly = comfortable()
    make_person(elderly, labour_skill=LabourSkill.LOST)
    working = comfortable()
    make_person(working)
    assert [r["f_household"] for r in fired("NO_LABOUR")] == [elderly.pk]


def test_unstable_work_fires_on_wage_dependence_without_steady_work(world: Any) -> None:
    seasonal = comfortable()
    make_person(seasonal, months_worked_away=3)
    steady = comfortable()
    make_person(steady, months_worked_away=10)
    rows = fired("UNSTABLE_WORK")
    assert [(r["f_household"], r["f_value"]) for r in rows] == [(seasonal.pk, Decimal("83.33"))]


def test_risk_without_matching_measure(world: Any) -> None:
    h = comfortable()
    HouseholdRisk.objects.create(household=h, risk_type=RiskType.ILLNESS)
    HouseholdRisk.objects.create(household=h, risk_type=RiskType.HOUSING)
    services.measure_add(
        actor=SYSTEM, household=h, category=MeasureCategory.HEALTH, date=dt.date(2024, 1, 5)
    )
    assert [(r["f_household"], r["f_detail"]) for r in fired("RISK_WITHOUT_MEASURE")] == [
        (h.pk, RiskType.HOUSING)
    ]


def test_household_with_labour_receiving_only_protection(world: Any) -> None:
    h = comfortable()
    make_person(h)
    services.measure_add(
        actor=SYSTEM,
        household=h,
        category=MeasureCategory.COMPREHENSIVE_PROTECTION,
        date=dt.date(2024, 1, 5),
    )
    helped = comfortable()
    make_person(helped, id_number=make_id(dt.date(1970, 1, 1), 41))
    for category in (MeasureCategory.COMPREHENSIVE_PROTECTION, MeasureCategory.EMPLOYMENT):
        services.measure_add(actor=SYSTEM, household=helped, category=category, date=AS_OF)
    assert [r["f_household"] for r in fired("LABOUR_ONLY_PROTECTION")] == [h.pk]


def test_no_measure_within_a_month_of_identification(world: Any) -> None:
    late = comfortable(identified_on=dt.date(2024, 1, 1))
    services.measure_add(
        actor=SYSTEM, household=late, category=MeasureCategory.HEALTH, date=dt.date(2024, 3, 1)
    )
    on_time = comfortable(identified_on=dt.date(2024, 1, 1))
    services.measure_add(
        actor=SYSTEM, household=on_time, category=MeasureCategory.HEALTH, date=dt.date(2024, 1, 20)
    )
    comfortable(identified_on=dt.date(2024, 6, 20))  # the month has not passed yet
    assert [r["f_household"] for r in fired("NO_MEASURE_IN_MONTH")] == [late.pk]


def test_elimination_less_than_six_months_after_identification(world: Any) -> None:
    hasty = comfortable(identified_on=dt.date(2024, 1, 1), eliminated_on=dt.date(2024, 5, 1))
    comfortable(identified_on=dt.date(2023, 1, 1), eliminated_on=dt.date(2023, 9, 1))
    assert [r["f_household"] for r in fired("ELIMINATED_TOO_SOON")] == [hasty.pk]


def test_child_under_sixteen_with_a_labour_skill(world: Any) -> None:
    h = comfortable()
    make_person(h)
    child = make_person(
        h,
        id_number=make_id(dt.date(2010, 1, 1), 51),
        relation=Relation.SON,
        labour_skill=LabourSkill.ORDINARY,
        schooling_status=SchoolingStatus.JUNIOR_SECONDARY,
    )
    rows = fired("CHILD_WITH_LABOUR_SKILL")
    assert [(r["f_person"], r["f_detail"]) for r in rows] == [(child.pk, LabourSkill.ORDINARY)]


def test_plausibility_ranges(world: Any) -> None:
    land = comfortable(grassland_mu=Decimal("150"))
    forest = comfortable(forest_land_mu=Decimal("250"))
    road = comfortable(road_distance_km=Decimal("7.5"))
    comfortable(cultivated_land_mu=Decimal("100"), forest_land_mu=Decimal("200"))
    assert [(r["f_household"], r["f_detail"], r["f_value"]) for r in fired("LAND_RANGE")] == [
        (land.pk, "grassland_mu", Decimal("150.00"))
    ]
    assert [r["f_household"] for r in fired("FOREST_RANGE")] == [forest.pk]
    assert [r["f_household"] for r in fired("ROAD_DISTANCE_RANGE")] == [road.pk]


def test_monthly_wage_outside_range(world: Any) -> None:
    h = comfortable()  # 40000 wages
    make_person(h, months_worked_away=1)
    fine = comfortable()
    make_person(fine, months_worked_away=10)
    rows = fired("MONTHLY_WAGE_RANGE")
    assert [(r["f_household"], r["f_value"]) for r in rows] == [(h.pk, Decimal("40000.00"))]


def test_high_income_at_identification(world: Any) -> None:
    rich = make_household(wage_income=Decimal("100000"), identified_on=dt.date(2024, 1, 1))
    make_household(wage_income=Decimal("100000"))  # never identified
    assert [r["f_household"] for r in fired("HIGH_INCOME_AT_IDENTIFICATION")] == [rich.pk]
