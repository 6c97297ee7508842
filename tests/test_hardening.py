"""Production settings, headers, rate limits, privacy, bad input and a database that goes away."""

import logging
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilities import geocoding
from facilities.filters import ProgramFilter
from facilities.models import Correction, Facility, Program
from iop_finder.log_privacy import DropQueryStrings
from tests.conftest import make_program

ROOT = Path(__file__).resolve().parent.parent


def production_environment(**variables):
    """The environment of a separate process with the real settings module."""
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**environment, "DJANGO_SETTINGS_MODULE": "iop_finder.settings", **variables}


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


# --- Production settings -------------------------------------------------------------------------


def test_production_settings_pass_the_deploy_check(tmp_path):
    environment = production_environment(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="iop-finder.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment, capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr


def test_production_refuses_to_start_without_a_secret(tmp_path):
    environment = production_environment(DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="x.example.org")
    check = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert check.returncode != 0 and "SECRET_KEY is not set" in check.stderr


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_sent_to_https_unless_the_proxy_says_it_was(client, db):
    assert client.get("/").status_code == 301
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


# --- Headers --------------------------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_without_inline_script(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_forbid_sniffing_framing_and_leaking_the_search_to_other_sites(client, db):
    response = client.get("/search/", {"location": "90230"})
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY" and response["Referrer-Policy"] == "same-origin"


def inline_scripts(html):
    scripts = re.findall(r"<script(?P<attributes>[^>]*)>", html)
    return [a for a in scripts if "src=" not in a and 'type="application/json"' not in a]


def test_no_page_has_an_inline_script(client, program):
    facility = program.facility
    other = make_program(facility, "Second IOP")
    urls = [
        "/", "/search/?location=90230", facility.get_absolute_url(),
        f"/facilities/{facility.slug}/programs/{program.pk}/checklist/",
        f"/compare/?programs={program.pk},{other.pk}", f"/shortlist/?programs={program.pk}",
        "/shortlist/print/", f"/facilities/{facility.slug}/suggest/", "/privacy/", "/api/v1/docs/",
    ]  # fmt: skip
    found = {url: inline_scripts(client.get(url).content.decode()) for url in urls}
    assert {url: scripts for url, scripts in found.items() if scripts} == {}


# --- Rate limits ------------------------------------------------------------------------------


@pytest.fixture
def limits_on(settings, monkeypatch):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_SEARCH = "3/m"
    settings.RATELIMIT_CORRECTIONS = "2/h"
    settings.RATELIMIT_PAGES = "3/m"
    # Limits count in fixed windows: hold the limiter's clock still so a test's requests
    # never straddle the start of a new minute.
    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time.time", lambda: now)
    cache_of_limits().clear()
    yield settings
    cache_of_limits().clear()


def cache_of_limits():
    from django.conf import settings as django_settings
    from django.core.cache import caches

    return caches[getattr(django_settings, "RATELIMIT_USE_CACHE", "default")]


def test_too_many_searches_from_one_address_get_a_429_page(client, db, limits_on):
    statuses = [client.get("/search/", {"location": "90230"}).status_code for _ in range(4)]
    response = client.get("/search/")
    assert statuses == [200, 200, 200, 429] and b"Please wait a minute" in response.content


def test_another_address_is_not_limited(db, limits_on):
    for _ in range(3):
        Client(REMOTE_ADDR="10.0.0.1").get("/search/")
    assert Client(REMOTE_ADDR="10.0.0.2").get("/search/").status_code == 200


def test_the_api_answers_429_in_json(client, db, limits_on):
    for _ in range(3):
        client.get("/api/v1/programs/")
    response = client.get("/api/v1/programs/")
    assert response.status_code == 429 and "Too many requests" in response.json()["detail"]


def test_the_api_and_the_search_page_share_one_budget_of_searches(client, db, limits_on):
    for _ in range(2):
        client.get("/search/", {"location": "90230"})
    client.get("/api/v1/programs/")
    assert client.get("/api/v1/programs/").status_code == 429


def test_corrections_are_limited_to_a_few_an_hour(client, facility, limits_on):
    for n in range(3):
        response = client.post(
            f"/facilities/{facility.slug}/suggest/",
            {"field": "description", "suggested_value": f"x{n}"},
        )
    assert response.status_code == 429 and Correction.objects.count() == 2


def test_limits_can_be_turned_off_for_load_tests(client, db, limits_on, settings):
    settings.RATELIMIT_ENABLE = False
    assert {client.get("/search/").status_code for _ in range(5)} == {200}


# --- Admin logins --------------------------------------------------------------------------------


def test_repeated_failed_admin_logins_lock_the_address_out(client, admin_user):
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": "password"})
    assert response.status_code == 429 and b"Sign-in locked for an hour" in response.content


def test_admin_logins_are_kept_in_a_history(client, admin_user):
    from axes.models import AccessAttempt, AccessLog

    client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "password"})
    assert (
        AccessAttempt.objects.count() == 1 and AccessLog.objects.filter(username="admin").exists()
    )


# --- Privacy -------------------------------------------------------------------------------------


def test_request_logs_keep_no_query_string():
    record = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"%s" %s %s',
        ("GET /search/?location=33.9949%2C-118.3991&condition=opioid_use HTTP/1.1", "200", "512"),
        None,
    )  # fmt: skip
    DropQueryStrings().filter(record)
    assert record.getMessage() == '"GET /search/?… HTTP/1.1" 200 512'


def test_gunicorn_logs_paths_without_query_strings_or_addresses():
    config = (ROOT / "gunicorn.conf.py").read_text()
    log_format = re.search(r"access_log_format = '(.*)'", config).group(1)
    assert "%(U)s" in log_format and not re.search(r"%\((r|q|h|a)\)s", log_format)


def row_counts():
    from django.apps import apps

    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_a_search_stores_nothing_about_the_searcher(client, program):
    before = row_counts()
    client.get("/search/", {"location": "33.9949,-118.3991", "condition": "opioid_use"})
    client.get("/api/v1/programs/", {"location": "90230", "insurance": "medicaid"})
    assert row_counts() == before


def test_the_privacy_page_says_searches_are_not_stored(client, db):
    page = client.get("/privacy/").content
    assert (
        b"Your searches are not stored" in page and b'href="/privacy/"' in client.get("/").content
    )


# --- Bad input --------------------------------------------------------------------------------

ANY_TEXT = st.text(max_size=300)
PARAMETERS = st.sampled_from(
    ["location", "radius", "age", "insurance", "focus", "condition", "population", "modality",
     "philosophy", "transition", "time_of_day", "format", "max_days_per_week", "max_weeks",
     "language", "accepting", "sort", "page", "online_page", "include_online"]
)  # fmt: skip
QUERIES = st.lists(
    st.tuples(PARAMETERS, ANY_TEXT | st.sampled_from(["90230", "cbt", "0", "-1"])), max_size=8
)


@FUZZ
@given(text=ANY_TEXT)
def test_the_location_parser_never_fails_on_any_text(text):
    place = geocoding.offline_geocode(text)
    assert place is None or (-90 <= place.latitude <= 90 and -180 <= place.longitude <= 180)


@pytest.mark.django_db
@FUZZ
@given(query=QUERIES)
def test_the_filter_form_judges_any_query_without_failing(query):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for name, value in query:
        data.appendlist(name, value)
    filterset = ProgramFilter(data, queryset=Program.objects.published())
    if filterset.is_valid():
        list(filterset.qs[:5])
    else:
        assert set(filterset.errors) <= set(filterset.form.fields)


@pytest.mark.django_db
@FUZZ
@given(query=QUERIES)
def test_the_search_page_answers_any_query_without_a_server_error(query):
    response = Client().get("/search/", query)
    assert response.status_code < 500


def test_a_request_with_thousands_of_parameters_is_refused_cleanly(client, db):
    query = "&".join(f"modality=x{n}" for n in range(1500))
    assert client.get(f"/search/?{query}").status_code == 400


def test_an_overlong_place_gets_a_message_not_a_failure(client, db):
    response = client.get("/search/", {"location": "9" * 5000})
    assert (
        response.status_code == 200
        and b"Ensure this value has at most 200 characters" in response.content
    )


def test_an_oversized_suggestion_is_refused_cleanly(client, facility):
    big = "x" * (3 * 1024 * 1024)
    response = client.post(
        f"/facilities/{facility.slug}/suggest/", {"field": "description", "suggested_value": big}
    )
    assert response.status_code in (400, 413) and not Correction.objects.exists()


# --- The database goes away and comes back ----------------------------------------------------


@pytest.fixture
def database_down(db):
    """Every query fails as when the server is gone; undo() brings it back.

    Queries fail where they run, leaving the test's own connection as it was.
    """

    def refuse(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.MonkeyPatch.context() as patch:  # undone before the test database rolls back
        patch.setattr(CursorWrapper, "_execute", refuse)
        patch.setattr(CursorWrapper, "_executemany", refuse)
        yield patch


def test_pages_answer_a_friendly_503_while_the_database_is_down(client, program, database_down):
    response = client.get("/search/", {"location": "90230"})
    assert response.status_code == 503 and b"unavailable for a moment" in response.content
    assert response["Retry-After"] == "60"


def test_the_api_answers_503_in_json_while_the_database_is_down(client, program, database_down):
    response = client.get("/api/v1/programs/")
    assert response.status_code == 503 and "unavailable" in response.json()["detail"]


def test_the_health_check_says_503_while_the_database_is_down(client, db, database_down):
    assert client.get("/healthz").status_code == 503


def test_the_site_recovers_by_itself_when_the_database_returns(client, program, database_down):
    assert client.get("/search/").status_code == 503
    database_down.undo()
    assert client.get("/search/").status_code == 200 and client.get("/healthz").status_code == 200


def test_searches_read_from_the_replica_when_one_is_named(tmp_path):
    environment = production_environment(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'primary.sqlite3'}",
        DATABASE_REPLICA_URL=f"sqlite:///{tmp_path / 'replica.sqlite3'}",
    )
    script = (
        "import django; django.setup(); from django.db import router;"
        "from facilities.models import Program;"
        "print(router.db_for_read(Program), router.db_for_write(Program))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.stdout.split() == ["replica", "default"], result.stderr


def test_an_import_stopped_half_way_leaves_nothing_behind(db, monkeypatch):
    from facilities.importers import directory

    records = [
        (f"index {n}", {"name": f"Center {n}", "city": "Culver City", "state": "CA",
                        "programs": [{"name": "Adult IOP", "focus": "substance_use"}]})
        for n in range(5)
    ]  # fmt: skip
    save_facility = directory.DirectoryWriter.save_facility
    saved = []

    def power_cut_at_the_third(writer, *args):
        saved.append(args)
        if len(saved) == 3:
            raise RuntimeError("the process was stopped")
        return save_facility(writer, *args)

    monkeypatch.setattr(directory.DirectoryWriter, "save_facility", power_cut_at_the_third)
    with pytest.raises(RuntimeError):
        directory.import_directory(records, source="import:test")
    assert len(saved) == 3 and not Facility.objects.filter(source="import:test").exists()
    assert Program.objects.count() == 0


# --- Second round: what an outside probe found ---------------------------------------------------


def test_a_unicode_digit_as_the_radius_gets_a_message_not_a_failure(client, db):
    for path in ("/search/", "/es/search/"):
        for digit in ("²", "①"):
            assert client.get(path, {"location": "90230", "radius": digit}).status_code == 200


def test_the_api_names_a_unicode_digit_radius_as_a_bad_parameter(client, db):
    response = client.get("/api/v1/programs/", {"radius": "²"})
    assert response.status_code == 400 and "radius" in response.json()


def test_compare_never_shows_a_python_message(client, db):
    response = client.get("/compare/", {"programs": "²,1"})
    assert response.status_code == 400 and b"invalid literal" not in response.content


def test_a_failure_inside_the_api_answers_json(client, db, monkeypatch):
    from facilities.api import ProgramViewSet

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(ProgramViewSet, "list", fail)
    client.raise_request_exception = False
    response = client.get("/api/v1/programs/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert "detail" in response.json() and b"on fire" not in response.content


def test_an_unknown_api_address_answers_json(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and "detail" in response.json()


def test_rate_limits_are_counted_where_every_worker_sees_them():
    from django.core.cache.backends.locmem import LocMemCache

    assert not isinstance(cache_of_limits(), LocMemCache)


def pages_of(program):
    facility = program.facility
    other = make_program(facility, "Second IOP")
    return [
        facility.get_absolute_url(),
        f"/facilities/{facility.slug}/programs/{program.pk}/checklist/",
        f"/compare/?programs={program.pk},{other.pk}",
        f"/shortlist/?programs={program.pk}",
        f"/shortlist/print/?programs={program.pk}",
        f"/shortlist/export.csv?programs={program.pk}",
        f"/facilities/{facility.slug}/suggest/",
        "/",
    ]


def test_every_public_page_that_reads_the_directory_has_a_limit(client, program, limits_on):
    limited = {}
    for url in pages_of(program):
        cache_of_limits().clear()
        limited[url] = [client.get(url).status_code for _ in range(4)][-1]
    assert limited == {url: 429 for url in limited}


def test_places_sent_to_an_outside_geocoder_have_their_own_limit(
    client, db, limits_on, monkeypatch
):
    limits_on.GEOCODER = "nominatim"
    limits_on.RATELIMIT_GEOCODE = "2/m"
    asked = []

    def outside_geocoder(text):
        asked.append(text)
        return geocoding.offline_geocode(text)

    monkeypatch.setitem(geocoding.BACKENDS, "nominatim", outside_geocoder)
    places = ["90230", "90232", "90066"]
    statuses = [client.get("/search/", {"location": place}).status_code for place in places]
    assert statuses == [200, 200, 429] and len(asked) == 2


def test_compare_has_the_geocoders_limit_too(client, program, limits_on, monkeypatch):
    limits_on.GEOCODER = "nominatim"
    limits_on.RATELIMIT_GEOCODE = "1/m"
    limits_on.RATELIMIT_PAGES = "100/m"
    monkeypatch.setitem(geocoding.BACKENDS, "nominatim", geocoding.offline_geocode)
    other = make_program(program.facility, "Second IOP")
    programs = f"{program.pk},{other.pk}"
    statuses = [
        client.get("/compare/", {"programs": programs, "location": place}).status_code
        for place in ("90230", "90232")
    ]
    assert statuses == [200, 429]


def test_the_deploy_check_says_where_rate_limits_are_counted(tmp_path):
    environment = production_environment(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="iop-finder.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        REDIS_URL="",
    )
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment, capture_output=True, text=True,
    )  # fmt: skip
    said = check.stdout + check.stderr
    assert check.returncode == 0 and "rate limits are counted in the database" in said.lower(), said


def database_settings(**variables):
    script = (
        "import json, django; django.setup(); from django.conf import settings;"
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    environment = production_environment(DEBUG="1", **variables)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout)


def test_postgresql_connections_give_up_instead_of_hanging():
    options = database_settings(
        DATABASE_URL="postgres://u@127.0.0.1:5432/x", DB_STATEMENT_TIMEOUT="5"
    )
    assert options["connect_timeout"] == 3 and "statement_timeout=5000" in options["options"]


def test_sqlite_waits_for_a_lock_a_bounded_time(tmp_path):
    options = database_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert options["timeout"] == 5


@pytest.mark.parametrize(
    "variables, mapped", [({}, 256 * 1024 * 1024), ({"SQLITE_MMAP_BYTES": "0"}, 0)]
)
def test_sqlite_reads_the_database_through_a_memory_map(tmp_path, variables, mapped):
    """A search in a dense region walks more index pages than SQLite's own cache holds; a
    connection maps the file instead (0 turns it off)."""
    script = (
        "import django; django.setup(); from django.db import connection;"
        "print(connection.cursor().execute('PRAGMA mmap_size').fetchone()[0])"
    )
    environment = production_environment(
        DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}", **variables
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0 and int(result.stdout) == mapped, result.stderr


def test_the_web_process_bounds_each_statement_and_each_request():
    script = (
        "import os, runpy; config = runpy.run_path('gunicorn.conf.py');"
        "print(os.environ['DB_STATEMENT_TIMEOUT'], config['timeout'],"
        " config['limit_request_field_size'])"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DB_STATEMENT_TIMEOUT"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    statement, worker, header = result.stdout.split()
    assert int(statement) <= 10 and int(worker) <= 30 and int(header) <= 8190, result.stderr


@pytest.fixture
def silent_database():
    """A socket that accepts connections and never says a word, as a hung database does."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"postgres://iop@127.0.0.1:{listener.getsockname()[1]}/iop_finder"
    listener.close()


HEALTH_UNDER_A_SILENT_DATABASE = """
import time, django
django.setup()
from django.test import Client
started = time.monotonic()
status = Client().get("/healthz").status_code
print(status, time.monotonic() - started)
"""


def test_the_health_check_answers_503_within_2_seconds_when_the_database_hangs(silent_database):
    environment = production_environment(
        DEBUG="1", DATABASE_URL=silent_database, ALLOWED_HOSTS="testserver"
    )
    result = subprocess.run(
        [sys.executable, "-c", HEALTH_UNDER_A_SILENT_DATABASE],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    status, seconds = result.stdout.split()
    assert status == "503" and float(seconds) < 2, result.stderr[-2000:]


def test_a_page_answers_503_within_seconds_when_the_database_hangs(silent_database):
    script = HEALTH_UNDER_A_SILENT_DATABASE.replace("/healthz", "/facilities/x/")
    environment = production_environment(
        DEBUG="1", DATABASE_URL=silent_database, ALLOWED_HOSTS="testserver"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    status, seconds = result.stdout.split()
    assert status == "503" and float(seconds) < 10, result.stderr[-2000:]


def compose():
    import yaml

    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_puts_a_buffering_proxy_in_front_of_gunicorn():
    services = compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:") and "ports" not in services["web"]
    assert any("deploy/nginx.conf" in volume for volume in proxy["volumes"])


def test_compose_has_no_default_password_or_secret():
    text = (ROOT / "compose.yaml").read_text()
    assert "change-me" not in text and "${POSTGRES_PASSWORD:?" in text
    assert "${SECRET_KEY:?" in text


def test_the_proxy_bounds_slow_clients_and_bodies():
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    for directive in ("client_header_timeout", "client_body_timeout", "client_max_body_size"):
        assert re.search(rf"^\s*{directive}\s+\S+;", config, re.M), directive


def test_a_kept_api_answer_names_the_host_that_asked(client, db, settings):
    settings.SEARCH_CACHE_SECONDS = 300
    settings.ALLOWED_HOSTS = ["a.example.org", "b.example.org"]
    make_program(name="First IOP")
    make_program(name="Second IOP")
    client.get("/api/v1/programs/", {"page_size": 1}, HTTP_HOST="a.example.org")
    second = client.get("/api/v1/programs/", {"page_size": 1}, HTTP_HOST="b.example.org")
    assert second.json()["next"].startswith("http://b.example.org/")


def test_a_public_form_accepts_no_file(client, facility):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.jpg", b"x" * 50_000)
    response = client.post(
        f"/facilities/{facility.slug}/suggest/",
        {"field": "description", "suggested_value": "x", "attachment": upload},
    )
    assert response.status_code == 400 and not Correction.objects.exists()


def test_a_large_body_to_a_public_form_is_refused_before_it_is_read(client, facility):
    response = client.post(
        f"/facilities/{facility.slug}/suggest/",
        b"field=description&suggested_value=x&padding=" + b"x" * 1_000_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413 and not Correction.objects.exists()
    assert "More than this form takes" in response.content.decode()


def test_a_large_body_is_refused_with_a_page_in_the_language_of_the_address(client, facility):
    response = client.post(
        f"/es/facilities/{facility.slug}/suggest/",
        b"suggested_value=" + b"x" * 1_000_000,
        content_type="application/x-www-form-urlencoded",
    )
    page = response.content.decode()
    assert response.status_code == 413 and response["Content-Type"].startswith("text/html")
    assert '<html lang="es">' in page and 'href="/es/"' in page


def test_guesses_spread_over_many_addresses_still_lock_the_account(admin_user):
    for n in range(5):
        Client(REMOTE_ADDR=f"10.9.0.{n}").post(
            "/admin/login/", {"username": "admin", "password": "wrong"}
        )
    response = Client(REMOTE_ADDR="10.9.0.99").post(
        "/admin/login/", {"username": "admin", "password": "password"}
    )
    assert response.status_code == 429


def test_admin_sessions_last_hours_not_weeks(client, admin_user):
    response = client.post("/admin/login/", {"username": "admin", "password": "password"})
    assert response.status_code == 302
    assert int(response.cookies["sessionid"]["max-age"]) <= 12 * 3600


def test_pages_allow_geolocation_on_the_site_itself_only(client, db):
    policy = client.get("/")["Permissions-Policy"]
    assert "geolocation=(self)" in policy and "camera=()" in policy


# --- Under gunicorn: several workers, one machine, no Redis --------------------------------------


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url, seconds=60):
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="module")
def gunicorn_with_the_demo(tmp_path_factory):
    """gunicorn with 3 workers on 127.0.0.1, a SQLite file holding the demo directory and
    no REDIS_URL; the visitor's address comes in X-Real-IP, as from the proxy."""
    database = tmp_path_factory.mktemp("gunicorn") / "demo.sqlite3"
    port = free_port()
    environment = production_environment(
        DEBUG="1",  # static files from their folders: no collectstatic for a test
        DATABASE_URL=f"sqlite:///{database}",
        ALLOWED_HOSTS="127.0.0.1",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="3",
        CLIENT_IP_HEADER="HTTP_X_REAL_IP",
        REDIS_URL="",
    )
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=environment,
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-c", "gunicorn.conf.py", "iop_finder.wsgi"], cwd=ROOT, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def address_with_most_of_its_minute_left():
    """django-ratelimit's minutes end at a second that depends on the address: one whose
    minute has at least 45 s left, so 200 searches are all counted in the same minute."""
    import zlib

    now = int(time.time())
    for n in range(1, 250):
        address = f"10.26.0.{n}"
        if (zlib.crc32(address.encode()) % 60 - now % 60) % 60 >= 45:
            return address
    raise AssertionError("no address found")


def test_200_searches_from_one_address_under_3_workers_get_a_429_after_at_most_125(
    gunicorn_with_the_demo,
):
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    address = address_with_most_of_its_minute_left()
    url = f"{gunicorn_with_the_demo}/search/?location=90230"

    def search(_):
        request = urllib.request.Request(url, headers={"X-Real-IP": address})
        try:
            with urllib.request.urlopen(request, timeout=20) as answer:
                return answer.status
        except urllib.error.HTTPError as refused:
            return refused.code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as clients:  # the 3 workers count at the same time
        statuses = list(clients.map(search, range(200)))
    assert time.monotonic() - started < 45
    assert set(statuses) == {200, 429} and statuses.count(200) <= 125, statuses.count(200)


@pytest.fixture
def nginx_in_front(gunicorn_with_the_demo, tmp_path):
    """deploy/nginx.conf run by Debian's nginx on 127.0.0.1, passing to the test's gunicorn."""
    import shutil

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("Debian's nginx is not installed here (apt-get install nginx-light)")
    port = free_port()
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    config = config.replace("http://web:8000", gunicorn_with_the_demo)
    config = config.replace("listen 80 default_server;", f"listen 127.0.0.1:{port};")
    (tmp_path / "nginx.conf").write_text(config)
    server = subprocess.Popen(
        [nginx, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path),
         "-g", f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", seconds=20)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_slow_clients_through_the_proxy_leave_the_site_answering(nginx_in_front):
    import socket
    import urllib.request

    slow = []
    for _ in range(8):  # more connections than gunicorn has workers, each sending slowly
        connection = socket.create_connection(("127.0.0.1", nginx_in_front))
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow.append(connection)
    try:
        time.sleep(1)
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{nginx_in_front}/healthz", timeout=10):
            pass
        assert time.monotonic() - started < 2
    finally:
        for connection in slow:
            connection.close()
