import io

import pytest
from django.core.management import CommandError, call_command

from bangfu.core.testing import get_region
from bangfu.projects.models import Project
from bangfu.projects.tests.test_spreadsheets import GOOD, csv_file


@pytest.fixture(autouse=True)
def _regions(world):
    get_region("451223101201")


def test_projects_import_dry_run_checks_and_counts_but_writes_nothing(world, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(csv_file(world, *GOOD))
    out = io.StringIO()
    call_command("projects", "import", str(path), "--dry-run", stdout=out)
    assert out.getvalue() == "p.csv: created 2, updated 0, unchanged 0\n"
    assert Project.objects.count() == 0
    call_command("projects", "import", str(path), stdout=io.StringIO())
    assert Project.objects.count() == 2


def test_projects_import_dry_run_of_a_bad_file_lists_the_rows_and_fails(world, tmp_path):
    path = tmp_path / "bad.csv"
    bad = GOOD[0].replace(",饮水,", ",水利,")
    path.write_bytes(csv_file(world, bad))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("projects", "import", str(path), "--dry-run", stderr=err)
    assert err.getvalue().startswith("bad.csv, row 2, column 类别:")
    assert Project.objects.count() == 0
