import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from bangfu.accounts.models import Role
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditAction, AuditEvent
from bangfu.core.testing import get_region, make_organisation, make_user
from bangfu.pairings import services
from bangfu.pairings.models import (
    Agreement,
    AgreementKind,
    Meeting,
    MeetingKind,
    Organisation,
    Pairing,
    PairingKind,
    PairingLevel,
)

START = dt.date(2024, 1, 1)


def _create(actor: Any, donor: Any, recipient: Any, **kwargs: Any) -> Pairing:
    values = {
        "kind": PairingKind.EAST_WEST,
        "level": PairingLevel.COUNTY_COUNTY,
        "start_date": START,
        **kwargs,
    }
    return services.pairing_create(actor=actor, donor=donor, recipient=recipient, **values)


# Pairing rules ----------------------------------------------------------------------------------


def test_it_refuses_to_pair_a_region_with_itself(world):
    with pytest.raises(ValidationFailed) as refused:
        _create(world.bob, world.longhua, world.longhua)
    assert refused.value.errors == {"recipient": ["A party cannot be paired with itself."]}


def test_it_refuses_to_pair_an_organisation_with_itself(world):
    school = make_organisation(name="龙华中学", region=world.longhua)
    with pytest.raises(ValidationFailed) as refused:
        _create(world.bob, school, school)
    assert refused.value.errors == {"recipient": ["A party cannot be paired with itself."]}


def test_it_refuses_an_end_date_before_the_start_date(world):
    village = get_region("451223101201")
    with pytest.raises(ValidationFailed) as refused:
        _create(world.alice, world.longhua, village, end_date=START - dt.timedelta(days=1))
    assert refused.value.errors == {"end_date": ["The end date is before the start date."]}


def test_it_refuses_a_second_active_pairing_of_the_same_parties_and_kind(world):
    with pytest.raises(ValidationFailed) as refused:
        _create(world.bob, world.longhua, world.fengshan)
    assert refused.value.errors == {
        "__all__": [
            "An active east–west cooperation (东西部协作) pairing of 龙华区 → 凤山县 already "
            "exists (from 2021-01-01)."
        ]
    }


def test_it_refuses_a_closed_pairing_overlapping_an_ended_one(world):
    village = get_region("451223101201")
    _create(world.bob, world.longhua, village, end_date=dt.date(2024, 12, 31))
    with pytest.raises(ValidationFailed):
        _create(
            world.bob,
            world.longhua,
            village,
            start_date=dt.date(2024, 6, 1),
            end_date=dt.date(2025, 6, 1),
        )


def test_it_accepts_the_same_parties_again_after_the_first_pairing_ended(world):
    village = get_region("451223101201")
    _create(world.bob, world.longhua, village, end_date=dt.date(2024, 12, 31))
    again = _create(world.bob, world.longhua, village, start_date=dt.date(2025, 1, 1))
    assert again.start_date == dt.date(2025, 1, 1)


def test_it_accepts_the_same_parties_under_another_kind(world):
    other = _create(world.bob, world.longhua, world.fengshan, kind=PairingKind.PAIRED_ASSISTANCE)
    assert other.kind == PairingKind.PAIRED_ASSISTANCE


def test_it_refuses_a_parent_cycle(world):
    village = get_region("451223101201")
    child = _create(world.bob, world.longhua, village, parent=world.longhua_fengshan)
    grandchild = _create(world.bob, get_region("440309001000"), village, parent=child)
    with pytest.raises(ValidationFailed) as refused:
        services.pairing_update(actor=world.bob, pairing=world.longhua_fengshan, parent=grandchild)
    assert refused.value.errors == {"parent": ["A pairing cannot sit under itself."]}
    world.longhua_fengshan.refresh_from_db()
    assert world.longhua_fengshan.parent_id is None


def test_it_refuses_a_pairing_as_its_own_parent(world):
    with pytest.raises(ValidationFailed) as refused:
        services.pairing_update(
            actor=world.bob, pairing=world.longhua_fengshan, parent=world.longhua_fengshan
        )
    assert refused.value.errors == {"parent": ["A pairing cannot sit under itself."]}


def test_it_refuses_to_change_the_parties_of_a_pairing(world):
    with pytest.raises(ValidationFailed) as refused:
        services.pairing_update(
            actor=world.bob, pairing=world.longhua_fengshan, recipient_region=world.nayong
        )
    assert refused.value.errors == {
        "recipient_region": ["Parties cannot change; end this pairing and create another."]
    }


def test_it_ends_a_pairing_and_records_the_change(world):
    ended = services.pairing_update(
        actor=world.alice, pairing=world.longhua_fengshan, end_date=dt.date(2025, 12, 31)
    )
    assert ended.end_date == dt.date(2025, 12, 31)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert (event.before, event.after) == ({"end_date": None}, {"end_date": "2025-12-31"})
    assert event.actor == world.alice
    assert event.pairing_id == world.longhua_fengshan.pk
    assert event.region_code == "451223000000"


def test_it_refuses_a_pairing_where_neither_party_is_in_the_users_scope(world):
    with pytest.raises(PermissionDenied):
        _create(world.charlie, world.tianhe, world.longhua)


def test_a_viewer_cannot_create_a_pairing(world):
    viewer = make_user(region=world.longhua, roles=[Role.VIEWER])
    with pytest.raises(PermissionDenied):
        _create(viewer, world.longhua, get_region("451223101201"))


def test_a_user_cannot_nest_a_pairing_under_one_outside_their_scope(world):
    with pytest.raises(PermissionDenied):
        _create(world.bob, world.longhua, get_region("451223101201"), parent=world.tianhe_nayong)


# Database constraints (the last line of defence) ----------------------------------------------


def _raw(**fields: Any) -> None:
    values = {
        "kind": PairingKind.EAST_WEST,
        "level": PairingLevel.COUNTY_COUNTY,
        "start_date": START,
    }
    values.update(fields)
    with transaction.atomic():
        Pairing.objects.create(**values)


def test_the_database_refuses_a_self_pairing_of_a_region(world):
    with pytest.raises(IntegrityError):
        _raw(donor_region=world.wuhua, recipient_region=world.wuhua)


def test_the_database_refuses_a_self_pairing_of_an_organisation(world):
    school = make_organisation(region=world.wuhua)
    with pytest.raises(IntegrityError):
        _raw(donor_organisation=school, recipient_organisation=school)


def test_the_database_refuses_an_end_before_the_start(world):
    with pytest.raises(IntegrityError):
        _raw(
            donor_region=world.wuhua,
            recipient_region=world.nayong,
            end_date=START - dt.timedelta(days=1),
        )


def test_the_database_refuses_a_second_open_pairing_of_the_same_parties(world):
    with pytest.raises(IntegrityError):
        _raw(donor_region=world.longhua, recipient_region=world.fengshan)


def test_the_database_refuses_a_party_given_both_as_region_and_organisation(world):
    with pytest.raises(IntegrityError):
        _raw(
            donor_region=world.wuhua,
            donor_organisation=make_organisation(region=world.wuhua),
            recipient_region=world.nayong,
        )


def test_the_database_refuses_a_pairing_without_a_recipient(world):
    with pytest.raises(IntegrityError):
        _raw(donor_region=world.wuhua)


def test_the_database_refuses_a_pairing_as_its_own_parent(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.filter(pk=world.tianhe_nayong.pk).update(parent=world.tianhe_nayong)


def test_the_database_refuses_an_annual_agreement_without_its_year(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            pairing=world.longhua_fengshan,
            kind=AgreementKind.ANNUAL,
            title="2024年度协议",
            signed_on=START,
        )


# Audit -----------------------------------------------------------------------------------------


def test_creating_a_pairing_records_an_audit_event_with_its_values(world):
    village = get_region("451223101201")
    child = _create(world.bob, world.longhua, village, parent=world.longhua_fengshan)
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CREATE
    assert event.actor == world.bob
    assert (event.object_type, event.object_id) == ("pairings.pairing", str(child.pk))
    assert event.before is None
    assert event.after is not None
    assert event.after["recipient_region_id"] == "451223101201"
    assert event.after["parent_id"] == world.longhua_fengshan.pk
    assert event.pairing_id == child.pk
    assert event.region_code == "451223101201"


def test_a_refused_write_leaves_no_audit_event(world):
    with pytest.raises(ValidationFailed):
        _create(world.bob, world.longhua, world.fengshan)
    assert AuditEvent.objects.count() == 0


def test_the_write_is_rolled_back_when_its_audit_event_cannot_be_written(world, monkeypatch):
    def broken(**kwargs):
        raise IntegrityError("audit table unavailable")

    monkeypatch.setattr(AuditEvent.objects, "create", broken)
    with pytest.raises(IntegrityError):
        services.organisation_create(
            actor=world.bob, name="龙华企业", kind="enterprise", region=world.longhua
        )
    assert not Organisation.objects.filter(name="龙华企业").exists()


def test_the_audit_event_is_rolled_back_with_a_failing_transaction(world):
    seen_inside: list[int] = []

    @transaction.atomic
    def request_that_fails_after_the_write() -> None:
        services.meeting_create(
            actor=world.alice,
            pairing=world.longhua_fengshan,
            kind=MeetingKind.JOINT_MEETING,
            date=START,
        )
        seen_inside.append(AuditEvent.objects.count())
        raise RuntimeError("a later step of the same request failed")

    with pytest.raises(RuntimeError):
        request_that_fails_after_the_write()
    assert seen_inside == [1]
    assert Meeting.objects.count() == 0
    assert AuditEvent.objects.count() == 0


# Organisations, agreements, meetings -----------------------------------------------------------


def test_an_organisation_outside_the_users_region_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=world.bob, name="五华企业", kind="enterprise", region=world.wuhua
        )


def test_an_organisation_update_records_before_and_after(world):
    firm = services.organisation_create(
        actor=world.bob, name="龙华企业", kind="enterprise", region=world.longhua
    )
    services.organisation_update(actor=world.bob, organisation=firm, name="龙华实业")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert (event.before, event.after) == ({"name": "龙华企业"}, {"name": "龙华实业"})


def test_a_duplicate_organisation_name_in_a_region_is_refused_with_a_message(world):
    services.organisation_create(
        actor=world.bob, name="龙华企业", kind="enterprise", region=world.longhua
    )
    with pytest.raises(ValidationFailed) as refused:
        services.organisation_create(
            actor=world.bob, name="龙华企业", kind="school", region=world.longhua
        )
    assert list(refused.value.errors) == ["__all__"]


def test_an_annual_agreement_needs_its_year(world):
    with pytest.raises(ValidationFailed) as refused:
        services.agreement_create(
            actor=world.alice,
            pairing=world.longhua_fengshan,
            kind=AgreementKind.ANNUAL,
            title="年度协议",
            signed_on=START,
        )
    assert refused.value.errors == {"year": ["An annual agreement needs its year."]}


def test_an_agreement_update_cannot_drop_the_year_of_an_annual_agreement(world):
    agreement = services.agreement_create(
        actor=world.alice,
        pairing=world.longhua_fengshan,
        kind=AgreementKind.ANNUAL,
        title="年度协议",
        signed_on=START,
        year=2024,
    )
    with pytest.raises(ValidationFailed) as refused:
        services.agreement_update(actor=world.alice, agreement=agreement, year=None)
    assert refused.value.errors == {"year": ["An annual agreement needs its year."]}


def test_an_agreement_stores_its_document(world):
    agreement = services.agreement_create(
        actor=world.bob,
        pairing=world.longhua_fengshan,
        kind=AgreementKind.FRAMEWORK,
        title="框架协议",
        signed_on=START,
        document=ContentFile(b"%PDF-1.4", name="framework.pdf"),
    )
    assert agreement.document.name.startswith("agreements/")
    assert agreement.document.read() == b"%PDF-1.4"


def test_charlie_cannot_record_a_meeting_of_a_pairing_outside_his_scope(world):
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=world.charlie,
            pairing=world.longhua_fengshan,
            kind=MeetingKind.JOINT_MEETING,
            date=START,
        )


def test_a_meeting_document_is_audited_under_the_meetings_pairing(world):
    meeting = services.meeting_create(
        actor=world.alice,
        pairing=world.longhua_fengshan,
        kind=MeetingKind.LEADERS_VISIT,
        date=START,
    )
    document = services.meeting_document_add(
        actor=world.alice, meeting=meeting, title="纪要", file=ContentFile(b"x", name="m.txt")
    )
    event = AuditEvent.objects.get(object_type="pairings.meetingdocument")
    assert event.object_id == str(document.pk)
    assert event.pairing_id == world.longhua_fengshan.pk
