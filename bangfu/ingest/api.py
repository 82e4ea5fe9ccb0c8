"""API of report ingestion (thin: selectors read, services write).

Documents and facts outside the user's scope answer 404; writes without the data-entry role 403.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from bangfu.accounts.scopes import visible_pairings
from bangfu.ingest import selectors, services
from bangfu.ingest.models import Document, FactKind, FactStatus, ProposedFact
from bangfu.pairings.api import ERROR_RESPONSES, WritesNeedDataEntryRole
from bangfu.regions.models import Region


class IngestFactSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    document = serializers.IntegerField(source="document_id")
    kind = serializers.ChoiceField(choices=FactKind.choices)
    payload = serializers.JSONField()
    span_start = serializers.IntegerField()
    span_end = serializers.IntegerField()
    status = serializers.ChoiceField(choices=FactStatus.choices)
    record_type = serializers.CharField()
    record_id = serializers.CharField()
    reason = serializers.CharField()
    review_url = serializers.SerializerMethodField()

    def get_review_url(self, fact: Any) -> str:
        return services.provenance_link(fact)


class IngestDocumentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    source_name = serializers.CharField()
    report_date = serializers.DateField(allow_null=True)
    pairing = serializers.IntegerField(source="pairing_id", allow_null=True)
    region = serializers.CharField(source="region_id", allow_null=True)
    created_at = serializers.DateTimeField()


class IngestDocumentDetailSerializer(IngestDocumentSerializer):
    original_text = serializers.CharField()
    normalised_text = serializers.CharField()


class IngestDocumentInputSerializer(serializers.Serializer[Any]):
    pairing = serializers.IntegerField(required=False, allow_null=True)
    region = serializers.CharField(required=False, allow_blank=True, max_length=12)
    source_name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    file = serializers.FileField(required=False)


class IngestAcceptInputSerializer(serializers.Serializer[Any]):
    changes = serializers.DictField(required=False, help_text="Edited payload fields.")


class IngestRejectInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DocumentViewSet(viewsets.GenericViewSet[Document]):
    queryset = Document.objects.none()  # reads go through the selectors; this types the id
    permission_classes = [WritesNeedDataEntryRole]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses={200: IngestDocumentSerializer(many=True)})
    def list(self, request: Request) -> Response:
        documents = selectors.document_list(request.user)[:500]
        return Response(IngestDocumentSerializer(documents, many=True).data)

    @extend_schema(responses={200: IngestDocumentDetailSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, pk: str) -> Response:
        document = selectors.document_get(request.user, int(pk))
        if document is None:
            raise Http404
        return Response(IngestDocumentDetailSerializer(document).data)

    @extend_schema(
        request=IngestDocumentInputSerializer,
        responses={201: IngestDocumentSerializer, **ERROR_RESPONSES},
    )
    def create(self, request: Request) -> Response:
        data = IngestDocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        pairing = None
        if values.get("pairing"):
            pairing = visible_pairings(request.user).filter(pk=values["pairing"]).first()
            if pairing is None:
                raise Http404
        region = Region.objects.filter(code=values.get("region") or "").first()
        upload = values.get("file")
        document = services.document_upload(
            actor=request.user,
            source_name=(upload.name if upload else values.get("source_name")) or "",
            text=None if upload else values.get("text", ""),
            data=upload.read() if upload else None,
            pairing=pairing,
            region=region,
        )
        return Response(IngestDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: IngestFactSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"])
    def facts(self, request: Request, pk: str) -> Response:
        document = selectors.document_get(request.user, int(pk))
        if document is None:
            raise Http404
        facts = selectors.fact_list(request.user, document=document.pk)
        return Response(IngestFactSerializer(facts, many=True).data)


class FactViewSet(viewsets.GenericViewSet[ProposedFact]):
    queryset = ProposedFact.objects.none()  # reads go through the selectors; this types the id
    permission_classes = [WritesNeedDataEntryRole]

    def _fact(self, request: Request, pk: str) -> Any:
        fact = selectors.fact_get(request.user, int(pk))
        if fact is None:
            raise Http404
        return fact

    @extend_schema(responses={200: IngestFactSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(IngestFactSerializer(self._fact(request, pk)).data)

    @extend_schema(
        request=IngestAcceptInputSerializer,
        responses={200: IngestFactSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        data = IngestAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fact = services.fact_accept(
            actor=request.user,
            fact=self._fact(request, pk),
            changes=data.validated_data.get("changes") or None,
        )
        return Response(IngestFactSerializer(fact).data)

    @extend_schema(
        request=IngestRejectInputSerializer,
        responses={200: IngestFactSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = IngestRejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fact = services.fact_reject(
            actor=request.user,
            fact=self._fact(request, pk),
            reason=data.validated_data.get("reason", ""),
        )
        return Response(IngestFactSerializer(fact).data)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project's router."""
    router.register("ingest/documents", DocumentViewSet, basename="ingest-document")
    router.register("ingest/facts", FactViewSet, basename="ingest-fact")
