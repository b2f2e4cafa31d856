"""Django test settings for tools/compat/django-cache: Django's own test_sqlite settings plus a
RedisCache at redis://127.0.0.1:$HEARSAY_COMPAT_PORT, which enables cache.tests.RedisCacheTests."""
import os

from test_sqlite import *  # noqa: F401,F403  (tests/test_sqlite.py of the Django tree)

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{os.environ['HEARSAY_COMPAT_PORT']}",
    },
}
