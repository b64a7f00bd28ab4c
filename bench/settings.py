"""The load test's settings (bench/load.py): the test settings on the bench database, with
production's shared cache when REDIS_URL is set, so the web workers share the kept counts
(reminders.unread, stats.cache) and their invalidation as production's do."""

from settings.env import env_str
from settings.test import *  # noqa: F403

if env_str("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
