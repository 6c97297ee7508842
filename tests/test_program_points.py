"""A program's copy of its facility's point, which the search's circles read: it follows
the facility wherever a listing changes, and the migration that adds it fills it in."""

import importlib
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.db import connection

from facilities.models import Program
from tests.conftest import make_facility, make_program

SACRAMENTO = (38.5804, -121.4922)  # ZIP 95814's centre


def cities_found(client, zip_code, radius=10):
    answer = client.get("/api/v1/programs/", {"location": zip_code, "radius": radius}).json()
    return [item["facility"]["city"] for item in answer["results"]]


def test_a_facility_a_curator_moves_is_searched_at_its_new_place(client, db):
    facility = make_facility("Moving Center")
    make_program(facility, "Evening IOP")
    assert cities_found(client, "90230") == ["Culver City"]
    facility.city, (facility.latitude, facility.longitude) = "Sacramento", SACRAMENTO
    facility.save()
    assert (cities_found(client, "90230"), cities_found(client, "95814")) == ([], ["Sacramento"])


def test_a_program_given_to_another_facility_is_searched_at_that_facility(client, db):
    program = make_program(make_facility("First Home"), "Evening IOP")
    program.facility = make_facility("Second Home", point=SACRAMENTO, city="Sacramento")
    program.save()
    assert (cities_found(client, "90230"), cities_found(client, "95814")) == ([], ["Sacramento"])


def test_a_facility_without_a_point_leaves_its_programs_off_the_map(client, db):
    make_program(make_facility("Unplaced", point=None), "Evening IOP")
    assert cities_found(client, "90230", radius=100) == []
    assert Program.objects.get().latitude is None


def test_the_migration_copies_each_facilitys_point_to_its_programs(client, db):
    """0017 adds the copy to programs that exist: without it, every listing already in a
    database would vanish from searches with a place."""
    make_program(make_facility("Culver Center"), "Evening IOP")
    make_program(make_facility("River Center", point=SACRAMENTO, city="Sacramento"), "Day IOP")
    Program.objects.update(latitude=None, longitude=None)  # as the new columns start
    assert cities_found(client, "95814") == []
    migration = importlib.import_module("facilities.migrations.0017_program_point")
    migration.copy_facility_points(django_apps, SimpleNamespace(connection=connection))
    assert (cities_found(client, "90230"), cities_found(client, "95814")) == (
        ["Culver City"],
        ["Sacramento"],
    )
