"""Small factories for a directory built test by test, on the real database."""

import os
from datetime import time
from pathlib import Path

import pytest
from django.db import transaction

from facilities.models import Facility, Program, Session
from facilities.vocabularies import VOCABULARIES, add_missing_vocabulary_terms, relations_of

# ZIP 90230 (Culver City, CA): the centroid the offline geocoder gives.
CULVER_CITY = (33.9949, -118.3991)

TERM_FIELDS = {vocabulary.relation: vocabulary.model for vocabulary in VOCABULARIES}
WEEKDAY = {day.name.lower()[:3]: day.value for day in Session.Weekday}


def terms(field, slugs):
    found = list(TERM_FIELDS[field].objects.filter(slug__in=slugs))
    assert len(found) == len(slugs), f"unknown {field} slug among {slugs}"
    return found


def make_facility(name="Harbor Light Counseling", point=CULVER_CITY, **fields):
    """fields: the facility's, and the slugs of its vocabularies (English unless told)."""
    fields.setdefault("languages", ["en"])
    links = {field: fields.pop(field) for field in relations_of("Facility") if field in fields}
    values = {
        "city": "Culver City",
        "state": "CA",
        "zip_code": "90230",
        "status": Facility.Status.PUBLISHED,
        "phone": "(310) 555-0100",
    }
    values.update(fields)
    latitude, longitude = point if point else (None, None)
    facility = Facility.objects.create(name=name, latitude=latitude, longitude=longitude, **values)
    for field, slugs in links.items():
        getattr(facility, field).set(terms(field, slugs))
    return facility


def make_program(facility=None, name="Adult IOP", sessions=(), **fields):
    """sessions: ("mon", "18:00", "21:00") triples."""
    facility = facility or make_facility()
    links = {field: fields.pop(field) for field in relations_of("Program") if field in fields}
    fields.setdefault("focus", Program.Focus.SUBSTANCE_USE)
    program = Program.objects.create(facility=facility, name=name, **fields)
    for field, slugs in links.items():
        getattr(program, field).set(terms(field, slugs))
    for day, start, end in sessions:
        Session.objects.create(
            program=program,
            weekday=WEEKDAY[day],
            start_time=time.fromisoformat(start),
            end_time=time.fromisoformat(end),
        )
    program.refresh_from_db()
    return program


@pytest.fixture(scope="class")
def class_transaction(django_db_setup, django_db_blocker):
    """A transaction around a test class, rolled back after its last test: a class-scoped
    fixture that asks for it makes its rows once for all the class's tests, and each test's
    own transaction (`db`, `django_db`) is a savepoint inside it. Only for classes whose
    tests run in transactions (not `transactional_db` or a live server)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def facility(db):
    return make_facility()


@pytest.fixture
def program(db):
    return make_program(sessions=[("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")])


# --- Browser tests (marked `browser`): Debian's Chromium against a live server ------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PASADENA = (34.1478, -118.1445)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed here (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django's database calls from
    # the tests themselves are still synchronous, so its async guard does not apply here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(**context_options) -> a page on the live server; nothing else is reached."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(base_url=live_server.url, **{**PHONE, **options})
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(live_server.url)
                else route.abort()
            ),
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache, so with a directory version of its own: what was
    worked out from another test's listings (kept pages, the demo notice) is not served to
    it, though its own changes, rolled back with the test, never bump the version."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def directory(transactional_db):
    """Five facilities near Culver City, one in Pasadena, with varied programs."""
    # A live-server test empties the tables when it ends; the vocabularies come back as
    # `migrate` brings them.
    add_missing_vocabulary_terms()
    programs = []
    for n, (lat, lng) in enumerate([(33.9949, -118.3991), (33.9850, -118.3850),
                                    (34.0050, -118.4100), (34.0210, -118.3960),
                                    (33.9700, -118.4200)]):  # fmt: skip
        facility = make_facility(f"Center {n}", point=(lat, lng), payment_options=["medicaid"])
        modalities = ["cbt", "dbt"] if n % 2 == 0 else ["cbt"]
        programs.append(
            make_program(
                facility,
                f"Evening IOP {n}",
                modalities=modalities,
                sessions=[
                    ("mon", "18:00", "21:00"),
                    ("wed", "18:00", "21:00"),
                    ("thu", "18:00", "21:00"),
                ],
            )  # fmt: skip
        )
    programs.append(make_program(make_facility("Pasadena Center", point=PASADENA), "Far IOP"))
    return programs
