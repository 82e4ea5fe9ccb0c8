"""Authentication with throttling against password guessing.

Failures are counted per username and per client address in the shared cache; once either count
reaches BANGFU_LOGIN_MAX_FAILURES within BANGFU_LOGIN_WINDOW_SECONDS, every attempt for that
username or address is refused (even with the right password) until the window passes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def _key(kind: str, value: str) -> str:
    # Hash so neither usernames nor addresses are stored in the cache in clear.
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]
    return f"bangfu:login-fail:{kind}:{digest}"


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


def _keys(request: HttpRequest | None, username: str) -> list[str]:
    keys = [_key("user", username.strip().lower())]
    address = client_address(request)
    if address:
        keys.append(_key("addr", address))
    return keys


def is_locked(request: HttpRequest | None, username: str) -> bool:
    limit = settings.BANGFU_LOGIN_MAX_FAILURES
    return any((cache.get(key) or 0) >= limit for key in _keys(request, username))


def record_failure(request: HttpRequest | None, username: str) -> None:
    window = settings.BANGFU_LOGIN_WINDOW_SECONDS
    for key in _keys(request, username):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def clear_failures(request: HttpRequest | None, username: str) -> None:
    cache.delete(_key("user", username.strip().lower()))


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
            record_failure(request, name)
        else:
            clear_failures(request, name)
        return user
