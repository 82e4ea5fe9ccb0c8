from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bangfu.core.models import AuditEvent
from bangfu.regions.models import Region
from bangfu.regions.tests.files import FENGSHAN_ROWS, write_csv


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("regions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_prints_a_summary(tmp_path):
    out, _err = run("import", str(write_csv(tmp_path / "f.csv", FENGSHAN_ROWS)))
    assert out == "f.csv: added 3 (township 2, village 1), 0 unchanged.\n"
    assert Region.objects.filter(code__startswith="451223").count() == 4


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path):
    out, _err = run("import", str(write_csv(tmp_path / "f.csv", FENGSHAN_ROWS)), "--dry-run")
    assert out == "f.csv is fine: would add 3 (township 2, village 1), 0 unchanged.\n"
    assert Region.objects.filter(code__startswith="451223").count() == 1


@pytest.mark.django_db
def test_refused_file_exits_non_zero_with_the_row_messages(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [["451223100000", ""], ["4512231", "x"]])
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("regions", "import", str(path), stdout=StringIO(), stderr=err)
    assert refused.value.returncode == 1
    assert str(refused.value) == "bad.csv was refused (2 problems); nothing was imported."
    assert err.getvalue() == (
        "bad.csv, row 2, column name: The name is empty.\n"
        "bad.csv, row 3, column code: “4512231” is not a 12-digit code.\n"
    )
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("import", str(tmp_path / "nope.csv"))


@pytest.mark.django_db
def test_load_local_is_safe_to_repeat():
    assert run("load-local")[0] == (
        "regions_local.csv: added 1885 (township 172, village 1713), 0 unchanged.\n"
    )
    assert run("load-local")[0] == (
        "regions_local.csv: added 0 (township 0, village 0), 1885 unchanged.\n"
    )


@pytest.mark.django_db
def test_resolve_prints_codes_and_full_names():
    assert run("resolve", "都安")[0] == "451228000000\tcounty\t河池市都安瑶族自治县\n"
    assert run("resolve", "城区", "--context", "440000000000")[0] == (
        "441502000000\tcounty\t汕尾市城区\n"
    )
    out, _err = run("resolve", "城区")
    assert out.splitlines() == [
        "“城区” is ambiguous:",
        "140302000000\tcounty\t阳泉市城区",
        "140502000000\tcounty\t晋城市城区",
        "441502000000\tcounty\t汕尾市城区",
    ]


@pytest.mark.django_db
def test_resolve_of_an_unknown_name_exits_non_zero():
    with pytest.raises(CommandError) as missing:
        run("resolve", "乌有县")
    assert missing.value.returncode == 1


def test_every_subcommand_has_help(capsys):
    for subcommand in ("import", "load-local", "resolve"):
        with pytest.raises(SystemExit):
            call_command("regions", subcommand, "--help")
        assert "usage:" in capsys.readouterr().out
