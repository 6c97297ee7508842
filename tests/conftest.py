"""Small factories for a directory built test by test, on the real database."""

from datetime import time

import pytest

from facilities.models import (
    Condition,
    Facility,
    Language,
    Modality,
    PaymentOption,
    Philosophy,
    Population,
    Program,
    Session,
    TransitionSupport,
)

# ZIP 90230 (Culver City, CA): the centroid the offline geocoder gives.
CULVER_CITY = (33.9949, -118.3991)

TERM_FIELDS = {
    "payment_options": PaymentOption,
    "languages": Language,
    "conditions": Condition,
    "populations": Population,
    "modalities": Modality,
    "philosophy": Philosophy,
    "transition_supports": TransitionSupport,
}
WEEKDAY = {day.name.lower()[:3]: day.value for day in Session.Weekday}


def terms(field, slugs):
    found = list(TERM_FIELDS[field].objects.filter(slug__in=slugs))
    assert len(found) == len(slugs), f"unknown {field} slug among {slugs}"
    return found


def make_facility(name="Harbor Light Counseling", point=CULVER_CITY, **fields):
    payment_options = fields.pop("payment_options", [])
    languages = fields.pop("languages", ["en"])
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
    facility.payment_options.set(terms("payment_options", payment_options))
    facility.languages.set(terms("languages", languages))
    return facility


def make_program(facility=None, name="Adult IOP", sessions=(), **fields):
    """sessions: ("mon", "18:00", "21:00") triples."""
    facility = facility or make_facility()
    links = {field: fields.pop(field, []) for field in TERM_FIELDS if field in fields}
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


@pytest.fixture
def facility(db):
    return make_facility()


@pytest.fixture
def program(db):
    return make_program(sessions=[("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")])
