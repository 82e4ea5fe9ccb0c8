import io
import json

import pytest
from django.core.management import CommandError, call_command

from bangfu.ingest.management.commands.extract import auto_jobs

# The command reads the gazetteer (the test database has no regions: the shipped files stand in).
pytestmark = pytest.mark.django_db

REPORTS = [
    "2021-03-09 某区融媒\n龙华区对口帮扶凤山县,投入帮扶资金300万元,培训劳动力120人次。",
    "2020年,天河区向纳雍县捐赠资金50万元,帮助40户150人脱贫。",
    "没有数字的段落。",
    "截至2021年9月底,已拨付资金1,200万元,实施项目3个,完成率95%。",
]


def run(*args):
    out = io.StringIO()
    call_command("extract", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def files(tmp_path):
    paths = []
    for i in range(12):
        path = tmp_path / f"report_{i:02d}.txt"
        path.write_text(REPORTS[i % len(REPORTS)], encoding="utf-8")
        paths.append(str(path))
    return paths


def test_the_json_lists_every_file_in_the_order_given(files):
    given = list(reversed(files))

    documents = json.loads(run("--format", "json", "--jobs", "1", *given))["documents"]

    assert [d["source"] for d in documents] == given
    assert [q["value"] for q in documents[-1]["quantities"]] == [3_000_000, 120]
    assert [(p["donor"], p["recipient_code"]) for p in documents[-1]["pairings"]] == [
        ("龙华区", "451223000000")
    ]


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_worker_processes_print_exactly_what_one_process_prints(files, fmt):
    alone = run("--format", fmt, "--jobs", "1", *files)

    assert run("--format", fmt, "--jobs", "2", *files) == alone
    assert run("--format", fmt, "--jobs", "3", *files) == alone


def test_a_missing_file_stops_the_command_with_its_name(files):
    with pytest.raises(CommandError, match=r"nowhere\.txt: no such file"):
        run("--format", "json", "--jobs", "2", files[0], "nowhere.txt", *files[1:])


def test_short_batches_stay_in_one_process():
    assert auto_jobs(1) == 1
    assert auto_jobs(63) == 1
    assert 1 <= auto_jobs(1000) <= 2


def test_the_light_start_prints_exactly_what_the_command_prints(files, capsys):
    from bangfu.ingest import batch

    for fmt in ("json", "table"):
        out = io.StringIO()
        assert batch.run_light(["--format", fmt, "--jobs", "2", *files], stdout=out) == 0
        assert out.getvalue() == run("--format", fmt, "--jobs", "1", *files)


@pytest.mark.parametrize(
    "argv",
    [
        ["--format", "json", "nowhere.txt"],  # the error is reported by the command, translated
        ["--help"],
        ["--format", "json", "--settings", "config.settings.test", "x.txt"],
        ["--format", "xml", "x.txt"],
    ],
)
def test_the_light_start_leaves_to_the_command_what_it_does_not_do(argv):
    from bangfu.ingest import batch

    out = io.StringIO()
    assert batch.run_light(argv, stdout=out) is None
    assert out.getvalue() == ""


def test_regions_are_read_from_an_sqlite_database_without_the_orm(tmp_path):
    import sqlite3

    from bangfu.ingest import batch
    from bangfu.regions.models import Region

    assert batch.REGIONS_SQL.endswith(f" FROM {Region._meta.db_table}")
    assert {f.column for f in Region._meta.concrete_fields} >= {"code", "name", "level"}
    path = tmp_path / "db.sqlite3"
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    assert batch.region_rows(database) == []  # no file yet
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE other (x)")
    assert batch.region_rows(database) == []  # not migrated: the shipped files stand in
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE TABLE {Region._meta.db_table} (code, name, level)")
        db.execute("INSERT INTO regions_region VALUES ('451223000000', '凤山县', 'county')")
    assert batch.region_rows(database) == [("451223000000", "凤山县", "county")]
    with pytest.raises(batch.NeedsDjango):
        batch.region_rows({"ENGINE": "django.db.backends.mysql", "NAME": "x"})
