"""Writes for projects: create, update, move through the lifecycle, attach evidence. Audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import require_pairing_role
from bangfu.core.errors import ValidationFailed
from bangfu.core.models import AuditAction
from bangfu.core.money import AmountError, Unit, parse_amount
from bangfu.core.services import audit_record, snapshot
from bangfu.pairings.models import Pairing
from bangfu.projects.models import (
    TRANSITIONS,
    Category,
    DocumentKind,
    Project,
    ProjectDocument,
    ProjectStatusChange,
    Status,
)
from bangfu.regions import codes
from bangfu.regions.models import Region

# Fields project_update may change. Pairing and code identify the project; status moves only
# through project_transition so that every step is dated.
EDITABLE_FIELDS = frozenset(
    {
        "name",
        "region",
        "category",
        "start_year",
        "end_year",
        "budget",
        "beneficiary_villages",
        "beneficiary_households",
        "beneficiary_people",
        "linked_people",
        "linked_registered_poor",
        "outputs",
        "description",
    }
)


def _errors(exc: DjangoValidationError) -> ValidationFailed:
    return ValidationFailed.from_django(exc)


def _budget(value: Decimal | str | int | None, unit: Unit = Unit.YUAN) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        budget = parse_amount(value, unit)
    except AmountError as exc:
        raise ValidationFailed({"budget": [_("Not an exact amount: %s") % exc]}) from None
    if budget < 0:
        raise ValidationFailed({"budget": [_("A budget cannot be negative.")]})
    return budget


def _recipient_code(pairing: Pairing) -> str:
    if pairing.recipient_region_id:
        return str(pairing.recipient_region_id)
    organisation = pairing.recipient_organisation
    return str(organisation.region_id) if organisation else ""


def _check(project: Project) -> None:
    errors: dict[str, list[str]] = {}
    recipient = _recipient_code(project.pairing)
    if recipient and not codes.is_within(project.region_id, recipient):
        errors["region"] = [
            _("The location must lie in the recipient's area (%s).") % project.pairing.recipient
        ]
    if project.category not in Category.values:
        errors["category"] = [_("Unknown category “%s”.") % project.category]
    if project.end_year is not None and project.end_year < project.start_year:
        errors["end_year"] = [_("The end year is before the start year.")]
    if project.linked_registered_poor > project.linked_people:
        errors["linked_registered_poor"] = [
            _("The registered poor are among the people with a benefit link: not more.")
        ]
    if errors:
        raise ValidationFailed(errors)
    try:
        project.full_clean()
    except DjangoValidationError as exc:
        raise _errors(exc) from None


def _audit(actor: Any, project: Project, action: AuditAction, **kwargs: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        instance=project,
        region_code=project.region_id,
        pairing_id=project.pairing_id,
        **kwargs,
    )


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "pk", None)


@transaction.atomic
def project_create(
    *,
    actor: Any,
    pairing: Pairing,
    code: str,
    name: str,
    region: Region,
    category: Category | str,
    start_year: int,
    end_year: int | None = None,
    budget: Decimal | str | int | None = None,
    budget_unit: Unit = Unit.YUAN,
    status: Status | str = Status.PLANNED,
    status_date: dt.date | None = None,
    beneficiary_villages: int = 0,
    beneficiary_households: int = 0,
    beneficiary_people: int = 0,
    linked_people: int = 0,
    linked_registered_poor: int = 0,
    outputs: str = "",
    description: str = "",
    is_demo: bool = False,
) -> Project:
    """Create a project. A project recorded after the fact may start in a later `status`, dated
    `status_date`; from then on it moves only through project_transition."""
    require_pairing_role(actor, pairing, Role.DATA_ENTRY)
    if status not in Status.values:
        raise ValidationFailed({"status": [_("Unknown status “%s”.") % status]})
    project = Project(
        pairing=pairing,
        code=code.strip(),
        name=name.strip(),
        region=region,
        category=category,
        start_year=start_year,
        end_year=end_year,
        budget=_budget(budget, budget_unit),
        status=status,
        beneficiary_villages=beneficiary_villages,
        beneficiary_households=beneficiary_households,
        beneficiary_people=beneficiary_people,
        linked_people=linked_people,
        linked_registered_poor=linked_registered_poor,
        outputs=outputs,
        description=description,
        is_demo=is_demo,
    )
    _check(project)
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:
        raise ValidationFailed(_("The project conflicts with an existing one: %s") % exc) from None
    ProjectStatusChange.objects.create(
        project=project,
        from_status="",
        to_status=status,
        date=status_date or timezone.localdate(),
        actor_id=_actor_id(actor),
    )
    _audit(actor, project, AuditAction.CREATE, after=snapshot(project))
    return project


@transaction.atomic
def project_update(*, actor: Any, project: Project, **data: Any) -> Project:
    require_pairing_role(actor, project.pairing, Role.DATA_ENTRY)
    refused = set(data) - EDITABLE_FIELDS
    if refused:
        raise ValidationFailed(
            {
                name: [
                    _("Status changes go through a transition.")
                    if name == "status"
                    else _("This field cannot be changed.")
                ]
                for name in sorted(refused)
            }
        )
    if "budget" in data:
        data["budget"] = _budget(data["budget"])
    before = snapshot(project, data)
    for name, value in data.items():
        setattr(project, name, value)
    _check(project)
    after = snapshot(project, data)
    changed = [attname for attname in after if after[attname] != before[attname]]
    if changed:
        project.save(update_fields=[*changed, "updated_at"])
        _audit(
            actor,
            project,
            AuditAction.UPDATE,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return project


@transaction.atomic
def project_transition(
    *,
    actor: Any,
    project: Project,
    to_status: Status | str,
    date: dt.date | None = None,
    note: str = "",
) -> ProjectStatusChange:
    """Move a project one allowed step along its lifecycle, recording the date it happened."""
    project = Project.objects.select_for_update().select_related("pairing").get(pk=project.pk)
    require_pairing_role(actor, project.pairing, Role.DATA_ENTRY)
    date = date or timezone.localdate()
    allowed = TRANSITIONS.get(project.status, frozenset())
    if to_status not in allowed:
        names = ", ".join(str(Status(s).label) for s in sorted(allowed)) or _("none")
        raise ValidationFailed(
            {
                "status": [
                    _(
                        "A project that is “%(current)s” cannot become “%(target)s”; allowed: "
                        "%(allowed)s."
                    )
                    % {
                        "current": Status(project.status).label,
                        "target": Status(to_status).label
                        if to_status in Status.values
                        else to_status,
                        "allowed": names,
                    }
                ]
            }
        )
    if date > timezone.localdate():
        raise ValidationFailed(
            {"date": [_("A transition records what happened: no future dates.")]}
        )
    last = project.status_changes.order_by("-date", "-id").first()
    if last is not None and date < last.date:
        raise ValidationFailed(
            {"date": [_("The date is before the previous step (%s).") % last.date.isoformat()]}
        )
    before = snapshot(project, ["status"])
    change = ProjectStatusChange.objects.create(
        project=project,
        from_status=project.status,
        to_status=to_status,
        date=date,
        note=note,
        actor_id=_actor_id(actor),
    )
    project.status = to_status
    project.save(update_fields=["status", "updated_at"])
    _audit(
        actor,
        project,
        AuditAction.UPDATE,
        before=before,
        after={**snapshot(project, ["status"]), "date": date.isoformat(), "note": note},
    )
    return change


@transaction.atomic
def project_document_add(
    *,
    actor: Any,
    project: Project,
    kind: DocumentKind | str,
    title: str,
    file: File[Any],
    taken_on: dt.date | None = None,
) -> ProjectDocument:
    require_pairing_role(actor, project.pairing, Role.DATA_ENTRY)
    document = ProjectDocument(project=project, kind=kind, title=title.strip(), taken_on=taken_on)
    document.file.save(file.name or "document", file, save=False)
    try:
        document.full_clean()
    except DjangoValidationError as exc:
        raise _errors(exc) from None
    document.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=document,
        after=snapshot(document),
        region_code=project.region_id,
        pairing_id=project.pairing_id,
    )
    return document
