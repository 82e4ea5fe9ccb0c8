import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from bangfu.accounts.models import Role
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditEvent
from bangfu.core.testing import get_region, make_user
from bangfu.projects.models import Category, ProjectStatusChange, Status
from bangfu.projects.services import project_create, project_transition, project_update


def create(world: Any, actor: Any = None, **kwargs: Any) -> Any:
    data = {
        "actor": actor or world.alice,
        "pairing": world.longhua_fengshan,
        "code": "P-1",
        "name": "同乐村饮水工程",
        "region": get_region("451223101201"),
        "category": Category.DRINKING_WATER,
        "start_year": 2021,
        "budget": "49万元",
    }
    data.update(kwargs)
    return project_create(**data)


def test_it_creates_a_planned_project_with_its_first_status_dated(world):
    project = create(world, status_date=dt.date(2021, 3, 1))
    assert project.status == Status.PLANNED
    assert project.budget == Decimal("490000.00")
    change = ProjectStatusChange.objects.get(project=project)
    assert (change.from_status, change.to_status, change.date) == (
        "",
        "planned",
        dt.date(2021, 3, 1),
    )
    assert AuditEvent.objects.filter(object_type="projects.project", action="create").count() == 1


def test_the_location_must_lie_on_the_recipient_side(world):
    with pytest.raises(ValidationFailed) as exc:
        create(world, region=world.longhua)
    assert "region" in exc.value.errors


def test_registered_poor_cannot_exceed_people_with_a_benefit_link(world):
    with pytest.raises(ValidationFailed) as exc:
        create(world, linked_people=10, linked_registered_poor=11)
    assert "linked_registered_poor" in exc.value.errors


def test_charlie_and_a_viewer_cannot_create(world):
    with pytest.raises(PermissionDenied):
        create(world, actor=world.charlie)
    with pytest.raises(PermissionDenied):
        create(world, actor=make_user(region=world.fengshan, roles=[Role.VIEWER]))


def test_it_walks_the_lifecycle_recording_each_date(world):
    project = create(world, status_date=dt.date(2021, 1, 5))
    steps = [
        (Status.APPROVED, dt.date(2021, 2, 1)),
        (Status.UNDER_CONSTRUCTION, dt.date(2021, 3, 1)),
        (Status.COMPLETED, dt.date(2021, 9, 30)),
        (Status.IN_USE, dt.date(2021, 10, 8)),
        (Status.HANDED_OVER, dt.date(2022, 1, 1)),
    ]
    for status, date in steps:
        project_transition(actor=world.alice, project=project, to_status=status, date=date)
    project.refresh_from_db()
    assert project.status == Status.HANDED_OVER
    assert list(project.status_changes.values_list("to_status", "date")) == [
        ("planned", dt.date(2021, 1, 5)),
        *[(str(s), d) for s, d in steps],
    ]


@pytest.mark.parametrize("target", [Status.COMPLETED, Status.IN_USE, Status.PLANNED, "bogus"])
def test_it_refuses_a_transition_that_skips_or_goes_back(world, target):
    project = create(world)
    with pytest.raises(ValidationFailed) as exc:
        project_transition(actor=world.alice, project=project, to_status=target)
    assert str(Status.APPROVED.label) in exc.value.errors["status"][0]
    project.refresh_from_db()
    assert project.status == Status.PLANNED


def test_it_refuses_a_transition_dated_before_the_previous_step_or_in_the_future(world):
    project = create(world, status_date=dt.date(2021, 5, 1))
    with pytest.raises(ValidationFailed):
        project_transition(
            actor=world.alice, project=project, to_status=Status.APPROVED, date=dt.date(2021, 4, 1)
        )
    with pytest.raises(ValidationFailed):
        project_transition(
            actor=world.alice,
            project=project,
            to_status=Status.APPROVED,
            date=dt.date.today() + dt.timedelta(days=2),
        )


def test_update_changes_fields_but_not_status_and_audits_only_changes(world):
    project = create(world)
    project_update(actor=world.alice, project=project, name="同乐村饮水巩固工程", budget="50万元")
    project.refresh_from_db()
    assert project.budget == Decimal("500000.00")
    event = AuditEvent.objects.get(object_type="projects.project", action="update")
    assert event.before == {"name": "同乐村饮水工程", "budget": "490000.00"}
    project_update(actor=world.alice, project=project, name="同乐村饮水巩固工程")
    assert AuditEvent.objects.filter(object_type="projects.project", action="update").count() == 1
    with pytest.raises(ValidationFailed) as exc:
        project_update(actor=world.alice, project=project, status=Status.COMPLETED)
    assert "transition" in exc.value.errors["status"][0]
