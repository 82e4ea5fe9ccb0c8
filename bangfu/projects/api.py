"""API of projects (thin: selectors read, services write). Scoping as in the funds API."""

from __future__ import annotations

import posixpath
from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from bangfu.core.drf import XLSX, SpreadsheetUploadSerializer, xlsx_response
from bangfu.core.errors import ValidationFailed
from bangfu.funds.api import found, import_response, parse_query
from bangfu.pairings.api import ERROR_RESPONSES, WritesNeedDataEntryRole
from bangfu.pairings.selectors import pairing_get
from bangfu.projects import selectors, services
from bangfu.projects.models import Category, DocumentKind, Project, ProjectDocument, Status
from bangfu.projects.spreadsheets import projects_import, projects_template, projects_xlsx
from bangfu.regions.models import Region

_COUNTS = (
    "beneficiary_villages",
    "beneficiary_households",
    "beneficiary_people",
    "linked_people",
    "linked_registered_poor",
)


class StatusChangeSerializer(serializers.Serializer[Any]):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    date = serializers.DateField()
    note = serializers.CharField()


class ProjectSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    pairing = serializers.IntegerField(source="pairing_id")
    code = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    category = serializers.ChoiceField(choices=Category.choices)
    start_year = serializers.IntegerField()
    end_year = serializers.IntegerField(allow_null=True)
    budget = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices)
    beneficiary_villages = serializers.IntegerField()
    beneficiary_households = serializers.IntegerField()
    beneficiary_people = serializers.IntegerField()
    linked_people = serializers.IntegerField()
    linked_registered_poor = serializers.IntegerField()
    outputs = serializers.CharField()
    description = serializers.CharField()
    funded_planned = serializers.DecimalField(max_digits=18, decimal_places=2)
    funded_arrived = serializers.DecimalField(max_digits=18, decimal_places=2)
    funded_paid_out = serializers.DecimalField(max_digits=18, decimal_places=2)
    funded_spent = serializers.DecimalField(max_digits=18, decimal_places=2)
    unspent_flag = serializers.BooleanField(
        help_text="Completed, in use or handed over without any spending recorded."
    )
    is_demo = serializers.BooleanField()


class DocumentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    title = serializers.CharField()
    taken_on = serializers.DateField(allow_null=True)
    download = serializers.SerializerMethodField(help_text="Where the file is downloaded.")

    def get_download(self, document: ProjectDocument) -> str:
        return reverse(
            "project-document-file", kwargs={"pk": document.project_id, "document_id": document.pk}
        )


class DocumentInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices, default=DocumentKind.DOCUMENT)
    title = serializers.CharField(max_length=255)
    taken_on = serializers.DateField(required=False, allow_null=True)


class ProjectDetailSerializer(ProjectSerializer):
    status_changes = StatusChangeSerializer(many=True)
    documents = DocumentSerializer(many=True)


class ProjectInputSerializer(serializers.Serializer[Any]):
    pairing = serializers.IntegerField()
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=255)
    region = serializers.RegexField(r"^\d{12}$", help_text="12-digit region code")
    category = serializers.ChoiceField(choices=Category.choices)
    start_year = serializers.IntegerField(min_value=1990, max_value=2100)
    end_year = serializers.IntegerField(required=False, allow_null=True)
    budget = serializers.CharField(
        required=False, allow_null=True, max_length=40, help_text="Yuan, or with a unit: 49万元"
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    status_date = serializers.DateField(required=False, allow_null=True)
    beneficiary_villages = serializers.IntegerField(min_value=0, required=False)
    beneficiary_households = serializers.IntegerField(min_value=0, required=False)
    beneficiary_people = serializers.IntegerField(min_value=0, required=False)
    linked_people = serializers.IntegerField(min_value=0, required=False)
    linked_registered_poor = serializers.IntegerField(min_value=0, required=False)
    outputs = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class ProjectUpdateSerializer(ProjectInputSerializer):
    """The editable fields; status moves through the transition action."""

    pairing = None  # type: ignore[assignment]
    code = None  # type: ignore[assignment]
    status = None  # type: ignore[assignment]
    status_date = None  # type: ignore[assignment]


class TransitionSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=Status.choices)
    date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProjectQuerySerializer(serializers.Serializer[Any]):
    pairing = serializers.IntegerField(required=False)
    include_nested = serializers.BooleanField(required=False, default=False)
    year = serializers.IntegerField(required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    region = serializers.RegexField(
        r"^\d{12}$", required=False, help_text="Projects located in this region or below."
    )
    unspent_only = serializers.BooleanField(required=False, default=False)


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed({"region": [f"No region has the code {code}."]})
    return region


class ProjectViewSet(viewsets.GenericViewSet[Project]):
    permission_classes = [WritesNeedDataEntryRole]
    serializer_class = ProjectSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return selectors.project_list(user=self.request.user)

    def _detail(self, pk: int) -> dict[str, Any]:
        return ProjectDetailSerializer(
            found(selectors.project_get(user=self.request.user, pk=pk))
        ).data

    @extend_schema(parameters=[ProjectQuerySerializer], responses=ProjectSerializer(many=True))
    def list(self, request: Request) -> Response:
        projects = selectors.project_list(
            user=request.user, **parse_query(request, ProjectQuerySerializer)
        ).order_by("start_year", "code", "id")
        page = self.paginate_queryset(projects)
        return self.get_paginated_response(ProjectSerializer(page, many=True).data)

    @extend_schema(responses={200: ProjectDetailSerializer, 404: ERROR_RESPONSES[404]})
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(self._detail(pk))

    @extend_schema(
        request=ProjectInputSerializer, responses={201: ProjectDetailSerializer, **ERROR_RESPONSES}
    )
    def create(self, request: Request) -> Response:
        data = ProjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["pairing"] = found(pairing_get(user=request.user, pk=v["pairing"]))
        v["region"] = _region(v["region"])
        project = services.project_create(actor=request.user, **v)
        return Response(self._detail(project.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProjectUpdateSerializer, responses={200: ProjectDetailSerializer, **ERROR_RESPONSES}
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        project = found(selectors.project_get(user=request.user, pk=pk))
        data = ProjectUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        if "region" in v:
            v["region"] = _region(v["region"])
        services.project_update(actor=request.user, project=project, **v)
        return Response(self._detail(pk))

    @extend_schema(
        request=TransitionSerializer, responses={200: ProjectDetailSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: int) -> Response:
        """Move the project one step along its lifecycle, recording the date."""
        project = found(selectors.project_get(user=request.user, pk=pk))
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.project_transition(actor=request.user, project=project, **data.validated_data)
        return Response(self._detail(pk))

    @extend_schema(
        methods=["GET"], responses={200: DocumentSerializer(many=True), 404: ERROR_RESPONSES[404]}
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": DocumentInputSerializer},
        responses={201: DocumentSerializer, **ERROR_RESPONSES},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
    )
    def documents(self, request: Request, pk: int) -> Response:
        """The project's documents and photos; POST uploads one (multipart: file, kind, title)."""
        project = found(selectors.project_get(user=request.user, pk=pk))
        if request.method == "GET":
            documents = selectors.project_document_list(user=request.user, project=project)
            return Response(DocumentSerializer(documents, many=True).data)
        data = DocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.project_document_add(
            actor=request.user, project=project, **data.validated_data
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The file")}
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<document_id>\d+)/file",
        url_name="document-file",
    )
    def document_file(self, request: Request, pk: int, document_id: str) -> FileResponse:
        """Download a document or photo (only within the user's scope; 404 otherwise)."""
        document = found(selectors.project_document_get(user=request.user, pk=int(document_id)))
        if document.project_id != int(pk) or not document.file:
            raise Http404
        name = posixpath.basename(document.file.name or "document")
        return FileResponse(document.file.open("rb"), filename=name)

    @extend_schema(
        parameters=[ProjectQuerySerializer],
        responses={(200, XLSX): OpenApiResponse(description="XLSX workbook")},
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        projects = selectors.project_list(
            user=request.user, **parse_query(request, ProjectQuerySerializer)
        ).order_by("pairing_id", "start_year", "code")
        return xlsx_response(projects_xlsx(projects), "projects.xlsx")

    @extend_schema(responses={(200, XLSX): OpenApiResponse(description="XLSX template")})
    @action(detail=False, methods=["get"])
    def template(self, request: Request) -> HttpResponse:
        return xlsx_response(projects_template(), "projects-template.xlsx")

    @extend_schema(
        request={"multipart/form-data": SpreadsheetUploadSerializer},
        responses={200: OpenApiResponse(description="Counts of created/updated/unchanged")},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def import_file(self, request: Request) -> Response:
        upload = SpreadsheetUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        return import_response(
            lambda: projects_import(
                actor=request.user,
                source=file.read(),
                filename=file.name,
                dry_run=upload.validated_data["dry_run"],
            )
        )


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project's router."""
    router.register("projects", ProjectViewSet, basename="project")
