from typing import Any

from django.test import Client

from bangfu.accounts.models import User
from bangfu.projects.models import Project, Status

URL = "/admin/projects/project/"


def admin_client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "pairing": str(world.longhua_fengshan.pk),
        "code": "FS-1",
        "name": "核桃基地",
        "region": world.fengshan.pk,
        "category": "industry",
        "start_year": "2021",
        "end_year": "",
        "budget": "",
        "status": "planned",
        "beneficiary_villages": "0",
        "beneficiary_households": "0",
        "beneficiary_people": "0",
        "linked_people": "0",
        "linked_registered_poor": "0",
        "outputs": "",
        "description": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_alice_creates_a_project_and_moves_it_by_the_action(world):
    client = admin_client(world.alice)
    assert client.post(f"{URL}add/", form(world)).status_code == 302
    project = Project.objects.get(code="FS-1")
    client.post(
        URL,
        {
            "action": "transition_selected",
            "_selected_action": [str(project.pk)],
            "to_status": "approved",
            "date": "",
        },
    )
    project.refresh_from_db()
    assert project.status == Status.APPROVED
    client.post(
        URL,
        {
            "action": "transition_selected",
            "_selected_action": [str(project.pk)],
            "to_status": "in_use",
            "date": "",
        },
    )
    project.refresh_from_db()
    assert project.status == Status.APPROVED


def test_a_location_outside_the_recipient_is_refused_in_the_form(world):
    response = admin_client(world.alice).post(f"{URL}add/", form(world, region=world.longhua.pk))
    assert response.status_code == 200
    assert Project.objects.count() == 0


def test_charlie_cannot_add_a_project_to_alices_pairing(world):
    response = admin_client(world.charlie).post(f"{URL}add/", form(world))
    assert response.status_code == 200
    assert Project.objects.count() == 0
