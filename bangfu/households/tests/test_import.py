from __future__ import annotations

from decimal import Decimal

import pytest

from bangfu.core.models import AuditAction, AuditEvent, JobStatus
from bangfu.households.importing.jobs import import_queue
from bangfu.households.models import Household, Person
from bangfu.households.pii import id_token
from bangfu.households.fields import reveal
from bangfu.households.tests.import_helpers import (
    HOUSEHOLD_HEADERS, ID_A, ID_B, PERSON_HEADERS, household_row, person_row, standard_files, to_csv,
)  # fmt: skip

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(actor, files, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = import_queue(actor=actor, files=files, income_year=2023, **kwargs)
        job.refresh_from_db()
        return job

    return run


def test_it_imports_households_and_persons_from_csv(world, run):
    job = run(world.alice, standard_files())
    assert job.status == JobStatus.SUCCEEDED
    assert job.done == job.total == 5
    household = Household.objects.get(number="H0001")
    assert household.net_income == Decimal("12800.50")
    assert household.per_capita_net_income == Decimal("6400.25")
    assert household.household_type == "poverty_exited"
    assert reveal(household.collector_name) == "黄采集"
    head = Person.objects.get(number="P01")
    assert head.id_token == id_token(ID_A)
    assert reveal(head.name) == "韦小宝"
    assert reveal(head.id_number) == ID_A
    assert (head.sex, head.ethnicity, head.relation) == ("male", "08", "head")
    assert head.critical_illness_insurance is True
    assert Person.objects.get(number="P02").sex == "female"
    assert job.summary["files"]["人表.csv"] == {
        "table": "person",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT)
    assert events.count() == 2
    assert ID_A not in str(list(events.values_list("after", flat=True)))
