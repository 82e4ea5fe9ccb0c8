import io

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from bangfu.funds.models import FundFlow


def test_funds_import_then_export_then_reimport_changes_nothing(world, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "结对编号,年度,阶段,资金来源,金额(万元),报送方,编号\n"
        f"{world.longhua_fengshan.pk},2021,计划/下达,区级财政,4994,帮扶方,A\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("funds", "import", str(path), stdout=out)
    assert "created 1" in out.getvalue()
    xlsx = tmp_path / "out.xlsx"
    call_command(
        "funds",
        "export",
        "--pairing",
        str(world.longhua_fengshan.pk),
        "--out",
        str(xlsx),
        stdout=io.StringIO(),
    )
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    assert rows[1][6] == 4994.0
    out = io.StringIO()
    call_command("funds", "import", str(xlsx), stdout=out)
    assert "created 0, unchanged 1" in out.getvalue()
    assert FundFlow.objects.count() == 1


def test_funds_import_of_a_bad_file_names_rows_and_fails(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "结对编号,年度,阶段,资金来源,金额(万元),报送方,编号\n1,2021,x,区级财政,1,帮扶方,A\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("funds", "import", str(path), stderr=err)
    assert "bad.csv, row 2, column 阶段" in err.getvalue()


def test_templates_are_written(world, tmp_path):
    for command in ("funds", "projects"):
        out = tmp_path / f"{command}.xlsx"
        call_command(command, "template", "--out", str(out), stdout=io.StringIO())
        assert out.stat().st_size > 0
