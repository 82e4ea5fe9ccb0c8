"""Writes for the household registry. Each one checks scope, validates and is audited.

Audit rows never hold personal data in clear: encrypted fields are recorded masked and the ID as
its lookup token (pii.safe_snapshot). Error messages never repeat a name, ID or phone number.

Write access: the `data_entry` role and the village inside the user's own region subtree, which
a donor-side user's region never contains.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import region_in_scope, require_role, scope_for
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.core.models import AuditAction
from bangfu.core.services import audit_record
from bangfu.core.services import full_clean_or_refuse as _full_clean
from bangfu.core.services import save_or_refuse as _save
from bangfu.households import idcards
from bangfu.households.choices import IdType, MeasureCategory, Relation
from bangfu.households.fields import EncryptedTextField, reveal
from bangfu.households.models import (
    Household,
    Measure,
    Person,
    Threshold,
    VillageFigures,
)
from bangfu.households.pii import id_token, safe_snapshot
from bangfu.regions.codes import Level
from bangfu.regions.models import Region

CENT = Decimal("0.01")
WAN = Decimal("10000")
INCOME_COMPONENTS = (
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "business_costs",
)
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
BANK_ACCOUNT_RE = re.compile(r"^\d{10,30}$")

# Fields a household service may set besides number, village, type, size and income year.
HOUSEHOLD_DETAILS = frozenset(
    {
        *INCOME_COMPONENTS,
        "monitoring_category",
        "medical_out_of_pocket",
        "education_expenses",
        "disaster_losses",
        "food_clothing_secure",
        "compulsory_education_secure",
        "basic_medical_secure",
        "housing_secure",
        "drinking_water_secure",
        "water_quantity_ok",
        "water_quality_ok",
        "water_convenient",
        "water_reliable",
        "dangerous_house_grade",
        "cultivated_land_mu",
        "irrigated_land_mu",
        "forest_land_mu",
        "grassland_mu",
        "water_surface_mu",
        "road_distance_km",
        "cooking_fuel",
        "toilet",
        "has_household_electricity",
        "has_production_electricity",
        "collector_name",
        "collector_phone",
        "is_demo",
        "identified_on",
        "eliminated_on",
    }
)
HOUSEHOLD_UPDATABLE = HOUSEHOLD_DETAILS | {
    "village",
    "household_type",
    "household_size",
    "income_year",
}

# Person fields other than the ID, sex and birth date, which are checked together.
PERSON_DETAILS = frozenset(
    {
        "name",
        "relation",
        "ethnicity",
        "education",
        "schooling_status",
        "out_of_school_reason",
        "health",
        "labour_skill",
        "resident_medical_insurance",
        "employee_medical_insurance",
        "critical_illness_insurance",
        "pension_insurance",
        "living_allowance",
        "months_worked_away",
        "work_place",
        "public_welfare_job",
        "phone",
        "bank_account",
    }
)
VILLAGE_FIGURES = frozenset(
    {
        "households",
        "population",
        "collective_income",
        "dibao_people",
        "tekun_people",
        "disabled_people",
        "dangerous_houses",
        "has_clinic",
        "doctors",
        "has_paved_road",
        "has_bus",
    }
)


# Helpers -------------------------------------------------------------------------------------


def compute_incomes(
    *, components: dict[str, Decimal], household_size: int
) -> tuple[Decimal, Decimal]:
    """Net income and per-capita net income (domain.md §3), rounded to the fen."""
    net = (
        components["wage_income"]
        + components["business_income"]
        + components["property_income"]
        + components["transfer_income"]
        - components["business_costs"]
    ).quantize(CENT, rounding=ROUND_HALF_UP)
    if household_size < 1:
        raise ValidationFailed({"household_size": [_("A household has at least one member.")]})
    per_capita = (net / household_size).quantize(CENT, rounding=ROUND_HALF_UP)
    return net, per_capita


def wan_to_yuan(amount: Decimal | str | int) -> Decimal:
    """Village tables give collective income in 万元; it is stored in yuan."""
    return (Decimal(str(amount)) * WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def _errors_from(exc: DjangoValidationError) -> ValidationFailed:
    return ValidationFailed.from_django(exc)


def _require_household_write(actor: Any, village_code: str) -> None:
    require_role(actor, Role.DATA_ENTRY)
    if not region_in_scope(actor, village_code):
        raise PermissionDenied(_("This village lies outside your scope."))


def _require_village(village: Region) -> None:
    if village.level != Level.VILLAGE:
        raise ValidationFailed({"village": [_("Choose a village (a 12-digit village code).")]})


def _unknown(data: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set here.")] for name in unknown})


def _differs(instance: Any, name: str, value: Any) -> bool:
    field = instance._meta.get_field(name)
    current = getattr(instance, field.attname if field.is_relation else name)
    if isinstance(field, EncryptedTextField):
        return reveal(current) != (value or "")
    if field.is_relation:
        return current != getattr(value, "pk", value)
    return bool(current != value)


def _clean_phone(value: str, field: str) -> str:
    phone = "".join(value.split())
    if phone and not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise ValidationFailed(
            {field: [_("The phone number is neither an 11-digit mobile nor a landline number.")]}
        )
    return phone


# Households ----------------------------------------------------------------------------------


def _apply_incomes(household: Household) -> None:
    components = {name: Decimal(getattr(household, name)) for name in INCOME_COMPONENTS}
    for name, value in components.items():
        if value < 0:
            raise ValidationFailed({name: [_("Amounts cannot be negative.")]})
    household.net_income, household.per_capita_net_income = compute_incomes(
        components=components, household_size=household.household_size
    )


@transaction.atomic
def household_create(
    *,
    actor: Any,
    number: str,
    village: Region,
    household_type: str,
    household_size: int,
    income_year: int,
    **details: Any,
) -> Household:
    _require_household_write(actor, village.code)
    _require_village(village)
    _unknown(details, HOUSEHOLD_DETAILS)
    if "collector_phone" in details:
        details["collector_phone"] = _clean_phone(details["collector_phone"], "collector_phone")
    household = Household(
        number=number.strip(),
        village=village,
        household_type=household_type,
        household_size=household_size,
        income_year=income_year,
        **details,
    )
    _apply_incomes(household)
    _full_clean(household)
    _save(household)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=household,
        after=safe_snapshot(household),
        region_code=village.code,
    )
    return household


@transaction.atomic
def household_update(*, actor: Any, household: Household, **data: Any) -> Household:
    _require_household_write(actor, household.village_id)
    _unknown(data, HOUSEHOLD_UPDATABLE)
    if "village" in data:
        _require_household_write(actor, data["village"].code)
        _require_village(data["village"])
    if "collector_phone" in data:
        data["collector_phone"] = _clean_phone(data["collector_phone"], "collector_phone")
    changed = [name for name, value in data.items() if _differs(household, name, value)]
    if not changed:
        return household
    before = safe_snapshot(household)
    for name in changed:
        setattr(household, name, data[name])
    _apply_incomes(household)
    _full_clean(household)
    _save(household)
    after = safe_snapshot(household)
    keys = [k for k in after if after[k] != before[k] and k != "updated_at"]
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=household,
        before={k: before[k] for k in keys},
        after={k: after[k] for k in keys},
        region_code=household.village_id,
    )
    return household


@transaction.atomic
def measure_add(
    *,
    actor: Any,
    household: Household,
    category: MeasureCategory | str,
    date: dt.date,
    description: str = "",
) -> Measure:
    _require_household_write(actor, household.village_id)
    measure = Measure(household=household, category=category, date=date, description=description)
    _full_clean(measure)
    _save(measure)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=measure,
        after=safe_snapshot(measure),
        region_code=household.village_id,
    )
    return measure


# Persons -------------------------------------------------------------------------------------


def _check_identity(
    *,
    id_number: str,
    id_type: str | None,
    sex: str | None,
    birth_date: dt.date | None,
) -> tuple[idcards.ParsedId, str, dt.date]:
    """Validate the ID and the declared sex and birth date against it."""
    try:
        parsed = idcards.parse_id(id_number)
    except idcards.InvalidId as exc:
        raise ValidationFailed({"id_number": [str(exc)]}) from None
    if id_type and id_type != parsed.id_type:
        raise ValidationFailed(
            {
                "id_type": [
                    _("The ID type is “%(declared)s” but the number has the form of “%(found)s”.")
                    % {"declared": IdType(id_type).label, "found": parsed.id_type.label}
                ]
            }
        )
    problems = idcards.declared_mismatches(parsed, sex=sex, birth_date=birth_date)
    if problems:
        raise ValidationFailed({field: [message] for field, message in problems.items()})
    final_sex = sex or parsed.sex
    final_birth = birth_date or parsed.birth_date
    if not final_sex or final_birth is None:
        message = _("The sex and birth date are required for a person without an ID number.")
        raise ValidationFailed({"sex" if not final_sex else "birth_date": [message]})
    return parsed, str(final_sex), final_birth


def _clean_person_details(details: dict[str, Any]) -> None:
    if "phone" in details:
        details["phone"] = _clean_phone(details["phone"] or "", "phone")
    if details.get("bank_account"):
        account = "".join(str(details["bank_account"]).split())
        if not BANK_ACCOUNT_RE.match(account):
            raise ValidationFailed(
                {"bank_account": [_("A bank account number has 10 to 30 digits.")]}
            )
        details["bank_account"] = account
    if "name" in details:
        details["name"] = " ".join(str(details["name"]).split())


def _check_household_members(person: Person) -> None:
    others = Person.objects.filter(household_id=person.household_id).exclude(pk=person.pk)
    if others.filter(id_token=person.id_token).exists():
        raise ValidationFailed(
            {"id_number": [_("A person with this ID number is already in this household.")]}
        )
    if person.relation == Relation.HEAD and others.filter(relation=Relation.HEAD).exists():
        raise ValidationFailed({"relation": [_("This household already has a head.")]})


def _next_person_number(household: Household) -> str:
    sequence = Person.objects.filter(household=household).count() + 1
    while Person.objects.filter(number=f"{household.number}{sequence:02d}").exists():
        sequence += 1
    return f"{household.number}{sequence:02d}"


@transaction.atomic
def person_create(
    *,
    actor: Any,
    household: Household,
    name: str,
    id_number: str,
    relation: Relation | str,
    labour_skill: str,
    id_type: IdType | str | None = None,
    sex: str | None = None,
    birth_date: dt.date | None = None,
    number: str | None = None,
    **details: Any,
) -> Person:
    """Add a member. Sex and birth date default to what the ID says and must agree with it."""
    _require_household_write(actor, household.village_id)
    _unknown(details, PERSON_DETAILS - {"name", "relation", "labour_skill"})
    parsed, final_sex, final_birth = _check_identity(
        id_number=id_number, id_type=id_type, sex=sex, birth_date=birth_date
    )
    fields = {"name": name, **details}
    _clean_person_details(fields)
    if not fields["name"]:
        raise ValidationFailed({"name": [_("The name is required.")]})
    person = Person(
        household=household,
        number=(number or "").strip() or _next_person_number(household),
        id_type=parsed.id_type,
        id_number=parsed.normalised,
        id_token=id_token(parsed.canonical),
        relation=relation,
        labour_skill=labour_skill,
        sex=final_sex,
        birth_date=final_birth,
        **fields,
    )
    _check_household_members(person)
    _full_clean(person)
    _save(person)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=person,
        after=safe_snapshot(person),
        region_code=household.village_id,
    )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **data: Any) -> Person:
    """Change a member; a new ID, sex or birth date is checked against the (new) ID."""
    _require_household_write(actor, person.household.village_id)
    _unknown(data, PERSON_DETAILS | {"id_number", "id_type", "sex", "birth_date", "number"})
    if {"id_number", "id_type", "sex", "birth_date"} & set(data):
        parsed, sex, birth_date = _check_identity(
            id_number=data.get("id_number") or reveal(person.id_number),
            id_type=data.get("id_type", person.id_type if "id_number" not in data else None),
            sex=data.get("sex", person.sex if "id_number" not in data else None),
            birth_date=data.get(
                "birth_date", person.birth_date if "id_number" not in data else None
            ),
        )
        data.update(
            id_number=parsed.normalised, id_type=parsed.id_type, sex=sex, birth_date=birth_date
        )
        new_token = id_token(parsed.canonical)
    else:
        new_token = person.id_token
    _clean_person_details(data)
    changed = [name for name, value in data.items() if _differs(person, name, value)]
    if not changed:
        return person
    before = safe_snapshot(person)
    for name in changed:
        setattr(person, name, data[name])
    person.id_token = new_token
    _check_household_members(person)
    _full_clean(person)
    _save(person)
    after = safe_snapshot(person)
    keys = [k for k in after if after[k] != before[k] and k != "updated_at"]
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=person,
        before={k: before[k] for k in keys},
        after={k: after[k] for k in keys},
        region_code=person.household.village_id,
    )
    return person


# Thresholds and village figures --------------------------------------------------------------


@transaction.atomic
def threshold_set(
    *,
    actor: Any,
    province: Region | None,
    year: int,
    yuan_per_person: Decimal | int | str,
    source: str = "",
) -> Threshold:
    """Enter a province's monitoring range for a year (or, for a superuser, the national floor)."""
    require_role(actor, Role.DATA_ENTRY)
    if province is None:
        if not scope_for(actor).is_superuser:
            raise PermissionDenied(_("Only a superuser can set the national floor."))
    else:
        if province.level != Level.PROVINCE:
            raise ValidationFailed({"province": [_("Thresholds are set per province.")]})
        if not region_in_scope(actor, province.code):
            raise PermissionDenied(_("This province lies outside your scope."))
    amount = Decimal(str(yuan_per_person)).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount <= 0:
        raise ValidationFailed({"yuan_per_person": [_("The threshold must be positive.")]})
    threshold = Threshold.objects.filter(province=province, year=year).first()
    created = threshold is None
    if threshold is None:
        threshold = Threshold(province=province, year=year, yuan_per_person=amount, source=source)
        before = None
    else:
        before = safe_snapshot(threshold, ["yuan_per_person", "source"])
        if threshold.yuan_per_person == amount and threshold.source == source:
            return threshold
        threshold.yuan_per_person, threshold.source = amount, source
    _full_clean(threshold)
    _save(threshold)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        instance=threshold,
        before=before,
        after=safe_snapshot(threshold, None if created else ["yuan_per_person", "source"]),
        region_code=province.code if province else "",
    )
    return threshold


@transaction.atomic
def village_figures_set(
    *, actor: Any, village: Region, year: int, **figures: Any
) -> VillageFigures:
    """Create or replace a village's figures for a year (collective income in yuan)."""
    _require_household_write(actor, village.code)
    _require_village(village)
    _unknown(figures, VILLAGE_FIGURES)
    row = VillageFigures.objects.filter(village=village, year=year).first()
    created = row is None
    if row is None:
        row = VillageFigures(village=village, year=year, **figures)
        before = None
    else:
        changed = [name for name, value in figures.items() if _differs(row, name, value)]
        if not changed:
            return row
        before = safe_snapshot(row, changed)
        for name in changed:
            setattr(row, name, figures[name])
    _full_clean(row)
    _save(row)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        instance=row,
        before=before,
        after=safe_snapshot(row, None if before is None else before.keys()),
        region_code=village.code,
    )
    return row
