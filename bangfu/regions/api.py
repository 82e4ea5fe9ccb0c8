"""API views of this app (thin: selectors to read, services to write)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from bangfu.regions import codes, gazetteer, selectors
from bangfu.regions.codes import Level
from bangfu.regions.models import Region


def _validate_code(value: str) -> None:
    try:
        codes.level_of(value)
    except codes.InvalidCode:
        raise serializers.ValidationError(_("Enter a 12-digit region code.")) from None


class RegionFilterSerializer(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    # `parent` and `context` shadow attributes of the Field base class in the type stubs only.
    parent = serializers.CharField(  # type: ignore[assignment]
        required=False, validators=[_validate_code], help_text=_("Code of the parent region.")
    )
    within = serializers.CharField(
        required=False,
        validators=[_validate_code],
        help_text=_("Code of a region: that region and everything below it."),
    )
    q = serializers.CharField(required=False, help_text=_("Part of the name."))


class RegionResolveInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text=_("A region name as written, e.g. 汕尾市城区 or 都安."))
    context = serializers.CharField(  # type: ignore[assignment]
        required=False,
        validators=[_validate_code],
        help_text=_("Code of a region that breaks ties: matches inside it, else nearest, win."),
    )


class RegionSerializer(serializers.ModelSerializer[Region]):
    parent_code = serializers.CharField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent_code"]
        read_only_fields = fields


class RegionBriefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)


class RegionDetailSerializer(RegionBriefSerializer):
    parent_code = serializers.CharField(allow_null=True)
    full_name = serializers.CharField()
    ancestors = RegionBriefSerializer(many=True, help_text=_("Province first."))


class RegionMatchSerializer(RegionBriefSerializer):
    full_name = serializers.CharField()


class ResolutionSerializer(serializers.Serializer[Any]):
    query = serializers.CharField()
    status = serializers.ChoiceField(choices=gazetteer.RESOLUTION_STATUSES)
    region = RegionMatchSerializer(allow_null=True, help_text=_("The match, when unique."))
    matches = RegionMatchSerializer(many=True)


@extend_schema_view(
    list=extend_schema(parameters=[RegionFilterSerializer], responses=RegionSerializer(many=True)),
    retrieve=extend_schema(responses=RegionDetailSerializer),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    """Administrative divisions by 12-digit 统计用区划代码 (readable by every signed-in user)."""

    serializer_class = RegionSerializer
    lookup_field = "code"
    lookup_value_regex = r"\d{12}"
    filter_backends: list[Any] = []  # filtering happens in the selector, from validated input

    def get_queryset(self) -> QuerySet[Region]:
        if self.action != "list":
            return Region.objects.none()
        filters = RegionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.region_list(user=self.request.user, **filters.validated_data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        detail = selectors.region_detail(user=request.user, code=kwargs["code"])
        if detail is None:
            raise Http404
        return Response(RegionDetailSerializer(detail).data)

    @extend_schema(parameters=[RegionResolveInputSerializer], responses=ResolutionSerializer)
    @action(detail=False, methods=["get"])
    def resolve(self, request: Request) -> Response:
        """Find the region a name as written in a report denotes (凤山, 汕尾市城区, 广西凤山县)."""
        query = RegionResolveInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        resolution = gazetteer.resolve(
            query.validated_data["name"], context=query.validated_data.get("context") or None
        )
        return Response(ResolutionSerializer(resolution).data)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project's router."""
    router.register("regions", RegionViewSet, basename="region")
