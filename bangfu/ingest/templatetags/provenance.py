"""`{% load provenance %}{% provenance record %}`: where an accepted record came from.

On a list page, read every record's provenance in one query first and pass it along:

    {% provenance_map records as sources %}
    {% for record in records %}{% provenance record sources %}{% endfor %}

Renders nothing for a record that was not accepted from a document.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from bangfu.ingest.selectors import Provenance, provenances, record_key
from bangfu.ingest.selectors import provenance as provenance_of

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def provenance_map(context: template.Context, records: Iterable[Any]) -> dict[Any, Provenance]:
    """Provenance of many records (one query), for `{% provenance record map %}`."""
    return provenances(_user(context), list(records))


@register.inclusion_tag("ingest/provenance.html", takes_context=True)
def provenance(
    context: template.Context, record: Any, sources: dict[Any, Provenance] | None = None
) -> dict[str, Any]:
    if record is None or getattr(record, "pk", None) is None:
        return {"source": None}
    if sources is not None:
        return {"source": sources.get(record_key(record))}
    return {"source": provenance_of(_user(context), record)}
