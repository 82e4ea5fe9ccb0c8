"""Writes shared by every app: the audit trail and a field-wise update helper."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from bangfu.core.errors import ValidationFailed
from bangfu.core.models import AuditAction, AuditEvent

M = TypeVar("M", bound=models.Model)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `instance` as JSON-ready data (foreign keys as ids)."""
    result: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        result[field.attname] = _jsonable(getattr(instance, field.attname))
    return result


def audit_record(
    *,
    actor: Any,
    action: AuditAction,
    instance: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    region_code: str = "",
    pairing_id: int | None = None,
) -> AuditEvent:
    """Record one write. Call inside the service's transaction so both commit or neither does."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the writing service's transaction")
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    return AuditEvent.objects.create(
        actor_id=actor_id,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        region_code=region_code,
        pairing_id=pairing_id,
    )


def model_update(*, instance: M, data: Mapping[str, Any]) -> tuple[M, dict[str, Any], bool]:
    """Set the given fields, validate, save only what changed.

    Returns the instance, the snapshot of the changed fields before the change, and whether
    anything changed. Unknown field names are a programming error.
    """
    field_names = {f.name for f in instance._meta.get_fields()}
    changed: list[str] = []
    before: dict[str, Any] = {}
    for name, value in data.items():
        if name not in field_names:
            raise ValueError(f"{type(instance).__name__} has no field {name!r}")
        current = getattr(instance, name)
        if current != value:
            before.update(snapshot(instance, [name]))
            setattr(instance, name, value)
            changed.append(name)
    if changed:
        instance.full_clean()
        update_fields = changed + (["updated_at"] if "updated_at" in field_names else [])
        instance.save(update_fields=update_fields)
    return instance, before, bool(changed)


def full_clean_or_refuse(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Django's model validation, its errors raised as ValidationFailed for the user."""
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


def save_or_refuse(instance: models.Model, **kwargs: Any) -> None:
    """Save, turning a constraint the validation did not foresee into a user-facing error."""
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError:
        # The database's message may quote SQL and values (even personal data): never show it.
        raise ValidationFailed(_("The record conflicts with an existing one.")) from None
