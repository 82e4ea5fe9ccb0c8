from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import TimeStampedModel
from bangfu.regions.models import Region


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("government department")
    STREET_OFFICE = "street_office", _("street office")
    COMMUNITY = "community", _("community")
    ENTERPRISE = "enterprise", _("enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("social organisation")
    SCHOOL = "school", _("school")
    HOSPITAL = "hospital", _("hospital")
    OTHER = "other", _("other")


class Organisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="organisation_unique_name_in_region"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PairingKind(models.TextChoices):
    EAST_WEST = "east_west", _("east–west cooperation (东西部协作)")
    PAIRED_ASSISTANCE = "paired_assistance", _("paired assistance (对口帮扶)")
    COUNTERPART_SUPPORT = "counterpart_support", _("counterpart support (对口支援)")


class PairingLevel(models.TextChoices):
    COUNTY_COUNTY = "county_county", _("county–county (县县)")
    TOWNSHIP_TOWNSHIP = "township_township", _("street/township–township (镇镇)")
    STREET_VILLAGE = "street_village", _("street/community–village (街道–村)")
    VILLAGE_VILLAGE = "village_village", _("village–village (村村)")
    ENTERPRISE_VILLAGE = "enterprise_village", _("enterprise–village (村企)")
    SOCIAL_ORG_VILLAGE = "social_org_village", _("social organisation–village")
    SCHOOL_SCHOOL = "school_school", _("school–school (校校)")
    HOSPITAL_HOSPITAL = "hospital_hospital", _("hospital–hospital (院院)")
    OTHER = "other", _("other")


def _one_party(side: str) -> Q:
    region, org = f"{side}_region__isnull", f"{side}_organisation__isnull"
    return Q(**{region: False, org: True}) | Q(**{region: True, org: False})


class Pairing(TimeStampedModel):
    """A donor party helping a recipient party; each party is a region or an organisation."""

    donor_region = models.ForeignKey(
        Region,
        verbose_name=_("donor region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings_as_donor",
    )
    donor_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("donor organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings_as_donor",
    )
    recipient_region = models.ForeignKey(
        Region,
        verbose_name=_("recipient region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings_as_recipient",
    )
    recipient_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("recipient organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings_as_recipient",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=PairingKind.choices)
    level = models.CharField(_("level"), max_length=32, choices=PairingLevel.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent pairing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    notes = models.TextField(_("notes"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=_one_party("donor"), name="pairing_one_donor_party"),
            models.CheckConstraint(
                condition=_one_party("recipient"), name="pairing_one_recipient_party"
            ),
            # In SQL a comparison with NULL is unknown, which a CHECK accepts: these only bite
            # when both sides are of the same type.
            models.CheckConstraint(
                condition=~Q(donor_region=F("recipient_region")), name="pairing_not_self_region"
            ),
            models.CheckConstraint(
                condition=~Q(donor_organisation=F("recipient_organisation")),
                name="pairing_not_self_organisation",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="pairing_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")), name="pairing_not_own_parent"
            ),
            # One open-ended pairing per pair of parties and kind. A NULL party column never
            # collides, so one constraint per combination of party types covers every case.
            *[
                models.UniqueConstraint(
                    fields=[f"donor_{d}", f"recipient_{r}", "kind"],
                    condition=Q(end_date__isnull=True),
                    name=f"pairing_unique_open_{d}_{r}",
                )
                for d in ("region", "organisation")
                for r in ("region", "organisation")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.donor_name} → {self.recipient_name}"

    @property
    def donor(self) -> Region | Organisation:
        party = self.donor_region or self.donor_organisation
        assert party is not None
        return party

    @property
    def recipient(self) -> Region | Organisation:
        party = self.recipient_region or self.recipient_organisation
        assert party is not None
        return party

    @property
    def donor_name(self) -> str:
        return str(self.donor_region or self.donor_organisation or "?")

    @property
    def recipient_name(self) -> str:
        return str(self.recipient_region or self.recipient_organisation or "?")

    def region_code(self) -> str:
        """The recipient side's region code, used to scope audit events."""
        if self.recipient_region_id:
            return str(self.recipient_region_id)
        return str(self.recipient_organisation.region_id) if self.recipient_organisation else ""


class AgreementKind(models.TextChoices):
    FRAMEWORK = "framework", _("framework agreement (框架协议)")
    ANNUAL = "annual", _("annual agreement (年度帮扶协议)")


class Agreement(TimeStampedModel):
    pairing = models.ForeignKey(
        Pairing, verbose_name=_("pairing"), on_delete=models.PROTECT, related_name="agreements"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=255)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to="agreements/%Y/", blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["signed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="agreement_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind="annual") | Q(year__isnull=False),
                name="agreement_annual_has_year",
            ),
            models.UniqueConstraint(
                fields=["pairing", "kind", "title", "signed_on"],
                name="agreement_unique_natural_key",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MeetingKind(models.TextChoices):
    JOINT_MEETING = "joint_meeting", _("joint meeting (联席会议)")
    LEADERS_VISIT = "leaders_visit", _("leaders' visit (互访调研)")
    WORKING_VISIT = "working_visit", _("working visit (工作对接)")


class Meeting(TimeStampedModel):
    pairing = models.ForeignKey(
        Pairing, verbose_name=_("pairing"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("meeting or visit")
        verbose_name_plural = _("meetings and visits")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "kind", "date", "place"], name="meeting_unique_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class MeetingDocument(TimeStampedModel):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to="meetings/%Y/")

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")

    def __str__(self) -> str:
        return self.title
