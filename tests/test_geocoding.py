import pytest
from geopy.exc import GeocoderTimedOut
from geopy.geocoders import Nominatim

from facilities import geocoding
from facilities.geocoding import PlaceNotFound, geocode, offline_geocode

NOT_FOUND = "We couldn't find that place. Try a 5-digit ZIP code or City, ST."


def point(place):
    return (round(place.latitude, 4), round(place.longitude, 4))


def test_a_zip_code_finds_its_centre():
    assert point(geocode("90230")) == (33.9949, -118.3991)


def test_a_zip_code_knows_its_state():
    assert geocode("90230").state == "CA"


def test_a_zip_code_is_labelled_with_its_city():
    assert "Culver City" in geocode("90230").label


def test_a_zip_plus_four_finds_the_same_place_as_its_zip():
    assert point(geocode("90230-1234")) == point(geocode("90230"))


def test_city_and_state_are_found_near_the_city():
    place = geocode("Culver City, CA")
    assert abs(place.latitude - 34.0) < 0.1 and abs(place.longitude + 118.4) < 0.1
    assert place.state == "CA"


@pytest.mark.parametrize("text", ["culver city ca", "CULVER CITY, CA", "  Culver City ,CA  "])
def test_city_and_state_are_found_whatever_the_case_and_punctuation(text):
    assert offline_geocode(text) == offline_geocode("Culver City, CA")


def test_saint_and_st_abbreviation_find_the_same_city():
    assert offline_geocode("St. Louis, MO") == offline_geocode("Saint Louis MO")


def test_saint_louis_is_in_missouri():
    place = geocode("St. Louis, MO")
    assert place.state == "MO" and abs(place.latitude - 38.63) < 0.1


def test_a_full_address_is_found_by_the_zip_at_its_end():
    place = geocode("10000 Washington Blvd, Culver City, CA 90232")
    assert (point(place), place.state) == (point(geocode("90232")), "CA")


@pytest.mark.parametrize("text", ["40.7580,-73.9855", "40.7580, -73.9855"])
def test_coordinates_are_used_as_typed(text):
    assert point(geocode(text)) == (40.758, -73.9855)


def test_coordinates_take_the_state_of_the_nearest_zip():
    # Times Square, Manhattan.
    assert geocode("40.7580,-73.9855").state == "NY"


def test_coordinates_near_a_state_line_take_the_state_they_are_in():
    # Downtown Kansas City, Kansas, a mile west of the Missouri line.
    assert geocode("39.1147,-94.6275").state == "KS"


@pytest.mark.parametrize(
    "text",
    [
        "91,0",  # latitude beyond the pole
        "40.7,-181",  # longitude beyond the antimeridian
        "00000",  # not a ZIP code
        "99999",  # not a ZIP code
        "xyzzy plugh",
        "",
        "   ",
        "Springfield",  # a city in many states, and no state given
        "Culver City, ZZ",  # not a state
        "a" * 250 + " 90230",  # longer than anyone types, even if it ends in a ZIP
    ],
)
def test_a_place_that_cannot_be_found_says_how_to_type_one(text):
    with pytest.raises(PlaceNotFound) as not_found:
        geocode(text)
    assert str(not_found.value) == NOT_FOUND


def test_a_repeated_lookup_is_served_from_the_cache(monkeypatch):
    calls = []

    def counting_backend(text):
        calls.append(text)
        return offline_geocode(text)

    monkeypatch.setitem(geocoding.BACKENDS, "offline", counting_backend)
    geocode("Culver City, CA")
    geocode("culver city,  ca ")
    assert len(calls) == 1


def test_a_cached_lookup_gives_the_same_place(monkeypatch):
    first = geocode("90230")
    monkeypatch.setitem(geocoding.BACKENDS, "offline", lambda text: None)
    assert geocode("90230") == first


def test_a_place_not_found_is_asked_again_next_time(monkeypatch):
    calls = []

    def counting_backend(text):
        calls.append(text)
        return None

    monkeypatch.setitem(geocoding.BACKENDS, "offline", counting_backend)
    for _ in range(2):
        with pytest.raises(PlaceNotFound):
            geocode("xyzzy plugh")
    assert len(calls) == 2


@pytest.fixture
def nominatim_times_out(settings, monkeypatch):
    calls = []

    def timed_out(self, query, **kwargs):
        calls.append(query)
        raise GeocoderTimedOut("Service timed out")

    settings.GEOCODER = "nominatim"
    monkeypatch.setattr(Nominatim, "geocode", timed_out)
    return calls


def test_an_address_falls_back_to_its_zip_when_nominatim_times_out(nominatim_times_out):
    place = geocode("10000 Washington Blvd, Culver City, CA 90232")
    assert (point(place), place.state) == (point(offline_geocode("90232")), "CA")


def test_nominatim_is_asked_about_a_full_address(nominatim_times_out):
    geocode("10000 Washington Blvd, Culver City, CA 90232")
    assert nominatim_times_out == ["10000 Washington Blvd, Culver City, CA 90232"]


def test_an_address_nominatim_cannot_place_and_without_a_zip_is_not_found(nominatim_times_out):
    with pytest.raises(PlaceNotFound, match="Try a 5-digit ZIP code or City, ST."):
        geocode("10000 Washington Blvd, Nowhere")
