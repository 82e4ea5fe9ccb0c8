"""Reads of monitoring cases, always through the user's scope.

Cases follow their household: visible to users whose region subtree holds the village (the
recipient side, village office up to the province). Donor-side users see no case at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.utils import timezone

from bangfu.accounts.models import Role
from bangfu.cases import permissions
from bangfu.cases.choices import IDENTIFICATION_STATES, CaseState
from bangfu.cases.models import Case, CaseMeasure, CaseStep, CaseVisit
from bangfu.cases.workflow import (
    CaseFacts,
    Transition,
    assistance_failures,
    due_on,
    transitions_from,
)
from bangfu.households.choices import LABOUR_SKILLS, MonitoringCategory, Relation
from bangfu.households.models import Household, Person
from bangfu.households.pii import present_person
from bangfu.households.selectors import threshold_amount, village_q
from bangfu.regions.codes import InvalidCode, prefix_of
from bangfu.regions.models import Region

WORKING_AGE = (16, 60)  # years, both included


def visible_cases(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(village_q(user, "household__village__code")).select_related(
        "household", "household__village"
    )


def overdue_q(today: dt.date) -> Q:
    """Cases past their deadline on `today` (see workflow.due_on), as a filter."""
    identification_due = today - dt.timedelta(days=settings.BANGFU_CASE_IDENTIFICATION_DAYS)
    measure_due = today - dt.timedelta(days=settings.BANGFU_CASE_FIRST_MEASURE_DAYS)
    has_measure = Exists(CaseMeasure.objects.filter(case=OuterRef("pk")))
    return Q(state__in=IDENTIFICATION_STATES, opened_on__lt=identification_due) | (
        Q(state=CaseState.RECORDED, identified_on__lt=measure_due) & ~Q(has_measure)
    )


def case_list(
    user: Any,
    *,
    state: str | None = None,
    village: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> QuerySet[Case]:
    """Visible cases, overdue first, then the oldest clue first. Each row has `overdue`."""
    today = today or timezone.localdate()
    cases = visible_cases(user).annotate(
        overdue=CaseWhen(
            When(overdue_q(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    if state:
        cases = cases.filter(state=state)
    if village:
        try:
            prefix = prefix_of(village)
        except InvalidCode:
            return cases.none()
        cases = cases.filter(household__village__code__startswith=prefix)
    if overdue is not None:
        cases = cases.filter(overdue=overdue)
    return cases.order_by("-overdue", "opened_on", "id")


@dataclass(frozen=True)
class OverdueRow:
    case: Case
    due_on: dt.date
    days_late: int


def overdue_report(
    user: Any, *, village: str | None = None, today: dt.date | None = None
) -> list[OverdueRow]:
    """Overdue cases in the user's scope with their deadlines, by state then most late first.

    The deadline is the one of workflow.due_on: identification as a whole counts from the clue,
    the first measure from the day the household was recorded."""
    today = today or timezone.localdate()
    identification = dt.timedelta(days=settings.BANGFU_CASE_IDENTIFICATION_DAYS)
    first_measure = dt.timedelta(days=settings.BANGFU_CASE_FIRST_MEASURE_DAYS)
    rows = []
    for case in case_list(user, village=village, overdue=True, today=today):
        if case.state in IDENTIFICATION_STATES:
            due = case.opened_on + identification
        else:
            assert case.identified_on is not None
            due = case.identified_on + first_measure
        rows.append(OverdueRow(case=case, due_on=due, days_late=(today - due).days))
    order = {state: index for index, state in enumerate(CaseState.values)}
    return sorted(rows, key=lambda row: (order[row.case.state], -row.days_late, row.case.pk))


def has_working_age_labour(persons: list[Person], on: dt.date) -> bool:
    youngest, oldest = WORKING_AGE
    for person in persons:
        born = person.birth_date
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        if person.labour_skill in LABOUR_SKILLS and youngest <= age <= oldest:
            return True
    return False


def case_facts(case: Case, *, today: dt.date | None = None) -> CaseFacts:
    """What the workflow's guards need to know, read from the case and its household."""
    today = today or timezone.localdate()
    household: Household = case.household
    last_step = case.steps.order_by("-date").values_list("date", flat=True).first()
    categories = frozenset(case.case_measures.values_list("measure__category", flat=True))
    return CaseFacts(
        state=case.state,
        opened_on=case.opened_on,
        last_step_on=last_step or case.opened_on,
        household_type=household.household_type,
        green_channel=case.green_channel,
        risk_types=tuple(case.risk_types),
        comparison_result=case.comparison_result,
        review_result=case.review_result,
        notice_end=case.notice_end,
        elimination_notice_end=case.elimination_notice_end,
        identified_on=case.identified_on,
        measure_categories=categories,
        has_working_age_labour=has_working_age_labour(list(household.persons.all()), today),
        per_capita_income=household.per_capita_net_income,
        income_year=household.income_year,
        threshold=threshold_amount(region_code=household.village_id, year=household.income_year),
        security={
            "food_clothing_secure": household.food_clothing_secure,
            "compulsory_education_secure": household.compulsory_education_secure,
            "basic_medical_secure": household.basic_medical_secure,
            "housing_secure": household.housing_secure,
            "drinking_water_secure": household.drinking_water_secure,
        },
    )


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    steps: list[CaseStep]
    measures: list[CaseMeasure]
    visits: list[CaseVisit]
    due_on: dt.date | None
    overdue: bool
    actions: list[Transition]  # the moves this user may make from the current state
    may_assist: bool  # may record measures and visits now


def case_detail(user: Any, pk: int, *, today: dt.date | None = None) -> CaseDetail | None:
    today = today or timezone.localdate()
    case = visible_cases(user).filter(pk=pk).first()
    if case is None:
        return None
    facts = case_facts(case, today=today)
    due = due_on(
        facts,
        identification_days=settings.BANGFU_CASE_IDENTIFICATION_DAYS,
        first_measure_days=settings.BANGFU_CASE_FIRST_MEASURE_DAYS,
    )
    village = case.household.village_id
    actions = [
        t
        for t in transitions_from(case.state)
        if not permissions.refusal(user, village, t.role, t.min_level)
    ]
    may_assist = not assistance_failures(facts) and not permissions.refusal(
        user, village, Role.DATA_ENTRY
    )
    return CaseDetail(
        case=case,
        steps=list(case.steps.select_related("actor").order_by("created_at", "id")),
        measures=list(case.case_measures.select_related("measure").order_by("measure__date")),
        visits=list(case.visits.order_by("-date", "-id")),
        due_on=due,
        overdue=due is not None and due < today,
        actions=actions,
        may_assist=may_assist,
    )


# The village notice -------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """What a village notice (公示) shows. Deliberately nothing else: no ID number, phone, bank
    account, health condition or risk type (因病 / 因残 would disclose health)."""

    kind: str  # "identification" or "elimination"
    village: Region
    township: Region | None
    household_number: str
    head_name: str
    head_name_clear: bool
    household_size: int
    monitoring_category: str
    elimination_way: str
    start: dt.date | None
    end: dt.date | None


def notice_for(user: Any, pk: int) -> Notice | None:
    """The case's current village notice, or None if it has none (or is outside the scope)."""
    case = visible_cases(user).filter(pk=pk).first()
    if case is None:
        return None
    if case.state in (CaseState.REVIEWED, CaseState.NOTICE):
        kind, start, end = "identification", case.notice_start, case.notice_end
    elif case.state in (CaseState.ELIMINATION_CHECKED, CaseState.ELIMINATION_NOTICE):
        kind, start, end = "elimination", case.elimination_notice_start, case.elimination_notice_end
    else:
        return None
    household = case.household
    head = household.persons.filter(relation=Relation.HEAD).select_related("household").first()
    # Only the name is taken from the presentation helper: clear with the county's PII grant
    # (the notice is posted in the village under the head's name), masked otherwise.
    shown = present_person(head, user) if head is not None else None
    category = case.monitoring_category
    return Notice(
        kind=kind,
        village=household.village,
        township=household.village.parent,
        household_number=household.number,
        head_name=shown.name if shown else "",
        head_name_clear=bool(shown and shown.clear),
        household_size=household.household_size,
        monitoring_category=str(MonitoringCategory(category).label) if category else "",
        elimination_way=case.get_elimination_way_display() if kind == "elimination" else "",
        start=start,
        end=end,
    )
