"""Monitoring runs whose rules are read by parallel connections (PostgreSQL, parallel.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction

from bangfu.accounts.scopes import SYSTEM
from bangfu.households import generator
from bangfu.households.models import Finding, MonitoringRun
from bangfu.households.monitoring import parallel, services
from bangfu.households.monitoring.rules import RULES
from bangfu.households.monitoring.services import monitoring_run

AS_OF = dt.date(2026, 1, 1)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel readers are a PostgreSQL feature"
)


def _findings(run: MonitoringRun) -> Counter[tuple[Any, ...]]:
    columns = [c for c in services.INSERTED_COLUMNS if c != "run_id"]
    return Counter(Finding.objects.filter(run=run).values_list(*columns))


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE households_household")  # the planner's household estimate


def _households_and_rows_sql(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    """50 generated households; each rule's finding SQL goes through `change(rule, sql)`."""
    generator.generate(count=50, seed=7, workers=1)
    _analyze()
    original = services.finding_rows

    def changed(rule: Any, ctx: Any, run_pk: int) -> tuple[str, tuple[Any, ...]]:
        sql, params = original(rule, ctx, run_pk)
        return change(rule, sql), params

    monkeypatch.setattr(services, "finding_rows", changed)


@pytest.fixture
def readers(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    settings.BANGFU_MONITOR_READERS = 2
    monkeypatch.setattr(parallel, "MIN_HOUSEHOLDS", 0)
    used: list[int] = []
    original = parallel.copy_findings

    def spy(**kwargs: Any) -> dict[str, int]:
        used.append(kwargs["readers"])
        return original(**kwargs)

    monkeypatch.setattr(parallel, "copy_findings", spy)
    return used


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_readers_find_exactly_what_the_sequential_run_finds(
    world: Any, settings: Any, readers: list[int]
) -> None:
    generator.generate(count=300, seed=7, workers=1)
    _analyze()
    in_parallel = monitoring_run(actor=SYSTEM, as_of=AS_OF)
    assert readers == [2]
    settings.BANGFU_MONITOR_READERS = 0
    sequential = monitoring_run(actor=SYSTEM, as_of=AS_OF)
    assert readers == [2]
    assert in_parallel.finding_count > 100
    assert in_parallel.counts == sequential.counts
    assert in_parallel.household_count == sequential.household_count
    assert _findings(in_parallel) == _findings(sequential)


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_reader_rolls_the_whole_run_back(
    world: Any, readers: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(rule: Any, sql: str) -> str:
        if rule.code == "NO_LABOUR":
            return sql.replace("SELECT", "SELECT 1 / 0,", 1)  # fails inside the reader
        return sql

    _households_and_rows_sql(monkeypatch, broken)
    with pytest.raises(Exception, match="division by zero"):
        monitoring_run(actor=SYSTEM, as_of=AS_OF)
    assert readers == [2]
    assert MonitoringRun.objects.count() == 0
    assert Finding.objects.count() == 0


@pytest.mark.django_db
def test_a_run_inside_a_callers_transaction_reads_sequentially(
    world: Any, readers: list[int]
) -> None:
    """Readers would not see what the caller wrote earlier in its transaction."""
    with transaction.atomic():
        monitoring_run(actor=SYSTEM, as_of=AS_OF)
    assert readers == []
    assert parallel.readers_for(outermost=False) == 0


@pytest.mark.django_db
def test_no_readers_when_switched_off_or_on_sqlite(world: Any, settings: Any) -> None:
    settings.BANGFU_MONITOR_READERS = 0
    assert parallel.readers_for(outermost=True) == 0
    settings.BANGFU_MONITOR_READERS = 2
    if connection.vendor == "sqlite":
        assert parallel.readers_for(outermost=True) == 0


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readers_take_the_heaviest_rules_first(
    world: Any, readers: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def recording(rule: Any, sql: str) -> str:
        asked.append(rule.code)
        return sql

    _households_and_rows_sql(monkeypatch, recording)
    run = monitoring_run(actor=SYSTEM, as_of=AS_OF)
    weights = {rule.code: rule.weight for rule in RULES}
    assert [weights[code] for code in asked] == sorted(weights.values(), reverse=True)
    assert asked[0] == "UNSTABLE_WORK"
    assert list(run.counts) == [rule.key for rule in RULES]  # reported in the rules' order
