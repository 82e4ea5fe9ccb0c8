import io
from decimal import Decimal
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from bangfu.core.errors import ImportRefused
from bangfu.core.models import AuditEvent
from bangfu.funds.exports import fund_flows_template, fund_flows_xlsx
from bangfu.funds.imports import fund_flows_import
from bangfu.funds.models import FundFlow, ReportedBy, SourceKind, Stage
from bangfu.funds.selectors import fund_flow_list, fund_totals
from bangfu.funds.services import fund_flow_record, fund_flow_reverse

HEADER = "结对编号,年度,阶段,资金来源,金额(万元),报送方,编号,日期,说明,冲销编号,冲销原因\n"


def csv_file(world: Any, *lines: str) -> bytes:
    pid = world.longhua_fengshan.pk
    return (HEADER + "".join(line.format(p=pid) + "\n" for line in lines)).encode()


GOOD = (
    "{p},2021,计划/下达,区级财政,4994,帮扶方,LH-2021-01,2021-03-01,年度计划,,",
    "{p},2021,到位,区级财政,4994万元,帮扶方,LH-2021-02,2021-05-01,,,",
    "{p},2021,到位,社会捐赠资金,25.54,帮扶方,LH-2021-03,2021-06-30,,,",
    "{p},2021,计划/下达,社会捐赠资金,25.54,帮扶方,LH-2021-00,2021-03-01,,,",
)


def sheet(data: bytes, index: int = 0) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(index).to_python()


def test_import_records_every_row_in_exact_yuan(world):
    result = fund_flows_import(actor=world.bob, source=csv_file(world, *GOOD), filename="lh.csv")
    assert (result.created, result.unchanged) == (4, 0)
    totals = fund_totals(user=world.bob, pairing=world.longhua_fengshan, year=2021)
    assert totals.planned == Decimal("50195400.00")
    assert totals.arrived == Decimal("50195400.00")


def test_reimporting_the_same_file_changes_nothing(world):
    data = csv_file(world, *GOOD)
    fund_flows_import(actor=world.bob, source=data, filename="lh.csv")
    events = AuditEvent.objects.count()
    result = fund_flows_import(actor=world.bob, source=data, filename="lh.csv")
    assert (result.created, result.unchanged) == (0, 4)
    assert FundFlow.objects.count() == 4
    assert AuditEvent.objects.count() == events


def test_a_bad_file_writes_nothing_and_names_every_bad_row_column_and_reason(world):
    data = csv_file(
        world,
        GOOD[0],
        "{p},2021,到位,区级财政,-5,帮扶方,LH-X1,,,,",
        "{p},2021,收到,区级财政,5,帮扶方,LH-X2,,,,",
        "{p},2021,到位,区级财政,abc,帮扶方,LH-X3,2021-13-01,,,",
        "99999,2021,到位,区级财政,5,帮扶方,LH-X4,,,,",
        "{p},2021,到位,区级财政,5,帮扶方,,,,,",
        "{p},2021,到位,区级财政,5,帮扶方,LH-X6,,,LH-NOPE,",
    )
    with pytest.raises(ImportRefused) as exc:
        fund_flows_import(actor=world.bob, source=data, filename="bad.csv")
    found = [(e.file, e.row, e.column) for e in exc.value.errors]
    assert found == [
        ("bad.csv", 3, "金额(万元)"),
        ("bad.csv", 4, "阶段"),
        ("bad.csv", 5, "金额(万元)"),
        ("bad.csv", 5, "日期"),
        ("bad.csv", 7, "编号"),
    ]
    assert "greater than zero" in exc.value.errors[0].reason
    assert "收到" in exc.value.errors[1].reason
    assert FundFlow.objects.count() == 0
    # With the cell errors fixed, the cross-row checks report the rest, still writing nothing.
    data = csv_file(
        world,
        GOOD[0],
        "99999,2021,到位,区级财政,5,帮扶方,LH-X4,,,,",
        "{p},2021,到位,区级财政,5,帮扶方,LH-X6,,,LH-NOPE,",
        "{p},2021,计划/下达,区级财政,1,帮扶方,LH-2021-01,,,,",
    )
    with pytest.raises(ImportRefused) as exc:
        fund_flows_import(actor=world.bob, source=data, filename="bad.csv")
    assert [(e.row, e.column) for e in exc.value.errors] == [
        (3, "结对编号"),
        (4, "冲销编号"),
        (4, "冲销原因"),
        (5, "编号"),
    ]
    assert FundFlow.objects.count() == 0


def test_a_stage_rule_failure_refuses_the_whole_file(world, settings):
    settings.BANGFU_FUND_STAGE_RULE = "error"
    data = csv_file(world, GOOD[0], "{p},2021,拨付,区级财政,5000,帮扶方,LH-P1,,,,")
    with pytest.raises(ImportRefused) as exc:
        fund_flows_import(actor=world.bob, source=data, filename="f.csv")
    assert [(e.row, e.column) for e in exc.value.errors] == [(3, "金额(万元)")]
    assert FundFlow.objects.count() == 0


def test_a_changed_row_under_an_existing_reference_is_refused(world):
    fund_flows_import(actor=world.bob, source=csv_file(world, *GOOD), filename="lh.csv")
    changed = csv_file(world, "{p},2021,计划/下达,区级财政,4995,帮扶方,LH-2021-01,2021-03-01,,,")
    with pytest.raises(ImportRefused) as exc:
        fund_flows_import(actor=world.bob, source=changed, filename="lh.csv")
    assert exc.value.errors[0].column == "金额(万元)"
    assert "reversal" in exc.value.errors[0].reason


def test_charlie_cannot_import_into_a_pairing_outside_his_scope(world):
    with pytest.raises(ImportRefused) as exc:
        fund_flows_import(actor=world.charlie, source=csv_file(world, GOOD[0]), filename="x.csv")
    assert exc.value.errors[0].column == "结对编号"
    assert FundFlow.objects.count() == 0


def test_the_recipient_side_cannot_import_donor_reported_rows(world):
    with pytest.raises(ImportRefused) as exc:
        fund_flows_import(actor=world.alice, source=csv_file(world, GOOD[0]), filename="x.csv")
    assert exc.value.errors[0].row == 2
    assert FundFlow.objects.count() == 0


def test_export_has_chinese_headers_and_amounts_in_wan_and_imports_again_unchanged(world):
    fund_flows_import(actor=world.bob, source=csv_file(world, *GOOD), filename="lh.csv")
    flow = FundFlow.objects.get(reference="LH-2021-03")
    fund_flow_reverse(actor=world.bob, flow=flow, reason="记错来源")
    fund_flow_record(
        actor=world.bob,
        pairing=world.longhua_fengshan,
        year=2018,
        stage=Stage.PLANNED,
        amount="3612.099万元",
        source_kind=SourceKind.FISCAL_DISTRICT,
        reported_by=ReportedBy.DONOR,
        reference="TH-2018",
    )
    data = fund_flows_xlsx(fund_flow_list(user=world.bob))
    rows = sheet(data)
    assert rows[0][:8] == [
        "结对编号",
        "帮扶方",
        "受援方",
        "年度",
        "阶段",
        "资金来源",
        "金额(万元)",
        "报送方",
    ]
    amounts = {(r[14] if len(r) > 14 else "", r[8]): r[6] for r in rows[1:]}
    assert amounts[("", "TH-2018")] == 3612.099
    assert amounts[("", "LH-2021-01")] == 4994.0
    assert amounts[("LH-2021-03", "LH-2021-03-R")] == 25.54
    assert rows[1][1:3] == ["龙华区", "凤山县"]
    assert {r[4] for r in rows[1:]} == {"计划/下达", "到位"}
    result = fund_flows_import(actor=world.bob, source=data, filename="export.xlsx")
    assert (result.created, result.unchanged) == (0, 6)


def test_template_lists_importable_columns_and_explains_them(world):
    data = fund_flows_template()
    assert sheet(data)[0] == [
        "结对编号",
        "年度",
        "阶段",
        "资金来源",
        "金额(万元)",
        "报送方",
        "编号",
        "项目编号",
        "来源单位",
        "接收单位",
        "日期",
        "说明",
        "冲销编号",
        "冲销原因",
    ]
    notes = sheet(data, 1)
    assert notes[0] == ["列名", "必填", "填写说明"]
    assert any("计划/下达" in str(r[2]) for r in notes[1:])


def test_export_can_be_converted_and_viewed_when_libreoffice_is_present(world, tmp_path):
    import shutil
    import subprocess

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    fund_flows_import(actor=world.bob, source=csv_file(world, *GOOD), filename="lh.csv")
    path = tmp_path / "funds.xlsx"
    path.write_bytes(fund_flows_xlsx(fund_flow_list(user=world.bob)))
    subprocess.run(  # noqa: S603
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert (tmp_path / "funds.pdf").stat().st_size > 0
