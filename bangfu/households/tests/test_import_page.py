from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from bangfu.core.models import JobStatus
from bangfu.households.importing.jobs import import_queue
from bangfu.households.models import Household
from bangfu.households.tests.import_helpers import HOUSEHOLD_HEADERS, household_row, to_csv

pytestmark = pytest.mark.django_db


def _upload(client, user, data, name="户表.csv", capture=None):
    client.force_login(user)
    with capture(execute=True):
        return client.post(
            "/households/import/", {"file": SimpleUploadedFile(name, data), "income_year": 2023}
        )


def test_the_page_queues_the_import_and_shows_the_job(
    client, world, django_capture_on_commit_callbacks
):
    data = to_csv(HOUSEHOLD_HEADERS, [household_row("H0001")])
    response = _upload(client, world.alice, data, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Household.objects.count() == 1
    page = client.get(response["Location"])
    assert page.status_code == 200
    status = client.get(response["Location"] + "status/").json()
    assert (status["status"], status["done"], status["total"], status["percent"]) == (
        JobStatus.SUCCEEDED,
        1,
        1,
        100,
    )


def test_the_error_report_downloads_as_csv_and_xlsx(
    client, world, django_capture_on_commit_callbacks
):
    data = to_csv(HOUSEHOLD_HEADERS, [household_row("H0001", 户类型="贫困户")])
    response = _upload(client, world.alice, data, capture=django_capture_on_commit_callbacks)
    job_url = response["Location"]
    text = client.get(job_url + "report.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0] == "文件,行,列,原因"
    assert text.splitlines()[1].startswith("户表.csv,2,户类型,不在可选值之内：")
    xlsx = client.get(job_url + "report.xlsx").content
    rows = (
        CalamineWorkbook.from_filelike(__import__("io").BytesIO(xlsx))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[1][:3] == ["户表.csv", "2", "户类型"] or rows[1][:3] == ["户表.csv", 2.0, "户类型"]
    assert Household.objects.count() == 0


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_other_users_get_404_for_a_job_and_its_endpoints(
    client, world, who, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_queue(
            actor=world.alice, files=[("户表.csv", to_csv(HOUSEHOLD_HEADERS, [household_row()]))]
        )
    client.force_login(getattr(world, who))
    for suffix in ("", "status/", "report.csv", "report.xlsx"):
        assert client.get(f"/households/import/jobs/{job.pk}/{suffix}").status_code == 404


def test_a_donor_side_upload_writes_nothing(client, world, django_capture_on_commit_callbacks):
    data = to_csv(HOUSEHOLD_HEADERS, [household_row("H0001")])
    response = _upload(client, world.bob, data, capture=django_capture_on_commit_callbacks)
    status = client.get(response["Location"] + "status/").json()
    assert status["status"] == JobStatus.FAILED
    assert Household.objects.count() == 0


def test_a_viewer_and_an_anonymous_user_are_refused_the_page(client, world):
    from bangfu.core.testing import make_user

    assert client.get("/households/import/").status_code == 302
    client.force_login(make_user(region=world.fengshan))
    assert client.get("/households/import/").status_code == 403


def test_the_command_refuses_a_donor_side_user(world, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "户表.csv"
    path.write_bytes(to_csv(HOUSEHOLD_HEADERS, [household_row("H0001")]))
    with pytest.raises(CommandError, match="refused"):
        call_command(
            "import_households", str(path), "--sync", "--user", "bob", "--income-year", "2023"
        )
    assert Household.objects.count() == 0


def test_the_command_imports_synchronously_with_a_progress_bar(world, tmp_path):
    import io

    from django.core.management import call_command

    path = tmp_path / "户表.csv"
    path.write_bytes(to_csv(HOUSEHOLD_HEADERS, [household_row("H0001"), household_row("H0002")]))
    out = io.StringIO()
    call_command("import_households", str(path), "--sync", "--user", "alice", stdout=out)
    assert "\r[" + "#" * 30 + "] 2/2" in out.getvalue()
    assert "户表.csv: 2 rows, 2 created, 0 updated, 0 unchanged." in out.getvalue()


def test_the_command_reads_a_mapping_override(world, tmp_path):
    from django.core.management import call_command

    data = to_csv(
        ["户码", *HOUSEHOLD_HEADERS[1:]],
        [{"户码": "H0007", **{k: v for k, v in household_row().items() if k != "户编号"}}],
    )
    (tmp_path / "h.csv").write_bytes(data)
    (tmp_path / "m.yaml").write_text("household:\n  number:\n    header: 户码\n", encoding="utf-8")
    call_command(
        "import_households",
        str(tmp_path / "h.csv"),
        "--sync",
        "--table",
        "household",
        "--mapping",
        str(tmp_path / "m.yaml"),
    )
    assert Household.objects.filter(number="H0007").exists()
