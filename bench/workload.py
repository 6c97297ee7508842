"""The searches the benchmarks run, and the Django setup they share.

Not run on its own: bench/search_latency.py, bench/profile_search.py and bench/http_load.py
import it. A workload is deterministic for a seed: the same places, radii and filters.

Places are real ZIP codes, half taken from the listings' own ZIPs (a search where programs
are) and half from all US street ZIPs (anywhere, often rural, often few results). Each search
has a radius of 10, 25 or 50 miles and one of the common filter mixes below.

Two more cases are measured beside them: searches near a listing's ZIP with three filters
that match nothing within 10 miles (the zero-result page, where the page looks for the way
out), and the raw floor, one hand-written SQL statement for each search's point that reads
the 20 nearest published facilities within 25 miles: the data work alone.
"""

import os
import sys
import time
from pathlib import Path
from random import Random
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:////tmp/iop_bench.sqlite3"
BENCH_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-never-used-in-production",
    # One client address sends every request: the per-address limits would answer 429.
    "RATELIMIT_ENABLE": "0",
    "LOG_LEVEL": "WARNING",
    # Latency is of searches worked out: the cache of search answers is off unless a
    # script turns it on (http_load.py --search-cache).
    "SEARCH_CACHE_SECONDS": "0",
}
# Requests arrive as through the HTTPS proxy of production, so no redirect to https://.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}

RADII = (10, 25, 50)
INSURANCE = ("medicaid", "private_insurance", "medicare", "aetna", "bcbs", "self_pay", "tricare")
AGES = (15, 17, 22, 35, 50, 68)
MODALITIES = ("cbt", "dbt", "mat_buprenorphine", "family_therapy", "emdr", "group_therapy")
TIMES_OF_DAY = (("evening",), ("morning",), ("weekend",), ("morning", "evening"), ("afternoon",))
FORMATS = ("in_person", "telehealth", "hybrid")
# (name, relative weight, {parameter: the values to draw one from}).
FILTER_MIXES = (
    ("place only", 3, {}),
    ("insurance", 3, {"insurance": INSURANCE}),
    ("age", 2, {"age": AGES}),
    ("modality", 2, {"modality": MODALITIES}),
    ("time_of_day", 2, {"time_of_day": TIMES_OF_DAY}),
    ("format", 1, {"format": FORMATS}),
    ("insurance+age", 2, {"insurance": INSURANCE, "age": AGES}),
    ("insurance+time+format", 1,
     {"insurance": INSURANCE, "time_of_day": TIMES_OF_DAY, "format": FORMATS}),
    ("age+modality+time", 1, {"age": AGES, "modality": MODALITIES, "time_of_day": TIMES_OF_DAY}),
    ("five filters", 1,
     {"insurance": INSURANCE, "age": AGES, "modality": MODALITIES,
      "time_of_day": TIMES_OF_DAY, "format": FORMATS}),
)  # fmt: skip


# Three filters, as a parent asks: Medicaid, age 16, evenings (the zero-result page's case).
THREE_FILTER_MIXES = (
    {"insurance": INSURANCE, "age": AGES, "time_of_day": TIMES_OF_DAY},
    {"insurance": INSURANCE, "time_of_day": TIMES_OF_DAY, "format": FORMATS},
    {"age": AGES, "modality": MODALITIES, "time_of_day": TIMES_OF_DAY},
)
ZERO_RESULT_MILES = 10
FLOOR_MILES, FLOOR_ROWS = 25, 20


def database_url(given):
    """The database to bench: --database-url, else DATABASE_URL, else a SQLite file in /tmp.
    Never the project's own db.sqlite3."""
    url = given or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if url.startswith("sqlite") and Path(url.split("///", 1)[-1]).resolve() == (
        ROOT / "db.sqlite3"
    ):
        raise SystemExit("Refusing to bench the project's db.sqlite3: use a separate file.")
    return url


def configure(url, allowed_hosts):
    """Production-like settings (DEBUG off) on the given database; returns the environment."""
    os.environ.update(BENCH_ENVIRONMENT, DATABASE_URL=url, ALLOWED_HOSTS=allowed_hosts)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return dict(os.environ)


def seed_directory(count, seed=1):
    """Migrate, then replace the synthetic listings with `count` new ones; returns seconds."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_synthetic", count=count, seed=seed, clear=True)
    return time.perf_counter() - started


def prepare():
    """Collect static files (the manifest storage needs them); on PostgreSQL, VACUUM ANALYZE,
    as autovacuum does on a live database after a bulk load (the statistics the planner
    reads, the visibility map that lets an index answer alone), even where the server's
    autovacuum is off; then start as a web process does (iop_finder/wsgi.py: the geocoder's
    data read, gc.freeze())."""
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    import iop_finder.wsgi  # noqa: F401


class WsgiResponse:
    def __init__(self, status, content):
        self.status_code = int(status.split()[0])
        self.content = content


class WsgiClient:
    """GET requests handed to the project's WSGI application (iop_finder.wsgi), as gunicorn
    hands them, without the network. Django's test Client is not used: it keeps every
    response in reference cycles with its request and client, and the garbage collector's
    walks over them added some 15 ms to a median search, a cost no web process pays."""

    def __init__(self):
        from django.test import RequestFactory

        from iop_finder.wsgi import application

        self.application = application
        self.factory = RequestFactory()

    def get(self, path):
        environ = self.factory.get(path, secure=True, headers=PROXY_HEADERS).environ
        started = []

        def start_response(status, headers, exc_info=None):
            started.append(status)

        chunks = self.application(environ, start_response)
        try:
            content = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()  # request_finished: what a WSGI server does after each response
        return WsgiResponse(started[0], content)


def describe_database():
    """'postgresql 15.2 (shared_buffers 4GB): 25,207 published facilities, 39,782 programs'."""
    from django.db import connection

    from facilities.models import Facility, Program

    with connection.cursor() as cursor:
        version = "sqlite" if connection.vendor == "sqlite" else "postgresql"
        cursor.execute("SELECT sqlite_version()" if version == "sqlite" else "SHOW server_version")
        version += " " + cursor.fetchone()[0].split()[0]
        if connection.vendor == "postgresql":
            # What of the database PostgreSQL can keep in its own memory.
            cursor.execute("SHOW shared_buffers")
            version += f" (shared_buffers {cursor.fetchone()[0]})"
    facilities = Facility.objects.filter(status="published").count()
    programs = Program.objects.filter(facility__status="published").count()
    return f"{version}: {facilities:,} published facilities, {programs:,} programs"


def check_vocabulary():
    from facilities.models import Modality, PaymentOption

    for model, slugs in ((PaymentOption, INSURANCE), (Modality, MODALITIES)):
        missing = set(slugs) - set(model.objects.values_list("slug", flat=True))
        if missing:
            raise SystemExit(f"Vocabulary terms missing (run migrate?): {sorted(missing)}")


def searches(count, seed):
    """[(filter mix name, query string)], deterministic for the seed and the listings' ZIPs."""
    import zipcodes

    from facilities.geocoding import has_point

    check_vocabulary()
    rng = Random(seed)
    listed = listed_zips()
    anywhere = sorted(
        row["zip_code"]
        for row in zipcodes.list_all()
        if row["zip_code_type"] == "STANDARD" and has_point(row)
    )
    if not listed:
        raise SystemExit("No published listings: seed first (--seed-count N).")
    mixes = [mix for mix in FILTER_MIXES for _ in range(mix[1])]
    result = []
    for _ in range(count):
        name, _weight, filters = rng.choice(mixes)
        zip_code = rng.choice(listed if rng.random() < 0.5 else anywhere)
        params = [("location", zip_code), ("radius", rng.choice(RADII))]
        result.append((name, urlencode(params + drawn_filters(rng, filters))))
    return result


def listed_zips():
    from facilities.models import Facility

    zips = Facility.objects.filter(status="published").values_list("zip_code", flat=True)
    return sorted(set(zips) - {""})


def drawn_filters(rng, filters):
    """[(parameter, value)], one of each parameter's options (a tuple gives several values)."""
    params = []
    for parameter, options in filters.items():
        value = rng.choice(options)
        values = value if isinstance(value, tuple) else (value,)
        params += [(parameter, one) for one in values]
    return params


def zero_result_searches(client, count, seed, tries_each=40):
    """([query string], candidates asked): up to `count` searches near a listing's ZIP,
    within 10 miles, with three filters, that the API answers with no program. Candidates
    are asked in turn, untimed, at most `tries_each` times `count` of them."""
    import json

    check_vocabulary()
    rng = Random(seed)
    listed = listed_zips()
    if not listed:
        raise SystemExit("No published listings: seed first (--seed-count N).")
    found, asked = [], 0
    while len(found) < count and asked < count * tries_each:
        asked += 1
        params = [("location", rng.choice(listed)), ("radius", ZERO_RESULT_MILES)]
        query = urlencode(params + drawn_filters(rng, rng.choice(THREE_FILTER_MIXES)))
        response = client.get(f"/api/v1/programs/?{query}")
        if response.status_code == 200 and json.loads(response.content)["count"] == 0:
            found.append(query)
    return found, asked


def floor_statement():
    """The raw floor's SQL: the FLOOR_ROWS nearest published facilities within FLOOR_MILES
    of a point, from the coordinates' index (a bounding box) and the haversine. Its
    parameters come from floor_params(). Both databases have the math functions built in
    (SQLite since 3.35)."""
    from facilities.models import Facility

    table = Facility._meta.db_table
    return f"""
        SELECT id, miles FROM (
            SELECT id, %s * ASIN(SQRT(
                POWER(SIN((RADIANS(latitude) - %s) / 2), 2)
                + %s * COS(RADIANS(latitude)) * POWER(SIN((RADIANS(longitude) - %s) / 2), 2)
            )) AS miles
            FROM {table}
            WHERE status = 'published'
              AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s
        ) AS boxed
        WHERE miles <= %s
        ORDER BY miles, id
        LIMIT {FLOOR_ROWS}
    """


def floor_params(query):
    """The floor statement's parameters for a search's place, or None if it has no point.
    A box that crosses the antimeridian (the far Aleutians) is cut at it: a floor, not an
    answer."""
    import math
    from urllib.parse import parse_qs

    from facilities.geocoding import zip_place
    from facilities.querysets import EARTH_RADIUS_MILES, bounding_box

    place = zip_place(parse_qs(query)["location"][0])
    if place is None:
        return None
    south, north, west, east = bounding_box(place.latitude, place.longitude, FLOOR_MILES)
    latitude, longitude = math.radians(place.latitude), math.radians(place.longitude)
    return [
        2 * EARTH_RADIUS_MILES, latitude, math.cos(latitude), longitude,
        south, north, west, east, FLOOR_MILES,
    ]  # fmt: skip


def cpu_reference():
    """Milliseconds this machine takes for a fixed piece of pure Python (the best of five):
    the figures of machines of one kind differ by two or three times, and this one line lets
    a figure taken on one be read against another's. Half the milliseconds, twice the speed."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        rows = [{"id": n, "name": f"program {n}", "miles": n % 97 / 7} for n in range(50_000)]
        rows.sort(key=lambda row: (row["miles"], row["name"]))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def describe_machine():
    """'2 cores, CPU reference 90 ms (workload.cpu_reference)'."""
    reference = cpu_reference()
    return f"{os.cpu_count()} cores, CPU reference {reference:.0f} ms (workload.cpu_reference)"


def percentile(values, fraction):
    """The nearest-rank percentile of a list of numbers."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]
