"""Settings for the test suite: fast hashing, in-memory cache, same database selection rules."""

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests write rows directly between requests; the page cache has tests of its own.
BANGFU_PAGE_CACHE_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests never collect static files; without a STATIC_ROOT WhiteNoise does not look for one.
STATIC_ROOT = None  # type: ignore[assignment]
# Background jobs run inline, inside the test.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
