"""Key rotation: re-encrypt every encrypted value under the current key, and recompute tokens.

Runs in bounded memory: rows are fetched in primary-key order, a batch at a time, and only the
rows holding a value under another key are fetched at all (the filter runs in the database on
the ``v1:<key id>:`` prefix). Each batch is written with one ``bulk_update`` in its own
transaction, so an interrupted run keeps its progress and a second run finds nothing to do.
Encryption itself cannot run in SQL (the key must not reach the database), hence the batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q

from bangfu.households import crypto, idcards
from bangfu.households.fields import EncryptedTextField, Sealed
from bangfu.households.models import Person
from bangfu.households.pii import id_token

Progress = Callable[[str, int, int], None]  # (model label, done, total)


@dataclass
class RotationResult:
    key_id: str
    reencrypted: dict[str, int] = field(default_factory=dict)  # model label → rows rewritten
    retokenised: int = 0


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    found = []
    for model in apps.get_app_config("households").get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def _stale(fields: list[EncryptedTextField], key_id: str) -> Q:
    return reduce(
        or_,
        (~Q(**{f.name: ""}) & ~Q(**{f"{f.name}__encrypted_with": key_id}) for f in fields),
    )


def _rotate_model(
    model: type[models.Model],
    fields: list[EncryptedTextField],
    keyring: crypto.Keyring,
    *,
    batch_size: int,
    progress: Progress | None,
) -> int:
    key_id = keyring.current_key_id
    stale = model._default_manager.filter(_stale(fields, key_id))
    total = stale.count()
    done, last_pk = 0, None
    names = [f.attname for f in fields]
    while True:
        page = stale.order_by("pk").only("pk", *names)
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        rows = list(page[:batch_size])
        if not rows:
            break
        for row in rows:
            for f in fields:
                value = getattr(row, f.attname)
                if isinstance(value, Sealed) and value.key_id != key_id:
                    fresh = crypto.reencrypt(value.stored, context=f.context, keyring=keyring)
                    setattr(row, f.attname, Sealed(fresh, f.context))
        with transaction.atomic():
            model._default_manager.bulk_update(rows, names)
        done += len(rows)
        last_pk = rows[-1].pk
        if progress is not None:
            progress(model._meta.label_lower, done, total)
    return done


def _retokenise(*, batch_size: int, progress: Progress | None) -> int:
    """Recompute every ID token (after BANGFU_PII_HMAC_KEY changed)."""
    total = Person.objects.count()
    done, last_pk = 0, 0
    while True:
        rows = list(
            Person.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "id_number")[:batch_size]
        )
        if not rows:
            break
        for row in rows:
            plain = row.id_number.reveal() if isinstance(row.id_number, Sealed) else row.id_number
            row.id_token = id_token(idcards.parse_id(plain).canonical)
        with transaction.atomic():
            Person.objects.bulk_update(rows, ["id_token"])
        done += len(rows)
        last_pk = rows[-1].pk
        if progress is not None:
            progress("households.person id_token", done, total)
    return done


def rotate_keys(
    *, batch_size: int = 2000, retokenise: bool = False, progress: Progress | None = None
) -> RotationResult:
    """Re-encrypt every value not under the current key; optionally recompute the ID tokens."""
    keyring = crypto.current_keyring()
    result = RotationResult(key_id=keyring.current_key_id)
    for model, fields in encrypted_models():
        result.reencrypted[model._meta.label_lower] = _rotate_model(
            model, fields, keyring, batch_size=batch_size, progress=progress
        )
    if retokenise:
        result.retokenised = _retokenise(batch_size=batch_size, progress=progress)
    return result
