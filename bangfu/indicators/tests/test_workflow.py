import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from bangfu.accounts.models import Role
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditEvent
from bangfu.core.testing import get_region, make_user
from bangfu.indicators import services
from bangfu.indicators.models import DataValue, Side, Status
from bangfu.indicators.periods import Period
from bangfu.indicators.tests.conftest import indicator


def enter(
    world: Any,
    period: Period,
    code: str = "teachers_sent",
    value: str = "16",
    actor: Any = None,
    side: str = Side.RECIPIENT,
) -> Any:
    return services.data_value_set(
        actor=actor or world.alice,
        indicator=indicator(code),
        period=period,
        value=value,
        pairing=world.longhua_fengshan,
        reported_by=side,
    )


def test_a_figure_goes_from_draft_through_approval_to_locked_with_an_audit_trail(
    world, this_year, hechi_reviewer, admin
):
    figure = enter(world, this_year).value
    assert (figure.status, figure.value) == (Status.DRAFT, Decimal("16"))
    services.data_value_submit(actor=world.alice, data_value=figure)
    services.data_value_approve(actor=hechi_reviewer, data_value=figure)
    services.data_value_lock(actor=hechi_reviewer, data_value=figure)
    figure.refresh_from_db()
    assert figure.status == Status.LOCKED
    assert figure.approved_by == hechi_reviewer
    steps = list(
        AuditEvent.objects.filter(object_type="indicators.datavalue", object_id=str(figure.pk))
        .order_by("id")
        .values_list("after__status", flat=True)
    )
    assert steps == ["draft", "submitted", "approved", "locked"]


def test_a_reviewer_sends_a_figure_back_with_a_reason_and_it_can_be_corrected(
    world, this_year, hechi_reviewer
):
    figure = enter(world, this_year).value
    services.data_value_submit(actor=world.alice, data_value=figure)
    with pytest.raises(ValidationFailed):
        enter(world, this_year, value="17")  # submitted figures do not change
    with pytest.raises(ValidationFailed) as exc:
        services.data_value_send_back(actor=hechi_reviewer, data_value=figure, reason=" ")
    assert list(exc.value.errors) == ["reason"]
    services.data_value_send_back(actor=hechi_reviewer, data_value=figure, reason="名单只有15人")
    figure.refresh_from_db()
    assert (figure.status, figure.sent_back_reason) == (Status.DRAFT, "名单只有15人")
    assert enter(world, this_year, value="15").value.value == Decimal("15")
    event = AuditEvent.objects.filter(object_id=str(figure.pk), after__step="draft").get()
    assert event.after is not None
    assert event.after["reason"] == "名单只有15人"


def test_only_an_administrator_unlocks_and_must_give_a_reason(world, this_year, admin):
    figure = enter(world, this_year).value
    for step in (services.data_value_submit,):
        step(actor=world.alice, data_value=figure)
    services.data_value_approve(actor=admin, data_value=figure)
    services.data_value_lock(actor=admin, data_value=figure)
    with pytest.raises(PermissionDenied):
        services.data_value_unlock(actor=world.alice, data_value=figure, reason="typo")
    with pytest.raises(ValidationFailed):
        services.data_value_unlock(actor=admin, data_value=figure, reason="")
    services.data_value_unlock(actor=admin, data_value=figure, reason="typo in the count")
    figure.refresh_from_db()
    assert (figure.status, figure.reopened) == (Status.DRAFT, True)


def test_reviewers_of_the_same_level_or_unrelated_regions_cannot_approve(world, this_year):
    figure = enter(world, this_year).value
    services.data_value_submit(actor=world.alice, data_value=figure)
    same_county = make_user(region=world.fengshan, roles=[Role.REVIEWER])
    elsewhere = make_user(region=world.wuhua, roles=[Role.REVIEWER])
    entry_only = make_user(region=get_region("451200000000"), roles=[Role.DATA_ENTRY])
    for actor in (same_county, elsewhere, entry_only, world.alice):
        with pytest.raises(PermissionDenied):
            services.data_value_approve(actor=actor, data_value=figure)
    assert DataValue.objects.get().status == Status.SUBMITTED


def test_the_counterpart_side_may_confirm_a_figure_but_not_its_own_enterer(world, this_year):
    figure = enter(world, this_year, actor=world.bob, side=Side.DONOR).value
    services.data_value_submit(actor=world.bob, data_value=figure)
    fengshan_reviewer = make_user(region=world.fengshan, roles=[Role.REVIEWER])
    services.data_value_approve(actor=fengshan_reviewer, data_value=figure)
    assert DataValue.objects.get().status == Status.APPROVED


def test_a_reviewer_cannot_approve_what_they_submitted(world, this_year):
    both = make_user(region=get_region("440300000000"), roles=[Role.DATA_ENTRY, Role.REVIEWER])
    figure = enter(world, this_year, actor=both, side=Side.DONOR).value
    services.data_value_submit(actor=both, data_value=figure)
    with pytest.raises(PermissionDenied):
        services.data_value_approve(actor=both, data_value=figure)


def test_users_enter_only_their_own_side_and_scope(world, this_year):
    with pytest.raises(PermissionDenied):
        enter(world, this_year, actor=world.bob, side=Side.RECIPIENT)
    with pytest.raises(PermissionDenied):
        enter(world, this_year, actor=world.charlie)
    viewer = make_user(region=world.fengshan, roles=[Role.VIEWER])
    with pytest.raises(PermissionDenied):
        enter(world, this_year, actor=viewer)
    assert DataValue.objects.count() == 0


def test_computed_indicators_are_never_entered(world, this_year):
    with pytest.raises(ValidationFailed) as exc:
        enter(world, this_year, code="joint_meetings", value="3")
    assert "computed" in exc.value.errors["indicator"][0]


@override_settings(BANGFU_PERIOD_DEADLINE_DAYS=30)
def test_a_period_closes_after_the_deadline_except_for_administrators(world, admin):
    old = Period.year(2019)
    with pytest.raises(ValidationFailed) as exc:
        enter(world, old)
    assert "2020-01-30" in exc.value.errors["period"][0]
    figure = services.data_value_set(
        actor=admin,
        indicator=indicator("teachers_sent"),
        period=old,
        value="3",
        pairing=world.longhua_fengshan,
        reported_by=Side.RECIPIENT,
    ).value
    assert figure.status == Status.DRAFT


@override_settings(BANGFU_PERIOD_DEADLINE_DAYS=30)
def test_closing_periods_locks_approved_figures_past_their_deadline(world, admin, this_year):
    old = services.data_value_set(
        actor=admin,
        indicator=indicator("teachers_sent"),
        period=Period.year(2019),
        value="3",
        pairing=world.longhua_fengshan,
        reported_by=Side.RECIPIENT,
    ).value
    current = enter(world, this_year).value
    for figure in (old, current):
        services.data_value_submit(actor=admin, data_value=figure)
        services.data_value_approve(actor=make_user(is_superuser=True), data_value=figure)
    assert services.periods_close(actor=admin, today=dt.date(2020, 3, 1)) == 1
    old.refresh_from_db()
    current.refresh_from_db()
    assert (old.status, current.status) == (Status.LOCKED, Status.APPROVED)
    assert AuditEvent.objects.filter(object_id=str(old.pk), after__step="period_closed").exists()
