"""Rendered dashboard bodies, kept until the next audited write.

Every write in bangfu goes through a service that records an audit event in the same
transaction (imports and generated data included: one event per job or county), so the id of
the latest audit event is a version of all the data and of every user's rights: a body cached
under one version is exactly what the page would render again until any write happens. The key
also holds the user (bodies are scoped), the language, the day (overdue flags and default years
move with the date) and the full path with its filters. BANGFU_PAGE_CACHE_SECONDS bounds how
long an unused body is kept; 0 turns the cache off (the test settings do, so tests that write
rows directly see them at once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from bangfu.core.models import AuditEvent


def data_version() -> int:
    """The id of the latest audit event (one index lookup)."""
    return int(AuditEvent.objects.aggregate(latest=Max("pk"))["latest"] or 0)


def cached_body(request: HttpRequest, name: str, build: Callable[[], SafeString]) -> SafeString:
    """The body `build` renders, from the cache when the data has not changed since."""
    seconds = int(getattr(settings, "BANGFU_PAGE_CACHE_SECONDS", 0))
    if seconds <= 0:
        return build()
    parts = (
        name,
        str(request.user.pk),
        get_language() or "",
        dt.date.today().isoformat(),
        str(data_version()),
        request.headers.get("HX-Request", ""),
        request.get_full_path(),
    )
    key = "bangfu:page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, seconds)
    return SafeString(body)
