"""A token that changes whenever the listings change.

What is worked out from the listings and kept for later (the vocabularies held in memory,
search pages in the cache) is stored under the token it was made with, so a curator's change
is never followed by an answer made before it. The token lives in the shared cache (Redis in
production), so every web process sees a change at once, and it lasts until the next change
(settings.DIRECTORY_VERSION_SECONDS). A request reads it once: a search asked for it some
fifteen times, each a round trip to Redis.
"""

from uuid import uuid4

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

KEY = "directory-version"

# The token as the request being answered first read it (each thread its own).
_request = Local()


def current():
    version = getattr(_request, "version", None)
    if version is not None:
        return version
    version = cache.get(KEY)
    if version is None:  # never set, expired or evicted: any new token will do
        cache.add(KEY, uuid4().hex, timeout=settings.DIRECTORY_VERSION_SECONDS)
        version = cache.get(KEY)
    if getattr(_request, "answering", False):
        _request.version = version
    return version


def bump():
    """A new token, once the change is committed: a page made in between from the old rows
    would otherwise be stored under the new token."""

    def store_new():
        version = uuid4().hex
        cache.set(KEY, version, timeout=settings.DIRECTORY_VERSION_SECONDS)
        if getattr(_request, "answering", False):
            _request.version = version  # what this request reads next is of the change

    transaction.on_commit(store_new)


def start_request(**kwargs):
    _request.answering, _request.version = True, None


def end_request(**kwargs):
    _request.answering, _request.version = False, None


request_started.connect(start_request, dispatch_uid="directory_version_start")
request_finished.connect(end_request, dispatch_uid="directory_version_end")
