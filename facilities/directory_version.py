"""A token that changes whenever the listings change.

What is worked out from the listings and kept for later (the vocabularies held in memory,
search pages in the cache) is stored under the token it was made with, so a curator's change
is never followed by an answer made before it. The token lives in the shared cache (Redis in
production), so every web process sees a change at once.
"""

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

KEY = "directory-version"
# A token lasts this long at most: web processes that do not share a cache (no REDIS_URL)
# each hold their own, and a change made through one reaches the others within this time.
LIFETIME_SECONDS = 300


def current():
    version = cache.get(KEY)
    if version is None:  # never set, expired or evicted: any new token will do
        cache.add(KEY, uuid4().hex, timeout=LIFETIME_SECONDS)
        version = cache.get(KEY)
    return version


def bump():
    """A new token, once the change is committed: a page made in between from the old rows
    would otherwise be stored under the new token."""
    transaction.on_commit(lambda: cache.set(KEY, uuid4().hex, timeout=LIFETIME_SECONDS))
