"""The committed OpenAPI schema (docs/api/openapi.yaml) matches the code."""

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"
REGENERATE = (
    ".venv/bin/python manage.py spectacular --lang en --validate --file docs/api/openapi.yaml"
)


def _generate(*options: str) -> str:
    output = StringIO()
    # English, so compiled translations never change the committed file.
    call_command("spectacular", "--lang", "en", "--validate", *options, stdout=output)
    return output.getvalue()


def test_the_schema_generates_without_warnings():
    # Fails naming each warning (printed above the failure): document the endpoint with
    # extend_schema, or name a colliding choice set in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
    assert "/api/pairings/" in _generate("--fail-on-warn")


def test_the_committed_schema_is_up_to_date():
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    assert _generate() == committed, (
        f"docs/api/openapi.yaml is out of date with the API; regenerate it with: {REGENERATE}"
    )


def test_the_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/audit-events/" in response.content


def test_integer_bounds_that_only_restate_the_database_range_are_dropped():
    from bangfu.core.drf import drop_database_integer_bounds

    schema = {
        "a": {"type": "integer", "maximum": 2**63 - 1, "minimum": -(2**63), "format": "int64"},
        "b": [{"type": "integer", "maximum": 32767, "minimum": 0}],
        "c": {"type": "integer", "maximum": 100},
    }
    assert drop_database_integer_bounds(schema, None, None, True) == {
        "a": {"type": "integer"},
        "b": [{"type": "integer", "minimum": 0}],
        "c": {"type": "integer", "maximum": 100},
    }
