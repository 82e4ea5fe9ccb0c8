"""Admin for the catalogue and its configuration. Figures are read-only here: they change
through the services (entry, grid, import, API) so rules, rights and the audit trail apply."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from bangfu.indicators.models import (
    DataValue,
    Indicator,
    ScorecardConfig,
    ScorecardItem,
    ScorecardSnapshot,
    Target,
    ValidationRule,
)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name_zh", "unit", "work_area", "nature", "is_computed", "is_active"]
    list_filter = ["work_area", "unit", "is_computed", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["parent", "numerator", "denominator"]


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "left", "operator", "right", "unit", "importance", "is_active"]
    list_filter = ["importance", "is_active"]


class ScorecardItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ScorecardItem
    raw_id_fields = ["indicator"]


@admin.register(ScorecardConfig)
class ScorecardConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["year", "scoring_rule", "good_from", "fairly_good_from", "average_from"]
    inlines = [ScorecardItemInline]


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "pairing", "reported_by", "period_start", "period_end", "value"]
    list_filter = ["status", "source", "period_kind"]
    search_fields = ["indicator__code", "indicator__name_zh"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = [
        "indicator",
        "pairing",
        "party_region",
        "party_organisation",
        "period_start",
        "period_end",
        "value",
    ]
    list_select_related = ["indicator", "pairing", "party_region", "party_organisation"]


@admin.register(ScorecardSnapshot)
class ScorecardSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["pairing", "year", "grade", "approved_at"]
