"""Spreadsheet endpoints of figures and targets: export as filtered, template, import.

Mixed into the figure and target viewsets of api.py. Exports are scoped by the selectors; an
import is all or nothing (400 listing every refused row with file, row, column and reason).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from bangfu.core.drf import (
    XLSX,
    ImportErrorSerializer,
    SpreadsheetUploadSerializer,
    refused_import_response,
    xlsx_response,
)
from bangfu.core.errors import ImportRefused, ValidationFailed
from bangfu.indicators import io
from bangfu.pairings import selectors as pairing_selectors
from bangfu.pairings.api import WritesNeedDataEntryRole
from bangfu.pairings.models import Pairing


class ImportRefusedSerializer(serializers.Serializer[Any]):
    errors = ImportErrorSerializer(many=True)  # type: ignore[assignment]


class ImportedSerializer(serializers.Serializer[Any]):
    rows = serializers.IntegerField()
    dry_run = serializers.BooleanField()


_EXPORT_FILTERS = [
    OpenApiParameter("pairing", int, description="only this pairing (404 outside your scope)"),
    OpenApiParameter("year", int, description="only periods within this year"),
]
_XLSX_RESPONSE = {(200, XLSX): OpenApiResponse(description="XLSX workbook")}


def pairing_or_404(request: Request, pk: Any) -> Pairing:
    try:
        found = pairing_selectors.pairing_get(user=request.user, pk=int(pk))
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise Http404
    return found


def year_of(request: Request) -> int:
    try:
        return int(request.query_params.get("year", ""))
    except ValueError:
        raise ValidationFailed({"year": ["Give the year, e.g. ?year=2020."]}) from None


def export_filters(request: Request) -> dict[str, Any]:
    """`pairing` and `year` from the query string; a pairing outside the scope answers 404."""
    q = request.query_params
    filters: dict[str, Any] = {}
    if q.get("pairing"):
        filters["pairing"] = pairing_or_404(request, q["pairing"])
    if q.get("year"):
        filters["year"] = year_of(request)
    return filters


def run_import(request: Request, importer: Callable[..., int]) -> Response:
    upload = SpreadsheetUploadSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    file = upload.validated_data["file"]
    dry_run = upload.validated_data["dry_run"]
    try:
        rows = importer(actor=request.user, source=file.read(), filename=file.name, dry_run=dry_run)
    except ImportRefused as exc:
        return refused_import_response(exc)
    return Response({"rows": rows, "dry_run": dry_run})


_IMPORT: dict[str, Any] = {
    "detail": False,
    "methods": ["post"],
    "url_path": "import",
    "parser_classes": [MultiPartParser, FormParser],
    "permission_classes": [WritesNeedDataEntryRole],
}
_IMPORT_SCHEMA: dict[str, Any] = {
    "request": {"multipart/form-data": SpreadsheetUploadSerializer},
    "responses": {200: ImportedSerializer, 400: ImportRefusedSerializer},
}


class ValueFilesMixin:
    """`export/`, `template/` and `import/` of figures."""

    @extend_schema(parameters=_EXPORT_FILTERS, responses=_XLSX_RESPONSE)
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        """Figures of pairings as filtered (Chinese headers); imports again unchanged."""
        data = io.values_export(user=request.user, **export_filters(request))
        return xlsx_response(data, "indicator-values.xlsx")

    @extend_schema(responses=_XLSX_RESPONSE)
    @action(detail=False, methods=["get"])
    def template(self, request: Request) -> HttpResponse:
        return xlsx_response(io.values_template(), "indicator-values-template.xlsx")

    @extend_schema(**_IMPORT_SCHEMA)
    @action(**_IMPORT)
    def import_file(self, request: Request) -> Response:
        """Import figures as drafts: every row checked; nothing written if any is refused."""
        return run_import(request, io.values_import)


class TargetFilesMixin:
    """`export/`, `template/` and `import/` of targets (of pairings and of whole regions)."""

    @extend_schema(
        parameters=[*_EXPORT_FILTERS, OpenApiParameter("party_region", description="region code")],
        responses=_XLSX_RESPONSE,
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        filters = export_filters(request)
        code = request.query_params.get("party_region")
        if code:
            region = pairing_selectors.region_get(code=code)
            if region is None:
                raise ValidationFailed({"party_region": ["No region has this code."]})
            filters["party_region"] = region
        data = io.targets_export(user=request.user, **filters)
        return xlsx_response(data, "indicator-targets.xlsx")

    @extend_schema(responses=_XLSX_RESPONSE)
    @action(detail=False, methods=["get"])
    def template(self, request: Request) -> HttpResponse:
        return xlsx_response(io.targets_template(), "indicator-targets-template.xlsx")

    @extend_schema(**_IMPORT_SCHEMA)
    @action(**_IMPORT)
    def import_file(self, request: Request) -> Response:
        """Import targets: every row checked; nothing written if any is refused."""
        return run_import(request, io.targets_import)
