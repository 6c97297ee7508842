"""How often one address may ask for each kind of page, counted in the shared cache
(settings.RATELIMIT_USE_CACHE); over the limit, facilities.views.rate_limited answers 429."""

from django.conf import settings
from django_ratelimit.decorators import ratelimit


def search_rate(group, request):
    return settings.RATELIMIT_SEARCH


def page_rate(group, request):
    return settings.RATELIMIT_PAGES


def corrections_rate(group, request):
    return settings.RATELIMIT_CORRECTIONS


def geocode_rate(group, request):
    """A request that sends a place to an outside geocoder counts against its own limit: the
    offline geocoder costs nothing beyond the page's limit."""
    if settings.GEOCODER == "offline" or not request.GET.get("location", "").strip():
        return None
    return settings.RATELIMIT_GEOCODE


SEARCH_LIMIT = ratelimit(key="ip", rate=search_rate, group="search")
# The API's searches count with the page's: one budget for whoever searches.
API_RATE_LIMIT = ratelimit(key="ip", rate=search_rate, group="search")
PAGE_LIMIT = ratelimit(key="ip", rate=page_rate, group="pages")
CORRECTIONS_LIMIT = ratelimit(key="ip", rate=corrections_rate, method="POST", group="corrections")
GEOCODE_LIMIT = ratelimit(key="ip", rate=geocode_rate, group="geocode")
