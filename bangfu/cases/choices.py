"""Enumerations of the case workflow (domain.md §3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.households.choices import MeasureCategory
from bangfu.households.choices import RiskType as RiskType  # re-exported; the registry owns it


class CaseState(models.TextChoices):
    # Identification (识别).
    CLUE = "clue", _("clue")
    VERIFIED = "verified", _("home verification done, authorisation signed")
    COMPARED = "compared", _("department data compared")
    REVIEWED = "reviewed", _("democratic review held")
    NOTICE = "notice", _("village notice posted")
    TOWNSHIP_REVIEWED = "township_reviewed", _("township review done")
    COUNTY_APPROVED = "county_approved", _("county approved")
    # Monitoring and assistance.
    RECORDED = "recorded", _("recorded as monitored household")
    ASSISTED = "assisted", _("measures in place")
    # Risk elimination (风险消除).
    ELIMINATION_CHECKED = "elimination_checked", _("elimination: home check done")
    ELIMINATION_NOTICE = "elimination_notice", _("elimination: reviewed and notice posted")
    ELIMINATION_TOWNSHIP = "elimination_township", _("elimination: township review done")
    ELIMINATED = "eliminated", _("risk eliminated")
    # Closed without identification.
    DISMISSED = "dismissed", _("dismissed")


IDENTIFICATION_STATES = (
    CaseState.CLUE,
    CaseState.VERIFIED,
    CaseState.COMPARED,
    CaseState.REVIEWED,
    CaseState.NOTICE,
    CaseState.TOWNSHIP_REVIEWED,
    CaseState.COUNTY_APPROVED,
)
ELIMINATION_STATES = (
    CaseState.ELIMINATION_CHECKED,
    CaseState.ELIMINATION_NOTICE,
    CaseState.ELIMINATION_TOWNSHIP,
)
MONITORED_STATES = (CaseState.RECORDED, CaseState.ASSISTED, *ELIMINATION_STATES)
CLOSED_STATES = (CaseState.ELIMINATED, CaseState.DISMISSED)


class CaseSource(models.TextChoices):
    APPLICATION = "application", _("household application (农户自主申报)")
    CADRE_VISIT = "cadre_visit", _("cadre visit (基层干部排查)")
    DEPARTMENT_ALERT = "department_alert", _("department alert (部门筛查预警)")
    MONITORING_FINDING = "monitoring_finding", _("monitoring finding")


class Department(models.TextChoices):
    MEDICAL_INSURANCE = "medical_insurance", _("medical insurance (医保)")
    EDUCATION = "education", _("education (教育)")
    HOUSING = "housing", _("housing and construction (住建)")
    CIVIL_AFFAIRS = "civil_affairs", _("civil affairs (民政)")
    DISASTER = "disaster", _("emergency management, disasters (应急管理)")
    WATER = "water", _("water resources (水利)")
    HUMAN_RESOURCES = "human_resources", _("human resources and social security (人社)")
    DISABLED_FEDERATION = "disabled_federation", _("disabled persons' federation (残联)")
    OTHER = "other", _("other department")


MAX_RISK_TYPES = 5
# Risk types that open the green channel: assistance may start before identification ends.
GREEN_CHANNEL_RISKS = frozenset({RiskType.NATURAL_DISASTER, RiskType.ACCIDENT})
# A risk type needs at least one measure of these categories (domain.md §3).
MATCHING_MEASURES: dict[str, tuple[MeasureCategory, ...]] = {
    RiskType.ILLNESS: (MeasureCategory.HEALTH, MeasureCategory.SOCIAL_ASSISTANCE),
    RiskType.SCHOOLING: (MeasureCategory.EDUCATION, MeasureCategory.COMPULSORY_EDUCATION),
    RiskType.DISABILITY: (MeasureCategory.COMPREHENSIVE_PROTECTION,),
    RiskType.HOUSING: (MeasureCategory.HOUSING, MeasureCategory.RELOCATION),
    RiskType.DRINKING_WATER: (MeasureCategory.DRINKING_WATER,),
}


class ComparisonResult(models.TextChoices):
    CONSISTENT = "consistent", _("consistent with the application")
    CORRECTED = "corrected", _("differences found and corrected")
    NOT_ELIGIBLE = "not_eligible", _("department data show the household is not eligible")


class ReviewResult(models.TextChoices):
    AGREED = "agreed", _("agreed")
    REJECTED = "rejected", _("rejected")


class EliminationWay(models.TextChoices):
    BY_ASSISTANCE = "by_assistance", _("by assistance (帮扶消除)")
    NATURAL = "natural", _("natural (自然消除)")
