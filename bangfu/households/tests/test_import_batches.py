"""The import's batches: files read from disk in blocks, prepared in worker processes, row
numbers that run on across batches, and all-or-nothing over every batch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from bangfu.core import jobs
from bangfu.core.models import JobStatus
from bangfu.households.bulkload import IndexSuspension
from bangfu.households.fields import reveal
from bangfu.households.importing import engine, writer
from bangfu.households.importing import jobs as import_jobs
from bangfu.households.importing.engine import Source
from bangfu.households.models import Household, Person
from bangfu.households.pii import id_token
from bangfu.households.tests.helpers import make_id
from bangfu.households.tests.import_helpers import (
    HOUSEHOLD_HEADERS,
    PERSON_HEADERS,
    household_row,
    person_row,
    to_csv,
)  # fmt: skip

pytestmark = pytest.mark.django_db

HOUSEHOLDS = 30


def _person_id(index: int) -> str:
    return make_id(
        born=dt.date(1970, 1, 1) + dt.timedelta(days=index), sequence=13 + 2 * (index % 400)
    )


def _files(tmp_path: Path, persons: list[dict[str, str]] | None = None) -> list[Source]:
    households = [household_row(f"H{h:04d}", 家庭人口数="2") for h in range(HOUSEHOLDS)]
    if persons is None:
        persons = []
        for h in range(HOUSEHOLDS):
            persons.append(person_row(f"P{h:04d}1", f"H{h:04d}", _person_id(2 * h)))
            persons.append(
                person_row(
                    f"P{h:04d}2",
                    f"H{h:04d}",
                    _person_id(2 * h + 1),
                    与户主关系="配偶",
                    姓名="蓝小花",
                )
            )
    household_path = tmp_path / "户表.csv"
    person_path = tmp_path / "人表.csv"
    household_path.write_bytes(to_csv(HOUSEHOLD_HEADERS, households))
    person_path.write_bytes(to_csv(PERSON_HEADERS, persons))
    return [
        Source(filename=household_path.name, path=household_path, table="household"),
        Source(filename=person_path.name, path=person_path, table="person"),
    ]


@pytest.fixture
def small_batches(monkeypatch):
    """Blocks of a few records, prepared by the worker processes as a big import would be."""
    monkeypatch.setattr(engine, "BLOCK_CHARS", 300)
    monkeypatch.setattr(engine, "BATCH_ROWS", 7)
    monkeypatch.setattr(engine, "POOL_MIN_ROWS", 0)
    monkeypatch.setattr(writer, "SQLITE_ROWS_PER_INSERT", 3)  # full and partial statements


def _run(actor, sources, progress=None):
    job = import_jobs.import_queue(actor=actor, files=[], enqueue=False, income_year=2023)
    jobs.job_start(job=job)
    import_jobs.run(job, sources, progress=progress)
    job.refresh_from_db()
    return job


def test_a_file_in_many_batches_and_workers_imports_every_row(world, tmp_path, small_batches):
    seen: list[tuple[int, int]] = []
    job = _run(
        world.alice, _files(tmp_path), progress=lambda done, total: seen.append((done, total))
    )
    assert job.status == JobStatus.SUCCEEDED, list(job.messages.values_list("row", "reason"))
    assert Household.objects.count() == HOUSEHOLDS
    assert Person.objects.count() == 2 * HOUSEHOLDS
    person = Person.objects.get(number="P00172")
    assert person.household.number == "H0017"
    assert reveal(person.name) == "蓝小花"
    assert person.id_token == id_token(_person_id(35))
    assert (person.relation, person.sex) == (
        "spouse",
        "female" if int(_person_id(35)[16]) % 2 == 0 else "male",
    )
    # Progress rises batch by batch to the total of both files.
    dones = [done for done, _total in seen]
    assert dones == sorted(dones)
    assert len(seen) > 5
    assert seen[-1] == (3 * HOUSEHOLDS, 3 * HOUSEHOLDS)
    assert (job.done, job.total) == (3 * HOUSEHOLDS, 3 * HOUSEHOLDS)


def test_an_error_in_a_late_batch_names_its_row_and_writes_nothing(world, tmp_path, small_batches):
    persons = [
        person_row(
            f"P{i:03d}",
            f"H{i // 2:04d}",
            _person_id(i),
            与户主关系="户主" if i % 2 == 0 else "之子",
        )
        for i in range(2 * HOUSEHOLDS)
    ]
    persons[52]["务工时间(月)"] = "15"
    persons[57]["户编号"] = "H9999"
    job = _run(world.alice, _files(tmp_path, persons))
    assert job.status == JobStatus.FAILED
    found = sorted(job.messages.values_list("file", "row", "column", "reason"))
    assert found == [
        ("人表.csv", 54, "务工时间(月)", "The value must lie between 0 and 12."),
        ("人表.csv", 59, "户编号", "No household with this number in the file or the registry."),
    ]
    # Earlier batches had been written; the whole import was rolled back.
    assert Household.objects.count() == Person.objects.count() == 0


def test_duplicates_are_found_across_batches(world, tmp_path, small_batches):
    persons = [
        person_row(
            f"P{i:03d}",
            f"H{i // 2:04d}",
            _person_id(i),
            与户主关系="户主" if i % 2 == 0 else "之子",
        )
        for i in range(2 * HOUSEHOLDS)
    ]
    persons[50]["证件号码"] = _person_id(3)
    persons[55]["人编号"] = "P001"
    persons[57]["与户主关系"] = "户主"
    job = _run(world.alice, _files(tmp_path, persons))
    found = sorted(job.messages.values_list("row", "column", "reason"))
    assert found == [
        (52, "证件号码", "This ID number appears twice in the file."),
        (57, "人编号", "This person number appears twice in the file."),
        (59, "与户主关系", "This household has two heads in the file."),
    ]


def test_quoted_line_breaks_and_blank_rows_keep_the_row_numbers(world, tmp_path, small_batches):
    persons = [
        person_row(
            f"P{i:03d}",
            f"H{i // 2:04d}",
            _person_id(i),
            与户主关系="户主" if i % 2 == 0 else "之子",
        )
        for i in range(2 * HOUSEHOLDS)
    ]
    persons[10]["姓名"] = "韦\n小\n宝"  # one record over three lines
    persons[20] = dict.fromkeys(PERSON_HEADERS, "")  # a blank row is skipped, but counted
    persons[40]["联系电话"] = "12345"
    job = _run(world.alice, _files(tmp_path, persons))
    found = list(job.messages.values_list("row", "column"))
    assert found == [(42, "联系电话")]


def test_a_reimport_in_batches_updates_only_what_changed(world, tmp_path, small_batches):
    sources = _files(tmp_path)
    _run(world.alice, sources)
    ids = sorted(Person.objects.values_list("pk", flat=True))
    persons = []
    for h in range(HOUSEHOLDS):
        persons.append(person_row(f"P{h:04d}1", f"H{h:04d}", _person_id(2 * h)))
        persons.append(
            person_row(
                f"P{h:04d}2", f"H{h:04d}", _person_id(2 * h + 1), 与户主关系="配偶", 姓名="蓝小花"
            )
        )
    persons[7]["姓名"] = "蓝大花"
    persons[33]["务工时间(月)"] = "2"
    again = _run(world.alice, _files(tmp_path, persons))
    assert again.status == JobStatus.SUCCEEDED
    assert again.summary["files"]["人表.csv"] == {
        "table": "person",
        "rows": 60,
        "created": 0,
        "updated": 2,
        "unchanged": 58,
    }
    assert again.summary["files"]["户表.csv"]["unchanged"] == HOUSEHOLDS
    assert sorted(Person.objects.values_list("pk", flat=True)) == ids
    assert reveal(Person.objects.get(number="P00032").name) == "蓝大花"
    assert Person.objects.get(number="P00162").months_worked_away == 2


def test_a_gb18030_file_is_read_from_disk(world, tmp_path, small_batches):
    sources = _files(tmp_path)
    for source in sources:
        assert source.path is not None
        source.path.write_bytes(source.path.read_text(encoding="utf-8").encode("gb18030"))
    job = _run(world.alice, sources)
    assert job.status == JobStatus.SUCCEEDED
    assert reveal(Household.objects.get(number="H0003").collector_name) == "黄采集"


# Big loads into empty tables go in without their secondary indexes (bulkload.py) -----------------


def _indexes(model: Any) -> dict[str, tuple[Any, ...]]:
    """Every index and constraint of the model's table, by name, with what defines it."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: (tuple(c["columns"]), c["unique"], c["index"], c["foreign_key"])
        for name, c in found.items()
    }


@pytest.fixture
def bulk_loads(monkeypatch, small_batches):
    """Every table of these small files counts as a big load; records what is suspended."""
    monkeypatch.setattr(engine, "BULK_MIN_ROWS", 0)
    suspended: list[list[str]] = []
    original = IndexSuspension.suspend

    def spy(self, tables):
        suspended.append([model._meta.db_table for model in tables])
        original(self, tables)

    monkeypatch.setattr(IndexSuspension, "suspend", spy)
    return suspended


def test_a_big_load_into_empty_tables_rebuilds_every_index(world, tmp_path, bulk_loads):
    before = {model: _indexes(model) for model in (Household, Person)}
    job = _run(world.alice, _files(tmp_path))
    assert job.status == JobStatus.SUCCEEDED, list(job.messages.values_list("row", "reason"))
    assert bulk_loads == [[Household._meta.db_table], [Person._meta.db_table]]
    assert {model: _indexes(model) for model in (Household, Person)} == before
    assert Person.objects.count() == 2 * HOUSEHOLDS
    assert Person.objects.get(number="P00172").household.number == "H0017"


def test_a_refused_big_load_writes_nothing_and_keeps_every_index(world, tmp_path, bulk_loads):
    before = {model: _indexes(model) for model in (Household, Person)}
    relations = ["户主", "之子"] * HOUSEHOLDS
    persons = [
        person_row(f"P{i:03d}", f"H{i // 2:04d}", _person_id(i), 与户主关系=relation)
        for i, relation in enumerate(relations)
    ]
    persons[57]["户编号"] = "H9999"
    job = _run(world.alice, _files(tmp_path, persons))
    assert job.status == JobStatus.FAILED
    assert list(job.messages.values_list("row", "column")) == [(59, "户编号")]
    assert Household.objects.count() == Person.objects.count() == 0
    assert {model: _indexes(model) for model in (Household, Person)} == before


def test_a_table_with_rows_keeps_its_indexes_during_an_import(world, tmp_path, bulk_loads):
    _run(world.alice, _files(tmp_path))
    bulk_loads.clear()
    again = _run(world.alice, _files(tmp_path))
    assert again.status == JobStatus.SUCCEEDED
    assert bulk_loads == []
    assert again.summary["files"]["人表.csv"]["unchanged"] == 2 * HOUSEHOLDS


@pytest.mark.parametrize("model", [Household, Person])
def test_a_big_load_keeps_the_indexes_that_begin_with_the_parent_key(model):
    """Indexes led by the parent's key (households by village, persons by household) stay
    during a first load; every other secondary index is dropped, and all come back."""
    column = engine.KEEP_LEADING[model._meta.db_table]
    before = _indexes(model)
    indexes = {name for name, (_c, _u, index, key) in before.items() if index and not key}
    led = {name for name in indexes if before[name][0][0] == column}
    assert led, "the table has indexes led by its parent key"
    assert indexes - led, "and others"
    suspension = IndexSuspension(constraints=False, keep_leading=engine.KEEP_LEADING)
    suspension.suspend([model])
    during = _indexes(model)
    assert led <= set(during)
    assert not (indexes - led) & set(during)
    suspension.resume()
    assert _indexes(model) == before
