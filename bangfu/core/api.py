"""Read-only API of the audit trail, scoped like the data it describes."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from bangfu.core import selectors
from bangfu.core.models import AuditAction, AuditEvent


class AuditEventSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    actor = serializers.IntegerField(
        source="actor_id", allow_null=True, help_text="User id; null for the platform itself."
    )
    actor_username = serializers.CharField(source="actor.username", allow_null=True, default=None)
    action = serializers.ChoiceField(choices=AuditAction.choices)
    action_label = serializers.CharField(source="get_action_display")
    object_type = serializers.CharField(help_text="app_label.model, e.g. pairings.pairing")
    object_id = serializers.CharField()
    object_repr = serializers.CharField()
    before = serializers.JSONField(allow_null=True, help_text="Changed fields before the write.")
    after = serializers.JSONField(allow_null=True, help_text="Changed fields after the write.")
    region_code = serializers.CharField()
    pairing_id = serializers.IntegerField(allow_null=True)


@extend_schema_field(OpenApiTypes.INT)
class _IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class AuditEventFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(label="app_label.model, e.g. pairings.pairing")
    object_id = django_filters.CharFilter()
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    pairing_id = _IdFilter(field_name="pairing_id", label="Pairing id.")
    actor = _IdFilter(field_name="actor_id", label="User id of the actor.")
    created_after = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label="At or after this time (ISO 8601)."
    )
    created_before = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lte", label="At or before this time (ISO 8601)."
    )

    class Meta:
        model = AuditEvent
        fields = [
            "object_type",
            "object_id",
            "action",
            "pairing_id",
            "actor",
            "created_after",
            "created_before",
        ]


class AuditEventViewSet(viewsets.GenericViewSet[AuditEvent]):
    """Who changed what and when, for the objects you may see."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["created_at", "id"]

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return selectors.audit_event_list(user=self.request.user)

    @extend_schema(responses=AuditEventSerializer(many=True))
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)

    @extend_schema(
        responses={
            200: AuditEventSerializer,
            404: OpenApiResponse(description="No such event within your scope."),
        }
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        event = selectors.audit_event_get(user=request.user, pk=pk)
        if event is None:
            raise Http404
        return Response(AuditEventSerializer(event).data)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project's router."""
    router.register("audit-events", AuditEventViewSet, basename="audit-event")
