import datetime as dt
from decimal import Decimal
from typing import Any

from bangfu.core.testing import get_region
from bangfu.funds.models import ReportedBy, SourceKind, Stage
from bangfu.funds.services import fund_flow_record
from bangfu.projects.models import Category, Status
from bangfu.projects.selectors import project_list, project_totals
from bangfu.projects.services import project_create


def make(world: Any, code: str, **kwargs: Any) -> Any:
    data = {
        "actor": world.dana,
        "pairing": world.longhua_fengshan,
        "code": code,
        "name": f"项目{code}",
        "region": get_region("451223101201"),
        "category": Category.INDUSTRY,
        "start_year": 2021,
    }
    data.update(kwargs)
    return project_create(**data)


def flow(
    world: Any, project: Any, stage: str, amount: str, side: str = ReportedBy.RECIPIENT
) -> None:
    fund_flow_record(
        actor=world.dana,
        pairing=project.pairing,
        year=2021,
        stage=stage,
        amount=amount,
        source_kind=SourceKind.FISCAL_DISTRICT,
        reported_by=side,
        project=project,
    )


def test_a_projects_funding_is_the_sum_of_its_linked_flows_per_stage(world):
    project = make(world, "A")
    flow(world, project, Stage.PLANNED, "100万元")
    flow(world, project, Stage.ARRIVED, "60万元")
    flow(world, project, Stage.ARRIVED, "40万元")
    flow(world, project, Stage.PAID_OUT, "30万元")
    row: Any = project_list(user=world.alice).get(pk=project.pk)
    assert (row.funded_planned, row.funded_arrived, row.funded_paid_out, row.funded_spent) == (
        Decimal("1000000.00"),
        Decimal("1000000.00"),
        Decimal("300000.00"),
        Decimal("0.00"),
    )


def test_a_finished_project_without_spending_is_flagged(world):
    done = make(world, "A", status=Status.COMPLETED, status_date=dt.date(2021, 12, 1))
    spent = make(world, "B", status=Status.IN_USE, status_date=dt.date(2021, 12, 1))
    make(world, "C")
    for stage in (Stage.PLANNED, Stage.ARRIVED, Stage.PAID_OUT, Stage.SPENT):
        flow(world, spent, stage, "10万元")
    assert [p.code for p in project_list(user=world.alice, unspent_only=True)] == ["A"]
    row: Any = project_list(user=world.alice).get(pk=done.pk)
    assert row.unspent_flag is True
    assert project_totals(user=world.alice).unspent_flagged == 1


def test_filters_and_totals(world):
    make(
        world,
        "A",
        budget="100万元",
        beneficiary_households=10,
        beneficiary_people=40,
        linked_people=30,
        linked_registered_poor=12,
    )
    make(
        world,
        "B",
        category=Category.EDUCATION,
        start_year=2019,
        end_year=2022,
        budget="50万元",
        region=world.fengshan,
    )
    assert [p.code for p in project_list(user=world.bob, year=2020)] == ["B"]
    assert [p.code for p in project_list(user=world.bob, category="industry")] == ["A"]
    assert [p.code for p in project_list(user=world.bob, region="451223101000")] == ["A"]
    totals = project_totals(user=world.bob, pairing=world.longhua_fengshan)
    assert (
        totals.projects,
        totals.budget,
        totals.beneficiary_people,
        totals.linked_registered_poor,
    ) == (
        2,
        Decimal("1500000.00"),
        40,
        12,
    )


def test_charlie_sees_no_projects(world):
    make(world, "A")
    assert list(project_list(user=world.charlie)) == []
    assert project_totals(user=world.charlie).projects == 0


def test_project_list_query_count_does_not_grow_with_rows(world, django_assert_num_queries):
    for code in "ABCDE":
        flow(world, make(world, code), Stage.PLANNED, "1万元")
    with django_assert_num_queries(1):
        rows = [
            (p.code, p.funded_planned, p.pairing.recipient_region.name, p.region.name)
            for p in list[Any](project_list(user=world.dana))
        ]
    assert len(rows) == 5
