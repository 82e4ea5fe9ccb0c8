import base64

import pytest
from django.core.exceptions import ImproperlyConfigured

from bangfu.households import crypto
from bangfu.households.crypto import DecryptionFailed, KeyConfigError, Keyring

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))
HMAC_KEY = bytes(range(64, 96))


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def ring(*keys: tuple[str, bytes]) -> Keyring:
    return Keyring(keys=tuple(keys), hmac_key=HMAC_KEY)


def test_encrypted_value_carries_version_and_key_id_and_decrypts():
    keyring = ring(("k1", KEY_A))
    stored = crypto.encrypt("张三", context="person.name", keyring=keyring)
    assert stored.startswith("v1:k1:")
    assert "张三" not in stored
    assert crypto.decrypt(stored, context="person.name", keyring=keyring) == "张三"


def test_two_encryptions_of_one_value_differ():
    keyring = ring(("k1", KEY_A))
    first = crypto.encrypt("440524188001010014", context="person.id_number", keyring=keyring)
    second = crypto.encrypt("440524188001010014", context="person.id_number", keyring=keyring)
    assert first != second


def test_a_value_moved_to_another_column_does_not_decrypt():
    keyring = ring(("k1", KEY_A))
    stored = crypto.encrypt("张三", context="person.name", keyring=keyring)
    with pytest.raises(DecryptionFailed):
        crypto.decrypt(stored, context="person.phone", keyring=keyring)


def test_old_values_decrypt_with_any_listed_key_and_reencrypt_under_the_current_one():
    old = crypto.encrypt("13812341234", context="person.phone", keyring=ring(("k1", KEY_A)))
    rotated = ring(("k2", KEY_B), ("k1", KEY_A))
    assert crypto.decrypt(old, context="person.phone", keyring=rotated) == "13812341234"
    new = crypto.reencrypt(old, context="person.phone", keyring=rotated)
    assert crypto.key_id_of(new) == "k2"
    assert crypto.reencrypt(new, context="person.phone", keyring=rotated) == new


def test_a_value_under_a_key_no_longer_listed_fails_without_quoting_the_key():
    old = crypto.encrypt("x", context="c", keyring=ring(("k1", KEY_A)))
    with pytest.raises(DecryptionFailed, match=r"No key with id 'k1' is configured\."):
        crypto.decrypt(old, context="c", keyring=ring(("k2", KEY_B)))


def test_lookup_tokens_ignore_blanks_and_the_case_of_x():
    keyring = ring(("k1", KEY_A))
    a = crypto.lookup_token("11010519491231002X", purpose="person.id", keyring=keyring)
    b = crypto.lookup_token(" 11010519491231002x ", purpose="person.id", keyring=keyring)
    assert a == b
    assert len(a) == 64
    assert crypto.lookup_token("11010519491231002X", purpose="other", keyring=keyring) != a


def test_parse_keys_reads_several_keys_first_is_current():
    keys = crypto.parse_keys(f"k2:{b64(KEY_B)}, k1:{b64(KEY_A)}")
    assert keys == (("k2", KEY_B), ("k1", KEY_A))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "BANGFU_PII_KEYS is empty"),
        ("nokey", "BANGFU_PII_KEYS: entry 1 must look like keyid:base64key"),
        ("k1:!!!", "BANGFU_PII_KEYS: the key of 'k1' is not valid base64."),
        (f"k1:{b64(b'short')}", "BANGFU_PII_KEYS: the key of 'k1' has 5 bytes"),
        (f"k1:{b64(KEY_A)},K1:{b64(KEY_B)}", "BANGFU_PII_KEYS: key id 'K1' appears twice."),
    ],
)
def test_malformed_keys_are_refused_naming_the_variable(raw, message):
    with pytest.raises(KeyConfigError) as caught:
        crypto.parse_keys(raw)
    assert str(caught.value).startswith(message)


def test_a_short_hmac_key_is_refused():
    with pytest.raises(KeyConfigError, match="BANGFU_PII_HMAC_KEY has 5 bytes"):
        crypto.parse_hmac_key(b64(b"short"))


def test_settings_stop_start_up_on_a_malformed_key(monkeypatch, tmp_path):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("BANGFU_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("BANGFU_PII_KEYS", "k1:not-base64!")
    monkeypatch.setenv("BANGFU_PII_HMAC_KEY", b64(HMAC_KEY))
    try:
        with pytest.raises(ImproperlyConfigured, match="BANGFU_PII_KEYS: the key of 'k1'"):
            importlib.reload(base)
        monkeypatch.delenv("BANGFU_PII_HMAC_KEY")
        monkeypatch.setenv("BANGFU_PII_KEYS", f"k1:{b64(KEY_A)}")
        with pytest.raises(ImproperlyConfigured, match="BANGFU_PII_HMAC_KEY must be set"):
            importlib.reload(base)
    finally:
        monkeypatch.undo()
        importlib.reload(base)


def test_development_keys_are_stable_for_one_seed():
    assert crypto.development_keys(b"seed") == crypto.development_keys(b"seed")
    assert crypto.development_keys(b"seed") != crypto.development_keys(b"other")


def test_the_keyring_repr_shows_key_ids_only():
    assert repr(ring(("k1", KEY_A))) == "Keyring(key_ids=['k1'])"


@pytest.mark.parametrize(
    ("masker", "value", "expected"),
    [
        (crypto.mask_id, "440524188001010014", "4405**********0014"),
        (crypto.mask_id, "11010519491231002x", "1101**********002X"),
        (crypto.mask_name, "张三", "张*"),
        (crypto.mask_name, "欧阳娜娜", "欧***"),
        (crypto.mask_phone, "13812341234", "138****1234"),
        (crypto.mask_bank_account, "6222020200112233445", "****3445"),
        (crypto.mask_name, "", ""),
    ],
)
def test_masks(masker, value, expected):
    assert masker(value) == expected


def test_production_refuses_to_start_without_the_pii_keys(monkeypatch, tmp_path):
    import importlib
    import sys

    monkeypatch.setenv("BANGFU_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("BANGFU_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("BANGFU_PII_KEYS", raising=False)
    monkeypatch.delenv("BANGFU_PII_HMAC_KEY", raising=False)
    sys.modules.pop("config.settings.production", None)
    try:
        with pytest.raises(ImproperlyConfigured, match="BANGFU_PII_KEYS must be set in production"):
            importlib.import_module("config.settings.production")
    finally:
        sys.modules.pop("config.settings.production", None)
        monkeypatch.undo()
        importlib.reload(importlib.import_module("config.settings.base"))
