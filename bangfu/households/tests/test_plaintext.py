"""Personal data never reaches the database file, the audit trail, logs or error messages."""

import logging
import sqlite3
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from bangfu.accounts.models import User
from bangfu.households.tests.helpers import make_household, make_person

PLAIN_ID = "440524188001010014"
PLAIN_NAME = "欧阳娜娜"
PLAIN_PHONE = "13812341234"
PLAIN_ACCOUNT = "6222020200112233445"
COLLECTOR = "黄干部"
SECRETS = [PLAIN_ID, PLAIN_NAME, PLAIN_PHONE, PLAIN_ACCOUNT, COLLECTOR]


def _database_contents(tmp_path: Path) -> bytes:
    """Every byte the database holds: the SQLite file itself, or all PostgreSQL rows as text."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "scan.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)  # works for the in-memory test database too
        target.close()
        return copy.read_bytes()
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" AS t')  # noqa: S608 - known names
            chunks.extend(row[0].encode() for row in cursor.fetchall())
    return b"\n".join(chunks)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_holds_no_plaintext_personal_data(world, tmp_path):
    household = make_household(collector_name=COLLECTOR, collector_phone="13912345678")
    make_person(
        household,
        id_number=PLAIN_ID,
        name=PLAIN_NAME,
        phone=PLAIN_PHONE,
        bank_account=PLAIN_ACCOUNT,
    )
    contents = _database_contents(tmp_path)
    assert household.number.encode() in contents  # the scan does see row data in clear
    for secret in SECRETS:
        assert secret.encode() not in contents, "plaintext personal data found in the database"


@pytest.mark.django_db
def test_logs_and_error_responses_carry_no_personal_data(world, caplog):
    household = make_household()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(User.objects.get(pk=world.alice.pk))
    body = {
        "household": household.pk,
        "name": PLAIN_NAME,
        "relation": "head",
        "labour_skill": "ordinary",
        "phone": PLAIN_PHONE,
    }
    with caplog.at_level(logging.DEBUG):
        bad = client.post("/api/persons/", {**body, "id_number": PLAIN_ID[:-1] + "5"})
        good = client.post("/api/persons/", {**body, "id_number": PLAIN_ID})
        duplicate = client.post("/api/persons/", {**body, "id_number": PLAIN_ID})
    assert (bad.status_code, good.status_code, duplicate.status_code) == (400, 201, 400)
    for response in (bad, duplicate):
        text = response.content.decode()
        assert PLAIN_ID[:-1] not in text
        assert PLAIN_NAME not in text
    for secret in [PLAIN_ID[:-1], PLAIN_NAME, PLAIN_PHONE]:
        assert secret not in caplog.text
