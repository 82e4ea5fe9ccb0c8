"""Field encryption, lookup tokens and masking for household personal data.

Stored form of an encrypted value: ``v1:<key id>:<base64 of nonce (12 bytes) + ciphertext + tag>``.
The associated data binds the ciphertext to its version, key id and column ("context"), so a value
copied into another column or relabelled with another key id does not decrypt.

Keys come from settings (filled from the environment by config.settings.base):
- ``BANGFU_PII_KEYS``: ordered (key id, key) pairs, the first one encrypts, any one decrypts;
- ``BANGFU_PII_HMAC_KEY``: the key of the HMAC-SHA256 lookup tokens (exact search, duplicates).

Nothing here touches the database, and no error message carries a plaintext or a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
NONCE_BYTES = 12
KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
AES_KEY_SIZES = (16, 24, 32)
MIN_HMAC_KEY_BYTES = 32


class KeyConfigError(ValueError):
    """A key setting is malformed; the message names the variable, never the key."""


class DecryptionFailed(ValueError):
    """A stored value could not be decrypted (unknown key id, tampered or mislabelled data)."""


@dataclass(frozen=True)
class Keyring:
    keys: tuple[tuple[str, bytes], ...]
    hmac_key: bytes
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyConfigError("A keyring needs at least one encryption key.")

    def __repr__(self) -> str:  # keys must never reach a log or a traceback
        return f"Keyring(key_ids={[key_id for key_id, _ in self.keys]})"

    @property
    def current_key_id(self) -> str:
        return self.keys[0][0]

    def cipher(self, key_id: str) -> AESGCM:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            key = dict(self.keys).get(key_id)
            if key is None:
                raise DecryptionFailed(f"No key with id {key_id!r} is configured.")
            cipher = self._ciphers[key_id] = AESGCM(key)
        return cipher


# Configuration ---------------------------------------------------------------------------------


def _b64decode(text: str) -> bytes:
    text = text.strip()
    padded = text + "=" * (-len(text) % 4)
    altchars = b"-_" if "-" in text or "_" in text else None
    try:
        return base64.b64decode(padded, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64") from None


def parse_keys(raw: str, variable: str = "BANGFU_PII_KEYS") -> tuple[tuple[str, bytes], ...]:
    """Parse "keyid:base64key,keyid:base64key" (first = current)."""
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    if not entries:
        raise KeyConfigError(f"{variable} is empty; expected keyid:base64key[,keyid:base64key…].")
    keys: list[tuple[str, bytes]] = []
    for position, entry in enumerate(entries, start=1):
        key_id, sep, encoded = entry.partition(":")
        if not sep or not KEY_ID_RE.match(key_id):
            raise KeyConfigError(
                f"{variable}: entry {position} must look like keyid:base64key, with a key id of "
                "1–16 letters, digits, '-' or '_'."
            )
        try:
            key = _b64decode(encoded)
        except ValueError:
            raise KeyConfigError(
                f"{variable}: the key of {key_id!r} is not valid base64."
            ) from None
        if len(key) not in AES_KEY_SIZES:
            raise KeyConfigError(
                f"{variable}: the key of {key_id!r} has {len(key)} bytes; AES-GCM needs 16, 24 "
                "or 32 (32 recommended)."
            )
        # Case-insensitive: SQLite's LIKE (used to find values under one key) ignores case.
        if key_id.lower() in {existing.lower() for existing, _ in keys}:
            raise KeyConfigError(f"{variable}: key id {key_id!r} appears twice.")
        keys.append((key_id, key))
    return tuple(keys)


def parse_hmac_key(raw: str, variable: str = "BANGFU_PII_HMAC_KEY") -> bytes:
    try:
        key = _b64decode(raw)
    except ValueError:
        raise KeyConfigError(f"{variable} is not valid base64.") from None
    if len(key) < MIN_HMAC_KEY_BYTES:
        raise KeyConfigError(
            f"{variable} has {len(key)} bytes; lookup tokens need at least {MIN_HMAC_KEY_BYTES}."
        )
    return key


def development_keys(seed: bytes) -> tuple[tuple[tuple[str, bytes], ...], bytes]:
    """Stable keys derived from a local seed file, for development and tests only."""
    aes = hmac.new(seed, b"bangfu pii aes-gcm", hashlib.sha256).digest()
    token = hmac.new(seed, b"bangfu pii hmac", hashlib.sha256).digest()
    return (("dev", aes),), token


def generate_key() -> str:
    """A fresh base64 key, for operators preparing BANGFU_PII_KEYS."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


_cached: tuple[object, object, Keyring] | None = None


def current_keyring() -> Keyring:
    """The keyring from Django settings, rebuilt whenever the settings change (tests)."""
    global _cached
    from django.conf import settings

    keys, hmac_key = settings.BANGFU_PII_KEYS, settings.BANGFU_PII_HMAC_KEY
    if _cached is None or _cached[0] is not keys or _cached[1] is not hmac_key:
        _cached = (keys, hmac_key, Keyring(keys=tuple(keys), hmac_key=hmac_key))
    return _cached[2]


# Encryption ------------------------------------------------------------------------------------


def _aad(key_id: str, context: str) -> bytes:
    return f"{VERSION}:{key_id}:{context}".encode()


def encrypt(plaintext: str, *, context: str, keyring: Keyring | None = None) -> str:
    keyring = keyring or current_keyring()
    key_id = keyring.current_key_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = keyring.cipher(key_id).encrypt(nonce, plaintext.encode(), _aad(key_id, context))
    return f"{VERSION}:{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def key_id_of(stored: str) -> str:
    version, sep, rest = stored.partition(":")
    key_id, sep2, _ = rest.partition(":")
    if version != VERSION or not sep or not sep2:
        raise DecryptionFailed("The stored value is not in the v1 encrypted format.")
    return key_id


def decrypt(stored: str, *, context: str, keyring: Keyring | None = None) -> str:
    keyring = keyring or current_keyring()
    key_id = key_id_of(stored)
    try:
        blob = base64.b64decode(stored.split(":", 2)[2], validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionFailed("The stored value is not valid base64.") from None
    nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    try:
        plain = keyring.cipher(key_id).decrypt(nonce, sealed, _aad(key_id, context))
    except InvalidTag:
        raise DecryptionFailed(
            f"A value encrypted with key {key_id!r} failed authentication (wrong key, column "
            "or tampered data)."
        ) from None
    return plain.decode()


def reencrypt(stored: str, *, context: str, keyring: Keyring | None = None) -> str:
    """The value under the current key; unchanged when it already uses it."""
    keyring = keyring or current_keyring()
    if key_id_of(stored) == keyring.current_key_id:
        return stored
    return encrypt(
        decrypt(stored, context=context, keyring=keyring), context=context, keyring=keyring
    )


# Lookup tokens ---------------------------------------------------------------------------------


def normalise_for_token(value: str) -> str:
    """Blanks removed and x upper-cased, so 11010519491231002x and ' …002X' share a token."""
    return "".join(value.split()).upper()


def lookup_token(value: str, *, purpose: str, keyring: Keyring | None = None) -> str:
    """Keyed HMAC-SHA256 (hex) of the normalised value; `purpose` separates kinds of values."""
    keyring = keyring or current_keyring()
    message = f"{purpose}\x00{normalise_for_token(value)}".encode()
    return hmac.new(keyring.hmac_key, message, hashlib.sha256).hexdigest()


# Masking ---------------------------------------------------------------------------------------


def mask_id(value: str) -> str:
    """4405**********0014: the first and last four characters kept."""
    value = normalise_for_token(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str) -> str:
    """张*: the first character kept, one * for each other character."""
    value = value.strip()
    return value[:1] + "*" * (len(value) - 1) if value else ""


def mask_phone(value: str) -> str:
    """138****1234 for a mobile number; other numbers keep only their last four digits."""
    digits = "".join(value.split())
    if len(digits) == 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_bank_account(value: str) -> str:
    """****1234: the last four digits only (the length is not revealed either)."""
    digits = "".join(value.split())
    return "****" + digits[-4:] if len(digits) > 4 else "*" * len(digits)
