"""The same search asked again is answered from the cache, until a listing changes."""

import os
import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import make_facility, make_program

SEARCH = {"location": "90230", "radius": 10, "insurance": "medicaid"}
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def kept(settings):
    settings.SEARCH_CACHE_SECONDS = 300  # on an empty cache: conftest's fresh_cache


@pytest.fixture
def listing(db):
    facility = make_facility("Harbor Light Counseling", payment_options=["medicaid"])
    return make_program(facility, "Adult Evening IOP", format="hybrid")


def program_names(response):
    return re.findall(r'<h3 id="result-\d+"><a [^>]*>([^<]+)</a>', response.content.decode())


def test_the_same_search_again_is_answered_without_the_database(
    client, kept, listing, django_assert_num_queries
):
    first = client.get("/search/", SEARCH)
    # The same parameters in another order are the same search.
    with django_assert_num_queries(0):
        again = Client().get("/search/?insurance=medicaid&radius=10&location=90230")
    assert program_names(first) == program_names(again) == ["Adult Evening IOP"]
    api_first = client.get("/api/v1/programs/", SEARCH).json()
    assert api_first["results"][0]["name"] == "Adult Evening IOP"
    with django_assert_num_queries(0):
        assert Client().get("/api/v1/programs/", SEARCH).json() == api_first


def test_another_search_or_language_is_not_served_the_kept_page(client, kept, listing):
    client.get("/search/", SEARCH)
    spanish = client.get("/es/search/", SEARCH).content.decode()
    assert "programa" in spanish and "Adult Evening IOP" in spanish
    other = client.get("/search/", {**SEARCH, "insurance": "medicare"})
    assert program_names(other) == []


def test_a_change_to_a_listing_is_seen_by_the_next_search(
    client, kept, listing, django_capture_on_commit_callbacks
):
    assert program_names(client.get("/search/", SEARCH)) == ["Adult Evening IOP"]
    with django_capture_on_commit_callbacks(execute=True):
        listing.name = "Adult Evening IOP (Spanish spoken)"
        listing.save()
    assert program_names(client.get("/search/", SEARCH)) == ["Adult Evening IOP (Spanish spoken)"]


def test_a_kept_page_carries_each_visitors_own_csrf_token(kept, listing):
    Client().get("/search/", SEARCH)  # someone else's visit fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/search/", SEARCH).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    added = visitor.post(
        f"/shortlist/add/{listing.pk}/",
        {"csrfmiddlewaretoken": token, "next": "/shortlist/"},
    )
    assert added.status_code == 302
    assert "Adult Evening IOP" in visitor.get("/shortlist/").content.decode()


def test_a_visitor_with_a_shortlist_sees_their_own_rows(client, kept, listing):
    client.get("/search/", SEARCH)
    client.post(f"/shortlist/add/{listing.pk}/")
    page = client.get("/search/", SEARCH).content.decode()
    assert 'aria-pressed="true">✓ On your shortlist' in page
    assert 'aria-pressed="true"' not in Client().get("/search/", SEARCH).content.decode()


def test_a_delete_outside_the_directory_is_one_statement(db, django_assert_num_queries):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    for _ in range(3):
        SessionStore().create()
    with django_assert_num_queries(1):  # no signal receivers: Django deletes without reading
        Session.objects.all().delete()
    assert not Session.objects.exists()


def test_a_vocabulary_change_shows_in_the_filter_panel_at_once(
    client, listing, django_capture_on_commit_callbacks
):
    from facilities.models import PaymentOption

    client.get("/search/", {"location": "90230"})
    with django_capture_on_commit_callbacks(execute=True):
        medicaid = PaymentOption.objects.get(slug="medicaid")
        medicaid.label = "Medicaid (Medi-Cal in California)"
        medicaid.save()
    page = client.get("/search/", {"location": "90230"}).content.decode()
    assert "Medicaid (Medi-Cal in California)" in page


def test_the_home_page_form_shows_a_vocabulary_change_at_once(
    client, listing, django_capture_on_commit_callbacks
):
    from facilities.models import PaymentOption

    assert 'name="insurance" value="medicaid"' in client.get("/").content.decode()
    assert 'action="/es/search/"' in client.get("/es/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        medicaid = PaymentOption.objects.get(slug="medicaid")
        medicaid.label = "Medicaid (Medi-Cal in California)"
        medicaid.save()
    assert "Medicaid (Medi-Cal in California)" in client.get("/").content.decode()


def test_a_search_reads_the_directory_version_from_the_shared_cache_once(
    client, kept, listing, monkeypatch
):
    from facilities import directory_version

    directory_version.current()  # the token exists, as it does but for a site's first search
    reads = []
    real_get = cache.get

    def counting_get(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    page = client.get("/search/", {**SEARCH, "modality": "cbt", "age": 30})
    assert program_names(page) == []  # worked out: the filters, the panel, the rows all ran
    assert reads.count(directory_version.KEY) == 1
    reads.clear()
    client.get("/search/", SEARCH)
    assert reads.count(directory_version.KEY) == 1


@pytest.fixture
def redis_cache(settings):
    """The project's Redis cache backend on a Redis of its own (database 15 unless
    TEST_REDIS_URL says otherwise), as production shares one between web processes."""
    import redis as redis_lib

    url = TEST_REDIS_URL
    try:
        redis_lib.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis_lib.ConnectionError as error:
        pytest.skip(f"no Redis at {url} ({error}): set TEST_REDIS_URL to one")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    settings.DIRECTORY_VERSION_SECONDS = None  # as settings.py has it with REDIS_URL
    cache.clear()
    yield cache
    cache.clear()


def test_in_redis_the_directory_version_lasts_until_a_listing_changes(
    redis_cache, listing, django_capture_on_commit_callbacks
):
    import redis as redis_lib

    from facilities import directory_version

    first = directory_version.current()
    stored = redis_lib.Redis.from_url(TEST_REDIS_URL)
    assert stored.ttl(redis_cache.make_key(directory_version.KEY)) == -1  # no expiry
    with django_capture_on_commit_callbacks(execute=True):
        listing.save()
    assert directory_version.current() != first


def test_a_search_is_kept_in_redis_for_the_next_visitor(
    redis_cache, settings, listing, django_assert_num_queries
):
    settings.SEARCH_CACHE_SECONDS = 300
    first = Client().get("/search/", SEARCH)
    with django_assert_num_queries(0):
        again = Client().get("/search/", SEARCH)
    assert program_names(first) == program_names(again) == ["Adult Evening IOP"]
