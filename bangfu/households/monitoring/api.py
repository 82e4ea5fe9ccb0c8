"""API of monitoring runs and findings (thin: selectors read, services write).

Households and persons appear by their numbers only; no personal data is ever part of a
finding. Runs and findings outside the user's scope answer 404; starting a run needs the
data-entry role and a region inside the user's subtree (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from bangfu.core.errors import ValidationFailed
from bangfu.households.models import Finding, MonitoringRun
from bangfu.households.monitoring import selectors, services
from bangfu.regions.models import Region

DIFF_PARTS = ("new", "resolved", "persisting")


class RunSerializer(serializers.ModelSerializer[MonitoringRun]):
    region = serializers.CharField(source="region_id", read_only=True, allow_null=True)

    class Meta:
        model = MonitoringRun
        fields = [
            "id",
            "region",
            "as_of",
            "started_at",
            "duration_ms",
            "finding_count",
            "household_count",
            "counts",
            "parameters",
        ]


class RunInputSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(
        max_length=12, required=False, help_text="Region code; default: your own region."
    )
    as_of = serializers.DateField(required=False, help_text="Evaluation date; default: today.")


class FindingSerializer(serializers.ModelSerializer[Finding]):
    household = serializers.CharField(source="household.number", read_only=True)
    person = serializers.CharField(source="person.number", read_only=True, allow_null=True)
    village = serializers.CharField(source="village_id", read_only=True)
    # Plain strings in the schema: the enums are named by the households API already.
    kind = serializers.CharField(read_only=True, help_text="risk or data_quality.")
    category = serializers.CharField(read_only=True, help_text="Suggested category, or empty.")
    risk_types = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule_code",
            "rule_version",
            "kind",
            "household",
            "person",
            "village",
            "category",
            "risk_types",
            "value",
            "threshold",
            "reference",
            "detail",
        ]

    def get_risk_types(self, finding: Finding) -> list[str]:
        return [t for t in finding.risk_types.split(",") if t]


FINDING_FILTERS = [
    OpenApiParameter("rule", str, description="Rule code."),
    OpenApiParameter("village", str, description="Village (or any region) code."),
    OpenApiParameter("category", str, description="Suggested category."),
    OpenApiParameter("kind", str, description="risk or data_quality."),
]


class RunViewSet(viewsets.GenericViewSet[MonitoringRun]):
    serializer_class = RunSerializer

    def get_queryset(self) -> Any:
        return selectors.visible_runs(self.request.user).order_by("-started_at", "-id")

    def _run(self, pk: Any) -> MonitoringRun:
        run = self.get_queryset().filter(pk=pk).first()
        if run is None:
            raise Http404
        return run

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RunSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(RunSerializer(self._run(pk)).data)

    @extend_schema(request=RunInputSerializer, responses={201: RunSerializer})
    def create(self, request: Request) -> Response:
        data = RunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        region = None
        code = data.validated_data.get("region")
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise ValidationFailed(
                    {"region": [_("No region has the code %(code)s.") % {"code": code}]}
                )
        run = services.monitoring_run(
            actor=request.user, region=region, as_of=data.validated_data.get("as_of")
        )
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)

    def _findings_page(self, queryset: Any) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(FindingSerializer(page, many=True).data)

    @extend_schema(parameters=FINDING_FILTERS, responses={200: FindingSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def findings(self, request: Request, pk: int) -> Response:
        params = request.query_params
        queryset = selectors.findings(
            request.user,
            run=self._run(pk),
            rule=params.get("rule"),
            village=params.get("village"),
            category=params.get("category"),
            kind=params.get("kind"),
        )
        return self._findings_page(queryset)

    @extend_schema(
        parameters=[
            OpenApiParameter("against", int, required=True, description="The earlier run."),
            OpenApiParameter("part", str, enum=[*DIFF_PARTS], description="Findings listed."),
        ],
        responses={200: FindingSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: int) -> Response:
        """Counts per rule of new, resolved and persisting findings; `part` lists one of them."""
        later = self._run(pk)
        against = request.query_params.get("against", "")
        if not against.isdigit():
            raise ValidationFailed({"against": [_("Give the number of the earlier run.")]})
        result = selectors.diff(request.user, self._run(int(against)), later)
        part = request.query_params.get("part")
        if part:
            if part not in DIFF_PARTS:
                raise ValidationFailed({"part": [_("Choose new, resolved or persisting.")]})
            queryset = getattr(result, part).select_related("household", "person")
            return self._findings_page(queryset.order_by("rule_code", "household__number", "id"))
        return Response(
            {name: selectors.count_by_rule(getattr(result, name)) for name in DIFF_PARTS}
        )


def register(router: BaseRouter) -> None:
    router.register("monitoring-runs", RunViewSet, basename="monitoring-run")
