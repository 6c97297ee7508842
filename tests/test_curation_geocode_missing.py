"""`geocode_missing`: facilities without coordinates get their ZIP's or city's centre."""

import io

from django.core.management import call_command

from tests.conftest import CULVER_CITY, make_facility, make_program


def geocode_missing():
    output = io.StringIO()
    call_command("geocode_missing", stdout=output)
    return output.getvalue()


def located(facility):
    facility.refresh_from_db()
    return (facility.latitude, facility.longitude, facility.geocode_precision)


def test_it_places_a_facility_at_its_zip_codes_centre(db):
    facility = make_facility(point=None, zip_code="90230")
    geocode_missing()
    assert located(facility) == (*CULVER_CITY, "zip")


def test_its_programs_are_found_near_where_it_is_placed(client, db):
    make_program(make_facility("Placed Later", point=None, zip_code="90230"), "Evening IOP")
    search = {"location": "90230", "radius": 10}
    before = client.get("/api/v1/programs/", search).json()["count"]
    geocode_missing()
    assert (before, client.get("/api/v1/programs/", search).json()["count"]) == (0, 1)


def test_without_a_zip_code_it_uses_the_citys_centre(db):
    facility = make_facility(point=None, zip_code="")
    geocode_missing()
    assert located(facility)[2] == "city"


def test_a_zip_code_in_another_state_is_not_trusted(db):
    facility = make_facility(point=None, zip_code="10001")  # New York, for a CA listing
    geocode_missing()
    assert located(facility)[2] == "city"


def test_it_reports_what_it_could_not_place(db):
    make_facility("Nowhere Clinic", point=None, zip_code="", city="Qqqzzz")
    output = geocode_missing()
    assert "Could not place 1" in output and "Nowhere Clinic (Qqqzzz, CA)" in output


def test_it_says_how_many_it_placed_and_how(db):
    make_facility("By Zip", point=None, zip_code="90230")
    make_facility("By City", point=None, zip_code="")
    output = geocode_missing()
    assert "Placed 2 facilities: 1 at their ZIP code's centre, 1 at their city's." in output


def test_it_leaves_facilities_with_coordinates_alone(db):
    facility = make_facility(point=(34.0, -118.0), zip_code="90230")
    geocode_missing()
    assert located(facility)[:2] == (34.0, -118.0)


def test_it_keeps_the_change_in_the_history(db):
    facility = make_facility(point=None, zip_code="90230")
    geocode_missing()
    assert facility.history.first().history_change_reason == "geocode_missing"


def test_a_zip_plus_four_is_placed_by_its_first_five_digits(db):
    facility = make_facility(point=None, zip_code="90230-1234")
    geocode_missing()
    assert located(facility) == (*CULVER_CITY, "zip")
