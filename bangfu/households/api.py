"""API of the household registry (thin: selectors read, services write).

Households, persons and measures outside the user's scope answer 404 (donor-side users see no
household row at all). Personal data is masked in every response unless the user holds the PII
grant of the village's county (pii.present_person). Lookup by ID number is a POST so the number
never appears in a URL (and so in no access log).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from bangfu.core.errors import ValidationFailed
from bangfu.households import selectors, services
from bangfu.households.models import Household, Person, Threshold, VillageFigures
from bangfu.households.monitoring import api as monitoring_api
from bangfu.households.pii import PersonPii, present_collector, present_person
from bangfu.regions.models import Region

PERSON_PII = ("name", "id_number", "phone", "bank_account")


def _region(code: str, field: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed({field: [_("No region has the code %(code)s.") % {"code": code}]})
    return region


def _found(queryset: Any, pk: Any) -> Any:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# Households ----------------------------------------------------------------------------------


class HouseholdSerializer(serializers.ModelSerializer[Household]):
    village = serializers.CharField(source="village_id", read_only=True)
    collector_name = serializers.SerializerMethodField()
    collector_phone = serializers.SerializerMethodField()

    class Meta:
        model = Household
        exclude = ["is_demo"]

    def get_collector_name(self, household: Household) -> str:
        return present_collector(household, self.context["request"].user).name

    def get_collector_phone(self, household: Household) -> str:
        return present_collector(household, self.context["request"].user).phone


class HouseholdInputSerializer(serializers.ModelSerializer[Household]):
    village = serializers.CharField(max_length=12, help_text="12-digit village code.")
    collector_name = serializers.CharField(required=False, allow_blank=True)
    collector_phone = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = Household
        fields = [
            "number",
            "village",
            "household_type",
            "household_size",
            "income_year",
            *sorted(services.HOUSEHOLD_DETAILS - {"is_demo", "collector_name", "collector_phone"}),
            "collector_name",
            "collector_phone",
        ]
        # Uniqueness is the service's to check (it answers with a message per field).
        extra_kwargs: dict[str, Any] = {"number": {"validators": []}}
        validators: list[Any] = []


class HouseholdViewSet(viewsets.GenericViewSet[Household]):
    serializer_class = HouseholdSerializer
    filterset_fields = ["household_type", "monitoring_category", "village", "income_year"]
    ordering_fields = ["number", "per_capita_net_income"]

    def get_queryset(self) -> Any:
        return selectors.visible_households(self.request.user).order_by("number")

    def _output(self, household: Household) -> Any:
        return HouseholdSerializer(household, context={"request": self.request}).data

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = HouseholdSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(self._output(_found(self.get_queryset(), pk)))

    @extend_schema(request=HouseholdInputSerializer, responses={201: HouseholdSerializer})
    def create(self, request: Request) -> Response:
        data = HouseholdInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["village"] = _region(values["village"], "village")
        household = services.household_create(actor=request.user, **values)
        return Response(self._output(household), status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdInputSerializer, responses={200: HouseholdSerializer})
    def partial_update(self, request: Request, pk: int) -> Response:
        household = _found(self.get_queryset(), pk)
        data = HouseholdInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.pop("number", household.number) != household.number:
            raise ValidationFailed({"number": [_("The household number cannot change.")]})
        if "village" in values:
            values["village"] = _region(values["village"], "village")
        household = services.household_update(actor=request.user, household=household, **values)
        return Response(self._output(household))


# Persons -------------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer[Person]):
    """A person with personal data clear or masked, as the user may see it."""

    household_number = serializers.CharField(source="household.number", read_only=True)
    name = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    bank_account = serializers.SerializerMethodField()
    personal_data_clear = serializers.SerializerMethodField()

    class Meta:
        model = Person
        exclude = ["id_token"]

    def _pii(self, person: Person) -> PersonPii:
        cache: dict[int, PersonPii] = self.context.setdefault("_pii", {})
        if person.pk not in cache:
            cache[person.pk] = present_person(person, self.context["request"].user)
        return cache[person.pk]

    def get_name(self, person: Person) -> str:
        return self._pii(person).name

    def get_id_number(self, person: Person) -> str:
        return self._pii(person).id_number

    def get_phone(self, person: Person) -> str:
        return self._pii(person).phone

    def get_bank_account(self, person: Person) -> str:
        return self._pii(person).bank_account

    def get_personal_data_clear(self, person: Person) -> bool:
        return self._pii(person).clear


class PersonInputSerializer(serializers.ModelSerializer[Person]):
    household = serializers.IntegerField()
    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(required=False, allow_blank=True)
    bank_account = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = Person
        fields = [
            "household",
            "number",
            "id_type",
            "id_number",
            "sex",
            "birth_date",
            *sorted(services.PERSON_DETAILS),
        ]
        extra_kwargs = {
            "number": {"required": False, "validators": []},
            "id_type": {"required": False},
            "sex": {"required": False},
            "birth_date": {"required": False},
        }
        validators: list[Any] = []  # the service checks uniqueness with its own messages


class IdLookupSerializer(serializers.Serializer[Any]):
    id_number = serializers.CharField(max_length=30)


class DuplicateSerializer(serializers.Serializer[Any]):
    person = PersonSerializer()
    households_with_id = serializers.IntegerField()


class PersonViewSet(viewsets.GenericViewSet[Person]):
    serializer_class = PersonSerializer
    filterset_fields = ["household", "relation", "sex", "labour_skill", "health"]
    ordering_fields = ["number", "birth_date"]

    def get_queryset(self) -> Any:
        return selectors.visible_persons(self.request.user).order_by("household_id", "number")

    def _context(self) -> dict[str, Any]:
        return {"request": self.request}

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = PersonSerializer(page, many=True, context=self._context()).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: int) -> Response:
        person = _found(self.get_queryset(), pk)
        return Response(PersonSerializer(person, context=self._context()).data)

    @extend_schema(request=PersonInputSerializer, responses={201: PersonSerializer})
    def create(self, request: Request) -> Response:
        data = PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        household = _found(selectors.visible_households(request.user), values.pop("household"))
        person = services.person_create(actor=request.user, household=household, **values)
        person = _found(self.get_queryset(), person.pk)
        body = PersonSerializer(person, context=self._context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonInputSerializer, responses={200: PersonSerializer})
    def partial_update(self, request: Request, pk: int) -> Response:
        person = _found(self.get_queryset(), pk)
        data = PersonInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.pop("household", person.household_id) != person.household_id:
            raise ValidationFailed({"household": [_("A person cannot move household here.")]})
        services.person_update(actor=request.user, person=person, **values)
        person = _found(self.get_queryset(), pk)
        return Response(PersonSerializer(person, context=self._context()).data)

    @extend_schema(request=IdLookupSerializer, responses={200: PersonSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def lookup(self, request: Request) -> Response:
        """Persons with this ID number (any accepted form), within your scope."""
        data = IdLookupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        persons = selectors.persons_with_id(request.user, data.validated_data["id_number"])
        return Response(PersonSerializer(persons, many=True, context=self._context()).data)

    @extend_schema(responses={200: DuplicateSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def duplicates(self, request: Request) -> Response:
        """Visible persons whose ID number also appears in another household."""
        rows = selectors.duplicate_persons(request.user)
        return Response(DuplicateSerializer(rows, many=True, context=self._context()).data)


# Thresholds and village figures --------------------------------------------------------------


class ThresholdSerializer(serializers.ModelSerializer[Threshold]):
    province = serializers.CharField(
        source="province_id",
        allow_null=True,
        required=False,
        help_text="12-digit province code; empty for the national floor.",
    )

    class Meta:
        model = Threshold
        fields = ["id", "province", "year", "yuan_per_person", "source"]
        read_only_fields = ["id"]
        validators: list[Any] = []


class ThresholdViewSet(viewsets.GenericViewSet[Threshold]):
    serializer_class = ThresholdSerializer
    filterset_fields = ["year", "province"]

    def get_queryset(self) -> Any:
        return selectors.visible_thresholds(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ThresholdSerializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        """Set (create or replace) the threshold of a province and year."""
        data = ThresholdSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        code = values.get("province_id")
        threshold = services.threshold_set(
            actor=request.user,
            province=_region(code, "province") if code else None,
            year=values["year"],
            yuan_per_person=values["yuan_per_person"],
            source=values.get("source", ""),
        )
        return Response(ThresholdSerializer(threshold).data, status=status.HTTP_201_CREATED)


class VillageFiguresSerializer(serializers.ModelSerializer[VillageFigures]):
    village = serializers.CharField(source="village_id", max_length=12)

    class Meta:
        model = VillageFigures
        exclude = ["created_at", "updated_at"]
        read_only_fields = ["id"]
        validators: list[Any] = []


class VillageFiguresViewSet(viewsets.GenericViewSet[VillageFigures]):
    serializer_class = VillageFiguresSerializer
    filterset_fields = ["year", "village"]

    def get_queryset(self) -> Any:
        return selectors.visible_village_figures(self.request.user).order_by("village_id", "year")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(VillageFiguresSerializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        """Set (create or replace) a village's figures for a year; collective income in yuan."""
        data = VillageFiguresSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        village = _region(values.pop("village_id"), "village")
        row = services.village_figures_set(
            actor=request.user, village=village, year=values.pop("year"), **values
        )
        return Response(VillageFiguresSerializer(row).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project's router."""
    router.register("households", HouseholdViewSet, basename="household")
    router.register("persons", PersonViewSet, basename="person")
    router.register("thresholds", ThresholdViewSet, basename="threshold")
    router.register("village-figures", VillageFiguresViewSet, basename="village-figures")
    monitoring_api.register(router)
