"""The import page for every spreadsheet kind: jobs, progress, refused rows, templates."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from bangfu.accounts.models import Role
from bangfu.core.models import Job, JobStatus
from bangfu.core.testing import World, make_organisation, make_user
from bangfu.funds.models import FundFlow
from bangfu.indicators.models import DataValue

pytestmark = pytest.mark.django_db
HEADERS = ["指标代码", "结对ID", "填报方", "期间", "数值", "备注"]


def _csv(rows: list[list[Any]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode()


def _upload(client: Client, user: Any, table: str, data: bytes, name: str, capture: Any) -> Any:
    client.force_login(user)
    with capture(execute=True):
        return client.post(
            reverse("households-import"), {"file": SimpleUploadedFile(name, data), "table": table}
        )


def test_indicator_figures_import_as_a_job(client, world, django_capture_on_commit_callbacks):
    year = timezone.localdate().year
    pk = world.longhua_fengshan.pk
    data = _csv([HEADERS, ["teachers_sent", pk, "受援方", year, 16, ""]])
    response = _upload(
        client,
        world.alice,
        "indicator_values",
        data,
        "指标.csv",
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    job = Job.objects.get()
    assert (job.kind, job.status, job.summary["rows"]) == (
        "spreadsheet.indicator_values",
        JobStatus.SUCCEEDED,
        1,
    )
    assert DataValue.objects.get().value == 16
    page = client.get(response["Location"])
    assert 'data-testid="job-written"' in page.content.decode()


def test_a_bad_fund_file_shows_row_errors_and_writes_nothing(
    client, world, django_capture_on_commit_callbacks
):
    data = _csv([["结对ID", "阶段", "金额（万元）"], ["not a number", "到位", "abc"]])
    response = _upload(
        client, world.alice, "fund_flows", data, "资金.csv", django_capture_on_commit_callbacks
    )
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert FundFlow.objects.count() == 0
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'data-testid="row-errors"' in html
    errors = list(page.context["row_errors"])
    assert errors
    assert all(e.file == "资金.csv" for e in errors)
    report = client.get(reverse("households-import-report", args=[job.pk, "xlsx"]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(report.content)).get_sheet_by_index(0)
    table = rows.to_python()
    assert table[0] == ["文件", "行", "列", "原因"]
    assert len(table) == len(errors) + 1


def test_progress_fragment_polls_until_the_job_ends(client, world):
    from bangfu.ingest.import_jobs import sheet_import_queue

    job = sheet_import_queue(
        actor=world.alice, kind="projects", filename="p.csv", data=b"x", enqueue=False
    )
    client.force_login(world.alice)
    url = reverse("households-import-progress", args=[job.pk])
    running = client.get(url, {"running": 1})
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "HX-Refresh" not in running
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now())
    finished = client.get(url, {"running": 1})
    assert finished["HX-Refresh"] == "true"
    assert "hx-trigger" not in finished.content.decode()


def test_other_users_get_404_for_a_sheet_job(client, world):
    from bangfu.ingest.import_jobs import sheet_import_queue

    job = sheet_import_queue(
        actor=world.alice, kind="projects", filename="p.csv", data=b"x", enqueue=False
    )
    for who in (world.bob, world.charlie):
        client.force_login(who)
        for name in ("households-import-job", "households-import-progress"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_templates_download_for_data_entry_users_only(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("import-template", args=["fund_flows"]))
    assert response.status_code == 200
    assert client.get(reverse("import-template", args=["nothing"])).status_code == 404
    client.force_login(make_user(region=world.fengshan, roles=[Role.VIEWER]))
    assert client.get(reverse("import-template", args=["fund_flows"])).status_code == 404
    assert client.get(reverse("households-import")).status_code == 403


def test_table_choices_are_chinese_in_zh_hans(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("households-import"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert '<option value="village">村表（村基本情况）</option>' in html
    assert '<option value="household">户表（户基本情况）</option>' in html
    assert '<option value="person">人员表（家庭成员）</option>' in html
    assert ">village<" not in html
    assert ">person<" not in html


def test_organisation_users_import_sheets_but_not_households(client, world: World):
    company = make_organisation(name="华润", region=world.longhua)
    user = make_user(username="hr", organisation=company, roles=[Role.VIEWER, Role.DATA_ENTRY])
    client.force_login(user)
    response = client.get(reverse("households-import"))
    assert response.status_code == 200
    choices = [value for value, _ in response.context["form"].fields["table"].choices]
    assert choices == ["fund_flows", "projects", "indicator_values", "indicator_targets"]
    refused = client.post(
        reverse("households-import"),
        {"file": SimpleUploadedFile("户表.csv", b"a,b\n"), "table": "household"},
    )
    assert refused.status_code == 400
    assert not Job.objects.exists()
