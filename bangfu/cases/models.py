"""Monitoring cases: one household's way from a clue through identification, assistance and
risk elimination (domain.md §3). The moves are defined in workflow.py and made by
services.case_advance; every move leaves a `CaseStep` in the timeline.

The columns of `Case` hold the current facts the guards need (dates, results, category, risk
types); the timeline keeps each step's own record, including the ones a later step overwrites.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.cases.choices import (
    CLOSED_STATES,
    CaseSource,
    CaseState,
    ComparisonResult,
    Department,
    EliminationWay,
    ReviewResult,
)
from bangfu.core.models import TimeStampedModel
from bangfu.households.choices import MonitoringCategory
from bangfu.households.models import Finding, Household, Measure, Person


class Case(TimeStampedModel):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="cases"
    )
    state = models.CharField(
        _("state"), max_length=24, choices=CaseState.choices, default=CaseState.CLUE
    )
    # The clue.
    source = models.CharField(_("source"), max_length=24, choices=CaseSource.choices)
    department = models.CharField(
        _("alerting department"), max_length=24, choices=Department.choices, blank=True
    )
    # The monitoring finding that raised the clue. Findings go when their run is deleted; the
    # rule's code stays, so the case still says what raised it.
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finding_rule = models.CharField(_("finding's rule"), max_length=40, blank=True)
    opened_on = models.DateField(_("clue received on"))
    clue_notes = models.TextField(_("clue"), blank=True)
    green_channel = models.BooleanField(_("green channel"), default=False)
    # Risk type codes (choices.RiskType), at most five; proposed with the clue, fixed on recording.
    risk_types = models.JSONField(_("risk types"), default=list, blank=True)
    monitoring_category = models.CharField(
        _("monitoring category"), max_length=20, choices=MonitoringCategory.choices, blank=True
    )
    # Home verification and the signed authorisation (承诺授权).
    authorised_on = models.DateField(_("authorisation signed on"), null=True, blank=True)
    authorised_by = models.ForeignKey(
        Person,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    authorisation_scan = models.FileField(
        _("scan of the signed authorisation"), upload_to="cases/authorisations/%Y/%m/", blank=True
    )
    compared_on = models.DateField(_("data compared on"), null=True, blank=True)
    comparison_result = models.CharField(
        _("comparison result"), max_length=16, choices=ComparisonResult.choices, blank=True
    )
    reviewed_on = models.DateField(_("democratic review on"), null=True, blank=True)
    review_result = models.CharField(
        _("review result"), max_length=16, choices=ReviewResult.choices, blank=True
    )
    notice_start = models.DateField(_("notice from"), null=True, blank=True)
    notice_end = models.DateField(_("notice until"), null=True, blank=True)
    notice_objections = models.TextField(_("objections to the notice"), blank=True)
    township_reviewed_on = models.DateField(_("township review on"), null=True, blank=True)
    county_approved_on = models.DateField(_("county approval on"), null=True, blank=True)
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    # Risk elimination.
    elimination_way = models.CharField(
        _("elimination way"), max_length=16, choices=EliminationWay.choices, blank=True
    )
    elimination_checked_on = models.DateField(_("elimination home check on"), null=True, blank=True)
    elimination_notice_start = models.DateField(_("elimination notice from"), null=True, blank=True)
    elimination_notice_end = models.DateField(_("elimination notice until"), null=True, blank=True)
    eliminated_on = models.DateField(_("risk eliminated on"), null=True, blank=True)
    closed_reason = models.TextField(_("reason for dismissal"), blank=True)

    class Meta:
        verbose_name = _("monitoring case")
        verbose_name_plural = _("monitoring cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=~Q(state__in=CLOSED_STATES),
                name="case_one_open_per_household",
            ),
            models.CheckConstraint(
                condition=Q(source=CaseSource.DEPARTMENT_ALERT, department__gt="")
                | (~Q(source=CaseSource.DEPARTMENT_ALERT) & Q(department="")),
                name="case_department_with_alert",
            ),
            models.CheckConstraint(
                condition=Q(source=CaseSource.MONITORING_FINDING, finding_rule__gt="")
                | ~Q(source=CaseSource.MONITORING_FINDING),
                name="case_finding_with_rule",
            ),
            models.CheckConstraint(
                condition=Q(notice_end__gte=models.F("notice_start"))
                | Q(notice_start__isnull=True),
                name="case_notice_order",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "opened_on"], name="case_state_opened"),
        ]

    def __str__(self) -> str:
        return f"case {self.pk} ({self.household_id})"


class CaseStep(models.Model):
    """One move of a case (the timeline); `data` is what the step recorded, without files."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="steps"
    )
    from_state = models.CharField(_("from"), max_length=24, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=24, choices=CaseState.choices)
    date = models.DateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("recorded"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_state or '-'} → {self.to_state}"


class CaseMeasure(models.Model):
    """A household measure given for this case (the household's earlier measures do not count)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="case_measures"
    )
    measure = models.OneToOneField(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="case_link"
    )
    before_identification = models.BooleanField(_("started before identification"), default=False)

    class Meta:
        verbose_name = _("case measure")
        verbose_name_plural = _("case measures")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.measure_id}"


class CaseVisit(models.Model):
    """A follow-up visit (走访) to the household."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="visits"
    )
    date = models.DateField(_("date"))
    visited_by = models.CharField(_("visited by"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case visit")
        verbose_name_plural = _("case visits")
        ordering = ["case_id", "-date", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.date}"
