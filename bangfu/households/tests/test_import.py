# ruff: noqa: E501  (tabular test data and file rows read better on one line)
from __future__ import annotations

import gc
from decimal import Decimal

import pytest

from bangfu.core.models import AuditAction, AuditEvent, JobStatus
from bangfu.households.fields import reveal
from bangfu.households.importing.jobs import import_queue
from bangfu.households.models import Household, Person
from bangfu.households.pii import id_token
from bangfu.households.tests.helpers import make_id
from bangfu.households.tests.import_helpers import (
    HOUSEHOLD_HEADERS,
    ID_A,
    ID_B,
    PERSON_HEADERS,
    household_row,
    person_row,
    standard_files,
    to_csv,
)  # fmt: skip

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(actor, files, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = import_queue(actor=actor, files=files, income_year=2023, **kwargs)
        job.refresh_from_db()
        return job

    return run


def test_it_imports_households_and_persons_from_csv(world, run):
    job = run(world.alice, standard_files())
    assert job.status == JobStatus.SUCCEEDED
    assert job.done == job.total == 5
    household = Household.objects.get(number="H0001")
    assert household.net_income == Decimal("12800.50")
    assert household.per_capita_net_income == Decimal("6400.25")
    assert household.household_type == "poverty_exited"
    assert reveal(household.collector_name) == "黄采集"
    head = Person.objects.get(number="P01")
    assert head.id_token == id_token(ID_A)
    assert reveal(head.name) == "韦小宝"
    assert reveal(head.id_number) == ID_A
    assert (head.sex, head.ethnicity, head.relation) == ("male", "08", "head")
    assert head.critical_illness_insurance is True
    assert Person.objects.get(number="P02").sex == "female"
    assert job.summary["files"]["人表.csv"] == {
        "table": "person",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT)
    assert events.count() == 2
    assert ID_A not in str(list(events.values_list("after", flat=True)))


@pytest.mark.parametrize("refused", [False, True])
def test_the_garbage_collector_runs_again_after_an_import(world, run, refused):
    """The import pauses the cyclic collector while it works (prepare.collector_paused) and
    leaves it on afterwards, whether the files went in or were refused."""
    files = standard_files()
    if refused:
        files = [(name, content.replace(b"H0001", b"", 1)) for name, content in files]
    assert gc.isenabled()
    job = run(world.alice, files)
    assert job.status == (JobStatus.FAILED if refused else JobStatus.SUCCEEDED)
    assert gc.isenabled()


def test_it_imports_an_xlsx_file(world, run, tmp_path):
    import xlsxwriter

    path = tmp_path / "户表.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HOUSEHOLD_HEADERS)
    row = household_row("H0009")
    sheet.write_row(1, 0, [row[h] for h in HOUSEHOLD_HEADERS[:6]])
    sheet.write_number(1, 5, 3)
    sheet.write_number(1, 6, 9000)
    sheet.write_row(1, 7, [row[h] for h in HOUSEHOLD_HEADERS[7:]])
    workbook.close()
    job = run(world.alice, [("户表.xlsx", path.read_bytes())])
    assert job.status == JobStatus.SUCCEEDED
    household = Household.objects.get(number="H0009")
    assert (household.household_size, household.wage_income) == (3, Decimal("9000.00"))


@pytest.mark.parametrize(
    ("table", "row", "column", "reason"),
    [
        ("household", household_row(村编码="451223101999"), "村编码", "No village with this code in the register."),
        ("household", household_row(村编码="4512"), "村编码", "A village code has 12 digits."),
        ("household", household_row(户类型="贫困户"), "户类型", "Not one of: "),
        ("household", household_row(家庭人口数="0"), "家庭人口数", "The value must lie between 1 and 50."),
        ("household", household_row(工资性收入="-5"), "工资性收入", "The value must lie between 0 and 100000000."),
        ("household", household_row(工资性收入="abc"), "工资性收入", "Not a number."),
        ("household", household_row(户编号=""), "户编号", "A value is required."),
        ("person", person_row("P01", "H0001", ID_A[:17] + "0"), "证件号码", "ID number has a bad check character"),
        ("person", person_row("P01", "H0001", ID_A[:10]), "证件号码", "ID number has 10 characters"),
        ("person", person_row("P01", "H0001", ID_A, 性别="女"), "性别", "The sex does not match the ID number."),
        ("person", person_row("P01", "H9999", ID_A), "户编号", "No household with this number in the file or the registry."),
        ("person", person_row("P01", "H0001", ID_A, 务工时间_月="13"), "务工时间(月)", "The value must lie between 0 and 12."),
        ("person", person_row("P01", "H0001", ID_A, 联系电话="12345"), "联系电话", "The phone number is neither"),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_row_and_writes_nothing(world, run, table, row, column, reason):
    row = {k.replace("务工时间_月", "务工时间(月)"): v for k, v in row.items()}
    households = [household_row("H0001")] + ([row] if table == "household" else [])
    files = [("户表.csv", to_csv(HOUSEHOLD_HEADERS, households))]
    if table == "person":
        files.append(("人表.csv", to_csv(PERSON_HEADERS, [row])))
    job = run(world.alice, files)
    assert job.status == JobStatus.FAILED
    message = job.messages.get()
    expected_file = "户表.csv" if table == "household" else "人表.csv"
    assert (message.file, message.row, message.column) == (
        expected_file,
        3 if table == "household" else 2,
        column,
    )
    assert message.reason.startswith(reason)
    assert Household.objects.count() == Person.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_it_refuses_duplicates_within_the_file(world, run):
    households = to_csv(HOUSEHOLD_HEADERS, [household_row("H0001"), household_row("H0001")])
    persons = to_csv(PERSON_HEADERS, [
        person_row("P01", "H0001", ID_A),
        person_row("P02", "H0001", " " + ID_A.lower(), 与户主关系="配偶"),
        person_row("P01", "H0001", ID_B, 与户主关系="之子"),
        person_row("P04", "H0001", make_id(sequence=57)),
    ])  # fmt: skip
    job = run(world.alice, [("户表.csv", households), ("人表.csv", persons)])
    found = sorted((m.file, m.row, m.column, m.reason) for m in job.messages.all())
    assert found == [
        ("人表.csv", 3, "证件号码", "This ID number appears twice in the file."),
        ("人表.csv", 4, "人编号", "This person number appears twice in the file."),
        ("人表.csv", 5, "与户主关系", "This household has two heads in the file."),
        ("户表.csv", 3, "户编号", "This household number appears twice in the file."),
    ]
    assert Household.objects.count() == 0


def test_messages_never_contain_the_plaintext_id_or_name(world, run):
    bad_id = ID_A[:17] + "0"
    persons = to_csv(PERSON_HEADERS, [
        person_row("P01", "H0001", bad_id, 姓名="韦" + "长" * 60),
        person_row("P02", "H0001", ID_A, 民族=ID_B, 劳动技能="韦小宝"),
    ])  # fmt: skip
    job = run(
        world.alice,
        [("户表.csv", to_csv(HOUSEHOLD_HEADERS, [household_row()])), ("人表.csv", persons)],
    )
    text = " ".join(m.reason for m in job.messages.all())
    assert job.messages.count() == 4
    for secret in (bad_id, ID_A, ID_B, "韦小宝", "长长长"):
        assert secret not in text


def test_reimport_changes_nothing_and_then_updates_changed_rows(world, run):
    run(world.alice, standard_files())
    ids = sorted(Person.objects.values_list("pk", flat=True))
    again = run(world.alice, standard_files())
    assert again.summary["files"]["人表.csv"]["unchanged"] == 3
    assert again.summary["files"]["户表.csv"]["unchanged"] == 2
    row = person_row("P01", "H0001", ID_A, 姓名="韦大宝")
    row["务工时间(月)"] = "9"
    changed = to_csv(PERSON_HEADERS, [row])
    third = run(world.alice, [("人表.csv", changed)])
    assert third.summary["files"]["人表.csv"] == {
        "table": "person",
        "rows": 1,
        "created": 0,
        "updated": 1,
        "unchanged": 0,
    }
    assert sorted(Person.objects.values_list("pk", flat=True)) == ids
    head = Person.objects.get(number="P01")
    assert (reveal(head.name), head.months_worked_away) == ("韦大宝", 9)


def test_the_job_records_progress_and_messages(world, run):
    job = run(world.alice, standard_files())
    assert (job.done, job.total, job.status) == (5, 5, JobStatus.SUCCEEDED)
    assert job.created_by == world.alice
    assert job.started_at is not None
    assert job.finished_at is not None
    bad = run(world.alice, [("户表.csv", to_csv(HOUSEHOLD_HEADERS, [household_row(户类型="x")]))])
    assert bad.summary == {"refused": 1, "messages": 1}
    assert list(bad.messages.values_list("row", "column")) == [(2, "户类型")]


def test_a_donor_side_user_cannot_import_into_the_recipient_county(world, run):
    job = run(world.bob, standard_files())
    assert job.status == JobStatus.FAILED
    assert {m.reason for m in job.messages.all()} >= {"This village lies outside your scope."}
    assert Household.objects.count() == 0


def test_a_viewer_cannot_queue_an_import(world):
    from bangfu.core.errors import PermissionDenied
    from bangfu.core.testing import make_user

    viewer = make_user(region=world.fengshan)
    with pytest.raises(PermissionDenied):
        import_queue(actor=viewer, files=standard_files())
