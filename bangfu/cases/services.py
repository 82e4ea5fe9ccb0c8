"""Writes of the case workflow. Each checks the actor's permission, asks the workflow's guards,
records a timeline step and an audit row in the same transaction.

A refused move raises ValidationFailed whose "__all__" messages are exactly the criteria that
failed (workflow.failed_criteria); a missing role, scope or level raises PermissionDenied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import SYSTEM
from bangfu.cases import permissions, workflow
from bangfu.cases.choices import (
    IDENTIFICATION_STATES,
    CaseSource,
    CaseState,
    Department,
)
from bangfu.cases.models import Case, CaseMeasure, CaseStep, CaseVisit
from bangfu.cases.selectors import case_facts
from bangfu.core.errors import ValidationFailed
from bangfu.core.models import AuditAction
from bangfu.core.services import audit_record
from bangfu.households import services as household_services
from bangfu.households.choices import MeasureCategory
from bangfu.households.models import Finding, Household, HouseholdRisk, Measure, Person

# What each move may record besides its date.
STEP_FIELDS: dict[str, frozenset[str]] = {
    "verify": frozenset({"signer", "authorisation_scan", "notes"}),
    "compare": frozenset({"result", "notes"}),
    "review": frozenset({"result", "notes"}),
    "notice": frozenset({"notice_start", "notice_end"}),
    "township_review": frozenset({"objections", "objection_handling", "notes"}),
    "county_approve": frozenset({"notes"}),
    "record": frozenset({"monitoring_category", "risk_types", "notes"}),
    "measures_in_place": frozenset({"notes"}),
    "elimination_check": frozenset({"way", "notes"}),
    "elimination_notice": frozenset({"result", "notice_start", "notice_end", "notes"}),
    "elimination_township": frozenset({"objections", "objection_handling", "notes"}),
    "eliminate": frozenset({"notes"}),
    "withdraw_elimination": frozenset({"reason"}),
    "dismiss": frozenset({"reason"}),
}


def _today() -> dt.date:
    return timezone.localdate()


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "pk", None)


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, dt.date):
            result[name] = value.isoformat()
        elif isinstance(value, Person):
            result[name] = value.number  # the person number, never the name
        elif isinstance(value, UploadedFile) or hasattr(value, "read"):
            result[name] = getattr(value, "name", "") or ""
        else:
            result[name] = value
    return result


def _refuse(failures: list[str]) -> None:
    if failures:
        raise ValidationFailed({"__all__": failures})


def _step(case: Case, *, actor: Any, source: str, on: dt.date, data: Mapping[str, Any]) -> None:
    CaseStep.objects.create(
        case=case,
        from_state=source,
        to_state=case.state,
        date=on,
        actor_id=_actor_id(actor),
        data=_jsonable(data),
    )


def case_open(
    *,
    actor: Any,
    household: Household,
    source: CaseSource | str,
    opened_on: dt.date | None = None,
    department: Department | str = "",
    finding: Finding | None = None,
    risk_types: list[str] | None = None,
    green_channel: bool = False,
    notes: str = "",
) -> Case:
    """Open a case on a clue (农户自主申报, 基层干部排查, 部门筛查预警 or a monitoring finding)."""
    permissions.require(actor, household.village_id, Role.DATA_ENTRY)
    today = _today()
    opened_on = opened_on or today
    risks = list(risk_types or [])
    failures: list[str] = []
    if source not in CaseSource.values:
        failures.append(_("choose where the clue came from"))
    if source == CaseSource.DEPARTMENT_ALERT and department not in Department.values:
        failures.append(_("a department alert needs the department that raised it"))
    if source != CaseSource.DEPARTMENT_ALERT and department:
        failures.append(_("only a department alert names a department"))
    if source == CaseSource.MONITORING_FINDING and finding is None:
        failures.append(_("a clue from monitoring needs the finding"))
    if finding is not None and finding.household_id != household.pk:
        failures.append(_("the finding is about another household"))
    if opened_on > today:
        failures.append(_("the clue's date %(date)s lies in the future") % {"date": opened_on})
    if risks:
        failures.extend(workflow.risk_type_failures(risks))
    if green_channel:
        failures.extend(workflow.green_channel_failures(risks))
    open_case = Case.objects.filter(household=household).exclude(
        state__in=[CaseState.ELIMINATED, CaseState.DISMISSED]
    )
    existing = open_case.values_list("pk", flat=True).first()
    if existing is not None:
        failures.append(_("the household already has an open case (%(pk)s)") % {"pk": existing})
    _refuse(failures)
    with transaction.atomic():
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    household=household,
                    source=source,
                    department=department,
                    finding=finding,
                    finding_rule=finding.rule_code if finding is not None else "",
                    opened_on=opened_on,
                    clue_notes=notes,
                    green_channel=green_channel,
                    risk_types=risks,
                )
        except IntegrityError:
            raise ValidationFailed(_("The household already has an open case.")) from None
        _step(case, actor=actor, source="", on=opened_on, data={"source": source, "notes": notes})
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            instance=case,
            after=_jsonable(
                {
                    "state": case.state,
                    "source": source,
                    "department": department,
                    "finding": finding.pk if finding is not None else None,
                    "risk_types": risks,
                    "green_channel": green_channel,
                }
            ),
            region_code=household.village_id,
        )
    return case


def _apply(case: Case, name: str, on: dt.date, step: Mapping[str, Any]) -> None:
    """Copy what the move recorded onto the case's current facts."""
    if name == "verify":
        case.authorised_on, case.authorised_by = on, step["signer"]
        case.authorisation_scan = step["authorisation_scan"]
    elif name == "compare":
        case.compared_on, case.comparison_result = on, step["result"]
    elif name == "review":
        case.reviewed_on, case.review_result = on, step["result"]
    elif name == "notice":
        case.notice_start, case.notice_end = step["notice_start"], step["notice_end"]
    elif name == "township_review":
        case.township_reviewed_on = on
        case.notice_objections = step.get("objections", "")
    elif name == "county_approve":
        case.county_approved_on = on
    elif name == "record":
        case.identified_on = on
        case.monitoring_category = step["monitoring_category"]
        case.risk_types = list(step.get("risk_types") or case.risk_types)
    elif name == "elimination_check":
        case.elimination_checked_on, case.elimination_way = on, step["way"]
    elif name == "elimination_notice":
        case.elimination_notice_start = step["notice_start"]
        case.elimination_notice_end = step["notice_end"]
    elif name == "eliminate":
        case.eliminated_on = on
    elif name == "withdraw_elimination":
        case.elimination_way = ""
        case.elimination_checked_on = None
        case.elimination_notice_start = case.elimination_notice_end = None
    elif name == "dismiss":
        case.closed_reason = step["reason"]


def _sync_household(case: Case, step: str) -> None:
    """Carry the outcome into the registry, where the national system's household fields and
    the monitoring rules read it: category, identification month and risks 1–5 on recording,
    the elimination date on elimination. Written as the platform: the move itself is audited
    with its real actor."""
    household = case.household
    if step == "record":
        household_services.household_update(
            actor=SYSTEM,
            household=household,
            monitoring_category=case.monitoring_category,
            identified_on=case.identified_on,
            eliminated_on=None,
        )
        HouseholdRisk.objects.filter(household=household).delete()
        HouseholdRisk.objects.bulk_create(
            [HouseholdRisk(household=household, risk_type=risk) for risk in case.risk_types]
        )
    elif step == "eliminate":
        household_services.household_update(
            actor=SYSTEM, household=household, eliminated_on=case.eliminated_on
        )


@transaction.atomic
def case_advance(*, actor: Any, case: Case, to_state: CaseState | str, **step_data: Any) -> Case:
    """Move the case to `to_state`, recording the step's data; refused with the failed criteria.

    `step_data` holds `date` (the day the step happened, default today) and the fields of
    STEP_FIELDS for the move; `signer` is a household member (Person or its id).
    """
    case = Case.objects.select_for_update(of=("self",)).select_related("household").get(pk=case.pk)
    transition = workflow.transition_between(case.state, to_state)
    if transition is not None:
        permissions.require(actor, case.household.village_id, transition.role, transition.min_level)
        unknown = sorted(set(step_data) - STEP_FIELDS[transition.name] - {"date"})
        if unknown:
            raise ValidationFailed({n: [_("This field cannot be set here.")] for n in unknown})
    else:
        # Still only users who may see the case learn anything about it.
        permissions.require(actor, case.household.village_id, Role.VIEWER)
    step = dict(step_data)
    if "signer" in step and not isinstance(step["signer"], Person):
        step["signer"] = case.household.persons.filter(pk=step["signer"]).first()
    elif (
        isinstance(step.get("signer"), Person) and step["signer"].household_id != case.household_id
    ):
        step["signer"] = None
    today = _today()
    facts = case_facts(case, today=today)
    _refuse(workflow.failed_criteria(facts, str(to_state), step, today=today))
    assert transition is not None
    on = step.pop("date", None) or today
    source = case.state
    case.state = transition.target
    _apply(case, transition.name, on, step)
    case.save()
    _step(case, actor=actor, source=source, on=on, data=step)
    _sync_household(case, transition.name)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=case,
        before={"state": source},
        after={"state": case.state, "step": transition.name, "date": on.isoformat()}
        | _jsonable(step),
        region_code=case.household.village_id,
    )
    return case


def case_measure_add(
    *,
    actor: Any,
    case: Case,
    category: MeasureCategory | str,
    date: dt.date,
    description: str = "",
) -> CaseMeasure:
    """Record an assistance measure for the case (a household Measure linked to the case).

    Allowed once the household is recorded, or earlier on the green channel (disasters and
    accidents)."""
    permissions.require(actor, case.household.village_id, Role.DATA_ENTRY)
    facts = case_facts(case)
    failures = workflow.assistance_failures(facts)
    if date > _today():
        failures.append(_("the measure's date %(date)s lies in the future") % {"date": date})
    if date < case.opened_on:
        failures.append(_("the measure's date is before the clue"))
    _refuse(failures)
    with transaction.atomic():
        measure: Measure = household_services.measure_add(
            actor=actor,
            household=case.household,
            category=category,
            date=date,
            description=description,
        )
        link = CaseMeasure.objects.create(
            case=case, measure=measure, before_identification=case.state in IDENTIFICATION_STATES
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=case,
            after={"measure": measure.pk, "category": str(category), "date": date.isoformat()},
            region_code=case.household.village_id,
        )
    return link


def case_visit_add(
    *, actor: Any, case: Case, date: dt.date, visited_by: str, notes: str = ""
) -> CaseVisit:
    """Record a follow-up visit (走访) to the household."""
    permissions.require(actor, case.household.village_id, Role.DATA_ENTRY)
    failures = workflow.assistance_failures(case_facts(case))
    if date > _today():
        failures.append(_("the visit's date %(date)s lies in the future") % {"date": date})
    if not visited_by.strip():
        failures.append(_("say who visited"))
    _refuse(failures)
    with transaction.atomic():
        visit = CaseVisit.objects.create(
            case=case,
            date=date,
            visited_by=visited_by.strip(),
            notes=notes,
            recorded_by_id=_actor_id(actor),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            instance=visit,
            after={"case": case.pk, "date": date.isoformat(), "visited_by": visit.visited_by},
            region_code=case.household.village_id,
        )
    return visit
