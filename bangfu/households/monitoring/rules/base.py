"""The one interface every monitoring rule implements, and the context a run gives them.

A rule selects the rows it fires on as a queryset, evaluated inside the database. `Rule.findings`
turns that queryset into rows with the columns of a `Finding` (household, person, village,
suggested category, value, threshold, reference, detail), which the run copies into the findings
table with one INSERT … SELECT. No rule ever loads a household into Python.

A rule's subject is the model its queryset starts from: `Household`, `Person` (one finding per
member, e.g. a child out of school), or another table pointing at the household
(`HouseholdIncome`, `HouseholdRisk`); `household_path` says how to reach the household from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DecimalField,
    Expression,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils.functional import Promise as StrPromise

from bangfu.households.choices import HouseholdType, MonitoringCategory, RiskType
from bangfu.households.models import RuleKind
from bangfu.households.monitoring.thresholds import ThresholdTable

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
# The columns every rule's findings queryset yields, in the order the run inserts them.
FINDING_COLUMNS = (
    "f_household",
    "f_person",
    "f_village",
    "f_category",
    "f_value",
    "f_threshold",
    "f_reference",
    "f_detail",
)


@dataclass(frozen=True)
class Parameters:
    """The configurable limits of the rules (stored with each run)."""

    drop_percent: Decimal = Decimal("30")  # sharp drop: per-capita income fell by at least this
    expense_ratio: Decimal = Decimal("0.5")  # large expenses: at least this share of net income
    unstable_wage_share: Decimal = Decimal("60")  # % of gross income from wages ...
    unstable_months: int = 6  # ... while nobody worked away this many months or more
    measure_within_days: int = 31  # a measure within a month of identification
    elimination_min_days: int = 183  # six months between identification and elimination
    high_income_at_identification: Decimal = Decimal("20000")

    def as_json(self) -> dict[str, Any]:
        return {name: str(value) for name, value in self.__dict__.items()}


@dataclass(frozen=True)
class Context:
    """What a run hands every rule: the date, the region and the parameters."""

    as_of: dt.date
    region_prefix: str | None = None  # None: every household
    parameters: Parameters = field(default_factory=Parameters)
    thresholds: ThresholdTable = field(default_factory=ThresholdTable.load)


def null_id() -> Expression:
    # A typed NULL: PostgreSQL would otherwise type a bare NULL in a subquery as text.
    return Cast(Value(None), BigIntegerField())


def null_money() -> Expression:
    return Cast(Value(None), MONEY)


def text(value: str) -> Value:
    return Value(value, output_field=CharField())


class Rule:
    """A small, named, versioned rule. Subclasses set the class attributes and `matches`."""

    code: ClassVar[str]
    version: ClassVar[int] = 1
    effective_from: ClassVar[dt.date] = dt.date(2021, 1, 1)
    effective_to: ClassVar[dt.date | None] = None
    kind: ClassVar[RuleKind] = RuleKind.RISK
    description: ClassVar[str | StrPromise]
    risk_types: ClassVar[tuple[RiskType, ...]] = ()
    # Category when the household's income is above the range (the range itself decides below).
    category_above_range: ClassVar[str] = ""
    household_path: ClassVar[str] = ""  # "" when the subject is the household itself
    per_person: ClassVar[bool] = False  # the subject is a Person: one finding per member
    # Roughly how long the rule takes against the cheapest ones (seconds at a million
    # households on PostgreSQL, rounded up): parallel readers take the heaviest first, so no
    # long rule is left for the end. Only the order depends on it, never the findings.
    weight: ClassVar[int] = 1

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    def is_effective(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    # To implement -----------------------------------------------------------------------------

    def matches(self, ctx: Context) -> QuerySet[Any]:
        """The subject rows the rule fires on, annotated with what `explain` reads."""
        raise NotImplementedError

    def explain(self, ctx: Context) -> dict[str, Any]:
        """Expressions for value, threshold, reference and detail (any may be left out)."""
        return {}

    # Shared -----------------------------------------------------------------------------------

    def h(self, name: str) -> str:
        """A household field's path from the subject."""
        return f"{self.household_path}{name}"

    def in_region(self, queryset: QuerySet[Any], ctx: Context) -> QuerySet[Any]:
        if ctx.region_prefix:
            return queryset.filter(**{self.h("village__code__startswith"): ctx.region_prefix})
        return queryset

    def threshold(self, ctx: Context) -> Expression:
        return ctx.thresholds.expression(
            village=self.h("village__code"), year=self.h("income_year")
        )

    def category(self, ctx: Context) -> Expression:
        """Within the range: by household type; above it: `category_above_range`."""
        if self.kind == RuleKind.DATA_QUALITY:
            return text("")
        return Case(
            When(
                Q(**{f"{self.h('per_capita_net_income')}__lte": self.threshold(ctx)}),
                then=Case(
                    When(
                        Q(**{self.h("household_type"): HouseholdType.POVERTY_EXITED}),
                        then=text(MonitoringCategory.UNSTABLE),
                    ),
                    default=text(MonitoringCategory.MARGINAL),
                ),
            ),
            default=text(self.category_above_range),
            output_field=CharField(),
        )

    def findings(self, ctx: Context) -> QuerySet[Any]:
        """Rows shaped like a Finding (see FINDING_COLUMNS), ready for INSERT … SELECT."""
        explained = {
            "f_value": null_money(),
            "f_threshold": null_money(),
            "f_reference": null_money(),
            "f_detail": text(""),
            **{f"f_{name}": value for name, value in self.explain(ctx).items()},
        }
        columns: dict[str, Any] = {
            "f_household": F(self.h("id")) if self.household_path else F("pk"),
            "f_person": F("pk") if self.per_person else null_id(),
            "f_village": F(self.h("village_id")),
            "f_category": self.category(ctx),
            **explained,
        }
        queryset = self.in_region(self.matches(ctx), ctx).order_by()
        return queryset.values(**{name: columns[name] for name in FINDING_COLUMNS})

    def __repr__(self) -> str:
        return f"<Rule {self.key}>"
