import io
from decimal import Decimal
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from bangfu.core.errors import ImportRefused
from bangfu.core.testing import get_region
from bangfu.projects.models import Project, Status
from bangfu.projects.selectors import project_list
from bangfu.projects.spreadsheets import projects_import, projects_template, projects_xlsx

HEADER = (
    "结对编号,项目编号,项目名称,所在地区代码,类别,开始年度,结束年度,预算(万元),状态,状态日期,"
    "受益户数,带动人数,其中脱贫人口\n"
)


def csv_file(world: Any, *lines: str) -> bytes:
    pid = world.longhua_fengshan.pk
    return (HEADER + "".join(line.format(p=pid) + "\n" for line in lines)).encode()


GOOD = (
    "{p},FS-01,同乐村饮水工程,451223101201,饮水,2021,2021,49,已投入使用,2021-10-01,120,300,80",
    "{p},FS-02,凤城镇核桃基地,451223101000,产业,2021,,3612.099,在建,2021-05-01,0,0,0",
)


@pytest.fixture(autouse=True)
def _regions(world):
    get_region("451223101201")


def test_import_creates_projects_with_status_budget_and_beneficiaries(world):
    result = projects_import(actor=world.alice, source=csv_file(world, *GOOD), filename="p.csv")
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    water = Project.objects.get(code="FS-01")
    assert (water.status, water.budget, water.linked_registered_poor) == (
        Status.IN_USE,
        Decimal("490000.00"),
        80,
    )
    assert water.status_changes.get().date.isoformat() == "2021-10-01"
    assert Project.objects.get(code="FS-02").budget == Decimal("36120990.00")


def test_reimport_changes_nothing_and_a_changed_row_updates_through_the_service(world):
    data = csv_file(world, *GOOD)
    projects_import(actor=world.alice, source=data, filename="p.csv")
    assert projects_import(actor=world.alice, source=data, filename="p.csv").unchanged == 2
    changed = csv_file(world, GOOD[0].replace(",49,", ",50,"))
    assert projects_import(actor=world.alice, source=changed, filename="p.csv").updated == 1
    assert Project.objects.get(code="FS-01").budget == Decimal("500000.00")


def test_bad_rows_are_all_named_and_nothing_is_written(world):
    data = csv_file(
        world,
        GOOD[0],
        "{p},FS-03,x,451223101201,旅游,2021,,1,计划,,0,0,0",
        "{p},FS-04,x,999999999999,产业,2021,,1,计划,,0,0,0",
        "{p},FS-05,x,440309000000,产业,2021,,1,计划,,0,0,0",
        "{p},FS-06,x,451223101201,产业,2021,2020,1,计划,,0,5,6",
    )
    with pytest.raises(ImportRefused) as exc:
        projects_import(actor=world.alice, source=data, filename="p.csv")
    assert [(e.row, e.column) for e in exc.value.errors] == [(3, "类别")]
    data = csv_file(world, GOOD[0], *data.decode().splitlines()[3:])
    with pytest.raises(ImportRefused) as exc:
        projects_import(actor=world.alice, source=data, filename="p.csv")
    assert [(e.row, e.column) for e in exc.value.errors] == [
        (3, "所在地区代码"),
        (4, "所在地区代码"),
        (5, "结束年度"),
        (5, "其中脱贫人口"),
    ]
    assert Project.objects.count() == 0


def test_a_status_change_in_the_file_is_refused(world):
    projects_import(actor=world.alice, source=csv_file(world, *GOOD), filename="p.csv")
    with pytest.raises(ImportRefused) as exc:
        projects_import(
            actor=world.alice,
            source=csv_file(world, GOOD[1].replace("在建", "已完工")),
            filename="p.csv",
        )
    assert exc.value.errors[0].column == "状态"


def test_export_reads_back_with_chinese_headers_and_wan(world):
    projects_import(actor=world.alice, source=csv_file(world, *GOOD), filename="p.csv")
    data = projects_xlsx(project_list(user=world.alice))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][:6] == ["结对编号", "帮扶方", "受援方", "项目编号", "项目名称", "所在地区代码"]
    by_code = {r[3]: dict(zip(rows[0], r, strict=False)) for r in rows[1:]}
    assert by_code["FS-02"]["预算(万元)"] == 3612.099
    assert by_code["FS-01"]["状态"] == "已投入使用"
    assert by_code["FS-01"]["完工未支出"] == "是"
    assert projects_import(actor=world.alice, source=data, filename="p.xlsx").unchanged == 2


def test_charlie_cannot_import(world):
    with pytest.raises(ImportRefused):
        projects_import(actor=world.charlie, source=csv_file(world, *GOOD), filename="p.csv")
    assert Project.objects.count() == 0


def test_template_has_the_importable_headers(world):
    data = projects_template()
    header = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()[0]
    assert header[:4] == ["结对编号", "项目编号", "项目名称", "所在地区代码"]
    assert "计划资金(万元)" not in header
