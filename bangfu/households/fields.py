"""An encrypted text column whose loaded value is sealed until explicitly revealed.

Why a model field rather than encryption in each service: every path that writes a row (services,
the bulk importer's ``bulk_create``, the key rotation's ``bulk_update``) encrypts without being able
to forget it. Why a sealed wrapper rather than the plaintext on load: lists that only count or
mask pay no decryption for columns they do not show, and a ``Sealed`` that slips into a log line,
an f-string, ``repr`` or an audit snapshot prints ``[encrypted]`` (or fails to serialise) instead
of the personal data. The plaintext exists only where code calls ``reveal``.

Queries cannot compare ciphertexts (every encryption uses a fresh nonce), so the field refuses
every lookup except ``isnull``, equality with ``""`` and ``encrypted_with`` (the key id, used by
key rotation); search goes through the HMAC token columns.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Lookup
from django.db.models.lookups import Exact, IsNull, StartsWith

from bangfu.households import crypto


class Sealed:
    """A stored ciphertext; ``reveal()`` decrypts it."""

    __slots__ = ("context", "stored")

    def __init__(self, stored: str, context: str) -> None:
        self.stored = stored
        self.context = context

    def reveal(self) -> str:
        return crypto.decrypt(self.stored, context=self.context)

    @property
    def key_id(self) -> str:
        return crypto.key_id_of(self.stored)

    def __str__(self) -> str:
        return "[encrypted]"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.stored == self.stored

    def __hash__(self) -> int:
        return hash(self.stored)


def reveal(value: Sealed | str | None) -> str:
    """The plaintext of a field value: loaded values are sealed, freshly assigned ones are not."""
    if value is None:
        return ""
    if isinstance(value, Sealed):
        return value.reveal()
    return value


class EncryptedWith(StartsWith):
    """``field__encrypted_with=key_id``: values encrypted under that key."""

    lookup_name = "encrypted_with"

    def __init__(self, lhs: Any, rhs: Any) -> None:
        super().__init__(lhs, f"{crypto.VERSION}:{rhs}:")

    def get_rhs_op(self, connection: Any, rhs: Any) -> Any:
        return connection.operators["startswith"] % rhs


class IsEmpty(Exact):  # type: ignore[type-arg]
    """``field=""`` only: whether a value is present. Any other value cannot be compared."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs not in ("", None):
            raise TypeError("Encrypted fields can be compared with the empty string only.")
        super().__init__(lhs, rhs)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text encrypted with AES-GCM; an empty string stays empty (nothing to hide)."""

    def __init__(self, *args: Any, context: str, **kwargs: Any) -> None:
        self.context = context
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if not value:
            return value
        return Sealed(value, self.context)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        if isinstance(value, Sealed):
            return value.stored
        return crypto.encrypt(str(value), context=self.context)

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return str(self.get_prep_value(value) or "")

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return IsEmpty
        if lookup_name == "encrypted_with":
            return EncryptedWith
        # Anything else is "unsupported" (Django raises FieldError): use the token column.
        return None
