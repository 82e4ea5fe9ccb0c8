"""Households for tests, created through the services as the platform."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from bangfu.accounts.scopes import SYSTEM
from bangfu.core.testing import get_region
from bangfu.households import services
from bangfu.households.choices import HouseholdType, LabourSkill, Relation
from bangfu.households.idcards import check_character
from bangfu.households.models import Household, Person

TONGLE = "451223101201"  # a village of 凤山县 (Alice's county)
NAYONG_VILLAGE = "520525100201"  # a village of 纳雍县 (nobody's county here)

_numbers = itertools.count(1)


def make_id(born: dt.date = dt.date(1980, 5, 17), sequence: int = 13, area: str = "451223") -> str:
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def make_household(village_code: str = TONGLE, **fields: Any) -> Household:
    values: dict[str, Any] = {
        "number": f"45122310120100{next(_numbers):04d}",
        "village": get_region(village_code),
        "household_type": HouseholdType.POVERTY_EXITED,
        "household_size": 4,
        "income_year": 2023,
        "wage_income": Decimal("20000"),
        "transfer_income": Decimal("4000"),
    }
    values.update(fields)
    return services.household_create(actor=SYSTEM, **values)


def make_person(household: Household, **fields: Any) -> Person:
    values: dict[str, Any] = {
        "name": "韦小宝",
        "id_number": make_id(),
        "relation": Relation.HEAD,
        "labour_skill": LabourSkill.ORDINARY,
    }
    values.update(fields)
    return services.person_create(actor=SYSTEM, household=household, **values)
