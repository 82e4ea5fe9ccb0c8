"""Production settings: secrets must come from the environment; cookies are secure when HTTPS."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_str
from config.settings.base import *  # noqa: F403

if not env_str("BANGFU_SECRET_KEY"):
    raise ImproperlyConfigured("BANGFU_SECRET_KEY must be set in production.")
for _pii_variable in ("BANGFU_PII_KEYS", "BANGFU_PII_HMAC_KEY"):
    if not env_str(_pii_variable):
        raise ImproperlyConfigured(
            f"{_pii_variable} must be set in production (household personal data is encrypted "
            "with it; see docs/households.md)."
        )

DEBUG = False
_https = env_bool("BANGFU_HTTPS", default=False)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
