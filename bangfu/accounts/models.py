from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.pairings.models import Organisation
from bangfu.regions.models import Region


class Role(models.TextChoices):
    VIEWER = "viewer", _("viewer")
    DATA_ENTRY = "data_entry", _("data entry")
    REVIEWER = "reviewer", _("reviewer")
    ADMINISTRATOR = "administrator", _("administrator")


class User(AbstractUser):
    """A person working for a region's office or for an organisation.

    What the user may see follows from `region` / `organisation` (see accounts.scopes); what the
    user may do follows from their roles.
    """

    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=True) | Q(organisation__isnull=True),
                name="user_region_or_organisation",
            )
        ]


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class PiiGrant(models.Model):
    """Permission to see household personal data of one county (recipient side only)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pii_grants")
    county = models.ForeignKey(
        Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("personal-data grant")
        verbose_name_plural = _("personal-data grants")
        constraints = [models.UniqueConstraint(fields=["user", "county"], name="pii_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.county}"
