"""Authentication with throttling against password guessing.

Failures are counted per username and per client address in the shared cache. When either count
reaches BANGFU_LOGIN_MAX_FAILURES (failures less than BANGFU_LOGIN_WINDOW_SECONDS apart), that
username or address is locked for BANGFU_LOGIN_WINDOW_SECONDS: every attempt is refused, even
with the right password. Every way of signing in (the sign-in page, the admin, DRF's token
serializer) goes through `authenticate()`, so the lock covers them all.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from bangfu.accounts.services import login_lock_record

USER = "user"
ADDRESS = "addr"


def _digest(value: str) -> str:
    # Hashed so neither usernames nor addresses are stored in the cache in clear.
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


def _subjects(request: HttpRequest | None, username: str) -> list[tuple[str, str]]:
    """(kind, digest) pairs whose failures are counted: the username and the client address."""
    subjects = [(USER, _digest(username.strip().lower()))]
    address = client_address(request)
    if address:
        subjects.append((ADDRESS, _digest(address)))
    return subjects


def _count_key(kind: str, digest: str) -> str:
    return f"bangfu:login-fail:{kind}:{digest}"


def _lock_key(kind: str, digest: str) -> str:
    return f"bangfu:login-lock:{kind}:{digest}"


def lock_seconds_left(request: HttpRequest | None, username: str) -> int:
    """Seconds until the username and the client address are both unlocked (0: not locked)."""
    now = time.time()
    left = 0.0
    for kind, digest in _subjects(request, username):
        until = cache.get(_lock_key(kind, digest))
        if until is not None:
            left = max(left, float(until) - now)
    return math.ceil(left) if left > 0 else 0


def is_locked(request: HttpRequest | None, username: str) -> bool:
    return lock_seconds_left(request, username) > 0


def record_failure(request: HttpRequest | None, username: str) -> list[str]:
    """Count one failure; return the kinds (USER, ADDRESS) that this failure locked."""
    window = settings.BANGFU_LOGIN_WINDOW_SECONDS
    limit = settings.BANGFU_LOGIN_MAX_FAILURES
    newly_locked: list[str] = []
    for kind, digest in _subjects(request, username):
        key = _count_key(kind, digest)
        if cache.add(key, 1, timeout=window):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=window)
                count = 1
            # Some backends (the database cache) reset the expiry to the default on incr.
            cache.touch(key, timeout=window)
        if count >= limit and cache.add(_lock_key(kind, digest), time.time() + window, window):
            newly_locked.append(kind)
    return newly_locked


def clear_failures(request: HttpRequest | None, username: str) -> None:
    """Forget the username's failures (the address keeps its count: it may be guessing)."""
    cache.delete(_count_key(USER, _digest(username.strip().lower())))


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get("username", "")
        name = username or ""
        if is_locked(request, name):
            # PermissionDenied stops Django trying further backends.
            raise PermissionDenied("too many failed sign-in attempts")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            locked = record_failure(request, name)
            if locked:
                login_lock_record(
                    username=name,
                    address=client_address(request),
                    locked=locked,
                    seconds=settings.BANGFU_LOGIN_WINDOW_SECONDS,
                )
        else:
            clear_failures(request, name)
        return user
