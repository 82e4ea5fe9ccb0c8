"""Cases for tests, moved along the workflow through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import SYSTEM
from bangfu.cases import services
from bangfu.cases.choices import CaseSource, CaseState
from bangfu.cases.models import Case
from bangfu.core.testing import get_region, make_user
from bangfu.households.choices import MeasureCategory, MonitoringCategory
from bangfu.households.models import Household
from bangfu.households.tests.helpers import TONGLE, make_household, make_id, make_person

TOWNSHIP = "451223101000"  # 长洲镇, above TONGLE
PLAIN_ID = make_id(dt.date(1980, 5, 17), sequence=123)  # a working-age head
PHONE = "13812341234"
BANK = "622202020011"
SECURE = {
    "food_clothing_secure": True,
    "compulsory_education_secure": True,
    "basic_medical_secure": True,
    "housing_secure": True,
    "drinking_water_secure": True,
}


def today() -> dt.date:
    return timezone.localdate()


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def reviewer(region_code: str = "451223000000", **kwargs: Any) -> Any:
    return make_user(region=get_region(region_code), roles=[Role.VIEWER, Role.REVIEWER], **kwargs)


def monitored_household(**fields: Any) -> Household:
    """A household out of poverty above the range, secure, with a working-age head."""
    values: dict[str, Any] = {"wage_income": Decimal("40000"), **SECURE}
    values.update(fields)
    household = make_household(TONGLE, **values)
    make_person(household, name="张三", id_number=PLAIN_ID, phone=PHONE, bank_account=BANK)
    return household


def scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("authorisation.pdf", b"%PDF-1.4 signed", "application/pdf")


# Dates of the standard path, counted back from today: identification 400 days ago, elimination
# about seven months after it, so every step lies in the past.
START = 400


def path_steps(household: Household) -> list[tuple[CaseState, dict[str, Any]]]:
    head = household.persons.get()
    d = days_ago
    return [
        (
            CaseState.VERIFIED,
            {"date": d(START - 1), "signer": head.pk, "authorisation_scan": scan()},
        ),
        (CaseState.COMPARED, {"date": d(START - 2), "result": "consistent"}),
        (CaseState.REVIEWED, {"date": d(START - 3), "result": "agreed"}),
        (
            CaseState.NOTICE,
            {"date": d(START - 4), "notice_start": d(START - 4), "notice_end": d(START - 8)},
        ),
        (CaseState.TOWNSHIP_REVIEWED, {"date": d(START - 9)}),
        (CaseState.COUNTY_APPROVED, {"date": d(START - 10)}),
        (
            CaseState.RECORDED,
            {"date": d(START - 11), "monitoring_category": MonitoringCategory.UNSTABLE},
        ),
        (CaseState.ASSISTED, {"date": d(START - 13)}),
        (CaseState.ELIMINATION_CHECKED, {"date": d(START - 220), "way": "by_assistance"}),
        (
            CaseState.ELIMINATION_NOTICE,
            {
                "date": d(START - 221),
                "result": "agreed",
                "notice_start": d(START - 221),
                "notice_end": d(START - 225),
            },
        ),
        (CaseState.ELIMINATION_TOWNSHIP, {"date": d(START - 226)}),
        (CaseState.ELIMINATED, {"date": d(START - 227)}),
    ]


def open_case(household: Household | None = None, **fields: Any) -> Case:
    values: dict[str, Any] = {
        "source": CaseSource.CADRE_VISIT,
        "opened_on": days_ago(START),
        "risk_types": ["illness"],
    }
    values.update(fields)
    return services.case_open(actor=SYSTEM, household=household or monitored_household(), **values)


def case_in(state: CaseState, household: Household | None = None, **fields: Any) -> Case:
    """A case moved by the platform along the standard path until it reaches `state`."""
    case = open_case(household, **fields)
    for target, step in path_steps(case.household):
        if case.state == state:
            break
        if target == CaseState.ASSISTED:
            for category in (MeasureCategory.HEALTH, MeasureCategory.EMPLOYMENT):
                services.case_measure_add(
                    actor=SYSTEM, case=case, category=category, date=days_ago(START - 12)
                )
        case = services.case_advance(actor=SYSTEM, case=case, to_state=target, **step)
    assert case.state == state
    return case
