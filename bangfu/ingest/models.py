"""Uploaded reports and the facts proposed from them, waiting for a person's review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import TimeStampedModel
from bangfu.pairings.models import Pairing
from bangfu.regions.models import Region


class Document(TimeStampedModel):
    """One report as given (file or pasted text), with the text extraction read."""

    source_name = models.CharField(_("source"), max_length=255)
    original_text = models.TextField(_("text as given"))
    normalised_text = models.TextField(_("normalised text"))
    report_date = models.DateField(_("report date"), null=True, blank=True)
    pairing = models.ForeignKey(
        Pairing,
        verbose_name=_("pairing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pairing__isnull=False) | Q(region__isnull=False),
                name="ingest_document_has_scope",
            )
        ]

    def __str__(self) -> str:
        return self.source_name


class FactKind(models.TextChoices):
    QUANTITY = "quantity", _("quantity")
    PAIRING = "pairing", _("pairing")


class FactStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACCEPTED = "accepted", _("accepted")
    EDITED = "edited", _("accepted after editing")
    REJECTED = "rejected", _("rejected")


class ProposedFact(TimeStampedModel):
    """A figure or pairing read from a document; `span_*` index the document's original text."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="facts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FactKind.choices)
    payload = models.JSONField(_("what was read"))
    span_start = models.PositiveIntegerField(_("text span start"))
    span_end = models.PositiveIntegerField(_("text span end"))
    status = models.CharField(
        _("status"), max_length=16, choices=FactStatus.choices, default=FactStatus.PROPOSED
    )
    record_type = models.CharField(_("created record type"), max_length=64, blank=True)
    record_id = models.CharField(_("created record id"), max_length=64, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("proposed fact")
        verbose_name_plural = _("proposed facts")
        ordering = ["document_id", "span_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(span_start__lte=F("span_end")), name="ingest_fact_span_order"
            ),
        ]
        # Record pages look their provenance up by the record they created.
        indexes = [models.Index(fields=["record_type", "record_id"], name="ingest_fact_record")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.payload.get('text', '')}"

    @property
    def anchor(self) -> str:
        return f"fact-{self.pk}"
