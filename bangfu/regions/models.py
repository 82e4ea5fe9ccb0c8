from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from bangfu.regions import codes
from bangfu.regions.codes import Level

models.CharField.register_lookup(Length)


class RegionQuerySet(models.QuerySet["Region"]):
    def within(self, code: str) -> RegionQuerySet:
        """The region and everything below it."""
        return self.filter(code__startswith=codes.prefix_of(code))

    def ancestors_of(self, code: str) -> RegionQuerySet:
        return self.filter(code__in=codes.ancestor_codes(code))


class Region(models.Model):
    """An administrative division keyed by its 12-digit statistical code."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                # Digits-only is checked by validation; SQLite has no portable regex in CHECK.
                condition=Q(code__length=12) & Q(code__gte="01") & Q(code__lte="999999999999"),
                name="region_code_12_digits",
            ),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True)
                | (~Q(level="province") & Q(parent__isnull=False)),
                name="region_parent_unless_province",
            ),
        ]
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs the pattern operator class to use an index.
            models.Index(
                fields=["code"], name="region_code_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return codes.prefix_of(self.code, self.level)

    def descendants(self) -> RegionQuerySet:
        return Region.objects.filter(code__startswith=self.prefix).exclude(code=self.code)

    def ancestors(self) -> RegionQuerySet:
        return Region.objects.ancestors_of(self.code)

    def full_name(self) -> str:
        """Names from the prefecture down, as reports write them (e.g. 汕尾市城区)."""
        names = [
            r.name for r in self.ancestors() if r.level != Level.PROVINCE and r.name != "市辖区"
        ]
        return "".join([*names, self.name])
