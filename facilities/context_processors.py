from django.conf import settings
from django.urls import translate_url

from facilities import directory_version
from facilities.models import Facility
from facilities.shortlist import saved_ids

DEMO_SOURCE = "import:demo"


def site(request):
    """What every page shows: the crisis line, the shortlist's size and, while demo listings
    are live, a notice. Lazy, so a page that shows none of it runs no query for it."""
    return {
        "crisis_line": settings.CRISIS_LINE,
        "showing_demo_data": demo_listings_live,
        "shortlisted": lambda: saved_ids(request),
        "other_languages": lambda: other_languages(request),
    }


def other_languages(request):
    """The same page, search included, in each other language: [(code, name, url)]."""
    current = request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else settings.LANGUAGE_CODE
    return [
        (code, name, translate_url(request.get_full_path(), code))
        for code, name in settings.LANGUAGES
        if code != current
    ]


_demo = {"version": None, "live": False}


def demo_listings_live():
    """Whether demo listings are published, asked of the database once a directory version
    rather than on every page."""
    version = directory_version.current()
    if _demo["version"] != version:
        _demo["live"] = Facility.objects.published().filter(source=DEMO_SOURCE).exists()
        _demo["version"] = version
    return _demo["live"]
