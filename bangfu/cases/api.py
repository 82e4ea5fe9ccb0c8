"""API of monitoring cases (thin: selectors read, services write).

Cases outside the user's scope answer 404 (donor-side users see none); a missing role or level
403; a refused step 400 with the failed criteria under "non_field_errors".
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from bangfu.cases import selectors, services
from bangfu.cases.choices import (
    CaseSource,
    CaseState,
    ComparisonResult,
    Department,
    EliminationWay,
    ReviewResult,
    RiskType,
)
from bangfu.cases.models import Case, CaseMeasure, CaseStep, CaseVisit
from bangfu.core.errors import ValidationFailed
from bangfu.households.choices import MeasureCategory, MonitoringCategory
from bangfu.households.models import Finding
from bangfu.households.selectors import visible_households


class CaseStepSerializer(serializers.ModelSerializer[CaseStep]):
    actor: Any = serializers.StringRelatedField()

    class Meta:
        model = CaseStep
        fields = ["from_state", "to_state", "date", "actor", "data", "created_at"]


class CaseSerializer(serializers.ModelSerializer[Case]):
    household_number = serializers.CharField(source="household.number", read_only=True)
    village = serializers.CharField(source="household.village_id", read_only=True)
    overdue = serializers.SerializerMethodField()
    authorisation_scan = serializers.SerializerMethodField()

    class Meta:
        model = Case
        exclude = ["authorised_by"]

    def get_overdue(self, case: Case) -> bool:
        return bool(getattr(case, "overdue", False))

    def get_authorisation_scan(self, case: Case) -> bool:
        """Whether the scan is on file (download it from the case page)."""
        return bool(case.authorisation_scan)


class CaseDetailSerializer(CaseSerializer):
    steps = CaseStepSerializer(many=True, read_only=True)


class CaseOpenSerializer(serializers.Serializer[Any]):
    household = serializers.IntegerField()
    source = serializers.ChoiceField(choices=CaseSource.choices)  # type: ignore[assignment]
    department: Any = serializers.ChoiceField(
        choices=Department.choices, required=False, default=""
    )
    opened_on = serializers.DateField(required=False)
    finding = serializers.IntegerField(required=False, allow_null=True, help_text="Finding id.")
    risk_types = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    green_channel = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, default="", allow_blank=True)


class CaseAdvanceSerializer(serializers.Serializer[Any]):
    """`to_state` and the step's data; the guards say what is missing."""

    to_state = serializers.ChoiceField(choices=CaseState.choices)
    date = serializers.DateField(required=False)
    signer = serializers.IntegerField(required=False, help_text="Person id of the signer.")
    authorisation_scan = serializers.FileField(required=False)
    result = serializers.ChoiceField(
        choices=sorted({*ComparisonResult.values, *ReviewResult.values}), required=False
    )
    notice_start = serializers.DateField(required=False)
    notice_end = serializers.DateField(required=False)
    objections = serializers.CharField(required=False, allow_blank=True)
    objection_handling = serializers.CharField(required=False, allow_blank=True)
    monitoring_category = serializers.ChoiceField(
        choices=MonitoringCategory.choices, required=False
    )
    risk_types = serializers.ListField(
        child=serializers.ChoiceField(choices=RiskType.choices), required=False
    )
    way = serializers.ChoiceField(choices=EliminationWay.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class CaseMeasureSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="measure.pk", read_only=True)
    category = serializers.ChoiceField(choices=MeasureCategory.choices, source="measure.category")
    date = serializers.DateField(source="measure.date")
    description = serializers.CharField(
        source="measure.description", required=False, default="", allow_blank=True
    )
    before_identification = serializers.BooleanField(read_only=True)


class CaseVisitSerializer(serializers.ModelSerializer[CaseVisit]):
    recorded_by: Any = serializers.StringRelatedField()

    class Meta:
        model = CaseVisit
        fields = ["id", "date", "visited_by", "notes", "recorded_by", "created_at"]
        read_only_fields = ["id", "recorded_by", "created_at"]


def _found(queryset: Any, pk: Any) -> Any:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


class CaseViewSet(viewsets.GenericViewSet[Case]):
    serializer_class = CaseSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        return selectors.visible_cases(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=CaseState.values),
            OpenApiParameter("village", str, description="Region code; its subtree."),
            OpenApiParameter("overdue", bool),
        ]
    )
    def list(self, request: Request) -> Response:
        """Visible cases, overdue first."""
        overdue = {"true": True, "1": True, "false": False, "0": False}.get(
            request.query_params.get("overdue", "").lower()
        )
        cases = selectors.case_list(
            request.user,
            state=request.query_params.get("state") or None,
            village=request.query_params.get("village") or None,
            overdue=overdue,
        )
        page = self.paginate_queryset(cases)
        return self.get_paginated_response(CaseSerializer(page, many=True).data)

    @extend_schema(responses={200: CaseDetailSerializer})
    def retrieve(self, request: Request, pk: int) -> Response:
        case = _found(selectors.case_list(request.user), pk)
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseDetailSerializer})
    def create(self, request: Request) -> Response:
        data = CaseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        household = visible_households(request.user).filter(pk=values.pop("household")).first()
        if household is None:
            raise ValidationFailed({"household": [_("No such household in your scope.")]})
        finding_id = values.pop("finding", None)
        if finding_id is not None:
            values["finding"] = Finding.objects.filter(pk=finding_id, household=household).first()
            if values["finding"] is None:
                raise ValidationFailed({"finding": [_("No such finding for this household.")]})
        case = services.case_open(actor=request.user, household=household, **values)
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseAdvanceSerializer, responses={200: CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: int) -> Response:
        """Move the case to `to_state`; refused with the criteria that failed."""
        case = _found(self.get_queryset(), pk)
        data = CaseAdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        case = services.case_advance(
            actor=request.user, case=case, to_state=values.pop("to_state"), **values
        )
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(request=CaseMeasureSerializer, responses={200: CaseMeasureSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def measures(self, request: Request, pk: int) -> Response:
        """The case's measures; POST adds one."""
        case = _found(self.get_queryset(), pk)
        if request.method == "POST":
            data = CaseMeasureSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            link = services.case_measure_add(
                actor=request.user, case=case, **data.validated_data["measure"]
            )
            return Response(CaseMeasureSerializer(link).data, status=status.HTTP_201_CREATED)
        links = CaseMeasure.objects.filter(case=case).select_related("measure")
        return Response(CaseMeasureSerializer(links.order_by("measure__date"), many=True).data)

    @extend_schema(request=CaseVisitSerializer, responses={200: CaseVisitSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def visits(self, request: Request, pk: int) -> Response:
        """The case's visits; POST records one."""
        case = _found(self.get_queryset(), pk)
        if request.method == "POST":
            data = CaseVisitSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            visit = services.case_visit_add(actor=request.user, case=case, **data.validated_data)
            return Response(CaseVisitSerializer(visit).data, status=status.HTTP_201_CREATED)
        return Response(CaseVisitSerializer(case.visits.all(), many=True).data)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project's router."""
    router.register("cases", CaseViewSet, basename="api-case")
