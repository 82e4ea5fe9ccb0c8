"""Monitoring runs: INSERT … SELECT of every rule, scope, audit, diff and the command."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import PermissionDenied
from bangfu.core.models import AuditEvent
from bangfu.core.testing import get_region
from bangfu.households import services as household_services
from bangfu.households.models import Finding, MonitoringRun
from bangfu.households.monitoring import selectors
from bangfu.households.monitoring.rules import RULES
from bangfu.households.monitoring.services import monitoring_run
from bangfu.households.tests.helpers import NAYONG_VILLAGE, TONGLE, make_household

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2024, 6, 30)


def poor(village: str = TONGLE) -> Any:
    """4 people, 5000 yuan per head: under the 6000 floor."""
    return make_household(village, wage_income=Decimal("16000"), transfer_income=Decimal("4000"))


def test_a_run_stores_each_finding_with_its_values_and_one_audit_event(world: Any) -> None:
    household = poor()
    run = monitoring_run(actor=SYSTEM, as_of=AS_OF)
    finding = Finding.objects.get(run=run, rule_code="INCOME_IN_RANGE")
    assert (finding.household_id, finding.village_id, finding.category) == (
        household.pk,
        "451223101201",
        "unstable",
    )
    assert (finding.value, finding.threshold, finding.kind) == (
        Decimal("5000.00"),
        Decimal("6000.00"),
        "risk",
    )
    assert run.counts["INCOME_IN_RANGE@1"] == 1
    assert run.finding_count == Finding.objects.filter(run=run).count()
    assert run.household_count == 1
    assert set(run.counts) == {rule.key for rule in RULES}
    events = AuditEvent.objects.filter(
        object_type="households.monitoringrun", object_id=str(run.pk)
    )
    assert events.count() == 1


def test_a_run_issues_one_insert_per_rule_whatever_the_number_of_households(world: Any) -> None:
    for _ in range(5):
        poor()
    with CaptureQueriesContext(connection) as queries:
        monitoring_run(actor=SYSTEM, as_of=AS_OF)
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "households_finding"')]
    assert len(inserts) == len(RULES)


def test_a_region_run_covers_only_its_subtree(world: Any) -> None:
    poor()
    other = poor(NAYONG_VILLAGE)
    run = monitoring_run(actor=world.alice, as_of=AS_OF)
    assert run.region_id == "451223000000"
    assert other.pk not in set(
        Finding.objects.filter(run=run).values_list("household_id", flat=True)
    )


def test_a_region_user_cannot_run_outside_their_subtree(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        monitoring_run(actor=world.alice, region=world.nayong, as_of=AS_OF)
    assert MonitoringRun.objects.count() == 0


def test_a_user_without_the_data_entry_role_cannot_run(world: Any) -> None:
    from bangfu.core.testing import make_user

    viewer = make_user(region=world.fengshan)
    with pytest.raises(PermissionDenied):
        monitoring_run(actor=viewer, as_of=AS_OF)


def test_diff_sorts_findings_into_new_resolved_and_persisting(world: Any) -> None:
    stays = poor()
    recovers = poor()
    first = monitoring_run(actor=SYSTEM, as_of=AS_OF)
    household_services.household_update(
        actor=SYSTEM, household=recovers, wage_income=Decimal("60000")
    )
    falls = poor()
    second = monitoring_run(actor=SYSTEM, as_of=AS_OF)
    result = selectors.diff(SYSTEM, first, second)

    def income(qs: Any) -> list[int]:
        return sorted(qs.filter(rule_code="INCOME_IN_RANGE").values_list("household_id", flat=True))

    assert income(result.new) == [falls.pk]
    assert income(result.resolved) == [recovers.pk]
    assert income(result.persisting) == [stays.pk]


def test_findings_are_invisible_to_donor_and_unrelated_users(world: Any) -> None:
    poor()
    run = monitoring_run(actor=SYSTEM, region=world.fengshan, as_of=AS_OF)
    assert selectors.findings(world.alice, run=run).count() == run.finding_count
    assert selectors.findings(world.bob, run=run).count() == 0
    assert selectors.findings(world.charlie, run=run).count() == 0
    assert list(selectors.visible_runs(world.bob)) == []


def test_a_province_run_shows_a_county_user_only_their_villages(world: Any) -> None:
    poor()
    get_region("520000000000")
    poor(NAYONG_VILLAGE)
    run = monitoring_run(actor=SYSTEM, as_of=AS_OF)
    assert list(selectors.visible_runs(world.alice)) == []  # a run over every region
    assert selectors.findings(world.dana, run=run, village="520525").count() >= 1


def test_findings_filter_by_rule_village_and_category(world: Any) -> None:
    poor()
    run = monitoring_run(actor=world.alice, as_of=AS_OF)
    found = selectors.findings(
        world.alice, run=run, rule="INCOME_IN_RANGE", village="451223101", category="unstable"
    )
    assert found.count() == 1


def test_monitor_command_runs_and_diffs(world: Any) -> None:
    poor()
    out = io.StringIO()
    call_command("monitor", "run", "--region", "451223000000", "--as-of", "2024-06-30", stdout=out)
    assert "Run " in out.getvalue()
    call_command("monitor", "run", "--as-of", "2024-06-30", stdout=out)
    first, second = MonitoringRun.objects.order_by("pk").values_list("pk", flat=True)
    out = io.StringIO()
    call_command("monitor", "diff", str(first), str(second), stdout=out)
    assert "persisting: " in out.getvalue()
    assert "INCOME_IN_RANGE" in out.getvalue()


def test_monitor_command_refuses_unknown_region_and_run(world: Any) -> None:
    with pytest.raises(CommandError, match="No region has the code 999999999999"):
        call_command("monitor", "run", "--region", "999999999999")
    with pytest.raises(CommandError, match="There is no run 41"):
        call_command("monitor", "diff", "41", "42")
