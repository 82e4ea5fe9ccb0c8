"""Spreadsheet endpoints of figures and targets: export, template, import (all or nothing)."""

import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook
from rest_framework.test import APIClient

from bangfu.accounts.models import Role
from bangfu.core.testing import make_user
from bangfu.indicators.models import DataValue, Side, Status, Target
from bangfu.indicators.tests.helpers import approved
from bangfu.indicators.tests.test_io import HEADERS, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def client(user: Any) -> APIClient:
    c = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    c.force_authenticate(user)
    return c


def sheet(response: Any, index: int = 0) -> list[list[Any]]:
    assert response["Content-Type"] == XLSX
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(index).to_python()


def upload(user: Any, url: str, data: bytes, **extra: Any) -> Any:
    file = SimpleUploadedFile("figures.xlsx", data, content_type=XLSX)
    return client(user).post(url, {"file": file, **extra}, format="multipart")


def test_figures_export_as_filtered_with_chinese_headers(world, this_year):
    approved(world.longhua_fengshan, Side.RECIPIENT, "teachers_sent", "16", this_year)
    approved(world.tianhe_nayong, Side.DONOR, "teachers_sent", "9", this_year)
    url = f"/api/indicator-values/export/?pairing={world.longhua_fengshan.pk}"
    rows = sheet(client(world.dana).get(url))
    assert rows[0] == ["指标代码", "指标名称", "结对ID", "填报方", "期间", "数值", "状态", "备注"]
    assert [(r[0], r[2], r[3], r[5]) for r in rows[1:]] == [
        ("teachers_sent", float(world.longhua_fengshan.pk), "受援方", "16")
    ]
    everything = sheet(client(world.dana).get("/api/indicator-values/export/"))
    assert len(everything) == 3


def test_figures_export_only_what_the_user_may_see(world, this_year):
    approved(world.longhua_fengshan, Side.RECIPIENT, "teachers_sent", "16", this_year)
    assert len(sheet(client(world.alice).get("/api/indicator-values/export/"))) == 2
    assert len(sheet(client(world.charlie).get("/api/indicator-values/export/"))) == 1
    url = f"/api/indicator-values/export/?pairing={world.longhua_fengshan.pk}"
    assert client(world.charlie).get(url).status_code == 404
    assert APIClient().get("/api/indicator-values/export/").status_code in (401, 403)


def test_templates_list_the_importable_columns_and_explain_them(world):
    values = client(world.charlie).get("/api/indicator-values/template/")
    assert sheet(values)[0] == ["指标代码", "结对ID", "填报方", "期间", "数值", "备注"]
    assert sheet(values, 1)[0] == ["列名", "必填", "填写说明"]
    targets = client(world.charlie).get("/api/indicator-targets/template/")
    assert sheet(targets)[0] == ["指标代码", "结对ID", "填报地区代码", "期间", "数值", "备注"]
    assert APIClient().get("/api/indicator-targets/template/").status_code in (401, 403)


def test_a_figure_file_imports_as_drafts(world, this_year):
    pk, year = world.longhua_fengshan.pk, this_year.start.year
    data = xlsx([HEADERS, ["teachers_sent", pk, "受援方", year, 16, "ok"]])
    dry = upload(world.alice, "/api/indicator-values/import/", data, dry_run="true")
    assert dry.json() == {"rows": 1, "dry_run": True}
    assert DataValue.objects.count() == 0
    response = upload(world.alice, "/api/indicator-values/import/", data)
    assert response.json() == {"rows": 1, "dry_run": False}
    figure = DataValue.objects.get()
    assert (figure.value, figure.status, figure.comment) == (Decimal("16"), Status.DRAFT, "ok")


def test_a_bad_figure_file_writes_nothing_and_lists_every_refused_cell(world, this_year):
    pk, year = world.longhua_fengshan.pk, this_year.start.year
    data = xlsx([
        HEADERS,
        ["teachers_sent", pk, "受援方", year, 16, ""],
        ["no_such_code", pk, "受援方", year, 1, ""],
        ["teachers_sent", pk, "受援方", "20x0", 1, ""],
    ])  # fmt: skip
    response = upload(world.alice, "/api/indicator-values/import/", data)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"file": "figures.xlsx", "row": 3, "column": "指标代码", "reason": "no such indicator"},
        {"file": "figures.xlsx", "row": 4, "column": "期间",
         "reason": response.json()["errors"][1]["reason"]},
    ]  # fmt: skip
    assert "20x0" in response.json()["errors"][1]["reason"]
    assert DataValue.objects.count() == 0


def test_importing_into_a_pairing_outside_the_scope_is_refused(world, this_year):
    pk, year = world.longhua_fengshan.pk, this_year.start.year
    data = xlsx([HEADERS, ["teachers_sent", pk, "受援方", year, 16, ""]])
    response = upload(world.charlie, "/api/indicator-values/import/", data)
    assert response.status_code == 400
    assert [(e["row"], e["column"], e["reason"]) for e in response.json()["errors"]] == [
        (2, "结对ID", "no such pairing in your scope")
    ]
    # Bob sees the pairing but reports for the donor side only.
    response = upload(world.bob, "/api/indicator-values/import/", data)
    assert [(e["row"], e["reason"]) for e in response.json()["errors"]] == [
        (2, "You may not enter figures for this side.")
    ]
    assert DataValue.objects.count() == 0


def test_importing_needs_the_data_entry_role(world, this_year):
    viewer = make_user(username="viewer", region=world.fengshan, roles=[Role.VIEWER])
    data = xlsx([HEADERS])
    assert upload(viewer, "/api/indicator-values/import/", data).status_code == 403
    assert upload(viewer, "/api/indicator-targets/import/", data).status_code == 403
    assert APIClient().post("/api/indicator-values/import/").status_code in (401, 403)


def test_targets_import_and_export_through_the_api(world):
    pk = world.longhua_fengshan.pk
    headers = ["指标代码", "结对ID", "期间", "数值", "备注"]
    data = xlsx(
        [headers, ["teachers_sent", pk, "2020", 16, ""], ["labour_trained", pk, "2020", -1, ""]]
    )
    refused = upload(world.alice, "/api/indicator-targets/import/", data)
    assert refused.status_code == 400
    assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [(3, "数值")]
    assert Target.objects.count() == 0
    good = xlsx([headers, ["teachers_sent", pk, "2020", 16, ""]])
    assert upload(world.alice, "/api/indicator-targets/import/", good).json()["rows"] == 1
    rows = sheet(client(world.alice).get(f"/api/indicator-targets/export/?pairing={pk}&year=2020"))
    assert [(r[0], r[4], r[5]) for r in rows[1:]] == [("teachers_sent", "2020", "16")]
    assert len(sheet(client(world.charlie).get("/api/indicator-targets/export/"))) == 1
    url = f"/api/indicator-targets/export/?pairing={pk}"
    assert client(world.charlie).get(url).status_code == 404
