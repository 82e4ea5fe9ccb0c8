"""API of organisations, pairings, agreements and meetings (thin: selectors read, services write).

Every object outside the user's scope answers 404, whether it is named in the URL or in the body
(a pairing to record an agreement under, a parent pairing); a user in scope without the needed
role gets 403; refused input gets 400 with messages per field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import scope_for
from bangfu.core.errors import ValidationFailed
from bangfu.pairings import selectors, services
from bangfu.pairings.models import (
    Agreement,
    AgreementKind,
    Meeting,
    MeetingDocument,
    MeetingKind,
    Organisation,
    OrganisationKind,
    Pairing,
    PairingKind,
    PairingLevel,
)
from bangfu.regions.models import Region

REGION_CODE_HELP = "12-digit statistical division code (统计用区划代码)."

ERROR_RESPONSES: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(description="Refused input: an object mapping field names to messages."),
    403: OpenApiResponse(description="Not signed in, or lacking the role this needs."),
    404: OpenApiResponse(description="No such object within your scope."),
}
READ_ERRORS = {404: ERROR_RESPONSES[404]}


class WritesNeedDataEntryRole(permissions.BasePermission):
    """Reads need a signed-in user; writes also need the data-entry role (403 otherwise)."""

    message = "This needs the role “data entry”."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return scope_for(request.user).has_role(Role.DATA_ENTRY)


def _found(obj: Any) -> Any:
    if obj is None:
        raise Http404
    return obj


def _pairing_in_scope(request: Request, pk: int) -> Pairing:
    """A pairing named in the body: outside the scope it does not exist (404)."""
    return _found(selectors.pairing_get(user=request.user, pk=pk))


def _region(code: str, field: str) -> Region:
    region = selectors.region_get(code=code)
    if region is None:
        raise ValidationFailed({field: [_("No region has the code %(code)s.") % {"code": code}]})
    return region


def _absolute(request: Request | None, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class _RegionCodeField(forms.RegexField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(regex=r"^(?!00)\d{12}$", **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object id (whole number)."""

    field_class = forms.IntegerField


class RegionCodeFilter(django_filters.CharFilter):
    """A 12-digit region code; anything else is refused with 400."""

    field_class = _RegionCodeField


# Organisations ---------------------------------------------------------------------------------


class OrganisationRegionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class OrganisationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    region = OrganisationRegionSerializer()


class OrganisationInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    region = serializers.CharField(max_length=12, help_text=REGION_CODE_HELP)


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    region = RegionCodeFilter(
        method="filter_region", label="Region code: organisations located in this region or below."
    )

    class Meta:
        model = Organisation
        fields = ["kind", "region"]

    def filter_region(
        self, queryset: QuerySet[Organisation], name: str, value: str
    ) -> QuerySet[Organisation]:
        return queryset.filter(selectors.organisation_in_region_q(value))


class OrganisationViewSet(viewsets.GenericViewSet[Organisation]):
    permission_classes = [WritesNeedDataEntryRole]
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "id", "region"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisation_list(user=self.request.user)

    def _output(self, organisation: Organisation) -> dict[str, Any]:
        return OrganisationSerializer(organisation).data

    @extend_schema(responses=OrganisationSerializer(many=True))
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(OrganisationSerializer(page, many=True).data)

    @extend_schema(responses={200: OrganisationSerializer, **READ_ERRORS})
    def retrieve(self, request: Request, pk: int) -> Response:
        organisation = _found(selectors.organisation_get(user=request.user, pk=pk))
        return Response(self._output(organisation))

    @extend_schema(
        request=OrganisationInputSerializer,
        responses={201: OrganisationSerializer, **ERROR_RESPONSES},
    )
    def create(self, request: Request) -> Response:
        data = OrganisationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organisation = services.organisation_create(
            actor=request.user,
            name=values["name"],
            kind=values["kind"],
            region=_region(values["region"], "region"),
        )
        organisation = _found(selectors.organisation_get(user=request.user, pk=organisation.pk))
        return Response(self._output(organisation), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=OrganisationInputSerializer,
        responses={200: OrganisationSerializer, **ERROR_RESPONSES},
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        organisation = _found(selectors.organisation_get(user=request.user, pk=pk))
        data = OrganisationInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "region" in values:
            values["region"] = _region(values["region"], "region")
        services.organisation_update(actor=request.user, organisation=organisation, **values)
        organisation = _found(selectors.organisation_get(user=request.user, pk=pk))
        return Response(self._output(organisation))


# Pairings --------------------------------------------------------------------------------------


class PartyType(models.TextChoices):
    REGION = "region", "region"
    ORGANISATION = "organisation", "organisation"


class PartySerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=PartyType.choices)
    code = serializers.CharField(allow_null=True, help_text="Region code (region parties only).")
    id = serializers.IntegerField(
        allow_null=True, help_text="Organisation id (organisations only)."
    )
    name = serializers.CharField()


def _party(party: Region | Organisation) -> dict[str, Any]:
    if isinstance(party, Region):
        return {"type": PartyType.REGION, "code": party.code, "id": None, "name": party.name}
    return {"type": PartyType.ORGANISATION, "code": None, "id": party.pk, "name": party.name}


# A field named `parent` shadows Field.parent for mypy only: DRF pops declared fields off the class.
class PairingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    donor = serializers.SerializerMethodField()
    recipient = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=PairingKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    level = serializers.ChoiceField(choices=PairingLevel.choices)
    level_label = serializers.CharField(source="get_level_display")
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    is_active = serializers.BooleanField(help_text="Running today (started, not yet ended).")
    notes = serializers.CharField()

    @extend_schema_field(PartySerializer)
    def get_donor(self, pairing: Pairing) -> dict[str, Any]:
        return _party(pairing.donor)

    @extend_schema_field(PartySerializer)
    def get_recipient(self, pairing: Pairing) -> dict[str, Any]:
        return _party(pairing.recipient)


class PairingInputSerializer(serializers.Serializer[Any]):
    donor_region = serializers.CharField(max_length=12, required=False, help_text=REGION_CODE_HELP)
    donor_organisation = serializers.IntegerField(required=False)
    recipient_region = serializers.CharField(
        max_length=12, required=False, help_text=REGION_CODE_HELP
    )
    recipient_organisation = serializers.IntegerField(required=False)
    kind = serializers.ChoiceField(choices=PairingKind.choices)
    level = serializers.ChoiceField(choices=PairingLevel.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]
    notes = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        for side in ("donor", "recipient"):
            given = [f for f in (f"{side}_region", f"{side}_organisation") if f in attrs]
            if len(given) != 1:
                errors[side] = [
                    _("Give exactly one of %(region)s and %(organisation)s.")
                    % {"region": f"{side}_region", "organisation": f"{side}_organisation"}
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class PairingUpdateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=PairingKind.choices)
    level = serializers.ChoiceField(choices=PairingLevel.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, help_text="Set it to end the pairing.")
    parent = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]
    notes = serializers.CharField(allow_blank=True)


class MeetingCountsQuerySerializer(serializers.Serializer[Any]):
    start = serializers.DateField(required=False, help_text="First day counted (inclusive).")
    end = serializers.DateField(required=False, help_text="Last day counted (inclusive).")
    nested = serializers.BooleanField(
        required=False, default=False, help_text="Also count the pairings nested under this one."
    )


class MeetingCountsSerializer(serializers.Serializer[Any]):
    joint_meetings = serializers.IntegerField()
    leaders_visits = serializers.IntegerField()
    working_visits = serializers.IntegerField()
    visits = serializers.IntegerField(help_text="Leaders' visits plus working visits.")


class PairingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PairingKind.choices)
    level = django_filters.ChoiceFilter(choices=PairingLevel.choices)
    region = RegionCodeFilter(
        method="filter_region",
        label="Region code: pairings with a party (on either side) in this region or below.",
    )
    organisation = IdFilter(
        method="filter_organisation", label="Organisation id: pairings where it is either party."
    )
    parent = IdFilter(field_name="parent_id", label="Parent pairing id.")
    active_on = django_filters.DateFilter(
        method="filter_active_on", label="Pairings running on this date."
    )

    class Meta:
        model = Pairing
        fields = ["kind", "level", "region", "organisation", "parent", "active_on"]

    def filter_region(
        self, queryset: QuerySet[Pairing], name: str, value: str
    ) -> QuerySet[Pairing]:
        return queryset.filter(selectors.party_in_region_q(value))

    def filter_organisation(
        self, queryset: QuerySet[Pairing], name: str, value: int
    ) -> QuerySet[Pairing]:
        return queryset.filter(selectors.party_organisation_q(int(value)))

    def filter_active_on(
        self, queryset: QuerySet[Pairing], name: str, value: dt.date
    ) -> QuerySet[Pairing]:
        return queryset.filter(selectors.active_on_q(value))


class PairingViewSet(viewsets.GenericViewSet[Pairing]):
    permission_classes = [WritesNeedDataEntryRole]
    serializer_class = PairingSerializer
    filterset_class = PairingFilter
    ordering_fields = ["start_date", "end_date", "id"]

    def get_queryset(self) -> QuerySet[Pairing]:
        return selectors.pairing_list(user=self.request.user)

    def _output(self, pk: int) -> dict[str, Any]:
        return PairingSerializer(_found(selectors.pairing_get(user=self.request.user, pk=pk))).data

    @extend_schema(responses=PairingSerializer(many=True))
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(PairingSerializer(page, many=True).data)

    @extend_schema(responses={200: PairingSerializer, **READ_ERRORS})
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(self._output(pk))

    @extend_schema(
        request=PairingInputSerializer, responses={201: PairingSerializer, **ERROR_RESPONSES}
    )
    def create(self, request: Request) -> Response:
        data = PairingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        parties: dict[str, Region | Organisation] = {}
        for side in ("donor", "recipient"):
            if f"{side}_region" in values:
                parties[side] = _region(values[f"{side}_region"], f"{side}_region")
            else:
                organisation = selectors.party_organisation_get(pk=values[f"{side}_organisation"])
                if organisation is None:
                    raise ValidationFailed({f"{side}_organisation": [_("No such organisation.")]})
                parties[side] = organisation
        parent_id = values.get("parent")
        pairing = services.pairing_create(
            actor=request.user,
            donor=parties["donor"],
            recipient=parties["recipient"],
            kind=values["kind"],
            level=values["level"],
            start_date=values["start_date"],
            end_date=values.get("end_date"),
            parent=_pairing_in_scope(request, parent_id) if parent_id is not None else None,
            notes=values.get("notes", ""),
        )
        return Response(self._output(pairing.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PairingUpdateSerializer, responses={200: PairingSerializer, **ERROR_RESPONSES}
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        pairing = _pairing_in_scope(request, pk)
        data = PairingUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("parent") is not None:
            values["parent"] = _pairing_in_scope(request, values["parent"])
        services.pairing_update(actor=request.user, pairing=pairing, **values)
        return Response(self._output(pairing.pk))

    @extend_schema(
        parameters=[MeetingCountsQuerySerializer],
        responses={200: MeetingCountsSerializer, **READ_ERRORS, 400: ERROR_RESPONSES[400]},
        description="Joint meetings and visits of the pairing within [start, end], counted from "
        "the meeting records (optionally including its sub-pairings).",
    )
    @action(detail=True, methods=["get"], url_path="meeting-counts")
    def meeting_counts(self, request: Request, pk: int) -> Response:
        pairing = _pairing_in_scope(request, pk)
        query = MeetingCountsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        counts = selectors.meeting_counts(
            user=request.user,
            pairing=pairing,
            start=query.validated_data.get("start"),
            end=query.validated_data.get("end"),
            include_nested=query.validated_data["nested"],
        )
        return Response(
            MeetingCountsSerializer(
                {
                    "joint_meetings": counts.joint_meetings,
                    "leaders_visits": counts.leaders_visits,
                    "working_visits": counts.working_visits,
                    "visits": counts.visits,
                }
            ).data
        )


# Agreements ------------------------------------------------------------------------------------


class AgreementSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    pairing = serializers.IntegerField(source="pairing_id")
    kind = serializers.ChoiceField(choices=AgreementKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    signed_on = serializers.DateField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    document = serializers.SerializerMethodField()
    notes = serializers.CharField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_document(self, agreement: Agreement) -> str | None:
        if not agreement.document:
            return None
        url = reverse("agreement-document", args=[agreement.pk])
        return _absolute(self.context.get("request"), url)


class AgreementInputSerializer(serializers.Serializer[Any]):
    pairing = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AgreementKind.choices)
    title = serializers.CharField(max_length=255)
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1990, max_value=2100)
    signed_on = serializers.DateField()
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    document = serializers.FileField(required=False, help_text="Send as multipart/form-data.")
    notes = serializers.CharField(required=False, allow_blank=True)


class AgreementUpdateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=AgreementKind.choices)
    title = serializers.CharField(max_length=255)
    year = serializers.IntegerField(allow_null=True, min_value=1990, max_value=2100)
    signed_on = serializers.DateField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    document = serializers.FileField(help_text="Send as multipart/form-data.")
    notes = serializers.CharField(allow_blank=True)


class AgreementFilter(django_filters.FilterSet):
    pairing = IdFilter(field_name="pairing_id", label="Pairing id.")
    kind = django_filters.ChoiceFilter(choices=AgreementKind.choices)
    year = IdFilter(field_name="year", label="Year of an annual agreement.")

    class Meta:
        model = Agreement
        fields = ["pairing", "kind", "year"]


class AgreementViewSet(viewsets.GenericViewSet[Agreement]):
    permission_classes = [WritesNeedDataEntryRole]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    ordering_fields = ["signed_on", "year", "id"]

    def get_queryset(self) -> QuerySet[Agreement]:
        return selectors.agreement_list(user=self.request.user)

    def _output(self, pk: int) -> dict[str, Any]:
        agreement = _found(selectors.agreement_get(user=self.request.user, pk=pk))
        return AgreementSerializer(agreement, context={"request": self.request}).data

    @extend_schema(responses=AgreementSerializer(many=True))
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        out = AgreementSerializer(page, many=True, context={"request": request})
        return self.get_paginated_response(out.data)

    @extend_schema(responses={200: AgreementSerializer, **READ_ERRORS})
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(self._output(pk))

    @extend_schema(
        request={
            "multipart/form-data": AgreementInputSerializer,
            "application/json": AgreementInputSerializer,
        },
        responses={201: AgreementSerializer, **ERROR_RESPONSES},
    )
    def create(self, request: Request) -> Response:
        data = AgreementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["pairing"] = _pairing_in_scope(request, values["pairing"])
        agreement = services.agreement_create(actor=request.user, **values)
        return Response(self._output(agreement.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": AgreementUpdateSerializer,
            "application/json": AgreementUpdateSerializer,
        },
        responses={200: AgreementSerializer, **ERROR_RESPONSES},
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        agreement = _found(selectors.agreement_get(user=request.user, pk=pk))
        data = AgreementUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.agreement_update(actor=request.user, agreement=agreement, **data.validated_data)
        return Response(self._output(agreement.pk))


# Meetings and visits ---------------------------------------------------------------------------


class MeetingDocumentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, document: MeetingDocument) -> str:
        url = reverse("meeting-document-file", args=[document.pk])
        return _absolute(self.context.get("request"), url)


class MeetingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    pairing = serializers.IntegerField(source="pairing_id")
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    date = serializers.DateField()
    place = serializers.CharField()
    participants = serializers.CharField()
    summary = serializers.CharField()
    documents = MeetingDocumentSerializer(many=True)


class MeetingInputSerializer(serializers.Serializer[Any]):
    pairing = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    date = serializers.DateField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    participants = serializers.CharField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)


class MeetingUpdateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    date = serializers.DateField()
    place = serializers.CharField(max_length=200, allow_blank=True)
    participants = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(allow_blank=True)


class MeetingDocumentInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=255)
    file = serializers.FileField()


class MeetingFilter(django_filters.FilterSet):
    pairing = IdFilter(field_name="pairing_id", label="Pairing id.")
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    date_after = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label="On or after this date."
    )
    date_before = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label="On or before this date."
    )

    class Meta:
        model = Meeting
        fields = ["pairing", "kind", "date_after", "date_before"]


class MeetingViewSet(viewsets.GenericViewSet[Meeting]):
    permission_classes = [WritesNeedDataEntryRole]
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["date", "id"]

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_list(user=self.request.user)

    def _output(self, pk: int) -> dict[str, Any]:
        meeting = _found(selectors.meeting_get(user=self.request.user, pk=pk))
        return MeetingSerializer(meeting, context={"request": self.request}).data

    @extend_schema(responses=MeetingSerializer(many=True))
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        out = MeetingSerializer(page, many=True, context={"request": request})
        return self.get_paginated_response(out.data)

    @extend_schema(responses={200: MeetingSerializer, **READ_ERRORS})
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(self._output(pk))

    @extend_schema(
        request=MeetingInputSerializer, responses={201: MeetingSerializer, **ERROR_RESPONSES}
    )
    def create(self, request: Request) -> Response:
        data = MeetingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["pairing"] = _pairing_in_scope(request, values["pairing"])
        meeting = services.meeting_create(actor=request.user, **values)
        return Response(self._output(meeting.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MeetingUpdateSerializer, responses={200: MeetingSerializer, **ERROR_RESPONSES}
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        meeting = _found(selectors.meeting_get(user=request.user, pk=pk))
        data = MeetingUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.meeting_update(actor=request.user, meeting=meeting, **data.validated_data)
        return Response(self._output(meeting.pk))

    @extend_schema(
        request={"multipart/form-data": MeetingDocumentInputSerializer},
        responses={201: MeetingDocumentSerializer, **ERROR_RESPONSES},
        description="Attach a document (minutes, photos, report) to the meeting.",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request: Request, pk: int) -> Response:
        meeting = _found(selectors.meeting_get(user=request.user, pk=pk))
        data = MeetingDocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.meeting_document_add(
            actor=request.user,
            meeting=meeting,
            title=data.validated_data["title"],
            file=data.validated_data["file"],
        )
        out = MeetingDocumentSerializer(document, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project's router."""
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("pairings", PairingViewSet, basename="pairing")
    router.register("agreements", AgreementViewSet, basename="agreement")
    router.register("meetings", MeetingViewSet, basename="meeting")
