"""Test settings: the real settings with a fixed secret and a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret")

from iop_finder.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files straight from the source folders: no collectstatic before a test run.
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Hundreds of requests a minute from one address are the test suite, not abuse; the tests of
# the limits turn them on themselves.
RATELIMIT_ENABLE = False
# The test client speaks plain HTTP; the redirect to HTTPS has its own test.
SECURE_SSL_REDIRECT = False
# Each test asks for fresh answers; the tests of the search cache turn it on themselves.
SEARCH_CACHE_SECONDS = 0
