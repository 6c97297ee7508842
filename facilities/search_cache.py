"""Search answers kept for a few minutes in the shared cache.

A search's page and its API answer are the same for every visitor who asks the same
question, until a listing changes: a news story sends thousands of people to the same few
places. They are kept under the directory's version (facilities.directory_version), so a
curator's change is seen by the next search. Nothing of the visitor is kept: the key is the
address asked for, as anyone could ask it; a visitor with a shortlist (whose rows say so) is
answered afresh, and the page's CSRF token is put back for each visitor.
"""

import functools
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from facilities import directory_version
from facilities.shortlist import COOKIE as SHORTLIST_COOKIE

# The value of each {% csrf_token %} field: the visitor's own, put back on every answer.
TOKEN_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
HOLE = b"\x00csrf\x00"  # no page holds a NUL byte


def cache_key(request):
    """The version, the language, the address asked (scheme, host, path and the parameters in
    a fixed order): an answer's links name the host and scheme it was asked on."""
    parameters = sorted((name, value) for name, values in request.GET.lists() for value in values)
    address = (request.scheme, request.get_host(), request.path)
    asked = repr((get_language(), address, parameters)).encode()
    return f"search:{directory_version.current()}:{hashlib.sha256(asked).hexdigest()}"


def kept_search(view):
    """Answer a GET from the cache when the same search was answered lately; keep a 200."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.SEARCH_CACHE_SECONDS
        if not seconds or request.method != "GET" or SHORTLIST_COOKIE in request.COOKIES:
            return view(request, *args, **kwargs)
        key = cache_key(request)
        kept = cache.get(key)
        if kept is not None:
            content, content_type = kept
            if HOLE in content:
                content = content.replace(HOLE, get_token(request).encode())
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()  # an API response renders after the view
        if response.status_code == 200 and not response.streaming:
            content = TOKEN_FIELD.sub(lambda field: field[1] + HOLE + field[2], response.content)
            cache.set(key, (content, response["Content-Type"]), seconds)
        return response

    return wrapped
