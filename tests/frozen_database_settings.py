"""Settings of the web process of tests/test_frozen_database.py: the test's own PostgreSQL
(DATABASE_URL), connections kept between requests as production keeps them, short bounds."""

from settings.test import *  # noqa: F403
from settings.test import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_CONNECT_TIMEOUT = 2
DATABASES["default"]["OPTIONS"]["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
DATABASE_STALL_SECONDS = 1
