"""Indicator catalogue, data values, targets, validation rules and scorecards.

Indicators are data, not columns: a new figure is a new row (see docs/indicators.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import TimeStampedModel
from bangfu.indicators.periods import Period, PeriodKind
from bangfu.pairings.models import Agreement, Organisation, Pairing
from bangfu.regions.models import Region


class Unit(models.TextChoices):
    YUAN = "yuan", _("yuan (元)")
    PERSON = "person", _("people (人)")
    HOUSEHOLD = "household", _("households (户)")
    PERSON_TIME = "person_time", _("person-times (人次)")
    COUNT = "count", _("count (个/家/所/场/次/期)")
    PERCENT = "percent", _("percent (%)")
    MU = "mu", _("mu (亩)")
    TON = "ton", _("tons (吨)")
    YUAN_PER_PERSON = "yuan_per_person", _("yuan per person (元/人)")


class TimeAggregation(models.TextChoices):
    SUM = "sum", _("sum of the periods")
    LATEST = "latest", _("latest value")
    AVERAGE = "average", _("average of the periods")
    RATIO = "ratio", _("ratio of two indicators")


class PartyAggregation(models.TextChoices):
    SUM = "sum", _("sum over parties")
    MAX = "max", _("largest value")
    AVERAGE = "average", _("average over parties")
    RATIO = "ratio", _("ratio of the sums of two indicators")
    NONE = "none", _("does not add up across parties")


class WorkArea(models.TextChoices):
    LEADERSHIP = "leadership", _("organisation and leadership (组织领导)")
    FUNDS = "funds", _("funds (资金)")
    INDUSTRY = "industry", _("industry cooperation (产业合作)")
    LABOUR = "labour", _("labour cooperation (劳务协作)")
    CONSUMPTION = "consumption", _("consumption assistance (消费帮扶)")
    TALENT = "talent", _("talent support (人才支援)")
    SOCIAL = "social", _("social assistance and pairing (社会帮扶/结对)")
    LIVELIHOOD = "livelihood", _("livelihood and 两不愁三保障 (民生)")
    RESULTS = "results", _("results (成效)")


class Nature(models.TextChoices):
    FLOW = "flow", _("flow within a period")
    STOCK = "stock", _("stock at a date")


class DuplicateRule(models.TextChoices):
    """What a roll-up does when the same achievement is reported twice (see rollup.py)."""

    SUM = "sum", _("add both reports")
    MAX = "max", _("take the larger report")
    PREFER_DONOR = "prefer_donor", _("prefer the donor side's report")
    PREFER_RECIPIENT = "prefer_recipient", _("prefer the recipient side's report")


class Indicator(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    work_area = models.CharField(_("work area"), max_length=16, choices=WorkArea.choices)
    nature = models.CharField(_("flow or stock"), max_length=8, choices=Nature.choices)
    time_aggregation = models.CharField(
        _("aggregation over time"), max_length=8, choices=TimeAggregation.choices
    )
    party_aggregation = models.CharField(
        _("aggregation over parties"), max_length=8, choices=PartyAggregation.choices
    )
    numerator = models.ForeignKey(
        "self",
        verbose_name=_("numerator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    denominator = models.ForeignKey(
        "self",
        verbose_name=_("denominator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of (其中)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
    )
    duplicate_rule = models.CharField(
        _("rule for duplicate reports"),
        max_length=16,
        choices=DuplicateRule.choices,
        default=DuplicateRule.PREFER_RECIPIENT,
    )
    is_computed = models.BooleanField(_("computed from records"), default=False)
    provider = models.CharField(_("computed by"), max_length=64, blank=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_computed=False, provider="") | Q(is_computed=True) & ~Q(provider=""),
                name="indicator_computed_has_provider",
            ),
            models.CheckConstraint(
                condition=~Q(time_aggregation="ratio")
                | Q(numerator__isnull=False, denominator__isnull=False),
                name="indicator_ratio_has_terms",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")),
                name="indicator_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class Side(models.TextChoices):
    DONOR = "donor", _("donor side")
    RECIPIENT = "recipient", _("recipient side")
    PARTY = "party", _("the reporting party itself")


class Source(models.TextChoices):
    MANUAL = "manual", _("entered by hand")
    IMPORT = "import", _("imported from a file")
    EXTRACTED = "extracted", _("extracted from a document")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    LOCKED = "locked", _("locked")


class PeriodFields(models.Model):
    period_kind = models.CharField(
        _("period kind"), max_length=16, choices=[(k.value, k.value) for k in PeriodKind]
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (as of)"))

    class Meta:
        abstract = True

    @property
    def period(self) -> Period:
        return Period(PeriodKind(self.period_kind), self.period_start, self.period_end)

    def set_period(self, period: Period) -> None:
        self.period_kind, self.period_start, self.period_end = (
            period.kind.value,
            period.start,
            period.end,
        )


_KEY_HEAD, _KEY_TAIL = ["indicator"], ["period_kind", "period_start", "period_end"]
_PERIOD_ORDER = Q(period_end__gte=F("period_start"))
# Exactly one owner: a pairing, or one reporting party (a region or an organisation).
_ONE_OWNER = Q(
    pairing__isnull=False, party_region__isnull=True, party_organisation__isnull=True
) | Q(pairing__isnull=True) & (
    Q(party_region__isnull=False, party_organisation__isnull=True)
    | Q(party_region__isnull=True, party_organisation__isnull=False)
)


class DataValue(PeriodFields, TimeStampedModel):
    """One reported figure: an indicator's value for a pairing (or a party) and a period."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    pairing = models.ForeignKey(
        Pairing,
        verbose_name=_("pairing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
    party_region = models.ForeignKey(
        Region,
        verbose_name=_("reporting region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    party_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("reporting organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_by = models.CharField(_("reported by"), max_length=16, choices=Side.choices)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    document_ref = models.CharField(_("document"), max_length=255, blank=True)
    span_start = models.PositiveIntegerField(_("text span start"), null=True, blank=True)
    span_end = models.PositiveIntegerField(_("text span end"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    flags = models.JSONField(_("warnings"), default=list, blank=True)
    sent_back_reason = models.TextField(_("reason sent back"), blank=True)
    reopened = models.BooleanField(_("reopened after locking"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        ordering = ["period_start", "period_end", "indicator_id", "id"]
        constraints = [
            models.CheckConstraint(condition=_PERIOD_ORDER, name="data_value_period_order"),
            models.CheckConstraint(
                condition=Q(pairing__isnull=False, party_region__isnull=True)
                & Q(party_organisation__isnull=True)
                & Q(reported_by__in=["donor", "recipient"])
                | Q(pairing__isnull=True, reported_by="party")
                & (
                    Q(party_region__isnull=False, party_organisation__isnull=True)
                    | Q(party_region__isnull=True, party_organisation__isnull=False)
                ),
                name="data_value_one_reporter",
            ),
            models.CheckConstraint(
                condition=Q(span_start__isnull=True) | Q(span_end__gte=F("span_start")),
                name="data_value_span_order",
            ),
            models.UniqueConstraint(
                fields=[*_KEY_HEAD, "pairing", "reported_by", *_KEY_TAIL],
                condition=Q(pairing__isnull=False),
                name="data_value_natural_key_pairing",
            ),
            models.UniqueConstraint(
                fields=["indicator", "party_region", "period_kind", "period_start", "period_end"],
                condition=Q(party_region__isnull=False),
                name="data_value_natural_key_region",
            ),
            models.UniqueConstraint(
                fields=[*_KEY_HEAD, "party_organisation", *_KEY_TAIL],
                condition=Q(party_organisation__isnull=False),
                name="data_value_natural_key_organisation",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period_start", "period_end"]),
            # Migration 0004: the dashboards' headline figures (dashboards.selectors.
            # reported_by_pairing) read every counted monthly figure of the visible pairings,
            # grouped by pairing, indicator and period; with every column it reads in the index
            # (in grouping order) neither SQLite nor PostgreSQL touches the wide table.
            models.Index(
                fields=[
                    "pairing",
                    "indicator",
                    "period_kind",
                    "period_start",
                    "period_end",
                    "status",
                    "reported_by",
                    "value",
                ],
                name="data_value_pairing_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period} = {self.value}"


class Target(PeriodFields, TimeStampedModel):
    """A task from an annual agreement: reach `value` of the indicator in the period.

    It belongs to a pairing, or (like a DataValue) to one reporting party as a whole."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    pairing = models.ForeignKey(
        Pairing,
        verbose_name=_("pairing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    # A task stated for one party as a whole (宝安区: buy 3000万元 of its counties' products).
    party_region = models.ForeignKey(
        Region,
        verbose_name=_("reporting region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    party_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("reporting organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    comment = models.TextField(_("comment"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["period_start", "indicator_id", "id"]
        constraints = [
            models.CheckConstraint(condition=_PERIOD_ORDER, name="target_period_order"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
            models.CheckConstraint(condition=_ONE_OWNER, name="target_one_owner"),
            models.UniqueConstraint(
                fields=[*_KEY_HEAD, "pairing", *_KEY_TAIL],
                condition=Q(pairing__isnull=False),
                name="target_natural_key",
            ),
            models.UniqueConstraint(
                fields=[*_KEY_HEAD, "party_region", *_KEY_TAIL],
                condition=Q(party_region__isnull=False),
                name="target_natural_key_region",
            ),
            models.UniqueConstraint(
                fields=[*_KEY_HEAD, "party_organisation", *_KEY_TAIL],
                condition=Q(party_organisation__isnull=False),
                name="target_natural_key_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period} ≥ {self.value}"


class Importance(models.TextChoices):
    ERROR = "error", _("error: refuse the value")
    WARNING = "warning", _("warning: keep the value, flag it")


class ValidationRule(TimeStampedModel):
    """`left operator right` over indicator codes, checked per pairing, side and period.

    With `unit` set, the rule is checked for every indicator of that unit and the name `value`
    stands for the figure itself (``value within 0..100`` for percentages).
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    left = models.CharField(_("left expression"), max_length=255)
    operator = models.CharField(
        _("operator"),
        max_length=8,
        choices=[(o, o) for o in ("<=", "<", ">=", ">", "==", "!=", "within")],
    )
    right = models.CharField(_("right expression"), max_length=255)
    unit = models.CharField(_("for every indicator of unit"), max_length=16, blank=True)
    importance = models.CharField(_("importance"), max_length=8, choices=Importance.choices)
    message = models.CharField(_("message"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.left} {self.operator} {self.right}"


class ScoringRule(models.TextChoices):
    PROPORTIONAL = "proportional", _("weight × share of the target reached (capped at 100%)")
    ALL_OR_NOTHING = "all_or_nothing", _("full weight when the target is reached, else nothing")


class ScorecardConfig(TimeStampedModel):
    """How one year's assessment is scored. The official weights are not public: set them here."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    scoring_rule = models.CharField(
        _("scoring rule"), max_length=16, choices=ScoringRule.choices, default="proportional"
    )
    good_from = models.DecimalField(_("好 from (score)"), max_digits=6, decimal_places=2)
    fairly_good_from = models.DecimalField(_("较好 from"), max_digits=6, decimal_places=2)
    average_from = models.DecimalField(_("一般 from (below: 差)"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("scorecard configuration")
        verbose_name_plural = _("scorecard configurations")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(good_from__gte=F("fairly_good_from"))
                & Q(fairly_good_from__gte=F("average_from")),
                name="scorecard_bands_descending",
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class ScorecardItem(models.Model):
    config = models.ForeignKey(ScorecardConfig, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        constraints = [
            models.UniqueConstraint(fields=["config", "indicator"], name="scorecard_item_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="scorecard_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.config} {self.indicator.code} × {self.weight}"


class ScorecardSnapshot(models.Model):
    """An approved annual card, frozen: later edits of values or weights do not change it."""

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="scorecards")
    year = models.PositiveSmallIntegerField(_("year"))
    card = models.JSONField(_("card"))
    grade = models.CharField(_("grade"), max_length=8)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approved scorecard")
        verbose_name_plural = _("approved scorecards")
        ordering = ["year", "pairing_id"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "year"], name="scorecard_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.year} {self.grade}"
