"""API of the fund-flow ledger (thin: selectors read, services write).

Objects outside the user's scope answer 404, in the URL or in the body; a user in scope without
the data-entry role, or reporting for the other side, gets 403; refused input gets 400.
Amounts are strings in yuan with two decimals (and in 万元 alongside, for reading).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from bangfu.accounts.scopes import visible_organisations
from bangfu.core.drf import (
    XLSX,
    SpreadsheetUploadSerializer,
    refused_import_response,
    xlsx_response,
)
from bangfu.core.errors import ImportRefused
from bangfu.core.money import Unit, to_unit
from bangfu.funds import selectors, services
from bangfu.funds.exports import fund_flows_template, fund_flows_xlsx
from bangfu.funds.imports import fund_flows_import
from bangfu.funds.ledger import StageTotals
from bangfu.funds.models import STAGE_ORDER, FundFlow, ReportedBy, SourceKind, Stage
from bangfu.pairings.api import ERROR_RESPONSES, WritesNeedDataEntryRole
from bangfu.pairings.selectors import pairing_get
from bangfu.projects.selectors import project_get

UNITS = {"yuan": Unit.YUAN, "wan": Unit.WAN, "yi": Unit.YI}
UNIT_CHOICES = tuple(UNITS)


def found(obj: Any) -> Any:
    if obj is None:
        raise Http404
    return obj


def import_response(run: Any) -> Response:
    """Run an import; 200 with the counts, or 400 listing every refused row."""
    try:
        result = run()
    except ImportRefused as exc:
        return refused_import_response(exc)
    return Response(vars(result))


# Fund flows ------------------------------------------------------------------------------------


class FundFlowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    pairing = serializers.IntegerField(source="pairing_id")
    year = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    signed_amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    amount_wan = serializers.SerializerMethodField()
    source_kind = serializers.ChoiceField(choices=SourceKind.choices)
    source_organisation = serializers.IntegerField(source="source_organisation_id", allow_null=True)
    receiving_organisation = serializers.IntegerField(
        source="receiving_organisation_id", allow_null=True
    )
    project = serializers.IntegerField(source="project_id", allow_null=True)
    date = serializers.DateField(allow_null=True)
    description = serializers.CharField()
    reported_by = serializers.ChoiceField(choices=ReportedBy.choices)
    reference = serializers.CharField()
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True)
    reason = serializers.CharField()
    is_demo = serializers.BooleanField()

    def get_amount_wan(self, flow: FundFlow) -> str:
        return str(to_unit(flow.amount, Unit.WAN).quantize(Decimal("0.0001")))


class FundFlowInputSerializer(serializers.Serializer[Any]):
    pairing = serializers.IntegerField()
    year = serializers.IntegerField(min_value=1990, max_value=2100)
    stage = serializers.ChoiceField(choices=Stage.choices)
    amount = serializers.CharField(
        max_length=40,
        help_text="Exact amount: 4994, 4994.50, or with a unit: 4994万元, 4.1565亿元.",
    )
    amount_unit = serializers.ChoiceField(
        choices=UNIT_CHOICES, default="yuan", help_text="Unit of a bare number in `amount`."
    )
    source_kind = serializers.ChoiceField(choices=SourceKind.choices)
    reported_by = serializers.ChoiceField(choices=ReportedBy.choices)
    project = serializers.IntegerField(required=False, allow_null=True)
    source_organisation = serializers.IntegerField(required=False, allow_null=True)
    receiving_organisation = serializers.IntegerField(required=False, allow_null=True)
    date = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


class FundFlowCreatedSerializer(FundFlowSerializer):
    warnings = serializers.ListField(child=serializers.CharField())


class ReverseInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()
    date = serializers.DateField(required=False, allow_null=True)


class FundFlowQuerySerializer(serializers.Serializer[Any]):
    pairing = serializers.IntegerField(required=False)
    include_nested = serializers.BooleanField(required=False, default=False)
    year = serializers.IntegerField(required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    source_kind = serializers.ChoiceField(choices=SourceKind.choices, required=False)
    project = serializers.IntegerField(required=False)
    reported_by = serializers.ChoiceField(choices=ReportedBy.choices, required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


def parse_query(
    request: Request, serializer_class: type[serializers.Serializer[Any]]
) -> dict[str, Any]:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    values = dict(query.validated_data)
    if "pairing" in values:
        found(pairing_get(user=request.user, pk=values["pairing"]))
    return values


def _organisation(request: Request, pk: int | None) -> Any:
    if pk is None:
        return None
    return found(visible_organisations(request.user).filter(pk=pk).first())


class FundFlowViewSet(viewsets.GenericViewSet[FundFlow]):
    permission_classes = [WritesNeedDataEntryRole]
    serializer_class = FundFlowSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return selectors.fund_flow_list(user=self.request.user)

    @extend_schema(parameters=[FundFlowQuerySerializer], responses=FundFlowSerializer(many=True))
    def list(self, request: Request) -> Response:
        flows = selectors.fund_flow_list(
            user=request.user, **parse_query(request, FundFlowQuerySerializer)
        )
        page = self.paginate_queryset(flows)
        return self.get_paginated_response(FundFlowSerializer(page, many=True).data)

    @extend_schema(responses={200: FundFlowSerializer, 404: ERROR_RESPONSES[404]})
    def retrieve(self, request: Request, pk: int) -> Response:
        flow = found(selectors.fund_flow_get(user=request.user, pk=pk))
        return Response(FundFlowSerializer(flow).data)

    @extend_schema(
        request=FundFlowInputSerializer,
        responses={201: FundFlowCreatedSerializer, **ERROR_RESPONSES},
    )
    def create(self, request: Request) -> Response:
        data = FundFlowInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        project_id = v.pop("project", None)
        result = services.fund_flow_record(
            actor=request.user,
            pairing=found(pairing_get(user=request.user, pk=v.pop("pairing"))),
            project=found(project_get(user=request.user, pk=project_id)) if project_id else None,
            source_organisation=_organisation(request, v.pop("source_organisation", None)),
            receiving_organisation=_organisation(request, v.pop("receiving_organisation", None)),
            unit=UNITS[v.pop("amount_unit")],
            **v,
        )
        body = {**FundFlowSerializer(result.flow).data, "warnings": result.warnings}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReverseInputSerializer,
        responses={201: FundFlowCreatedSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: int) -> Response:
        """Correct an entry: record its reversal with a reason (the entry itself never changes)."""
        flow = found(selectors.fund_flow_get(user=request.user, pk=pk))
        data = ReverseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.fund_flow_reverse(actor=request.user, flow=flow, **data.validated_data)
        body = {**FundFlowSerializer(result.flow).data, "warnings": result.warnings}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[FundFlowQuerySerializer],
        responses={(200, XLSX): OpenApiResponse(description="XLSX workbook")},
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        """The entries as filtered, as an XLSX workbook (Chinese headers, amounts in 万元)."""
        flows = selectors.fund_flow_list(
            user=request.user, **parse_query(request, FundFlowQuerySerializer)
        )
        return xlsx_response(fund_flows_xlsx(flows), "fund-flows.xlsx")

    @extend_schema(responses={(200, XLSX): OpenApiResponse(description="XLSX template")})
    @action(detail=False, methods=["get"])
    def template(self, request: Request) -> HttpResponse:
        """An empty import file with a sheet explaining each column."""
        return xlsx_response(fund_flows_template(), "fund-flows-template.xlsx")

    @extend_schema(
        request={"multipart/form-data": SpreadsheetUploadSerializer},
        responses={200: OpenApiResponse(description="Counts of created/unchanged entries")},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def import_file(self, request: Request) -> Response:
        """Import a file: every row checked first; nothing written if any row is refused."""
        upload = SpreadsheetUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        return import_response(
            lambda: fund_flows_import(
                actor=request.user,
                source=file.read(),
                filename=file.name,
                dry_run=upload.validated_data["dry_run"],
            )
        )


# Summary and reconciliation -------------------------------------------------------------------


class SummaryQuerySerializer(FundFlowQuerySerializer):
    group_by = serializers.CharField(
        required=False,
        default="pairing,year",
        help_text="Comma-separated: pairing, year, source_kind, project (empty: one total).",
    )

    def validate_group_by(self, value: str) -> list[str]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = set(names) - set(selectors.GROUPS)
        if unknown:
            raise serializers.ValidationError(_("Cannot group by %s.") % ", ".join(sorted(unknown)))
        return names


def totals_data(totals: StageTotals) -> dict[str, Any]:
    data: dict[str, Any] = {stage: str(totals.of(stage)) for stage in STAGE_ORDER}
    for rate in ("arrival_rate", "disbursement_rate", "spending_rate"):
        value = getattr(totals, rate)
        data[rate] = None if value is None else str(value)
    return data


class FundSummaryViewSet(viewsets.ViewSet):
    """Totals per stage (计划, 到位, 拨付, 支出) with 到位率, 拨付率 and the spending rate."""

    permission_classes = [WritesNeedDataEntryRole]

    @extend_schema(
        parameters=[SummaryQuerySerializer],
        responses={200: OpenApiResponse(description="Rows: group keys, stage totals, rates")},
    )
    def list(self, request: Request) -> Response:
        query = parse_query(request, SummaryQuerySerializer)
        group_by = query.pop("group_by")
        rows = selectors.fund_summary(user=request.user, group_by=group_by, **query)
        return Response([{**row.key, **totals_data(row.totals)} for row in rows])


class ReconciliationQuerySerializer(serializers.Serializer[Any]):
    pairing = serializers.IntegerField()
    year = serializers.IntegerField()
    by_source = serializers.BooleanField(required=False, default=True)


class ReconciliationViewSet(viewsets.ViewSet):
    """Donor- and recipient-reported flows of a pairing and year: matched, missing, differing."""

    permission_classes = [WritesNeedDataEntryRole]

    @extend_schema(
        parameters=[ReconciliationQuerySerializer],
        responses={200: OpenApiResponse(description="Lines per category with the difference")},
    )
    def list(self, request: Request) -> Response:
        query = parse_query(request, ReconciliationQuerySerializer)
        report = selectors.reconciliation(user=request.user, **query)

        def lines(items: list[selectors.ReconciliationLine]) -> list[dict[str, Any]]:
            return [
                {
                    "stage": line.stage,
                    "project": line.project_id,
                    "source_kind": line.source_kind,
                    "donor_amount": str(line.donor_amount),
                    "recipient_amount": str(line.recipient_amount),
                    "difference": str(line.difference),
                }
                for line in items
            ]

        return Response(
            {
                "pairing": report.pairing_id,
                "year": report.year,
                "is_reconciled": report.is_reconciled,
                "matched": lines(report.matched),
                "missing_on_donor_side": lines(report.missing_on_donor_side),
                "missing_on_recipient_side": lines(report.missing_on_recipient_side),
                "differing": lines(report.differing),
            }
        )


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project's router."""
    router.register("fund-flows", FundFlowViewSet, basename="fund-flow")
    router.register("fund-summary", FundSummaryViewSet, basename="fund-summary")
    router.register("fund-reconciliation", ReconciliationViewSet, basename="fund-reconciliation")
