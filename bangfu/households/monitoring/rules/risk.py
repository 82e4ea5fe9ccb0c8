"""Risk rules: who may fall (back) into poverty (domain.md §3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf, Round
from django.utils.translation import gettext_lazy as _

from bangfu.households.choices import (
    HEALTH_REASONS,
    MonitoringCategory,
    RiskType,
    SchoolingStatus,
)
from bangfu.households.models import (
    DECLARED_FLAGS,
    DECLARED_INSECURE_Q,
    EXPENSES_Q,
    LABOUR_Q,
    NO_BASIC_INSURANCE_Q,
    UNINSURED_Q,
    UNSAFE_HOUSE_Q,
    UNSAFE_WATER_Q,
    WATER_FLAGS,
    Household,
    HouseholdIncome,
    Person,
)
from bangfu.households.monitoring.rules.base import MONEY, Context, Rule, text


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def first_failing(checks: list[tuple[Q, str]], otherwise: str = "") -> Case:
    """The name of the first check that holds, as text (the finding's detail)."""
    return Case(
        *[When(q, then=text(name)) for q, name in checks],
        default=text(otherwise),
        output_field=CharField(),
    )


def percent(part: Any, whole: Any) -> ExpressionWrapper[Any]:
    """part × 100 ÷ whole, in floating point (SQLite would divide integers as integers)."""
    share = Cast(part, FloatField()) * Value(100.0) / NullIf(Cast(whole, FloatField()), Value(0.0))
    return ExpressionWrapper(Round(share, 2), output_field=MONEY)


class IncomeInRange(Rule):
    code = "INCOME_IN_RANGE"
    weight = 2
    description = _("Per-capita net income within the monitoring range of the province and year.")

    def matches(self, ctx: Context) -> QuerySet[Any]:
        households = Household.objects.filter(per_capita_net_income__lte=self.threshold(ctx))
        highest = ctx.thresholds.highest
        if highest is None:
            return households.none()
        # A constant bound lets the database use the per-capita index before the CASE.
        return households.filter(per_capita_net_income__lte=highest)

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {"value": F("per_capita_net_income"), "threshold": self.threshold(ctx)}


class IncomeDrop(Rule):
    code = "INCOME_DROP"
    weight = 3
    description = _("Per-capita net income fell sharply against the previous year.")
    category_above_range = MonitoringCategory.SUDDEN_HARDSHIP
    household_path = "household__"

    def matches(self, ctx: Context) -> QuerySet[Any]:
        keep = (Decimal("100") - ctx.parameters.drop_percent) / Decimal("100")
        return HouseholdIncome.objects.filter(
            year=F("household__income_year") - 1,
            per_capita_net_income__gt=0,
            household__per_capita_net_income__lte=ExpressionWrapper(
                F("per_capita_net_income") * Value(keep, output_field=MONEY), output_field=MONEY
            ),
        )

    def explain(self, ctx: Context) -> dict[str, Any]:
        drop = percent(
            F("per_capita_net_income") - F("household__per_capita_net_income"),
            F("per_capita_net_income"),
        )
        return {
            "value": drop,
            "threshold": Value(ctx.parameters.drop_percent, output_field=MONEY),
            "reference": F("per_capita_net_income"),
        }


EXPENSES = F("medical_out_of_pocket") + F("education_expenses") + F("disaster_losses")


class LargeExpenses(Rule):
    code = "LARGE_EXPENSES"
    weight = 2
    description = _("Large unavoidable medical, schooling or disaster expenses against net income.")
    category_above_range = MonitoringCategory.SUDDEN_HARDSHIP
    risk_types = (RiskType.ILLNESS, RiskType.SCHOOLING, RiskType.NATURAL_DISASTER)

    def limit(self, ctx: Context) -> Any:
        ratio = Value(ctx.parameters.expense_ratio, output_field=MONEY)
        return ExpressionWrapper(F("net_income") * ratio, output_field=MONEY)

    def matches(self, ctx: Context) -> QuerySet[Any]:
        # EXPENSES_Q first: the partial index household_expenses holds just those rows.
        return (
            Household.objects.filter(EXPENSES_Q)
            .alias(expenses=EXPENSES)
            .filter(expenses__gte=self.limit(ctx))
        )

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {
            "value": ExpressionWrapper(EXPENSES, output_field=MONEY),
            "threshold": self.limit(ctx),
            "reference": F("net_income"),
            "detail": first_failing(
                [
                    (
                        Q(medical_out_of_pocket__gte=F("education_expenses"))
                        & Q(medical_out_of_pocket__gte=F("disaster_losses")),
                        "medical_out_of_pocket",
                    ),
                    (Q(education_expenses__gte=F("disaster_losses")), "education_expenses"),
                ],
                otherwise="disaster_losses",
            ),
        }


class ChildOutOfSchool(Rule):
    code = "CHILD_OUT_OF_SCHOOL"
    description = _("A child aged 6–16 out of school for a reason other than health.")
    risk_types = (RiskType.SCHOOLING,)
    household_path = "household__"
    per_person = True

    def matches(self, ctx: Context) -> QuerySet[Any]:
        return Person.objects.filter(
            birth_date__gt=years_before(ctx.as_of, 17),
            birth_date__lte=years_before(ctx.as_of, 6),
            schooling_status__in=[SchoolingStatus.DROPPED_OUT, SchoolingStatus.NOT_IN_SCHOOL],
        ).exclude(out_of_school_reason__in=sorted(HEALTH_REASONS))

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {"detail": F("schooling_status")}


class NoMedicalInsurance(Rule):
    code = "NO_MEDICAL_INSURANCE"
    weight = 4
    description = _("A member without basic medical or critical-illness insurance.")
    risk_types = (RiskType.ILLNESS,)
    household_path = "household__"
    per_person = True

    NO_BASIC = NO_BASIC_INSURANCE_Q

    def matches(self, ctx: Context) -> QuerySet[Any]:
        return Person.objects.filter(UNINSURED_Q)  # the partial index person_uninsured_flags_id

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {
            "detail": first_failing(
                [
                    (self.NO_BASIC & Q(critical_illness_insurance=False), "basic,critical"),
                    (self.NO_BASIC, "basic"),
                ],
                otherwise="critical",
            )
        }


class DangerousHouse(Rule):
    code = "DANGEROUS_HOUSE"
    description = _("The house is graded C or D (危房) or declared unsafe.")
    risk_types = (RiskType.HOUSING,)

    def matches(self, ctx: Context) -> QuerySet[Any]:
        return Household.objects.filter(UNSAFE_HOUSE_Q)

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {"detail": F("dangerous_house_grade")}


class UnsafeWater(Rule):
    code = "UNSAFE_WATER"
    description = _("Drinking water fails quantity, quality, convenience or reliability.")
    risk_types = (RiskType.DRINKING_WATER,)

    def matches(self, ctx: Context) -> QuerySet[Any]:
        return Household.objects.filter(UNSAFE_WATER_Q)

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {"detail": first_failing([(Q(**{flag: False}), flag) for flag in WATER_FLAGS])}


class DeclaredInsecure(Rule):
    code = "DECLARED_INSECURE"
    description = _(
        "Food and clothing, compulsory education or basic medical care declared insecure."
    )
    risk_types = (RiskType.OTHER,)

    def matches(self, ctx: Context) -> QuerySet[Any]:
        return Household.objects.filter(DECLARED_INSECURE_Q)

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {"detail": first_failing([(Q(**{flag: False}), flag) for flag in DECLARED_FLAGS])}


GROSS = F("wage_income") + F("business_income") + F("property_income") + F("transfer_income")


class UnstableWork(Rule):
    code = "UNSTABLE_WORK"
    weight = 6
    description = _(
        "Wages are most of the income, but no member works six months a year or holds a "
        "public-welfare job."
    )
    risk_types = (RiskType.UNSTABLE_WORK,)

    def matches(self, ctx: Context) -> QuerySet[Any]:
        p = ctx.parameters
        steady = Person.objects.filter(household=OuterRef("pk")).filter(
            Q(months_worked_away__gte=p.unstable_months) | Q(public_welfare_job=True)
        )
        share = Value(p.unstable_wage_share / Decimal("100"), output_field=MONEY)
        return (
            Household.objects.alias(gross=GROSS)
            .filter(
                wage_income__gt=0,
                wage_income__gte=ExpressionWrapper(F("gross") * share, output_field=MONEY),
            )
            .exclude(Exists(steady))
        )

    def explain(self, ctx: Context) -> dict[str, Any]:
        return {
            "value": percent(F("wage_income"), GROSS),
            "threshold": Value(ctx.parameters.unstable_wage_share, output_field=MONEY),
        }


class NoLabour(Rule):
    code = "NO_LABOUR"
    weight = 5
    description = _("No member of the household is able to work.")
    risk_types = (RiskType.NO_LABOUR,)

    def matches(self, ctx: Context) -> QuerySet[Any]:
        labour = Person.objects.filter(LABOUR_Q, household=OuterRef("pk"))
        return Household.objects.exclude(Exists(labour))


RISK_RULES: tuple[Rule, ...] = (
    IncomeInRange(),
    IncomeDrop(),
    LargeExpenses(),
    ChildOutOfSchool(),
    NoMedicalInsurance(),
    DangerousHouse(),
    UnsafeWater(),
    DeclaredInsecure(),
    UnstableWork(),
    NoLabour(),
)
