"""Region admin: browse and search. Townships and villages are added by `bangfu regions import`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest

from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.regions import services
from bangfu.regions.models import Region

ALL_FIELDS = ("code", "name", "level", "parent")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    ordering = ("code",)
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Region | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> Any:
        # Shipped levels are reference data; a township's or village's name may be corrected.
        if obj is not None and obj.level in services.IMPORTABLE_LEVELS:
            return ("code", "level", "parent")
        return ALL_FIELDS

    def save_model(
        self, request: HttpRequest, obj: Region, form: ModelForm[Region], change: bool
    ) -> None:
        try:
            services.region_rename(actor=request.user, region=obj, name=form.cleaned_data["name"])
        except (PermissionDenied, ValidationFailed) as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
