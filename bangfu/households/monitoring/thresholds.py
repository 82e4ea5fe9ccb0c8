"""The monitoring range as a CASE expression, for rules whose subject is not the household.

`selectors.threshold_expression()` gives each household its threshold through two correlated
subqueries. That reads well but costs two lookups per row and only works on a Household
queryset. A run reads the whole (small) Threshold table once and turns it into one CASE
expression that any queryset can use through a path (`household__village_id`): the province's
own figure for the income year, else the national floor of that year or the latest earlier one,
else NULL. The two agree on every household (tests/test_monitoring_thresholds.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, Expression, Q, Value, When
from django.db.models.functions import Cast

from bangfu.households.models import Threshold

AMOUNT: DecimalField[Decimal, Decimal] = DecimalField(max_digits=10, decimal_places=2)


@dataclass(frozen=True)
class ThresholdTable:
    # (province two-digit prefix, year) → amount, and the national floors by year.
    provinces: tuple[tuple[str, int, Decimal], ...] = ()
    floors: tuple[tuple[int, Decimal], ...] = ()

    @classmethod
    def load(cls) -> ThresholdTable:
        rows = Threshold.objects.order_by("year", "province_id").values_list(
            "province_id", "year", "yuan_per_person"
        )
        provinces: list[tuple[str, int, Decimal]] = []
        floors: list[tuple[int, Decimal]] = []
        for province, year, amount in rows:
            if province is None:
                floors.append((year, amount))
            else:
                provinces.append((province[:2], year, amount))
        return cls(tuple(provinces), tuple(floors))

    @property
    def highest(self) -> Decimal | None:
        amounts = [a for *_, a in self.provinces] + [a for _, a in self.floors]
        return max(amounts) if amounts else None

    def amount_for(self, *, village_code: str, year: int) -> Decimal | None:
        """The same choice in Python (for one household; used by the baseline and tests)."""
        for prefix, province_year, amount in self.provinces:
            if prefix == village_code[:2] and province_year == year:
                return amount
        earlier = [(y, a) for y, a in self.floors if y <= year]
        return max(earlier)[1] if earlier else None

    def expression(
        self, *, village: str = "village__code", year: str = "income_year"
    ) -> Expression:
        whens: list[Any] = [
            When(
                Q(**{f"{village}__startswith": prefix, year: province_year}),
                then=Value(amount, output_field=AMOUNT),
            )
            for prefix, province_year, amount in self.provinces
        ]
        # Latest floor first, so the first match is the latest floor not after the income year.
        whens += [
            When(Q(**{f"{year}__gte": floor_year}), then=Value(amount, output_field=AMOUNT))
            for floor_year, amount in sorted(self.floors, reverse=True)
        ]
        if not whens:
            return Cast(Value(None), AMOUNT)
        return Case(*whens, default=None, output_field=AMOUNT)
