"""The demo directory that `make run` loads: large, varied, loaded once, never duplicated."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connections

from facilities.models import Facility, Program


def program_ids(response):
    return re.findall(r'data-program-id="(\d+)"', response.content.decode())


def distances(response):
    return [
        float(d) for d in re.findall(r'data-distance-miles="([\d.]+)"', response.content.decode())
    ]


@pytest.fixture(scope="module")
def demo_directory(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
        yield
        # Loaded outside any test's transaction: take it all away for the modules after this.
        Facility.objects.filter(source="import:demo").delete()
        Facility.history.all().delete()
        Program.history.all().delete()
        # After a live server's tests, that work opened a connection of its own: close it,
        # or the test database cannot be dropped at the end of the run.
        connections.close_all()


def test_demo_directory_is_large_and_varied(demo_directory, db):
    published = Facility.objects.published()
    assert published.count() >= 150 and Program.objects.published().count() >= 200
    assert published.values("state").distinct().count() >= 8


def test_demo_directory_has_five_programs_within_ten_miles_of_90230(demo_directory, db, client):
    response = client.get("/search/", {"location": "90230", "radius": 10})
    assert len(program_ids(response)) >= 5 and max(distances(response)) <= 10


def test_loading_the_demo_twice_does_not_duplicate_it(demo_directory, db):
    before = (Facility.objects.count(), Program.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Facility.objects.count(), Program.objects.count()) == before


def test_pages_say_when_demo_listings_are_shown(demo_directory, db, client):
    assert b"Demo data: the listings shown are fictional" in client.get("/").content
