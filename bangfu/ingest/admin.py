from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from bangfu.ingest.models import Document, ProposedFact
from bangfu.ingest.services import provenance_link


class ProposedFactInline(admin.TabularInline[ProposedFact, Document]):
    model = ProposedFact
    extra = 0
    can_delete = False
    fields = ("kind", "status", "span_start", "span_end", "record_type", "record_id")
    readonly_fields = fields


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin[Document]):
    """Read-only: documents are uploaded and reviewed on the ingest pages."""

    list_display = ("source_name", "report_date", "pairing", "region", "created_at")
    readonly_fields = ("source_name", "report_date", "pairing", "region", "uploaded_by")
    exclude = ("original_text", "normalised_text")
    inlines = [ProposedFactInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ProposedFact)
class ProposedFactAdmin(admin.ModelAdmin[ProposedFact]):
    list_display = ("document", "kind", "status", "span", "record_type", "record_id", "review")
    list_filter = ("kind", "status")

    @admin.display(description=_("characters"))
    def span(self, fact: ProposedFact) -> str:
        return f"{fact.span_start}–{fact.span_end}"

    @admin.display(description=_("in the text"))
    def review(self, fact: ProposedFact) -> SafeString:
        return format_html('<a href="{}">{}</a>', provenance_link(fact), _("show"))

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
