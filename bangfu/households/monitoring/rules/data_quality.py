"""Data-quality rules: records that contradict the rulebook or are implausible (domain.md §3).

The mobile-number check of the practice list is not here: phone numbers are encrypted, so the
database cannot test them. The services check them at entry instead (services._clean_phone
refuses anything that is neither a mobile matching ^1[3-9]\\d{9}$ nor a landline).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from bangfu.households.choices import (
    DEVELOPMENT_MEASURES,
    PROTECTION_MEASURES,
    LabourSkill,
    MeasureCategory,
    RiskType,
)
from bangfu.households.models import (
    FOREST_OUTSIDE_Q,
    FOREST_RANGE,
    IDENTIFIED_Q,
    LABOUR_Q,
    LAND_FIELDS,
    LAND_OUTSIDE_Q,
    LAND_RANGE,
    ROAD_OUTSIDE_Q,
    ROAD_RANGE,
    Household,
    HouseholdRisk,
    Measure,
    Person,
    RuleKind,
)
from bangfu.households.monitoring.rules.base import MONEY, Context, Rule
from bangfu.households.monitoring.rules.risk import first_failing, years_before

M = MeasureCategory
# Which measures answer which risk type (domain.md §3); a type not listed needs any measure.
MATCHING_MEASURES: dict[str, frozenset[str]] = {
    RiskType.ILLNESS: frozenset({M.HEALTH, M.SOCIAL_ASSISTANCE}),
    RiskType.SCHOOLING: frozenset({M.EDUCATION, M.COMPULSORY_EDUCATION}),
    RiskType.DISABILITY: frozenset({M.COMPREHENSIVE_PROTECTION}),
    RiskType.HOUSING: frozenset({M.HOUSING, M.RELOCATION}),
    RiskType.DRINKING_WATER: frozenset({M.DRINKING_WATER}),
    RiskType.UNSTABLE_WORK: frozenset({M.EMPLOYMENT, M.PUBLIC_WELFARE_JOB}),
    RiskType.NO_LABOUR: frozenset({M.COMPREHENSIVE_PROTECTION}),
}


class QualityRule(Rule):
    kind = RuleKind.DATA_QUALITY


class RiskWithoutMeasure(QualityRule):
    code = "RISK_WITHOUT_MEASURE"
    weight = 4
    description = _("A recorded risk type has no matching assistance measure.")
    household_path = "household__"

    def matches(self, ctx: Context) -> QuerySet[Any]:
        measures = Measure.objects.filter(household=OuterRef("household_id"))
        unmatched: Any = Q(~Exists(measures))  # any type: no measure at all
        for risk_type, categories in MATCHING_MEASURES.items():
            unmatched |= Q(risk_type=risk_type) & ~Exists(measures.filter(category__in=categories))
        return HouseholdRisk.objects.filter(unmatched)

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {"detail": F("risk_type")}


class LabourOnlyProtection(QualityRule):
    code = "LABOUR_ONLY_PROTECTION"
    description = _("A household with labour receives protection-type measures only.")

    def matches(self, ctx: Context) -> QuerySet[Any]:
        measures = Measure.objects.filter(household=OuterRef("pk"))
        labour = Person.objects.filter(LABOUR_Q, household=OuterRef("pk"))
        protected = Measure.objects.filter(category__in=PROTECTION_MEASURES)
        return Household.objects.filter(
            pk__in=protected.values("household_id"),
        ).filter(Exists(labour), ~Exists(measures.filter(category__in=DEVELOPMENT_MEASURES)))


class NoMeasureInMonth(QualityRule):
    code = "NO_MEASURE_IN_MONTH"
    weight = 2
    description = _("No assistance measure within a month of identification.")

    def matches(self, ctx: Context) -> QuerySet[Any]:
        window = dt.timedelta(days=ctx.parameters.measure_within_days)
        in_time = Measure.objects.filter(
            household=OuterRef("pk"), date__lte=OuterRef("identified_on") + window
        )
        return (
            Household.objects.filter(IDENTIFIED_Q)  # the partial index household_identified_rules
            .filter(identified_on__lte=ctx.as_of - window)
            .exclude(Exists(in_time))
        )

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {"detail": F("identified_on")}


class EliminatedTooSoon(QualityRule):
    code = "ELIMINATED_TOO_SOON"
    description = _("Risk eliminated less than six months after identification.")

    def matches(self, ctx: Context) -> QuerySet[Any]:
        window = dt.timedelta(days=ctx.parameters.elimination_min_days)
        return Household.objects.filter(IDENTIFIED_Q).filter(
            eliminated_on__lt=F("identified_on") + window
        )

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {"detail": F("eliminated_on")}


class ChildWithLabourSkill(QualityRule):
    code = "CHILD_WITH_LABOUR_SKILL"
    description = _("A member under 16 recorded with a labour skill other than 无劳动力.")
    household_path = "household__"
    per_person = True

    def matches(self, ctx: Context) -> QuerySet[Any]:
        return Person.objects.filter(birth_date__gt=years_before(ctx.as_of, 16)).exclude(
            labour_skill=LabourSkill.NONE
        )

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {"detail": F("labour_skill")}


class RangeCheck(QualityRule):
    """Plausibility: each listed column must lie within [low, high]."""

    def __init__(
        self,
        code: str,
        fields: tuple[str, ...],
        bounds: tuple[Decimal, Decimal],
        condition: Q,
    ) -> None:
        self.code = code  # type: ignore[misc]
        self.fields = fields
        self.low, self.high = bounds
        self.condition = condition  # the same Q as the rule's partial index
        self.description = _("%(fields)s outside %(low)s–%(high)s.") % {  # type: ignore[misc]
            "fields": ", ".join(fields),
            "low": self.low,
            "high": self.high,
        }

    def outside(self, name: str) -> Q:
        return Q(**{f"{name}__lt": self.low}) | Q(**{f"{name}__gt": self.high})

    def matches(self, ctx: Context) -> QuerySet[Any]:
        return Household.objects.filter(self.condition)

    def explain(self, ctx: Context) -> dict[str, Any]:
        value: Any = F(self.fields[0])
        if len(self.fields) > 1:
            value = Case(
                *[When(self.outside(n), then=F(n)) for n in self.fields], output_field=MONEY
            )
        return {
            "value": value,
            "threshold": Value(self.high, output_field=MONEY),
            "detail": first_failing([(self.outside(n), n) for n in self.fields]),
        }


class HighIncomeAtIdentification(QualityRule):
    code = "HIGH_INCOME_AT_IDENTIFICATION"
    description = _("Per-capita net income above 20,000 yuan for an identified household.")

    def matches(self, ctx: Context) -> QuerySet[Any]:
        limit = ctx.parameters.high_income_at_identification
        return Household.objects.filter(IDENTIFIED_Q).filter(per_capita_net_income__gt=limit)

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {
            "value": F("per_capita_net_income"),
            "threshold": Value(ctx.parameters.high_income_at_identification, output_field=MONEY),
        }


class MonthlyWageRange(QualityRule):
    """Wages ÷ months worked away by the members, outside 100–30,000 yuan a month.

    One grouped pass over the members who worked away (months > 0), joined to their household:
    the months are summed once per household instead of in a correlated subquery per household
    and per reference (filter and value).
    """

    code = "MONTHLY_WAGE_RANGE"
    weight = 3
    description = _("Average monthly wage outside 100–30,000 yuan.")
    low, high = Decimal("100"), Decimal("30000")
    household_path = "household__"

    def monthly(self) -> ExpressionWrapper[Any]:
        return ExpressionWrapper(F("household__wage_income") / F("months"), output_field=MONEY)

    def matches(self, ctx: Context) -> QuerySet[Any]:
        return (
            Person.objects.filter(months_worked_away__gt=0, household__wage_income__gt=0)
            .values("household_id", "household__village_id", "household__wage_income")
            # An integer: SQLite would compare a decimal parameter (sent as text) above any number.
            .annotate(months=Sum("months_worked_away", output_field=IntegerField()))
            .alias(monthly=self.monthly())
            .filter(Q(monthly__lt=self.low) | Q(monthly__gt=self.high))
        )

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {
            "value": self.monthly(),
            "threshold": Value(self.high, output_field=MONEY),
            "reference": F("household__wage_income"),
        }


LAND = LAND_FIELDS

QUALITY_RULES: tuple[Rule, ...] = (
    RiskWithoutMeasure(),
    LabourOnlyProtection(),
    NoMeasureInMonth(),
    EliminatedTooSoon(),
    ChildWithLabourSkill(),
    RangeCheck("LAND_RANGE", LAND, LAND_RANGE, LAND_OUTSIDE_Q),
    RangeCheck("FOREST_RANGE", ("forest_land_mu",), FOREST_RANGE, FOREST_OUTSIDE_Q),
    RangeCheck("ROAD_DISTANCE_RANGE", ("road_distance_km",), ROAD_RANGE, ROAD_OUTSIDE_Q),
    MonthlyWageRange(),
    HighIncomeAtIdentification(),
)
