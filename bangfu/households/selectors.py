"""Reads of the household registry, always through the user's scope.

Household rows (and their persons and measures) are visible to users whose region subtree holds
the household's village: the recipient side, from the village office up to the province. A
donor-side user's region never contains a recipient village, so donors see no household rows;
they will see aggregate counts through dashboards. Village figures are aggregates and are also
visible to users of the pairings whose recipient side holds the village. Thresholds are public
policy figures, readable by every signed-in user.

Personal data in these rows stays sealed; show it only through pii.present_person /
pii.present_collector, which mask it unless the user holds the county's PII grant.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat, Substr

from bangfu.accounts.scopes import scope_for, visible_pairings
from bangfu.households import idcards
from bangfu.households.models import Household, Measure, Person, Threshold, VillageFigures
from bangfu.households.pii import id_token
from bangfu.regions.codes import prefix_of

_NOTHING = Q(pk__in=[])


def village_q(user: Any, path: str = "village__code") -> Q:
    """Rows whose village code (reached through `path`) lies in the user's region subtree."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Q()
    if scope.region_prefix is None:
        return _NOTHING
    return Q(**{f"{path}__startswith": scope.region_prefix})


def visible_households(user: Any) -> QuerySet[Household]:
    return Household.objects.filter(village_q(user))


def visible_persons(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(village_q(user, "household__village__code")).select_related(
        "household"
    )


def visible_measures(user: Any) -> QuerySet[Measure]:
    return Measure.objects.filter(village_q(user, "household__village__code"))


def persons_with_id(user: Any, id_number: str) -> QuerySet[Person]:
    """Exact lookup by ID number (any accepted form) through the token; nothing if malformed."""
    try:
        parsed = idcards.parse_id(id_number)
    except idcards.InvalidId:
        return Person.objects.none()
    return visible_persons(user).filter(id_token=id_token(parsed.canonical))


@dataclass(frozen=True)
class DuplicatePerson:
    """A visible person whose ID also appears in other households."""

    person: Person
    households_with_id: int  # across the whole registry, including households the user cannot see


def duplicate_persons(user: Any) -> list[DuplicatePerson]:
    """Visible persons whose ID token appears in more than one household.

    The count includes households outside the user's scope (that a person is registered twice is
    what must be resolved), but only visible rows are returned.
    """
    repeated = (
        Person.objects.values("id_token")
        .annotate(households=Count("household", distinct=True))
        .filter(households__gt=1)
    )
    counts = {row["id_token"]: row["households"] for row in repeated}
    if not counts:
        return []
    persons = (
        visible_persons(user)
        .filter(id_token__in=repeated.values("id_token"))
        .order_by("id_token", "household__number", "number")
    )
    return [DuplicatePerson(person, counts[person.id_token]) for person in persons]


def visible_village_figures(user: Any) -> QuerySet[VillageFigures]:
    scope = scope_for(user)
    if scope.is_superuser:
        return VillageFigures.objects.all()
    q = village_q(user)
    recipients = visible_pairings(user).values_list(
        "recipient_region_id", "recipient_organisation__region_id"
    )
    for region_code, organisation_region in recipients:
        code = region_code or organisation_region
        if code:
            q |= Q(village__code__startswith=prefix_of(code))
    return VillageFigures.objects.filter(q)


def visible_thresholds(user: Any) -> QuerySet[Threshold]:
    scope = scope_for(user)
    if scope.user_id is None and not scope.is_superuser:
        return Threshold.objects.none()
    return Threshold.objects.select_related("province")


# Threshold lookup ----------------------------------------------------------------------------


def _province_code(region_code: str) -> str:
    return region_code[:2] + "0" * 10


def threshold_for(*, region_code: str, year: int) -> Threshold | None:
    """The monitoring range for a region's province and a year.

    The province's own figure for that year; failing that, the national floor of that year or
    the latest earlier one (2021's 6000 is preloaded); None when neither exists.
    """
    own = Threshold.objects.filter(province_id=_province_code(region_code), year=year).first()
    if own is not None:
        return own
    return Threshold.objects.filter(province__isnull=True, year__lte=year).order_by("-year").first()


def threshold_amount(*, region_code: str, year: int) -> Decimal | None:
    threshold = threshold_for(region_code=region_code, year=year)
    return threshold.yuan_per_person if threshold is not None else None


def threshold_expression(year: int | None = None, *, village_path: str = "village_id") -> Coalesce:
    """The threshold of each row's province as an SQL expression, for set-based monitoring.

    `year` defaults to each row's own `income_year`. Use as
    ``households.annotate(threshold=threshold_expression())``.
    """
    year_ref: Any = Value(year) if year is not None else OuterRef("income_year")
    province = Concat(
        Substr(OuterRef(village_path), 1, 2), Value("0" * 10), output_field=CharField()
    )
    own = Threshold.objects.filter(province_id=province, year=year_ref).values("yuan_per_person")
    floor = (
        Threshold.objects.filter(province__isnull=True, year__lte=year_ref)
        .order_by("-year")
        .values("yuan_per_person")
    )
    return Coalesce(
        Subquery(own[:1]),
        Subquery(floor[:1]),
        output_field=DecimalField(max_digits=10, decimal_places=2),
    )
