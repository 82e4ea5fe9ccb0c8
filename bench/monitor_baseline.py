"""The monitoring rules as the obvious Python loop over ORM objects: the benchmark's baseline.

Same rules, same parameters and thresholds as bangfu.households.monitoring.rules, written the way
one would without set-based SQL: load each household with its members, measures, risks and last
year's income (prefetched, in chunks, so it is a fair loop and not an N+1 strawman) and test
every rule in Python. Returns findings per rule code so the benchmark can check that both
approaches agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import Prefetch

from bangfu.households.choices import (
    DANGEROUS_HOUSE_GRADES,
    DEVELOPMENT_MEASURES,
    HEALTH_REASONS,
    LABOUR_SKILLS,
    PROTECTION_MEASURES,
)
from bangfu.households.models import DECLARED_FLAGS, WATER_FLAGS, Household, HouseholdIncome
from bangfu.households.monitoring.rules import Parameters
from bangfu.households.monitoring.rules.data_quality import LAND, MATCHING_MEASURES
from bangfu.households.monitoring.rules.risk import years_before
from bangfu.households.monitoring.thresholds import ThresholdTable


def evaluate(households: list[int] | range, *, as_of: dt.date) -> Counter[str]:
    p = Parameters()
    table = ThresholdTable.load()
    counts: Counter[str] = Counter()
    young, old = years_before(as_of, 6), years_before(as_of, 17)
    under16 = years_before(as_of, 16)
    queryset = (
        Household.objects.filter(pk__gte=households[0], pk__lte=households[-1])
        .order_by("pk")
        .prefetch_related(
            "persons",
            "measures",
            "risks",
            Prefetch("income_history", queryset=HouseholdIncome.objects.order_by("-year")),
        )
    )
    for h in queryset.iterator(chunk_size=2000):
        persons = list(h.persons.all())
        measures = list(h.measures.all())
        categories = {m.category for m in measures}
        threshold = table.amount_for(village_code=h.village_id, year=h.income_year)
        pc = h.per_capita_net_income
        if threshold is not None and pc <= threshold:
            counts["INCOME_IN_RANGE"] += 1
        for income in h.income_history.all():
            if income.year == h.income_year - 1 and income.per_capita_net_income > 0:
                keep = (Decimal(100) - p.drop_percent) / Decimal(100)
                if pc <= income.per_capita_net_income * keep:
                    counts["INCOME_DROP"] += 1
        expenses = h.medical_out_of_pocket + h.education_expenses + h.disaster_losses
        if expenses > 0 and expenses >= h.net_income * p.expense_ratio:
            counts["LARGE_EXPENSES"] += 1
        for person in persons:
            if (
                old < person.birth_date <= young
                and person.schooling_status in ("not_in_school", "dropped_out")
                and person.out_of_school_reason not in HEALTH_REASONS
            ):
                counts["CHILD_OUT_OF_SCHOOL"] += 1
            no_basic = not person.resident_medical_insurance and not (
                person.employee_medical_insurance
            )
            if no_basic or not person.critical_illness_insurance:
                counts["NO_MEDICAL_INSURANCE"] += 1
            if person.birth_date > under16 and person.labour_skill != "none":
                counts["CHILD_WITH_LABOUR_SKILL"] += 1
        if h.dangerous_house_grade in DANGEROUS_HOUSE_GRADES or h.housing_secure is False:
            counts["DANGEROUS_HOUSE"] += 1
        if any(getattr(h, flag) is False for flag in WATER_FLAGS):
            counts["UNSAFE_WATER"] += 1
        if any(getattr(h, flag) is False for flag in DECLARED_FLAGS):
            counts["DECLARED_INSECURE"] += 1
        gross = h.wage_income + h.business_income + h.property_income + h.transfer_income
        steady = any(
            m.months_worked_away >= p.unstable_months or m.public_welfare_job for m in persons
        )
        if (
            h.wage_income > 0
            and h.wage_income >= gross * p.unstable_wage_share / 100
            and not steady
        ):
            counts["UNSTABLE_WORK"] += 1
        has_labour = any(m.labour_skill in LABOUR_SKILLS for m in persons)
        if not has_labour:
            counts["NO_LABOUR"] += 1
        for risk in h.risks.all():
            wanted = MATCHING_MEASURES.get(risk.risk_type)
            if not measures or (wanted is not None and not categories & wanted):
                counts["RISK_WITHOUT_MEASURE"] += 1
        if (
            has_labour
            and categories & PROTECTION_MEASURES
            and not categories & DEVELOPMENT_MEASURES
        ):
            counts["LABOUR_ONLY_PROTECTION"] += 1
        if h.identified_on is not None:
            window = dt.timedelta(days=p.measure_within_days)
            if h.identified_on <= as_of - window and not any(
                m.date <= h.identified_on + window for m in measures
            ):
                counts["NO_MEASURE_IN_MONTH"] += 1
            if h.eliminated_on is not None and h.eliminated_on < h.identified_on + dt.timedelta(
                days=p.elimination_min_days
            ):
                counts["ELIMINATED_TOO_SOON"] += 1
            if pc > p.high_income_at_identification:
                counts["HIGH_INCOME_AT_IDENTIFICATION"] += 1
        if any(not 0 <= getattr(h, name) <= 100 for name in LAND):
            counts["LAND_RANGE"] += 1
        if not 0 <= h.forest_land_mu <= 200:
            counts["FOREST_RANGE"] += 1
        if not 0 <= h.road_distance_km <= 5:
            counts["ROAD_DISTANCE_RANGE"] += 1
        months = sum(m.months_worked_away for m in persons)
        if h.wage_income > 0 and months > 0 and not 100 <= h.wage_income / months <= 30000:
            counts["MONTHLY_WAGE_RANGE"] += 1
    return counts
