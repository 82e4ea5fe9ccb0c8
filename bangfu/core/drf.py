"""How the API reports the errors services raise (see bangfu.core.errors)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from bangfu.core.errors import ImportRefused, PermissionDenied, ValidationFailed


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """ValidationFailed → 400 {field: [messages]}; PermissionDenied → 403; the rest as DRF does."""
    if isinstance(exc, ValidationFailed):
        errors = {
            (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): messages
            for name, messages in exc.errors.items()
        }
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc))
    return drf_exception_handler(exc, context)


class SpreadsheetUploadSerializer(serializers.Serializer[Any]):
    """The multipart body of every spreadsheet import endpoint."""

    file = serializers.FileField(help_text="A .csv or .xlsx file laid out like the template.")
    dry_run = serializers.BooleanField(required=False, default=False)


_DATABASE_INTEGER_LIMITS = {2**15 - 1, -(2**15), 2**31 - 1, -(2**31), 2**63 - 1, -(2**63)}


def drop_database_integer_bounds(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Remove integer bounds that only restate the database column's range.

    Django derives them from the connected database (64-bit on SQLite, 32-bit on PostgreSQL), so
    without this the schema would differ by database while the API does not.
    """

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "integer":
                for bound in ("minimum", "maximum"):
                    if node.get(bound) in _DATABASE_INTEGER_LIMITS:
                        del node[bound]
                        if node.get("format") == "int64":
                            del node["format"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook as a download."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ImportErrorSerializer(serializers.Serializer[Any]):
    file = serializers.CharField()
    row = serializers.IntegerField()
    column = serializers.CharField()
    reason = serializers.CharField()


def refused_import_response(exc: ImportRefused) -> Response:
    """400 listing every refused row of a spreadsheet import with file, row, column and reason."""
    errors = [
        {"file": e.file, "row": e.row, "column": e.column, "reason": e.reason} for e in exc.errors
    ]
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
