import io
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter

from bangfu.core.errors import ImportRefused
from bangfu.indicators import io as indicator_io
from bangfu.indicators.models import DataValue, Source, Target


def xlsx(rows: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


HEADERS = ["指标代码", "结对ID", "填报方", "期间", "数值", "备注"]


def test_figures_import_as_drafts_and_export_again(world, this_year):
    pk = world.longhua_fengshan.pk
    year = this_year.start.year
    data = xlsx([HEADERS, ["teachers_sent", pk, "受援方", year, 16, ""],
                 ["medical_staff_sent", pk, "受援方", f"{year}Q4", 29, "首批"]])  # fmt: skip
    assert indicator_io.values_import(actor=world.alice, source=data, filename="a.xlsx") == 2
    assert DataValue.objects.get(indicator__code="teachers_sent").source == Source.IMPORT
    exported = indicator_io.values_export(user=world.alice, pairing=world.longhua_fengshan)
    DataValue.objects.all().delete()
    assert indicator_io.values_import(actor=world.alice, source=exported, filename="b.xlsx") == 2
    assert sorted(DataValue.objects.values_list("value", flat=True)) == [Decimal(16), Decimal(29)]


def test_a_bad_import_writes_nothing_and_names_row_column_and_reason(world, this_year):
    pk = world.longhua_fengshan.pk
    year = this_year.start.year
    data = xlsx([
        HEADERS,
        ["teachers_sent", pk, "受援方", year, 16, ""],
        ["no_such_code", pk, "受援方", year, 1, ""],
        ["employed_total", pk, "受援方", "2020Q9", 1, ""],
        ["poverty_incidence", pk, "受援方", year, 140, ""],
        ["teachers_sent", world.tianhe_nayong.pk, "受援方", year, 3, ""],
        ["teachers_sent", pk, "帮扶方", year, 3, ""],
    ])  # fmt: skip
    with pytest.raises(ImportRefused) as exc:
        indicator_io.values_import(actor=world.alice, source=data, filename="bad.xlsx")
    found = [(e.row, e.column) for e in exc.value.errors]
    assert found == [(3, "指标代码"), (4, "期间"), (5, "数值"), (6, "结对ID"), (7, "")]
    assert str(exc.value.errors[0]) == "bad.xlsx, row 3, column 指标代码: no such indicator"
    assert DataValue.objects.count() == 0


def test_targets_import_all_or_nothing(world, this_year):
    pk = world.longhua_fengshan.pk
    headers = ["指标代码", "结对ID", "期间", "数值"]
    good = xlsx([headers, ["labour_trained", pk, this_year.start.year, 900]])
    bad = xlsx([headers, ["labour_trained", pk, this_year.start.year, 900],
                ["labour_trained", pk, this_year.start.year, -1]])  # fmt: skip
    with pytest.raises(ImportRefused):
        indicator_io.targets_import(actor=world.alice, source=bad, filename="t.xlsx")
    assert Target.objects.count() == 0
    assert indicator_io.targets_import(actor=world.alice, source=good, filename="t.xlsx") == 1
    assert indicator_io.targets_export(user=world.bob)[:2] == b"PK"
