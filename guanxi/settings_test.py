"""Settings for the test suite: fast hashing, plain static files, inline jobs.

The database comes from DATABASE_URL like everywhere else, so the same suite
runs on SQLite and on PostgreSQL (see Makefile `test`).
"""

from __future__ import annotations

import os

from guanxi.settings import *  # noqa: F403
from guanxi.settings import DATA_DIR, HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# pytest-django's live server cannot serve hashed names from whitenoise's manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Jobs run inline unless a test asks for the real queue (tests/jobs use
# `real_queue`, which switches this off and drains the configured storage).
HUEY = {**HUEY, "immediate": True}
if "filename" in HUEY:
    HUEY["filename"] = str(DATA_DIR / f"jobs-test-{os.getpid()}.sqlite3")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AXES_ENABLED = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
