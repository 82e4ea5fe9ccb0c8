from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import TimeStampedModel
from bangfu.pairings.models import Pairing
from bangfu.regions.models import Region


class Category(models.TextChoices):
    INDUSTRY = "industry", _("industry (产业)")
    EMPLOYMENT = "employment", _("employment (就业)")
    INFRASTRUCTURE = "infrastructure", _("infrastructure (基础设施)")
    EDUCATION = "education", _("education (教育)")
    HEALTH = "health", _("health (医疗)")
    HOUSING = "housing", _("housing (住房)")
    DRINKING_WATER = "drinking_water", _("drinking water (饮水)")
    LIVELIHOOD = "livelihood", _("livelihood and social services (民生/社会事业)")
    CONSUMPTION = "consumption", _("consumption assistance (消费帮扶)")
    TALENT = "talent", _("talent (人才)")
    OTHER = "other", _("other")


class Status(models.TextChoices):
    PLANNED = "planned", _("planned")
    APPROVED = "approved", _("approved")
    UNDER_CONSTRUCTION = "under_construction", _("under construction")
    COMPLETED = "completed", _("completed")
    IN_USE = "in_use", _("in use")
    HANDED_OVER = "handed_over", _("handed over as an asset")


# The lifecycle: each status and the statuses it may move to next.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.APPROVED}),
    Status.APPROVED: frozenset({Status.UNDER_CONSTRUCTION}),
    Status.UNDER_CONSTRUCTION: frozenset({Status.COMPLETED}),
    Status.COMPLETED: frozenset({Status.IN_USE, Status.HANDED_OVER}),
    Status.IN_USE: frozenset({Status.HANDED_OVER}),
    Status.HANDED_OVER: frozenset(),
}
# Statuses in which the money should have been spent.
FINISHED_STATUSES = (Status.COMPLETED, Status.IN_USE, Status.HANDED_OVER)


class Project(TimeStampedModel):
    pairing = models.ForeignKey(
        Pairing, verbose_name=_("pairing"), on_delete=models.PROTECT, related_name="projects"
    )
    code = models.CharField(
        _("project number"),
        max_length=64,
        help_text=_("Unique within the pairing; imports use it to recognise a project again."),
    )
    name = models.CharField(_("name"), max_length=255)
    region = models.ForeignKey(
        Region, verbose_name=_("location"), on_delete=models.PROTECT, related_name="projects"
    )
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.PLANNED
    )
    beneficiary_villages = models.PositiveIntegerField(_("villages reached"), default=0)
    beneficiary_households = models.PositiveIntegerField(_("households reached"), default=0)
    beneficiary_people = models.PositiveIntegerField(_("people reached"), default=0)
    linked_people = models.PositiveIntegerField(_("people with a benefit link (带动)"), default=0)
    linked_registered_poor = models.PositiveIntegerField(_("of whom registered poor"), default=0)
    outputs = models.TextField(_("outputs"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["start_year", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "code"], name="project_unique_code"),
            models.CheckConstraint(condition=~Q(code=""), name="project_code_not_blank"),
            models.CheckConstraint(
                condition=Q(start_year__gte=1990) & Q(start_year__lte=2100),
                name="project_start_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="project_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="project_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(linked_registered_poor__lte=F("linked_people")),
                name="project_poor_within_linked",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="project_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectStatusChange(models.Model):
    """One step of a project's lifecycle, with the date it happened. Never edited."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=32, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=Status.choices)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project status change")
        verbose_name_plural = _("project status changes")
        ordering = ["project_id", "date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")), name="project_status_change_moves"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.from_status or '—'} → {self.to_status}"


class DocumentKind(models.TextChoices):
    DOCUMENT = "document", _("document")
    PHOTO = "photo", _("photo")


class ProjectDocument(TimeStampedModel):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to="projects/%Y/")
    taken_on = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("project document or photo")
        verbose_name_plural = _("project documents and photos")
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return self.title
