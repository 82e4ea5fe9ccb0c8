from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, DecimalField, F, Q, When
from django.utils.translation import gettext_lazy as _

from bangfu.pairings.models import Organisation, Pairing


class Stage(models.TextChoices):
    """Successive stages of one flow of money; each may not exceed the one before it."""

    PLANNED = "planned", _("planned (计划/下达)")
    ARRIVED = "arrived", _("arrived (到位)")
    PAID_OUT = "paid_out", _("paid out (拨付)")
    SPENT = "spent", _("spent (支出)")


STAGE_ORDER: tuple[str, ...] = (Stage.PLANNED, Stage.ARRIVED, Stage.PAID_OUT, Stage.SPENT)


class SourceKind(models.TextChoices):
    FISCAL_CITY = "fiscal_city", _("fiscal assistance: city")
    FISCAL_DISTRICT = "fiscal_district", _("fiscal assistance: district")
    FISCAL_CITY_DEPARTMENTS = (
        "fiscal_city_departments",
        _("fiscal assistance: city departments (市直单位)"),
    )
    FISCAL_CITY_SOES = "fiscal_city_soes", _("fiscal assistance: city SOEs (市国企)")
    DONATION_CASH = "donation_cash", _("social donation in cash")
    DONATION_IN_KIND = "donation_in_kind", _("donation in kind (valued)")


FISCAL_SOURCES: tuple[str, ...] = (
    SourceKind.FISCAL_CITY,
    SourceKind.FISCAL_DISTRICT,
    SourceKind.FISCAL_CITY_DEPARTMENTS,
    SourceKind.FISCAL_CITY_SOES,
)


class ReportedBy(models.TextChoices):
    DONOR = "donor", _("donor side")
    RECIPIENT = "recipient", _("recipient side")


class FundFlow(models.Model):
    """One entry of the append-only ledger of a pairing's money.

    `amount` is always positive. A correction is a new entry that `reverses` an earlier one (same
    pairing, year, stage, source, project and side) and counts negatively; see `SIGNED_AMOUNT`.
    Nothing here is ever updated or deleted.
    """

    pairing = models.ForeignKey(
        Pairing, verbose_name=_("pairing"), on_delete=models.PROTECT, related_name="fund_flows"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=18, decimal_places=2)
    source_kind = models.CharField(_("source"), max_length=32, choices=SourceKind.choices)
    source_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("source organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_flows_out",
    )
    receiving_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("receiving organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_flows_in",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_flows",
    )
    date = models.DateField(_("date"), null=True, blank=True)
    evidence = models.FileField(_("evidence document"), upload_to="funds/%Y/", blank=True)
    description = models.TextField(_("description"), blank=True)
    reported_by = models.CharField(_("reported by"), max_length=16, choices=ReportedBy.choices)
    reference = models.CharField(
        _("reference"),
        max_length=64,
        help_text=_("Unique per pairing and side; imports use it to recognise an entry again."),
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    reason = models.TextField(_("reason for the reversal"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fund flow")
        verbose_name_plural = _("fund flows")
        ordering = ["pairing_id", "year", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_flow_amount_positive"),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""),
                name="fund_flow_reversal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reverses=F("id")),
                name="fund_flow_not_reversing_itself",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2100), name="fund_flow_year_plausible"
            ),
            models.CheckConstraint(condition=Q(stage__in=STAGE_ORDER), name="fund_flow_stage"),
            models.CheckConstraint(
                condition=Q(source_kind__in=SourceKind.values), name="fund_flow_source_kind"
            ),
            models.CheckConstraint(
                condition=Q(reported_by__in=ReportedBy.values), name="fund_flow_reported_by"
            ),
            models.CheckConstraint(condition=~Q(reference=""), name="fund_flow_reference"),
            models.UniqueConstraint(
                fields=["pairing", "reported_by", "reference"], name="fund_flow_natural_key"
            ),
        ]
        indexes = [models.Index(fields=["pairing", "year", "stage"])]

    def __str__(self) -> str:
        sign = "−" if self.reverses_id else ""
        return f"{self.year} {self.get_stage_display()} {sign}{self.amount} 元 ({self.reference})"

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.reverses_id else self.amount


# The amount as it counts in totals: reversals subtract. Use in aggregates.
SIGNED_AMOUNT = Case(
    When(reverses__isnull=True, then=F("amount")),
    default=-F("amount"),
    output_field=DecimalField(max_digits=18, decimal_places=2),
)
