"""The household registry: villages' own figures, households, persons, measures, thresholds.

Personal data (names, ID numbers, phones, bank accounts) lives only in `EncryptedTextField`s;
exact search and duplicate detection use the HMAC token columns (see fields.py and crypto.py).

Built for the monitoring that comes next: the columns monitoring rules filter on are plain,
indexed values (village code, type, category, per-capita income, flags, birth dates), so the
rules can run as set-based SQL. Runs, findings, cases and risk types will point at `Household`
and `Measure` from their own models.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import TimeStampedModel
from bangfu.households.choices import (
    LABOUR_SKILLS,
    CookingFuel,
    EducationLevel,
    Ethnicity,
    Health,
    HouseGrade,
    HouseholdType,
    IdType,
    LabourSkill,
    LivingAllowance,
    MeasureCategory,
    MonitoringCategory,
    OutOfSchoolReason,
    Relation,
    RiskType,
    SchoolingStatus,
    Sex,
    Toilet,
    WorkPlace,
)
from bangfu.households.fields import EncryptedTextField
from bangfu.regions.models import Region

ZERO = Decimal("0")
# Rounding slack of a stored per-capita figure (0.01 yuan, half-up) against net ÷ size.
HALF_FEN = Decimal("0.005")


# Conditions the monitoring rules filter on (monitoring/rules), shared with the partial indexes
# below: SQLite uses a partial index only when its condition appears, term for term, in the
# query, so rule and index are built from the same Q. Lists are sorted so the SQL is the same
# in every process (frozenset order follows the string hash seed).
WATER_FLAGS = (
    "drinking_water_secure",
    "water_quantity_ok",
    "water_quality_ok",
    "water_convenient",
    "water_reliable",
)
DECLARED_FLAGS = ("food_clothing_secure", "compulsory_education_secure", "basic_medical_secure")
LAND_FIELDS = ("cultivated_land_mu", "irrigated_land_mu", "grassland_mu", "water_surface_mu")


def any_false(flags: tuple[str, ...]) -> Q:
    q = Q()
    for flag in flags:
        q |= Q(**{flag: False})
    return q


def outside(fields: tuple[str, ...], low: Decimal, high: Decimal) -> Q:
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__lt": low}) | Q(**{f"{name}__gt": high})
    return q


# Grades one by one, not IN (...): SQLite cannot match bound values inside an IN list against
# a partial index's literals.
UNSAFE_HOUSE_Q = Q(dangerous_house_grade=HouseGrade.C) | Q(dangerous_house_grade=HouseGrade.D)
UNSAFE_HOUSE_Q |= Q(housing_secure=False)
UNSAFE_WATER_Q = any_false(WATER_FLAGS)
DECLARED_INSECURE_Q = any_false(DECLARED_FLAGS)
EXPENSES_Q = Q(medical_out_of_pocket__gt=0) | Q(education_expenses__gt=0) | Q(disaster_losses__gt=0)
LAND_RANGE = (Decimal("0"), Decimal("100"))
FOREST_RANGE = (Decimal("0"), Decimal("200"))
ROAD_RANGE = (Decimal("0"), Decimal("5"))
LAND_OUTSIDE_Q = outside(LAND_FIELDS, *LAND_RANGE)
FOREST_OUTSIDE_Q = outside(("forest_land_mu",), *FOREST_RANGE)
ROAD_OUTSIDE_Q = outside(("road_distance_km",), *ROAD_RANGE)
IDENTIFIED_Q = Q(identified_on__isnull=False)
LABOUR_Q = Q(labour_skill__in=sorted(LABOUR_SKILLS))
NO_BASIC_INSURANCE_Q = Q(resident_medical_insurance=False, employee_medical_insurance=False)
UNINSURED_Q = NO_BASIC_INSURANCE_Q | Q(critical_illness_insurance=False)


def _money(verbose_name: str | object, **kwargs: object) -> models.DecimalField:  # type: ignore[type-arg]
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)  # type: ignore[arg-type]


def _area(verbose_name: str | object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(verbose_name, max_digits=8, decimal_places=2, default=ZERO)  # type: ignore[arg-type]


def _flag(verbose_name: str | object) -> models.BooleanField:  # type: ignore[type-arg]
    """A yes/no answer that may not have been assessed yet (None)."""
    return models.BooleanField(verbose_name, null=True, blank=True, default=None)  # type: ignore[arg-type]


class VillageFigures(TimeStampedModel):
    """A village's own figures for one year (the national system's village table)."""

    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    households = models.PositiveIntegerField(_("households"), default=0)
    population = models.PositiveIntegerField(_("population"), default=0)
    collective_income = _money(_("collective income (yuan)"))
    dibao_people = models.PositiveIntegerField(_("people receiving 低保"), default=0)
    tekun_people = models.PositiveIntegerField(_("people receiving 特困供养"), default=0)
    disabled_people = models.PositiveIntegerField(_("disabled people"), default=0)
    dangerous_houses = models.PositiveIntegerField(_("dangerous houses"), default=0)
    has_clinic = models.BooleanField(_("has a clinic"), default=False)
    doctors = models.PositiveSmallIntegerField(_("village doctors"), default=0)
    has_paved_road = models.BooleanField(_("paved road to the village"), default=False)
    has_bus = models.BooleanField(_("bus service"), default=False)

    class Meta:
        verbose_name = _("village figures")
        verbose_name_plural = _("village figures")
        ordering = ["village_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="village_figures_unique_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="village_figures_year_range"
            ),
            models.CheckConstraint(
                condition=Q(collective_income__gte=0), name="village_figures_income_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}"


class Household(TimeStampedModel):
    number = models.CharField(_("household number"), max_length=40, unique=True)
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="households"
    )
    household_type = models.CharField(
        _("household type"), max_length=20, choices=HouseholdType.choices
    )
    monitoring_category = models.CharField(
        _("monitoring category"),
        max_length=20,
        choices=MonitoringCategory.choices,
        default=MonitoringCategory.NONE,
    )
    household_size = models.PositiveSmallIntegerField(_("household size"))

    # Income over the 12 months before identification; net and per-capita are computed by the
    # service (services.compute_incomes) and stored so monitoring can filter and index them.
    income_year = models.PositiveSmallIntegerField(_("income year"))
    wage_income = _money(_("wages"))
    business_income = _money(_("business income"))
    property_income = _money(_("property income"))
    transfer_income = _money(_("transfer income"))
    business_costs = _money(_("business costs"))
    net_income = _money(_("net income"))
    per_capita_net_income = _money(_("per-capita net income"))
    # Large unavoidable expenses, for the 突发严重困难户 rule.
    medical_out_of_pocket = _money(_("compliant out-of-pocket medical spending (合规自付支出)"))
    education_expenses = _money(_("education expenses"))
    disaster_losses = _money(_("disaster and accident losses"))

    # 两不愁三保障 and drinking water as declared; None = not assessed.
    food_clothing_secure = _flag(_("food and clothing secure"))
    compulsory_education_secure = _flag(_("compulsory education secure"))
    basic_medical_secure = _flag(_("basic medical care secure"))
    housing_secure = _flag(_("housing secure"))
    drinking_water_secure = _flag(_("drinking water secure"))
    water_quantity_ok = _flag(_("enough water"))
    water_quality_ok = _flag(_("water quality acceptable"))
    water_convenient = _flag(_("water convenient"))
    water_reliable = _flag(_("water supply reliable"))
    dangerous_house_grade = models.CharField(
        _("house safety grade"), max_length=1, choices=HouseGrade.choices, blank=True
    )

    # Production and living conditions.
    cultivated_land_mu = _area(_("cultivated land (亩)"))
    irrigated_land_mu = _area(_("irrigated land (亩)"))
    forest_land_mu = _area(_("forest land (亩)"))
    grassland_mu = _area(_("grassland (亩)"))
    water_surface_mu = _area(_("water surface (亩)"))
    road_distance_km = models.DecimalField(
        _("distance to a paved road (km)"), max_digits=6, decimal_places=2, default=ZERO
    )
    cooking_fuel = models.CharField(
        _("cooking fuel"), max_length=16, choices=CookingFuel.choices, blank=True
    )
    toilet = models.CharField(_("toilet"), max_length=16, choices=Toilet.choices, blank=True)
    has_household_electricity = models.BooleanField(_("household electricity"), default=True)
    has_production_electricity = models.BooleanField(_("production electricity"), default=False)

    collector_name = EncryptedTextField(_("data collector"), context="household.collector_name")
    collector_phone = EncryptedTextField(
        _("data collector's phone"), context="household.collector_phone"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    # When the household became a monitored household and when its risk was eliminated.
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    eliminated_on = models.DateField(_("risk eliminated on"), null=True, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(household_size__gte=1), name="household_size_min"),
            models.CheckConstraint(
                condition=Q(wage_income__gte=0)
                & Q(business_income__gte=0)
                & Q(property_income__gte=0)
                & Q(transfer_income__gte=0)
                & Q(business_costs__gte=0)
                & Q(medical_out_of_pocket__gte=0)
                & Q(education_expenses__gte=0)
                & Q(disaster_losses__gte=0),
                name="household_amounts_not_negative",
            ),
            # Expressed with a rounding slack because SQLite keeps decimals as floating point.
            models.CheckConstraint(
                condition=Q(
                    net_income__gte=F("wage_income")
                    + F("business_income")
                    + F("property_income")
                    + F("transfer_income")
                    - F("business_costs")
                    - HALF_FEN,
                    net_income__lte=F("wage_income")
                    + F("business_income")
                    + F("property_income")
                    + F("transfer_income")
                    - F("business_costs")
                    + HALF_FEN,
                ),
                name="household_net_income_computed",
            ),
            # Multiplied out rather than divided: SQLite would divide integers as integers.
            models.CheckConstraint(
                condition=GreaterThanOrEqual(
                    F("per_capita_net_income") * F("household_size"),
                    F("net_income") - HALF_FEN * F("household_size") - HALF_FEN,
                )
                & LessThanOrEqual(
                    F("per_capita_net_income") * F("household_size"),
                    F("net_income") + HALF_FEN * F("household_size") + HALF_FEN,
                ),
                name="household_per_capita_computed",
            ),
        ]
        indexes = [
            models.Index(fields=["village", "household_type"], name="household_village_type"),
            # The monitoring page and the dashboards count households by category and village,
            # monitored now or eliminated; with the elimination date and the id in the index
            # (migration 0008) the counts read the index alone on SQLite and PostgreSQL.
            models.Index(
                fields=["monitoring_category", "village", "eliminated_on", "id"],
                name="household_category_elim",
            ),
            # Migration 0005: per-capita income with what a finding's category needs (type,
            # income year) and its village, so the income rule reads the index alone.
            models.Index(
                fields=["per_capita_net_income", "income_year", "household_type", "village"],
                name="household_per_capita_category",
            ),
            # What the rules that scan or hash every household read (wage share, category,
            # village, id): a narrow index to scan instead of the wide table (0007).
            models.Index(
                fields=[
                    "village",
                    "household_type",
                    "income_year",
                    "per_capita_net_income",
                    "wage_income",
                    "business_income",
                    "property_income",
                    "transfer_income",
                    "id",  # SQLite has it anyway; PostgreSQL needs it for index-only scans
                ],
                name="household_rule_scan_id",
            ),
            # Monitoring (migration 0004): each rule reads only the rows it may fire on.
            models.Index(
                fields=["village"], condition=UNSAFE_HOUSE_Q, name="household_unsafe_house"
            ),
            models.Index(
                fields=["village"], condition=UNSAFE_WATER_Q, name="household_unsafe_water"
            ),
            models.Index(
                fields=["village"],
                condition=DECLARED_INSECURE_Q,
                name="household_declared_insecure",
            ),
            models.Index(fields=["village"], condition=EXPENSES_Q, name="household_expenses"),
            models.Index(fields=["village"], condition=LAND_OUTSIDE_Q, name="household_land_range"),
            models.Index(
                fields=["village"], condition=FOREST_OUTSIDE_Q, name="household_forest_range"
            ),
            models.Index(fields=["village"], condition=ROAD_OUTSIDE_Q, name="household_road_range"),
            models.Index(
                fields=["identified_on", "eliminated_on", "per_capita_net_income", "village"],
                condition=IDENTIFIED_Q,
                name="household_identified_rules",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Measure(TimeStampedModel):
    """An assistance measure a household received (cases will link measures to risk types)."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="measures"
    )
    category = models.CharField(_("category"), max_length=32, choices=MeasureCategory.choices)
    date = models.DateField(_("date"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("assistance measure")
        verbose_name_plural = _("assistance measures")
        ordering = ["household_id", "date", "id"]
        indexes = [models.Index(fields=["household", "category"], name="measure_household_cat")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.category} {self.date}"


class Person(TimeStampedModel):
    number = models.CharField(_("person number"), max_length=40, unique=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="persons",
        # The unique (household, ID token) index leads with it; a household's few members are
        # found there (and the head through the partial one-head index).
        db_index=False,
    )
    name = EncryptedTextField(_("name"), context="person.name")
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices)
    id_number = EncryptedTextField(_("ID number"), context="person.id_number")
    # HMAC of the canonical 18-character ID: exact lookup and duplicates without the plaintext.
    # Indexed by person_id_token (a plain b-tree: no pattern index, tokens are never LIKEd).
    id_token = models.CharField(_("ID token"), max_length=64, editable=False)
    relation = models.CharField(_("relation to the head"), max_length=20, choices=Relation.choices)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))  # person_birth_labour_id leads with it
    ethnicity = models.CharField(
        _("ethnicity"), max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN
    )
    education = models.CharField(
        _("education"), max_length=24, choices=EducationLevel.choices, blank=True
    )
    schooling_status = models.CharField(
        _("schooling status"),
        max_length=24,
        choices=SchoolingStatus.choices,
        default=SchoolingStatus.NOT_IN_SCHOOL,
    )
    out_of_school_reason = models.CharField(
        _("reason for being out of school"),
        max_length=24,
        choices=OutOfSchoolReason.choices,
        blank=True,
        default=OutOfSchoolReason.NONE,
    )
    health = models.CharField(
        _("health"), max_length=16, choices=Health.choices, default=Health.HEALTHY
    )
    labour_skill = models.CharField(_("labour skill"), max_length=10, choices=LabourSkill.choices)
    resident_medical_insurance = models.BooleanField(_("resident medical insurance"), default=False)
    employee_medical_insurance = models.BooleanField(_("employee medical insurance"), default=False)
    critical_illness_insurance = models.BooleanField(_("critical-illness insurance"), default=False)
    pension_insurance = models.BooleanField(_("pension insurance"), default=False)
    living_allowance = models.CharField(
        _("低保 / 特困 status"),
        max_length=8,
        choices=LivingAllowance.choices,
        default=LivingAllowance.NONE,
    )
    months_worked_away = models.PositiveSmallIntegerField(_("months worked away"), default=0)
    work_place = models.CharField(
        _("place of work"), max_length=16, choices=WorkPlace.choices, blank=True
    )
    public_welfare_job = models.BooleanField(_("public-welfare job"), default=False)
    phone = EncryptedTextField(_("phone"), context="person.phone")
    bank_account = EncryptedTextField(_("bank account"), context="person.bank_account")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["household_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "id_token"], name="person_unique_id_in_household"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation=Relation.HEAD),
                name="person_one_head_per_household",
            ),
            models.CheckConstraint(
                condition=Q(months_worked_away__lte=12), name="person_months_worked_away_max"
            ),
        ]
        indexes = [
            # Duplicate detection and exact lookup by ID across households.
            models.Index(fields=["id_token"], name="person_id_token"),
            # Monitoring (migration 0004). What the household rules ask of the members (labour,
            # months away, public-welfare job), read from the index alone, household by household.
            models.Index(
                fields=["household", "labour_skill", "months_worked_away", "public_welfare_job"],
                name="person_household_work",
            ),
            models.Index(fields=["schooling_status", "birth_date"], name="person_schooling_birth"),
            # Covering (the rule reads no other column), so SQLite prefers it to birth_date's.
            models.Index(
                fields=["birth_date", "labour_skill", "household", "id"],
                name="person_birth_labour_id",
            ),
            models.Index(
                fields=[
                    "household",
                    "resident_medical_insurance",
                    "employee_medical_insurance",
                    "critical_illness_insurance",
                    "id",
                ],
                condition=UNINSURED_Q,
                name="person_uninsured_flags_id",
            ),
        ]

    def __str__(self) -> str:
        # Never the name: this string reaches admin pages, logs and audit rows.
        return self.number


class Threshold(TimeStampedModel):
    """The monitoring range (yuan per person per year) of a province for a year.

    A row without a province is the national floor, used where a province has set no figure.
    """

    province = models.ForeignKey(
        Region,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    yuan_per_person = models.DecimalField(
        _("yuan per person per year"), max_digits=10, decimal_places=2
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("monitoring threshold")
        verbose_name_plural = _("monitoring thresholds")
        ordering = ["year", "province_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year"],
                condition=Q(province__isnull=False),
                name="threshold_unique_province_year",
            ),
            models.UniqueConstraint(
                fields=["year"], condition=Q(province__isnull=True), name="threshold_unique_floor"
            ),
            models.CheckConstraint(condition=Q(yuan_per_person__gt=0), name="threshold_positive"),
            models.CheckConstraint(
                condition=Q(year__gte=2015) & Q(year__lte=2100), name="threshold_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province_id or 'national'} {self.year}: {self.yuan_per_person}"


# Monitoring (issue 5, part 2) ---------------------------------------------------------------
#
# Kept beside the registry because the rules read these tables with plain joins; the rule
# code itself lives in bangfu.households.monitoring.


class HouseholdRisk(models.Model):
    """A risk type recorded for a household (up to five in the national system)."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="risks"
    )
    risk_type = models.CharField(_("risk type"), max_length=24, choices=RiskType.choices)

    class Meta:
        verbose_name = _("household risk")
        verbose_name_plural = _("household risks")
        ordering = ["household_id", "risk_type"]
        constraints = [
            models.UniqueConstraint(fields=["household", "risk_type"], name="household_risk_once")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.risk_type}"


class HouseholdIncome(models.Model):
    """A household's income of an earlier year, for the sharp-drop rule."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="income_history",
    )
    year = models.PositiveSmallIntegerField(_("income year"))
    net_income = _money(_("net income"))
    per_capita_net_income = _money(_("per-capita net income"))

    class Meta:
        verbose_name = _("household income of a year")
        verbose_name_plural = _("household income history")
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="household_income_year")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"


class RuleKind(models.TextChoices):
    RISK = "risk", _("risk")
    DATA_QUALITY = "data_quality", _("data quality")


class MonitoringRun(models.Model):
    """One evaluation of every effective rule over a region's households."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every household."),
    )
    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    finding_count = models.PositiveIntegerField(_("findings"), default=0)
    household_count = models.PositiveIntegerField(_("households with findings"), default=0)
    # {"INCOME_IN_RANGE@1": 1234, ...}: the rules evaluated and how many findings each gave.
    counts = models.JSONField(_("findings per rule"), default=dict)
    parameters = models.JSONField(_("parameters"), default=dict)

    class Meta:
        verbose_name = _("monitoring run")
        verbose_name_plural = _("monitoring runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.as_of})"


class Finding(models.Model):
    """One rule firing on one household (or one member of it), with the values that fired it.

    Written only by INSERT … SELECT from the rule's queryset (monitoring.runs), never row by row.

    No foreign key is checked by the database (migration 0006): a finding is written once, by
    the run that creates it, from household and person rows read in the same transaction, and
    a million-household run writes ~700,000 findings. On PostgreSQL each checked key cost a
    deferred trigger that locked the parent row at commit (about half the run). Deleting a
    run, household or person through Django still deletes its findings (on_delete=CASCADE is
    carried out by Django). Only the indexes the selectors and those cascades use are kept:
    run-first composites, the household, and the person where there is one.
    """

    run = models.ForeignKey(
        MonitoringRun,
        verbose_name=_("run"),
        on_delete=models.CASCADE,
        related_name="findings",
        db_constraint=False,
        db_index=False,  # the run-first composite indexes below serve it
    )
    rule_code = models.CharField(_("rule"), max_length=40)
    rule_version = models.PositiveSmallIntegerField(_("rule version"))
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # partial index below: most findings have no person
    )
    village = models.ForeignKey(
        Region,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # copied from the household; checked there
        db_index=False,  # the run-first composite index below serves it
    )
    category = models.CharField(
        _("suggested category"),
        max_length=20,
        choices=MonitoringCategory.choices,
        blank=True,
        default="",
    )
    risk_types = models.CharField(_("risk types"), max_length=120, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, null=True, blank=True)
    threshold = models.DecimalField(
        _("threshold"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    reference = models.DecimalField(
        _("reference value"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A second figure the value was compared with (e.g. last year's income)."),
    )
    # What the values refer to: the field checked, the risk type without a measure, ...
    detail = models.CharField(_("detail"), max_length=60, blank=True, default="")

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["run_id", "rule_code", "household_id", "id"]
        indexes = [
            models.Index(fields=["run", "rule_code"], name="finding_run_rule"),
            models.Index(fields=["run", "village"], name="finding_run_village"),
            models.Index(fields=["run", "household"], name="finding_run_household"),
            models.Index(
                fields=["person"], condition=Q(person__isnull=False), name="finding_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.household_id}"
