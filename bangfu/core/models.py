from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    IMPORT = "import", _("import")
    LOGIN_LOCKED = "login_locked", _("login locked")


class AuditEvent(models.Model):
    """One write, recorded in the same transaction as the write itself.

    `region_code` and `pairing_id` say whose data the object is, so the audit trail can be scoped
    exactly like the data it describes. They are plain values rather than foreign keys because the
    audit trail must outlive the objects it mentions.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    pairing_id = models.BigIntegerField(_("pairing id"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """Long work (an import, a monitoring run) with its status, progress and row-level messages.

    `runner` is the dotted path of the function that does the work (`runner(job)`); the worker
    looks it up, so a job row is enough to run it again after a restart.
    """

    kind = models.CharField(_("kind"), max_length=64)
    runner = models.CharField(_("runner"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    phase = models.CharField(_("phase"), max_length=32, blank=True)
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="job_status_created")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        return min(100, 100 * self.done // self.total) if self.total else 0


class JobMessage(models.Model):
    """One refused row or cell (file, row, column, reason); never quotes personal data."""

    job = models.ForeignKey(
        Job, verbose_name=_("job"), on_delete=models.CASCADE, related_name="messages"
    )
    file = models.CharField(_("file"), max_length=255, blank=True)
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("job message")
        verbose_name_plural = _("job messages")
        ordering = ["job_id", "id"]

    def __str__(self) -> str:
        return f"{self.file} {self.row} {self.column}"
