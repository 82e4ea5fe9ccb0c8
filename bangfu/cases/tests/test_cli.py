"""`bangfu cases list|show|advance|overdue` through call_command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from bangfu.cases.choices import CaseState
from bangfu.cases.models import Case
from bangfu.cases.tests.helpers import case_in, days_ago, open_case
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("cases", *args, stdout=out)
    return out.getvalue()


def test_list_shows_every_case_overdue_first_with_a_mark(world):
    fresh = open_case(opened_on=days_ago(2))
    late = open_case(opened_on=days_ago(20))

    lines = run("list").splitlines()

    assert lines[1].split()[:2] == [str(late.pk), late.household.number]
    assert "!" in lines[1].split()
    assert lines[2].split()[:2] == [str(fresh.pk), fresh.household.number]
    assert "!" not in lines[2].split()
    assert lines[-1] == "2 cases."


def listed(*args: str) -> list[int]:
    """The case numbers in the rows of `cases list`."""
    return [int(line.split()[0]) for line in run("list", *args).splitlines()[1:-1]]


def test_list_filters_by_state_overdue_and_region(world):
    clue = open_case(opened_on=days_ago(20))
    fresh = open_case(opened_on=days_ago(1))
    recorded = case_in(CaseState.RECORDED)  # recorded long ago without a measure: overdue

    assert listed("--state", "recorded") == [recorded.pk]
    assert sorted(listed("--overdue")) == sorted([clue.pk, recorded.pk])
    assert sorted(listed("--region", "451223000000")) == sorted([clue.pk, fresh.pk, recorded.pk])
    assert run("list", "--region", "451228000000") == "No cases.\n"  # 都安县


def test_list_refuses_a_malformed_region_code(world):
    with pytest.raises(CommandError, match="45122 is not a 12-digit region code"):
        run("list", "--region", "45122")


def test_list_refuses_an_unknown_state(world):
    with pytest.raises(CommandError, match="invalid choice: 'closed'"):
        run("list", "--state", "closed")


def test_list_as_a_user_shows_only_their_scope(world):
    case = open_case()

    assert f"{case.pk} " in run("list", "--as", "alice")
    assert run("list", "--as", "bob") == "No cases.\n"
    assert run("list", "--as", "charlie") == "No cases.\n"


def test_an_unknown_user_is_refused(world):
    with pytest.raises(CommandError, match="No active user nobody"):
        run("list", "--as", "nobody")


def test_show_prints_the_facts_and_the_timeline_in_words(world):
    case = case_in(CaseState.COMPARED)

    text = run("show", str(case.pk))

    assert f"case: {case.pk}" in text
    assert "state: department data compared" in text
    assert "source: cadre visit (基层干部排查)" in text
    assert "risk types: illness (因病)" in text
    assert "department data compared  (result: consistent with the application)" in text
    assert "Next steps: review, dismiss" in text


def test_show_outside_the_scope_says_there_is_no_such_case(world):
    case = open_case()

    with pytest.raises(CommandError, match=f"There is no case {case.pk} in your scope"):
        run("show", str(case.pk), "--as", "charlie")


def test_advance_moves_the_case_and_audits_the_step(world):
    case = case_in(CaseState.VERIFIED)
    before = AuditEvent.objects.filter(object_type="cases.case").count()

    out = run("advance", str(case.pk), "compare", "--result", "consistent", "--as", "alice")

    assert out == f"Case {case.pk}: department data compared.\n"
    case.refresh_from_db()
    assert (case.state, case.comparison_result) == (CaseState.COMPARED, "consistent")
    event = AuditEvent.objects.filter(object_type="cases.case").latest("id")
    assert AuditEvent.objects.filter(object_type="cases.case").count() == before + 1
    assert event.actor == world.alice


def test_advance_verify_takes_the_signer_and_the_scan_file(world, tmp_path):
    case = open_case()
    head = case.household.persons.get()
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4 signed")

    run(
        "advance",
        str(case.pk),
        "verify",
        "--signer",
        head.number,
        "--scan",
        str(scan),
        "--date",
        days_ago(300).isoformat(),
    )

    case.refresh_from_db()
    assert case.state == CaseState.VERIFIED
    assert case.authorised_by == head
    assert case.authorisation_scan.name.endswith(".pdf")


def test_a_refused_step_lists_every_failed_criterion_and_changes_nothing(world):
    case = open_case()

    with pytest.raises(CommandError) as refused:
        run("advance", str(case.pk), "verify")

    assert str(refused.value).splitlines() == [
        "The step was refused:",
        "  - the signed authorisation needs the household member who signed it",
        "  - the scan of the signed authorisation (承诺授权书) is missing",
    ]
    assert Case.objects.get(pk=case.pk).state == CaseState.CLUE


def test_a_step_not_open_from_the_current_state_is_refused_with_the_states(world):
    case = open_case()

    with pytest.raises(CommandError, match="cannot move to “recorded as monitored household”"):
        run("advance", str(case.pk), "record", "--category", "marginal", "--risk", "illness")


def test_an_option_the_step_does_not_take_is_named(world):
    case = case_in(CaseState.VERIFIED)

    with pytest.raises(CommandError, match="--way: This field cannot be set here"):
        run("advance", str(case.pk), "compare", "--result", "consistent", "--way", "natural")


def test_bad_dates_signers_and_files_are_named(world, tmp_path):
    case = open_case()

    with pytest.raises(CommandError, match="--date: 2025-13-01 is not a date"):
        run("advance", str(case.pk), "verify", "--date", "2025-13-01")
    with pytest.raises(CommandError, match="no member with person number X1"):
        run("advance", str(case.pk), "verify", "--signer", "X1")
    with pytest.raises(CommandError, match="No such file"):
        run("advance", str(case.pk), "verify", "--scan", str(tmp_path / "missing.pdf"))


def test_advance_needs_the_role_and_the_level_of_the_step(world):
    case = case_in(CaseState.NOTICE)

    # alice enters data but does not review.
    with pytest.raises(CommandError, match="This needs the role"):
        run("advance", str(case.pk), "township_review", "--as", "alice")
    with pytest.raises(CommandError, match=f"There is no case {case.pk} in your scope"):
        run("advance", str(case.pk), "dismiss", "--reason", "x", "--as", "bob")
    assert Case.objects.get(pk=case.pk).state == CaseState.NOTICE


def test_overdue_report_groups_by_state_with_the_deadline(world):
    late = open_case(opened_on=days_ago(20))
    open_case(opened_on=days_ago(1))

    lines = run("overdue").splitlines()

    assert lines == [
        "clue:",
        f"  case {late.pk}, household {late.household.number}: "
        f"due {days_ago(5).isoformat()}, 5 days late",
        "1 overdue cases.",
    ]
    assert run("overdue", "--as", "charlie") == "No case is overdue.\n"
