from pathlib import Path
from typing import Any

import pytest

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import ImportRefused, PermissionDenied, RowError
from bangfu.core.models import AuditAction, AuditEvent
from bangfu.core.testing import make_user
from bangfu.regions.models import Region
from bangfu.regions.services import regions_import, regions_load_local
from bangfu.regions.tests.files import FENGSHAN_ROWS, HEADER, write_csv, write_xlsx


def _snapshot() -> tuple[int, int]:
    return Region.objects.count(), AuditEvent.objects.count()


def test_csv_adds_townships_and_villages_in_one_audited_import(world, fengshan_admin, tmp_path):
    path = write_csv(tmp_path / "fengshan.csv", FENGSHAN_ROWS)

    result = regions_import(actor=fengshan_admin, path=path)

    assert (result.created, result.unchanged) == (3, 0)
    assert result.created_by_level == {"township": 2, "village": 1}
    village = Region.objects.get(code="451223102201")
    assert (village.name, village.level, village.parent_id) == (
        "光明村委会",
        "village",
        "451223102000",
    )
    assert Region.objects.get(code="451223100000").parent_id == "451223000000"
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.IMPORT
    assert event.actor == fengshan_admin
    assert event.region_code == "451223000000"
    assert event.after == {
        "file": "fengshan.csv",
        "created": 3,
        "unchanged": 0,
        "created_by_level": {"township": 2, "village": 1},
        "first_code": "451223100000",
        "last_code": "451223102201",
    }


def test_csv_with_byte_order_mark_and_chinese_headers_is_read(world, fengshan_admin, tmp_path):
    path = write_csv(
        tmp_path / "bom.csv",
        [[code, name] for code, name, _level, _parent in FENGSHAN_ROWS],
        header=["区划代码", "名称"],
        bom=True,
    )
    assert regions_import(actor=fengshan_admin, path=path).created == 3


def test_xlsx_with_numeric_codes_is_imported(world, fengshan_admin, tmp_path):
    rows = [[int(code), name, "", int(parent)] for code, name, _l, parent in FENGSHAN_ROWS]
    path = write_xlsx(tmp_path / "fengshan.xlsx", rows, header=["代码", "名称", "级别", "上级代码"])

    result = regions_import(actor=fengshan_admin, path=path, file_label="凤山.xlsx")

    assert (result.file, result.created) == ("凤山.xlsx", 3)
    assert Region.objects.get(code="451223102000").name == "三门海镇"


def test_rows_already_present_with_the_same_name_are_unchanged(world, fengshan_admin, tmp_path):
    path = write_csv(tmp_path / "f.csv", [["451223101000", "长洲镇", "township", ""]])
    result = regions_import(actor=fengshan_admin, path=path)
    assert (result.created, result.unchanged) == (0, 1)
    assert AuditEvent.objects.count() == 0


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    world, fengshan_admin, tmp_path
):
    path = write_csv(tmp_path / "f.csv", FENGSHAN_ROWS)
    regions_import(actor=fengshan_admin, path=path)
    before = _snapshot()

    again = regions_import(actor=fengshan_admin, path=path)

    assert (again.created, again.unchanged) == (0, 3)
    assert _snapshot() == before


def test_dry_run_counts_but_writes_nothing(world, fengshan_admin, tmp_path):
    before = _snapshot()
    path = write_csv(tmp_path / "f.csv", FENGSHAN_ROWS)
    result = regions_import(actor=fengshan_admin, path=path, dry_run=True)
    assert (result.created, result.dry_run) == (3, True)
    assert _snapshot() == before


def _refused(actor: Any, path: Path) -> list[RowError]:
    before = _snapshot()
    with pytest.raises(ImportRefused) as refused:
        regions_import(actor=actor, path=path)
    assert _snapshot() == before, "a refused file must write nothing"
    return refused.value.errors


GOOD = ["451223100000", "凤城镇", "township", "451223000000"]


@pytest.mark.parametrize(
    ("bad_row", "column", "reason"),
    [
        (
            ["45122310200", "三门海镇", "township", ""],
            "code",
            "“45122310200” is not a 12-digit code.",
        ),
        (
            ["451223000201", "某村", "", ""],
            "code",
            "“451223000201” is not a valid division code (a zero part above a non-zero one).",
        ),
        (
            ["451223102000", "三门海镇", "village", ""],
            "level",
            "The level “village” disagrees with the code, which denotes a township.",
        ),
        (["451223102000", "三门海镇", "hamlet", ""], "level", "Unknown level “hamlet”."),
        (
            ["451223102201", "光明村委会", "village", ""],
            "parent_code",
            "The parent 451223102000 exists neither in the database nor in this file.",
        ),
        (
            ["451223102000", "三门海镇", "township", "451228000000"],
            "parent_code",
            "The parent code 451228000000 does not match the code; expected 451223000000.",
        ),
        (
            ["451223100000", "凤城镇", "township", ""],
            "code",
            "The code 451223100000 appears twice (first in row 2).",
        ),
        (
            ["451223101000", "别的镇", "township", ""],
            "name",
            "The code 451223101000 already exists as “长洲镇”.",
        ),
        (["451223102000", "", "township", ""], "name", "The name is empty."),
        (
            ["451223000000", "凤山县", "", ""],
            "code",
            "county: county level and above ship with bangfu; "
            "only townships and villages can be imported.",
        ),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_file_row_column_and_reason(
    world, fengshan_admin, tmp_path, bad_row, column, reason
):
    path = write_csv(tmp_path / "bad.csv", [GOOD, bad_row])
    assert _refused(fengshan_admin, path) == [RowError("bad.csv", 3, column, reason)]


def test_every_bad_row_is_reported_at_once(world, fengshan_admin, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["123", "", "", ""],
            GOOD,
            ["451223102201", "光明村委会", "", ""],
            ["451223102000", "三门海镇", "county", ""],
        ],
    )
    assert [(e.row, e.column) for e in _refused(fengshan_admin, path)] == [
        (2, "code"),
        (2, "name"),
        (5, "level"),  # row 4's parent is row 5: refused, but present
    ]


def test_unknown_header_is_refused(world, fengshan_admin, tmp_path):
    path = write_csv(tmp_path / "h.csv", [[*GOOD, "x"]], header=[*HEADER, "population"])
    assert _refused(fengshan_admin, path) == [RowError("h.csv", 1, "population", "Unknown column.")]


def test_missing_name_column_is_refused(world, fengshan_admin, tmp_path):
    path = write_csv(tmp_path / "h.csv", [["451223100000"]], header=["code"])
    assert _refused(fengshan_admin, path) == [
        RowError("h.csv", 1, "name", "The required column “name” is missing.")
    ]


def test_a_file_that_is_not_utf8_is_refused(world, fengshan_admin, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("code,name\n451223100000,凤城镇\n".encode("gbk"))
    [error] = _refused(fengshan_admin, path)
    assert (error.file, error.row, error.column) == ("gbk.csv", 0, "")
    assert error.reason.startswith("The file is not UTF-8 text")


def test_an_unsupported_file_type_is_refused(world, fengshan_admin, tmp_path):
    path = tmp_path / "regions.txt"
    path.write_text("code,name\n", encoding="utf-8")
    assert _refused(fengshan_admin, path) == [
        RowError("regions.txt", 0, "", "Unsupported file type “.txt”; use CSV or XLSX.")
    ]


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_numbers(
    world, fengshan_admin, tmp_path
):
    path = write_csv(tmp_path / "b.csv", [GOOD, ["", "", "", ""], ["1", "x", "", ""]])
    assert _refused(fengshan_admin, path) == [
        RowError("b.csv", 4, "code", "“1” is not a 12-digit code.")
    ]


def test_a_viewer_may_not_import(world, tmp_path):
    path = write_csv(tmp_path / "f.csv", FENGSHAN_ROWS)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        regions_import(actor=world.alice, path=path)
    assert _snapshot() == before


def test_an_administrator_may_not_import_rows_outside_their_region(world, tmp_path):
    wuhua_admin = make_user(region=world.wuhua, roles=[Role.ADMINISTRATOR])
    path = write_csv(tmp_path / "f.csv", FENGSHAN_ROWS)
    before = _snapshot()
    with pytest.raises(PermissionDenied) as denied:
        regions_import(actor=wuhua_admin, path=path)
    assert str(denied.value) == "f.csv: 3 rows lie outside your region (rows 2, 3, 4)."
    assert _snapshot() == before


def test_an_organisation_administrator_may_not_import(world, tmp_path):
    from bangfu.core.testing import make_organisation

    org_admin = make_user(organisation=make_organisation(), roles=[Role.ADMINISTRATOR])
    path = write_csv(tmp_path / "f.csv", FENGSHAN_ROWS)
    with pytest.raises(PermissionDenied):
        regions_import(actor=org_admin, path=path)


def test_superuser_and_system_may_import_anywhere(world, tmp_path):
    path = write_csv(tmp_path / "f.csv", FENGSHAN_ROWS[1:2])
    assert regions_import(actor=world.dana, path=path).created == 1
    path = write_csv(tmp_path / "g.csv", FENGSHAN_ROWS[2:])
    assert regions_import(actor=SYSTEM, path=path).created == 1
    assert AuditEvent.objects.filter(actor=None).count() == 1


@pytest.mark.django_db
def test_shipped_townships_and_villages_load_once():
    first = regions_load_local(actor=SYSTEM)
    assert (first.created, first.unchanged) == (1885, 0)
    assert first.created_by_level == {"township": 172, "village": 1713}
    second = regions_load_local(actor=SYSTEM)
    assert (second.created, second.unchanged) == (0, 1885)
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_shipped_townships_load_into_the_test_world(world):
    result = regions_load_local(actor=SYSTEM)
    # The world already holds 观湖街道, 长洲镇 and 长洲村委会 under their real codes.
    assert (result.created, result.unchanged) == (1882, 3)
