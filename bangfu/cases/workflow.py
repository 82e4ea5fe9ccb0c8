"""The case workflow of domain.md §3 as an explicit state machine. Pure: no database access.

`TRANSITIONS` lists every allowed move with the role it needs. `failed_criteria` takes the facts
of a case (a `CaseFacts`, built by the service from the database) and the data of the step, and
returns the list of criteria that do not hold, each as a sentence the user can act on. An empty
list means the move is allowed. `due_on` gives the deadline of the case's current step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.models import Role
from bangfu.cases.choices import (
    GREEN_CHANNEL_RISKS,
    IDENTIFICATION_STATES,
    MATCHING_MEASURES,
    MAX_RISK_TYPES,
    CaseState,
    ComparisonResult,
    EliminationWay,
    ReviewResult,
    RiskType,
)
from bangfu.households.choices import (
    DEVELOPMENT_MEASURES,
    HouseholdType,
    MeasureCategory,
    MonitoringCategory,
)
from bangfu.regions.codes import Level

S = CaseState
MINIMUM_NOTICE_DAYS = 5
MINIMUM_MONITORED_MONTHS = 6
# The 三保障 and water flags that must all be True before a risk is eliminated.
SECURITY_FLAGS: dict[str, Any] = {
    "food_clothing_secure": gettext_lazy("food and clothing"),
    "compulsory_education_secure": gettext_lazy("compulsory education"),
    "basic_medical_secure": gettext_lazy("basic medical care"),
    "housing_secure": gettext_lazy("safe housing"),
    "drinking_water_secure": gettext_lazy("safe drinking water"),
}


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[CaseState, ...]
    target: CaseState
    role: Role
    label: Any
    # A reviewer's region must be at this level or above (township review, county approval).
    min_level: Level | None = None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("verify", (S.CLUE,), S.VERIFIED, Role.DATA_ENTRY, gettext_lazy("Home verification")),
    Transition(
        "compare", (S.VERIFIED,), S.COMPARED, Role.DATA_ENTRY, gettext_lazy("Data comparison")
    ),
    Transition(
        "review", (S.COMPARED,), S.REVIEWED, Role.DATA_ENTRY, gettext_lazy("Democratic review")
    ),
    Transition("notice", (S.REVIEWED,), S.NOTICE, Role.DATA_ENTRY, gettext_lazy("Village notice")),
    Transition(
        "township_review",
        (S.NOTICE,),
        S.TOWNSHIP_REVIEWED,
        Role.REVIEWER,
        gettext_lazy("Township review"),
        Level.TOWNSHIP,
    ),
    Transition(
        "county_approve",
        (S.TOWNSHIP_REVIEWED,),
        S.COUNTY_APPROVED,
        Role.REVIEWER,
        gettext_lazy("County approval"),
        Level.COUNTY,
    ),
    Transition("record", (S.COUNTY_APPROVED,), S.RECORDED, Role.DATA_ENTRY, gettext_lazy("Record")),
    Transition(
        "measures_in_place",
        (S.RECORDED,),
        S.ASSISTED,
        Role.DATA_ENTRY,
        gettext_lazy("Measures in place"),
    ),
    Transition(
        "elimination_check",
        (S.ASSISTED,),
        S.ELIMINATION_CHECKED,
        Role.DATA_ENTRY,
        gettext_lazy("Risk elimination: home check"),
    ),
    Transition(
        "elimination_notice",
        (S.ELIMINATION_CHECKED,),
        S.ELIMINATION_NOTICE,
        Role.DATA_ENTRY,
        gettext_lazy("Risk elimination: review and notice"),
    ),
    Transition(
        "elimination_township",
        (S.ELIMINATION_NOTICE,),
        S.ELIMINATION_TOWNSHIP,
        Role.REVIEWER,
        gettext_lazy("Risk elimination: township review"),
        Level.TOWNSHIP,
    ),
    Transition(
        "eliminate",
        (S.ELIMINATION_TOWNSHIP,),
        S.ELIMINATED,
        Role.REVIEWER,
        gettext_lazy("Risk elimination: county approval"),
        Level.COUNTY,
    ),
    Transition(
        "withdraw_elimination",
        (S.ELIMINATION_CHECKED, S.ELIMINATION_NOTICE, S.ELIMINATION_TOWNSHIP),
        S.ASSISTED,
        Role.DATA_ENTRY,
        gettext_lazy("Withdraw the elimination"),
    ),
    Transition(
        "dismiss", IDENTIFICATION_STATES, S.DISMISSED, Role.DATA_ENTRY, gettext_lazy("Dismiss")
    ),
)
LEVEL_RANK = {
    Level.PROVINCE: 0,
    Level.PREFECTURE: 1,
    Level.COUNTY: 2,
    Level.TOWNSHIP: 3,
    Level.VILLAGE: 4,
}
# States in which measures and visits may be recorded (outside the green channel).
ASSISTANCE_STATES = (
    S.RECORDED,
    S.ASSISTED,
    S.ELIMINATION_CHECKED,
    S.ELIMINATION_NOTICE,
    S.ELIMINATION_TOWNSHIP,
)


def transition_between(source: str, target: str) -> Transition | None:
    for transition in TRANSITIONS:
        if source in transition.sources and transition.target == target:
            return transition
    return None


def transitions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if state in t.sources]


def level_allows(user_level: str | None, min_level: Level | None) -> bool:
    """True when a user at `user_level` (None: the whole country) may act at `min_level`."""
    if min_level is None or user_level is None:
        return True
    return LEVEL_RANK[Level(user_level)] <= LEVEL_RANK[min_level]


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need to know about a case and its household."""

    state: str
    opened_on: dt.date
    last_step_on: dt.date
    household_type: str
    green_channel: bool = False
    risk_types: tuple[str, ...] = ()
    comparison_result: str = ""
    review_result: str = ""
    notice_end: dt.date | None = None
    elimination_notice_end: dt.date | None = None
    identified_on: dt.date | None = None
    measure_categories: frozenset[str] = frozenset()
    has_working_age_labour: bool = True
    per_capita_income: Decimal = Decimal("0")
    income_year: int = 0
    threshold: Decimal | None = None
    security: Mapping[str, bool | None] = field(default_factory=dict)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from `start` to `end` (15 Jan → 14 Jul is 5, → 15 Jul is 6)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months


def notice_days(start: dt.date, end: dt.date) -> int:
    """Days a notice is posted, both ends included (1–5 March is 5 days)."""
    return (end - start).days + 1


# Guards of each transition ------------------------------------------------------------------

Guard = Callable[[CaseFacts, Mapping[str, Any], dt.date], list[str]]


def _verify(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    failures = []
    if step.get("signer") is None:
        failures.append(_("the signed authorisation needs the household member who signed it"))
    if not step.get("authorisation_scan"):
        failures.append(_("the scan of the signed authorisation (承诺授权书) is missing"))
    return failures


def _compare(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    if step.get("result") not in ComparisonResult.values:
        return [_("the result of the data comparison is missing")]
    return []


def _review(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    failures = []
    if facts.comparison_result == ComparisonResult.NOT_ELIGIBLE:
        failures.append(
            _("the data comparison found the household not eligible; dismiss the case instead")
        )
    if step.get("result") not in ReviewResult.values:
        failures.append(_("the result of the democratic review is missing"))
    return failures


def _notice_period(step: Mapping[str, Any], on: dt.date) -> list[str]:
    start, end = step.get("notice_start"), step.get("notice_end")
    if start is None or end is None:
        return [_("the notice needs a first and a last day")]
    if end < start:
        return [_("the notice ends before it starts")]
    days = notice_days(start, end)
    if days < MINIMUM_NOTICE_DAYS:
        return [
            _("the notice is posted for %(days)d days; at least %(minimum)d are required")
            % {"days": days, "minimum": MINIMUM_NOTICE_DAYS}
        ]
    if start < on:
        return [_("the notice cannot start before the day it is posted")]
    return []


def _notice(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    failures = []
    if facts.review_result != ReviewResult.AGREED:
        failures.append(_("the democratic review did not agree; dismiss the case instead"))
    return failures + _notice_period(step, on)


def _after_notice(notice_end: dt.date | None, step: Mapping[str, Any], on: dt.date) -> list[str]:
    failures = []
    if notice_end is not None and on <= notice_end:
        failures.append(
            _("the notice runs until %(end)s; the review can only follow it")
            % {"end": notice_end.isoformat()}
        )
    if step.get("objections") and not step.get("objection_handling"):
        failures.append(_("objections were raised; record how they were handled"))
    return failures


def _township_review(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    return _after_notice(facts.notice_end, step, on)


def _county_approve(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    return []


def _record(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    failures = []
    category = step.get("monitoring_category") or ""
    risks = list(step.get("risk_types") or facts.risk_types)
    if category not in MonitoringCategory.values or category == MonitoringCategory.NONE:
        failures.append(_("choose the monitoring category"))
    elif (
        category == MonitoringCategory.UNSTABLE
        and facts.household_type != HouseholdType.POVERTY_EXITED
    ):
        failures.append(_("only a household out of poverty (脱贫户) can be 脱贫不稳定户"))
    elif category == MonitoringCategory.MARGINAL and facts.household_type != HouseholdType.ORDINARY:
        failures.append(_("only an ordinary household (一般农户) can be 边缘易致贫户"))
    failures.extend(risk_type_failures(risks))
    return failures


def risk_type_failures(risks: list[str]) -> list[str]:
    if not risks:
        return [_("record at least one risk type")]
    failures = []
    if len(risks) > MAX_RISK_TYPES:
        failures.append(
            _("%(count)d risk types given; at most %(maximum)d are allowed")
            % {"count": len(risks), "maximum": MAX_RISK_TYPES}
        )
    if len(set(risks)) != len(risks):
        failures.append(_("a risk type is given twice"))
    unknown = [r for r in risks if r not in RiskType.values]
    if unknown:
        failures.append(_("unknown risk type: %(risk)s") % {"risk": ", ".join(unknown)})
    return failures


def measure_failures(facts: CaseFacts) -> list[str]:
    """At least one measure, each risk type matched, development-type when there is labour."""
    if not facts.measure_categories:
        return [_("no assistance measure is recorded; at least 1 is required")]
    failures = []
    for risk in facts.risk_types:
        matching = MATCHING_MEASURES.get(risk, ())
        if matching and not facts.measure_categories & set(matching):
            failures.append(
                _("risk type %(risk)s has no matching measure (%(measures)s)")
                % {
                    "risk": RiskType(risk).label,
                    "measures": _(" or ").join(str(MeasureCategory(m).label) for m in matching),
                }
            )
    if facts.has_working_age_labour and not facts.measure_categories & DEVELOPMENT_MEASURES:
        failures.append(
            _(
                "the household has labour but no development-type measure "
                "(产业, 就业, 金融 or 公益岗位)"
            )
        )
    return failures


def _measures_in_place(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    return measure_failures(facts)


def elimination_failures(facts: CaseFacts, on: dt.date) -> list[str]:
    """Every criterion of domain.md §3 for risk elimination that does not hold on `on`."""
    failures = []
    months = months_between(facts.identified_on, on) if facts.identified_on else 0
    if months < MINIMUM_MONITORED_MONTHS:
        failures.append(
            _("monitored for %(months)d months; at least %(minimum)d are required")
            % {"months": months, "minimum": MINIMUM_MONITORED_MONTHS}
        )
    if not facts.measure_categories:
        failures.append(_("no assistance measure is recorded; at least 1 is required"))
    if facts.threshold is None:
        failures.append(
            _("no monitoring threshold is set for %(year)d") % {"year": facts.income_year}
        )
    elif facts.per_capita_income <= facts.threshold:
        failures.append(
            _(
                "per-capita net income %(income)s yuan is not above the %(year)d threshold "
                "of %(threshold)s yuan"
            )
            % {
                "income": facts.per_capita_income,
                "year": facts.income_year,
                "threshold": facts.threshold,
            }
        )
    for flag, label in SECURITY_FLAGS.items():
        value = facts.security.get(flag)
        if value is None:
            failures.append(_("%(what)s has not been assessed") % {"what": label})
        elif not value:
            failures.append(_("%(what)s is not secure") % {"what": label})
    if not facts.has_working_age_labour:
        failures.append(_("the household has no working-age labour and stays monitored"))
    return failures


def _elimination_check(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    failures = elimination_failures(facts, on)
    if step.get("way") not in EliminationWay.values:
        failures.append(_("choose how the risk was eliminated (帮扶消除 or 自然消除)"))
    return failures


def _elimination_notice(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    failures = []
    if step.get("result") != ReviewResult.AGREED:
        failures.append(_("the review did not agree to the elimination"))
    return failures + _notice_period(step, on)


def _elimination_township(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    return _after_notice(facts.elimination_notice_end, step, on)


def _eliminate(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    # Checked again: income or 三保障 may have changed since the home check.
    return elimination_failures(facts, on)


def _needs_reason(facts: CaseFacts, step: Mapping[str, Any], on: dt.date) -> list[str]:
    return [] if (step.get("reason") or "").strip() else [_("give the reason")]


GUARDS: dict[str, Guard] = {
    "verify": _verify,
    "compare": _compare,
    "review": _review,
    "notice": _notice,
    "township_review": _township_review,
    "county_approve": _county_approve,
    "record": _record,
    "measures_in_place": _measures_in_place,
    "elimination_check": _elimination_check,
    "elimination_notice": _elimination_notice,
    "elimination_township": _elimination_township,
    "eliminate": _eliminate,
    "withdraw_elimination": _needs_reason,
    "dismiss": _needs_reason,
}


def failed_criteria(
    facts: CaseFacts, target: str, step: Mapping[str, Any], *, today: dt.date
) -> list[str]:
    """Why the case may not move to `target` with this step data; empty when it may."""
    transition = transition_between(facts.state, target)
    if transition is None:
        return [
            _("a case in state “%(state)s” cannot move to “%(target)s”")
            % {"state": CaseState(facts.state).label, "target": _label(target)}
        ]
    on = step.get("date") or today
    failures = []
    if on > today:
        failures.append(_("the step's date %(date)s lies in the future") % {"date": on.isoformat()})
    if on < facts.last_step_on:
        failures.append(
            _("the step's date %(date)s is before the previous step (%(previous)s)")
            % {"date": on.isoformat(), "previous": facts.last_step_on.isoformat()}
        )
    return failures + GUARDS[transition.name](facts, step, on)


def _label(state: str) -> str:
    return str(CaseState(state).label) if state in CaseState.values else state


# Assistance before and during monitoring ------------------------------------------------------


def assistance_failures(facts: CaseFacts) -> list[str]:
    """Why no measure or visit may be recorded now (the green channel opens identification)."""
    if facts.state in ASSISTANCE_STATES:
        return []
    if facts.state in IDENTIFICATION_STATES:
        if facts.green_channel:
            return []
        return [
            _(
                "assistance starts once the household is recorded; only disasters and accidents "
                "(green channel) may start earlier"
            )
        ]
    return [_("the case is closed")]


def green_channel_failures(risks: list[str]) -> list[str]:
    if any(risk in GREEN_CHANNEL_RISKS for risk in risks):
        return []
    return [
        _("the green channel is only for natural disasters (因自然灾害) and accidents (因意外事故)")
    ]


# Deadlines ----------------------------------------------------------------------------------


def due_on(
    facts: CaseFacts, *, identification_days: int, first_measure_days: int
) -> dt.date | None:
    """The deadline of the current step: identification as a whole, then the first measure."""
    if facts.state in IDENTIFICATION_STATES:
        return facts.opened_on + dt.timedelta(days=identification_days)
    if facts.state == S.RECORDED and not facts.measure_categories and facts.identified_on:
        return facts.identified_on + dt.timedelta(days=first_measure_days)
    return None
