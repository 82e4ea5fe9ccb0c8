"""API of the indicator app (thin: selectors read, services write).

Objects outside the user's scope answer 404 (in the URL or named in the body); a user lacking the
role a step needs gets 403; refused input gets 400 with messages per field (grid cells as
``cells.<index>``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from bangfu.core.errors import ValidationFailed
from bangfu.indicators import scorecards, selectors, services
from bangfu.indicators.api_files import TargetFilesMixin, ValueFilesMixin
from bangfu.indicators.api_files import pairing_or_404 as _pairing
from bangfu.indicators.api_files import year_of as _year
from bangfu.indicators.models import (
    DataValue,
    Indicator,
    Nature,
    PartyAggregation,
    Side,
    Source,
    Target,
    TimeAggregation,
    Unit,
    WorkArea,
)
from bangfu.indicators.periods import Period, PeriodError, parse
from bangfu.indicators.rollup import rollup
from bangfu.pairings import selectors as pairing_selectors
from bangfu.pairings.models import Organisation, Pairing


def _period(text: str, field: str = "period") -> Period:
    try:
        return parse(text)
    except PeriodError as exc:
        raise ValidationFailed({field: [str(exc)]}) from None


def _indicator(code: str) -> Indicator:
    found = Indicator.objects.filter(code=code).first()
    if found is None:
        raise ValidationFailed({"indicator": [f"No indicator has the code {code!r}."]})
    return found


def _owner(request: Request, given: dict[str, Any]) -> selectors.Owner:
    """The pairing or party named by `pairing`, `party_region` (code) or `party_organisation`
    (id): exactly one; 404 when it lies outside the user's scope."""
    named = [k for k in ("pairing", "party_region", "party_organisation") if given.get(k)]
    if len(named) != 1:
        raise ValidationFailed(
            {"pairing": ["Give a pairing, or one party: party_region or party_organisation."]}
        )
    if named == ["pairing"]:
        return selectors.Owner(pairing=_pairing(request, given["pairing"]))
    if named == ["party_region"]:
        region = pairing_selectors.region_get(code=str(given["party_region"]))
        if region is None or not selectors.party_visible(user=request.user, region=region):
            raise Http404
        return selectors.Owner(party_region=region)
    try:
        organisation = Organisation.objects.filter(pk=int(given["party_organisation"])).first()
    except (TypeError, ValueError):
        organisation = None
    if organisation is None or not selectors.party_visible(
        user=request.user, organisation=organisation
    ):
        raise Http404
    return selectors.Owner(party_organisation=organisation)


def _party_params(request: Request) -> dict[str, Any]:
    return {k: request.query_params.get(k) for k in ("party_region", "party_organisation")}


# Catalogue --------------------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    parent: serializers.SlugRelatedField[Indicator] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )
    numerator: serializers.SlugRelatedField[Indicator] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    denominator: serializers.SlugRelatedField[Indicator] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Indicator
        fields = [
            "id", "code", "name_zh", "name_en", "unit", "work_area", "nature",
            "time_aggregation", "party_aggregation", "numerator", "denominator", "parent",
            "duplicate_rule", "is_computed", "provider", "description", "is_active",
        ]  # fmt: skip


class IndicatorInputSerializer(serializers.Serializer[Any]):
    code = serializers.SlugField(max_length=64)
    name_zh = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=200)
    unit = serializers.ChoiceField(choices=Unit.choices)
    work_area = serializers.ChoiceField(choices=WorkArea.choices)
    nature = serializers.ChoiceField(choices=Nature.choices)
    time_aggregation = serializers.ChoiceField(choices=TimeAggregation.choices)
    party_aggregation = serializers.ChoiceField(choices=PartyAggregation.choices)
    parent = serializers.CharField(  # type: ignore[assignment]
        required=False, help_text="Code of the whole ('of which')."
    )
    description = serializers.CharField(required=False, allow_blank=True)


class IndicatorViewSet(viewsets.GenericViewSet[Indicator]):
    serializer_class = IndicatorSerializer
    filterset_fields = ["work_area", "unit", "is_computed"]

    def get_queryset(self) -> Any:
        return selectors.indicator_list()

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(IndicatorSerializer(page, many=True).data)

    @extend_schema(request=IndicatorInputSerializer, responses={201: IndicatorSerializer})
    def create(self, request: Request) -> Response:
        data = IndicatorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "parent" in values:
            values["parent"] = _indicator(values["parent"])
        indicator = services.indicator_create(actor=request.user, **values)
        return Response(IndicatorSerializer(indicator).data, status=status.HTTP_201_CREATED)


# Figures ----------------------------------------------------------------------------------------


class DataValueSerializer(serializers.ModelSerializer[DataValue]):
    indicator: serializers.SlugRelatedField[Indicator] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    period = serializers.SerializerMethodField()

    class Meta:
        model = DataValue
        fields = [
            "id", "indicator", "pairing", "party_region", "party_organisation", "reported_by",
            "period", "value", "source", "document_ref", "span_start", "span_end", "comment",
            "status", "flags", "sent_back_reason", "submitted_at", "approved_at",
        ]  # fmt: skip

    def get_period(self, obj: DataValue) -> str:
        return str(obj.period)


class DataValueInputSerializer(serializers.Serializer[Any]):
    indicator = serializers.CharField()
    pairing = serializers.IntegerField()
    reported_by = serializers.ChoiceField(choices=[Side.DONOR, Side.RECIPIENT])
    period = serializers.CharField(
        help_text="2020, 2020H1, 2020Q3, 2020-06 or 2016-01-01..2020-11-30"
    )
    value = serializers.DecimalField(max_digits=20, decimal_places=4)
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Source.choices, default=Source.MANUAL
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True)


class DataValueViewSet(ValueFilesMixin, viewsets.GenericViewSet[DataValue]):
    serializer_class = DataValueSerializer
    filterset_fields = ["pairing", "status", "reported_by"]

    def get_queryset(self) -> Any:
        values = selectors.value_list(user=self.request.user)
        code = self.request.query_params.get("indicator")
        if code:
            values = values.filter(indicator__code=code)
        period = self.request.query_params.get("period")
        if period:
            p = _period(period)
            values = values.filter(period_kind=p.kind.value, period_start=p.start, period_end=p.end)
        return values

    def _get(self, pk: Any) -> DataValue:
        found = selectors.value_get(user=self.request.user, pk=int(pk))
        if found is None:
            raise Http404
        return found

    @extend_schema(parameters=[OpenApiParameter("indicator"), OpenApiParameter("period")])
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(DataValueSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: Any) -> Response:
        return Response(DataValueSerializer(self._get(pk)).data)

    @extend_schema(request=DataValueInputSerializer, responses={201: DataValueSerializer})
    def create(self, request: Request) -> Response:
        data = DataValueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = services.data_value_set(
            actor=request.user,
            indicator=_indicator(v["indicator"]),
            period=_period(v["period"]),
            value=v["value"],
            pairing=_pairing(request, v["pairing"]),
            reported_by=v["reported_by"],
            source=v["source"],
            comment=v["comment"],
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(DataValueSerializer(result.value).data, status=code)

    def _step(self, pk: Any, step: Any, **kwargs: Any) -> Response:
        figure = step(actor=self.request.user, data_value=self._get(pk), **kwargs)
        return Response(DataValueSerializer(figure).data)

    @extend_schema(request=None, responses=DataValueSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any) -> Response:
        return self._step(pk, services.data_value_submit)

    @extend_schema(request=None, responses=DataValueSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any) -> Response:
        return self._step(pk, services.data_value_approve)

    @extend_schema(request=ReasonSerializer, responses=DataValueSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: Any) -> Response:
        reason = str(request.data.get("reason", ""))
        return self._step(pk, services.data_value_send_back, reason=reason)

    @extend_schema(request=None, responses=DataValueSerializer)
    @action(detail=True, methods=["post"])
    def lock(self, request: Request, pk: Any) -> Response:
        return self._step(pk, services.data_value_lock)

    @extend_schema(request=ReasonSerializer, responses=DataValueSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: Any) -> Response:
        reason = str(request.data.get("reason", ""))
        return self._step(pk, services.data_value_unlock, reason=reason)


# Targets ----------------------------------------------------------------------------------------


class TargetSerializer(serializers.ModelSerializer[Target]):
    indicator: serializers.SlugRelatedField[Indicator] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    period = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id", "indicator", "pairing", "party_region", "party_organisation", "period",
            "value", "agreement", "comment",
        ]  # fmt: skip

    def get_period(self, obj: Target) -> str:
        return str(obj.period)


class TargetInputSerializer(serializers.Serializer[Any]):
    """The owner is a pairing, or one party as a whole: a region code or an organisation."""

    indicator = serializers.CharField()
    pairing = serializers.IntegerField(required=False)
    party_region = serializers.CharField(required=False, help_text="12-digit region code")
    party_organisation = serializers.IntegerField(required=False)
    period = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class TargetViewSet(TargetFilesMixin, viewsets.GenericViewSet[Target]):
    serializer_class = TargetSerializer
    filterset_fields = ["pairing", "party_region", "party_organisation"]

    def get_queryset(self) -> Any:
        return selectors.target_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TargetSerializer(page, many=True).data)

    @extend_schema(request=TargetInputSerializer, responses={201: TargetSerializer})
    def create(self, request: Request) -> Response:
        data = TargetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        owner = _owner(request, v)
        target = services.target_set(
            actor=request.user,
            indicator=_indicator(v["indicator"]),
            pairing=owner.pairing,
            party_region=owner.party_region,
            party_organisation=owner.party_organisation,
            period=_period(v["period"]),
            value=v["value"],
            comment=v["comment"],
        )
        return Response(TargetSerializer(target).data, status=status.HTTP_201_CREATED)


# Grid, progress, roll-ups, scorecards -----------------------------------------------------------


class GridCellSerializer(serializers.Serializer[Any]):
    indicator = serializers.CharField()
    period = serializers.CharField()
    kind = serializers.ChoiceField(choices=["target", "value"])
    value = serializers.CharField()
    side = serializers.CharField(required=False, allow_blank=True, default="")


class GridInputSerializer(serializers.Serializer[Any]):
    cells = GridCellSerializer(many=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, selectors.Owner):
        return {
            "pairing": _jsonable(value.pairing),
            "party_region": value.party_region.pk if value.party_region else None,
            "party_organisation": value.party_organisation.pk if value.party_organisation else None,
            "name": str(value),
        }
    if isinstance(value, Indicator):
        return {"code": value.code, "name_zh": value.name_zh, "unit": value.unit}
    if isinstance(value, Pairing):
        return {"id": value.pk, "name": str(value)}
    if isinstance(value, Period):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


_PAIRING_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="pairing id")


class GridViewSet(viewsets.ViewSet):
    """A pairing's indicators × periods with targets beside figures (?year=2020)."""

    @extend_schema(parameters=[_PAIRING_ID, OpenApiParameter("year", int)], responses={200: dict})
    def retrieve(self, request: Request, pk: Any) -> Response:
        pairing = _pairing(request, pk)
        area = request.query_params.get("work_area") or None
        grid = selectors.grid(
            user=request.user,
            owner=selectors.Owner(pairing=pairing),
            year=_year(request),
            work_area=area,
        )
        return Response(_jsonable(grid))

    @extend_schema(parameters=[_PAIRING_ID], request=GridInputSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def save(self, request: Request, pk: Any) -> Response:
        pairing = _pairing(request, pk)
        data = GridInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cells = [services.GridCellInput(**c) for c in data.validated_data["cells"]]
        saved = services.grid_save(actor=request.user, pairing=pairing, cells=cells)
        return Response({"saved": saved})

    @extend_schema(parameters=[_PAIRING_ID, OpenApiParameter("year", int)], responses={200: dict})
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: Any) -> Response:
        pairing = _pairing(request, pk)
        rows = selectors.pairing_progress(user=request.user, pairing=pairing, year=_year(request))
        return Response(_jsonable(rows))

    # A party as a whole (?party_region=440306000000 or ?party_organisation=7) -------------

    _PARTY = [
        OpenApiParameter("party_region", description="12-digit region code"),
        OpenApiParameter("party_organisation", int),
        OpenApiParameter("year", int),
    ]

    @extend_schema(parameters=_PARTY, responses={200: dict})
    @action(detail=False, methods=["get"], url_path="party")
    def party(self, request: Request) -> Response:
        """One party's own indicators × periods (targets and figures stated for it as a whole)."""
        owner = _owner(request, _party_params(request))
        area = request.query_params.get("work_area") or None
        grid = selectors.grid(user=request.user, owner=owner, year=_year(request), work_area=area)
        return Response(_jsonable(grid))

    @extend_schema(parameters=_PARTY, request=GridInputSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="party/save")
    def party_save(self, request: Request) -> Response:
        owner = _owner(request, _party_params(request))
        data = GridInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cells = [services.GridCellInput(**c) for c in data.validated_data["cells"]]
        saved = services.grid_save(
            actor=request.user,
            cells=cells,
            party_region=owner.party_region,
            party_organisation=owner.party_organisation,
        )
        return Response({"saved": saved})

    @extend_schema(parameters=_PARTY, responses={200: dict})
    @action(detail=False, methods=["get"], url_path="party/progress")
    def party_progress(self, request: Request) -> Response:
        owner = _owner(request, _party_params(request))
        rows = selectors.progress(user=request.user, owner=owner, year=_year(request))
        return Response(_jsonable(rows))


class RollupViewSet(viewsets.ViewSet):
    @extend_schema(
        parameters=[
            OpenApiParameter("indicator"),
            OpenApiParameter("period"),
            OpenApiParameter("region", description="12-digit region code"),
            OpenApiParameter("hierarchy", enum=["donor", "recipient"]),
        ],
        responses={200: dict},
    )
    def list(self, request: Request) -> Response:
        q = request.query_params
        hierarchy = q.get("hierarchy", Side.RECIPIENT)
        region = q.get("region", "")
        if hierarchy not in (Side.DONOR, Side.RECIPIENT) or not pairing_selectors.region_get(
            code=region
        ):
            raise ValidationFailed(
                {"region": ["Give a region code and hierarchy donor/recipient."]}
            )
        result = rollup(
            user=request.user,
            indicator=_indicator(q.get("indicator", "")),
            period=_period(q.get("period", "")),
            region_code=region,
            hierarchy=hierarchy,
        )
        return Response(_jsonable(result))


class ScorecardViewSet(viewsets.ViewSet):
    """The annual card of a pairing (?year=2020): computed live, approved, or frozen."""

    @extend_schema(parameters=[_PAIRING_ID, OpenApiParameter("year", int)], responses={200: dict})
    def retrieve(self, request: Request, pk: Any) -> Response:
        pairing = _pairing(request, pk)
        card = scorecards.compute(user=request.user, pairing=pairing, year=_year(request))
        return Response(_jsonable(card))

    @extend_schema(
        parameters=[_PAIRING_ID, OpenApiParameter("year", int)], request=None, responses={201: dict}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any) -> Response:
        pairing = _pairing(request, pk)
        frozen = scorecards.scorecard_approve(
            actor=request.user, pairing=pairing, year=_year(request)
        )
        return Response(frozen.card, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[_PAIRING_ID, OpenApiParameter("year", int)], responses={200: dict})
    @action(detail=True, methods=["get"])
    def snapshot(self, request: Request, pk: Any) -> Response:
        pairing = _pairing(request, pk)
        frozen = selectors.snapshot_get(user=request.user, pairing=pairing, year=_year(request))
        if frozen is None:
            raise Http404
        return Response(frozen.card)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project's router."""
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("indicator-values", DataValueViewSet, basename="indicator-value")
    router.register("indicator-targets", TargetViewSet, basename="indicator-target")
    router.register("indicator-grid", GridViewSet, basename="indicator-grid")
    router.register("indicator-rollups", RollupViewSet, basename="indicator-rollup")
    router.register("scorecards", ScorecardViewSet, basename="scorecard")
