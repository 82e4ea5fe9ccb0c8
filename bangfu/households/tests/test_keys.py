import io

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from bangfu.households import crypto
from bangfu.households.fields import Sealed, reveal
from bangfu.households.keys import rotate_keys
from bangfu.households.models import Household, Person
from bangfu.households.tests.helpers import make_household, make_id, make_person

pytestmark = pytest.mark.django_db

NEW_KEY = bytes(range(100, 132))


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> '' ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _rotated_settings() -> override_settings:
    from django.conf import settings

    return override_settings(BANGFU_PII_KEYS=(("new", NEW_KEY), *settings.BANGFU_PII_KEYS))


def test_rotate_keys_reencrypts_every_value_under_the_new_key_and_keeps_the_plaintext(world):
    household = make_household(collector_name="黄干部", collector_phone="13912345678")
    for sequence in range(1, 6):
        make_person(
            household,
            id_number=make_id(sequence=sequence),
            name=f"成员{sequence}",
            phone="13812341234",
            relation="head" if sequence == 1 else "son",
        )
    with _rotated_settings():
        result = rotate_keys(batch_size=2)
        assert result.reencrypted == {"households.household": 1, "households.person": 5}
        assert all(v.startswith("v1:new:") for v in _raw("households_person", "name"))
        assert all(v.startswith("v1:new:") for v in _raw("households_person", "phone"))
        assert _raw("households_household", "collector_name")[0].startswith("v1:new:")
        names = sorted(reveal(p.name) for p in Person.objects.all())
        assert names == [f"成员{n}" for n in range(1, 6)]
        assert reveal(Household.objects.get().collector_phone) == "13912345678"
        again = rotate_keys(batch_size=2)
        assert again.reencrypted == {"households.household": 0, "households.person": 0}


def test_rotate_keys_command_prints_progress_and_a_summary(world):
    make_person(make_household())
    out = io.StringIO()
    with _rotated_settings():
        call_command("households", "rotate-keys", "--batch-size", "10", stdout=out)
    text = out.getvalue()
    assert "households.person" in text
    assert "1/1" in text
    assert text.rstrip().endswith("Rows re-encrypted under key new: 1.")


def test_retokenise_recomputes_tokens_under_a_new_hmac_key(world):
    person = make_person(make_household())
    new_hmac = bytes(range(150, 182))
    with override_settings(BANGFU_PII_HMAC_KEY=new_hmac):
        rotate_keys(retokenise=True)
        person.refresh_from_db()
        expected = crypto.lookup_token(
            reveal(person.id_number), purpose="person.id", keyring=crypto.current_keyring()
        )
        assert person.id_token == expected


def test_encrypted_fields_refuse_comparisons_with_a_plaintext(world):
    with pytest.raises(TypeError):
        Person.objects.filter(name="张三").exists()
    with pytest.raises(FieldError):
        Person.objects.filter(name__icontains="张").exists()
    assert Person.objects.filter(phone="").count() == 0


def test_a_sealed_value_prints_as_encrypted():
    sealed = Sealed("v1:x:abc", "person.name")
    assert f"{sealed}" == "[encrypted]"
    assert repr(sealed) == "[encrypted]"
