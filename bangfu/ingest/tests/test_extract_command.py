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
