"""Turn what a visitor typed into a point on the map.

One entry point, `geocode(text)`, with two backends: the offline one (ZIP and city centroids
from the `zipcodes` package, no network), the default, and geopy's Nominatim for full
street addresses when GEOCODER=nominatim. Answers are cached.
"""

import hashlib
import logging
import math
import re
import statistics
import unicodedata
from dataclasses import dataclass
from functools import cache

import zipcodes
from django.conf import settings
from django.core.cache import cache as django_cache
from django.utils.translation import gettext_lazy as _

from facilities.states import US_STATES

logger = logging.getLogger(__name__)

NOT_FOUND_MESSAGE = _("We couldn't find that place. Try a 5-digit ZIP code or City, ST.")
CACHE_SECONDS = 60 * 60 * 24

COORDINATES = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
ZIP_ONLY = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")
ZIP_AT_END = re.compile(r"\b(\d{5})(?:-\d{4})?\s*(?:,?\s*(?:usa|us|united states))?\s*$", re.I)
CITY_STATE = re.compile(r"^\s*([^\W\d_][\w .'\-]*?)\s*(?:,\s*|\s+)([a-z]{2})\s*$", re.I)


class PlaceNotFound(Exception):
    def __init__(self, message=NOT_FOUND_MESSAGE):
        super().__init__(str(message))  # in the language of the page asking


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    label: str  # what the page says we searched from: "Culver City, CA 90230"
    state: str  # two-letter code: the searcher's state, for online programs licensed there
    precision: str  # "coordinates", "zip", "city" or "address"

    @property
    def state_name(self):
        return US_STATES.get(self.state, self.state)


# --- The offline backend ----------------------------------------------------------------------


CITY_ABBREVIATIONS = {"ST": "SAINT", "STE": "SAINTE", "FT": "FORT", "MT": "MOUNT"}


def without_accents(text):
    """'Los Ángeles' -> 'Los Angeles': people type Spanish names with or without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise_city(name):
    """'St. Louis', 'saint louis' and 'ST LOUIS' all become 'SAINT LOUIS'."""
    name = without_accents(name)
    words = re.sub(r"[.\s]+", " ", name.replace("'", "")).strip().upper().split(" ")
    words[0] = CITY_ABBREVIATIONS.get(words[0], words[0])
    return " ".join(words)


def has_point(row):
    # A few ZIPs in the data have no coordinates, or "0", "0".
    return bool(row["lat"] and row["long"] and float(row["lat"]) and float(row["long"]))


@cache
def city_centroids():
    """{(CITY, ST): (lat, lng, display name)}: the median of the city's street ZIP centroids.

    The median, and street ZIPs before PO-box ones, keep a stray ZIP from pulling the
    centre of a city miles away.
    """
    rows_by_city = {}
    for row in zipcodes.list_all():
        if has_point(row):
            rows_by_city.setdefault((normalise_city(row["city"]), row["state"]), []).append(row)
    centroids = {}
    for key, rows in rows_by_city.items():
        street_rows = [row for row in rows if row["zip_code_type"] == "STANDARD"] or rows
        centroids[key] = (
            statistics.median(float(row["lat"]) for row in street_rows),
            statistics.median(float(row["long"]) for row in street_rows),
            rows[0]["city"],
        )
    return centroids


@cache
def zip_grid():
    """ZIP centroids bucketed by whole degree, to find the nearest ZIP to a point quickly."""
    grid = {}
    for row in zipcodes.list_all():
        if has_point(row):
            lat, lng = float(row["lat"]), float(row["long"])
            grid.setdefault((math.floor(lat), math.floor(lng)), []).append((lat, lng, row))
    return grid


def warm_up():
    """Read the ZIP data and build the indexes now, at a web process's start, rather than
    during somebody's first search (about 0.4 s)."""
    city_centroids()
    zip_grid()
    zip_index()


def nearest_zip(latitude, longitude, search_degrees=2):
    """The ZIP whose centroid is nearest the point, within about two degrees, or None."""
    best, best_distance = None, None
    cell_lat, cell_lng = math.floor(latitude), math.floor(longitude)
    grid = zip_grid()
    scale = math.cos(math.radians(latitude))
    for dlat in range(-search_degrees, search_degrees + 1):
        for dlng in range(-search_degrees, search_degrees + 1):
            for lat, lng, row in grid.get((cell_lat + dlat, cell_lng + dlng), ()):
                distance = (lat - latitude) ** 2 + ((lng - longitude) * scale) ** 2
                if best_distance is None or distance < best_distance:
                    best, best_distance = row, distance
    return best


@cache
def zip_index():
    """{ZIP code: its row}, for the ZIPs with a centroid: a dictionary look-up where
    zipcodes.matching() reads the whole list (about a millisecond a search)."""
    index = {}
    for row in zipcodes.list_all():
        if has_point(row):
            index.setdefault(row["zip_code"], row)
    return index


def zip_place(code, precision="zip"):
    row = zip_index().get(code)
    if row is None:
        return None
    return Place(
        latitude=float(row["lat"]),
        longitude=float(row["long"]),
        label=f"{row['city']}, {row['state']} {row['zip_code']}",
        state=row["state"],
        precision=precision,
    )


def offline_geocode(text):
    """Locate a ZIP, "City, ST", "City ST", an address ending in a ZIP, or "lat,lng"."""
    text = (text or "").strip()
    if not text or len(text) > 200:
        return None
    if match := COORDINATES.match(text):
        lat, lng = float(match[1]), float(match[2])
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            return None
        row = nearest_zip(lat, lng)
        return Place(
            latitude=lat,
            longitude=lng,
            label="your location",
            state=row["state"] if row else "",
            precision="coordinates",
        )
    if match := ZIP_ONLY.match(text):
        return zip_place(match[1])
    if match := CITY_STATE.match(text):
        state = match[2].upper()
        found = city_centroids().get((normalise_city(match[1]), state))
        if found:
            lat, lng, name = found
            return Place(lat, lng, f"{name.title()}, {state}", state, "city")
    if match := ZIP_AT_END.search(text):
        return zip_place(match[1], precision="address")
    return None


# --- The geopy backend ------------------------------------------------------------------------


def nominatim_geocode(text):
    """Full addresses through Nominatim, US only; anything it cannot place goes offline."""
    from geopy.exc import GeopyError
    from geopy.geocoders import Nominatim

    place = offline_geocode(text)
    if place is not None and place.precision != "address":
        return place  # a ZIP, a city or coordinates: the offline answer is as good
    geocoder = Nominatim(user_agent=settings.GEOCODER_USER_AGENT, timeout=settings.GEOCODER_TIMEOUT)
    try:
        location = geocoder.geocode(text, country_codes="us", addressdetails=True)
    except GeopyError as error:
        logger.warning("Nominatim did not answer (%s); using the offline geocoder", type(error))
        return place
    if location is None:
        return place
    row = nearest_zip(location.latitude, location.longitude)
    return Place(
        latitude=location.latitude,
        longitude=location.longitude,
        label=text.strip(),
        state=row["state"] if row else "",
        precision="address",
    )


BACKENDS = {"offline": offline_geocode, "nominatim": nominatim_geocode}


def geocode(text):
    """Return the Place the text names, or raise PlaceNotFound with a message for the visitor."""
    normalised = re.sub(r"\s+", " ", (text or "").strip().lower())
    key = "geocode:" + hashlib.sha256(normalised.encode()).hexdigest()
    place = django_cache.get(key)
    if place is None:
        place = BACKENDS[settings.GEOCODER](text)
        if place is None:
            raise PlaceNotFound()
        django_cache.set(key, place, CACHE_SECONDS)
    return place
