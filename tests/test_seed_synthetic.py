"""seed_synthetic: a large fictional directory for benchmarks, the same for the same seed."""

import io

import pytest
import zipcodes
from django.core.management import call_command
from django.core.management.base import CommandError

from facilities import phones
from facilities.models import Facility, Program
from facilities.schedule import schedule_facts

SOURCE = "import:synthetic"
FACILITY_LINKS = ("payment_options", "languages", "accreditations")
PROGRAM_LINKS = ("conditions", "populations", "modalities", "philosophy", "transition_supports")
NOT_COMPARED = {"id", "facility", "created_at", "updated_at"}  # differ from run to run


def seed(*options, count=30, seed=1):
    call_command(
        "seed_synthetic", "--count", str(count), "--seed", str(seed), *options, stdout=io.StringIO()
    )


def fields_of(instance):
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.name not in NOT_COMPARED
    }


def directory():
    """The seeded listings as plain values, without the ids and timestamps of a run."""
    facilities = Facility.objects.filter(source=SOURCE).order_by("external_id")
    return [
        {
            **fields_of(facility),
            **{name: list(getattr(facility, name).values_list("slug", flat=True).order_by("slug"))
               for name in FACILITY_LINKS},
            "programs": [
                {
                    **fields_of(program),
                    **{name: list(getattr(program, name).values_list("slug", flat=True)
                                  .order_by("slug"))
                       for name in PROGRAM_LINKS},
                    "sessions": list(
                        program.sessions.values_list("weekday", "start_time", "end_time")
                    ),
                }
                for program in facility.programs.order_by("pk")
            ],
        }
        for facility in facilities
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_directory():
    seed()
    first = directory()
    seed("--clear")
    assert directory() == first and len(first) == 30


@pytest.mark.django_db
def test_another_seed_writes_another_directory():
    seed()
    first = directory()
    seed("--clear", seed=2)
    assert directory() != first


@pytest.mark.django_db
def test_programs_store_the_schedule_facts_of_their_sessions():
    seed()
    for program in Program.objects.filter(facility__source=SOURCE).prefetch_related("sessions"):
        facts = schedule_facts(program.sessions.all())
        stored = (
            program.days_per_week,
            program.hours_per_week,
            program.offers_morning,
            program.offers_afternoon,
            program.offers_evening,
            program.offers_weekend,
        )
        assert facts.days_per_week > 0
        assert stored == (
            facts.days_per_week,
            facts.hours_per_week,
            facts.morning,
            facts.afternoon,
            facts.evening,
            facts.weekend,
        )


@pytest.mark.django_db
def test_every_facility_has_one_to_three_programs_on_a_real_zip_centroid():
    seed()
    for facility in Facility.objects.filter(source=SOURCE).prefetch_related("programs"):
        (record,) = zipcodes.matching(facility.zip_code)
        assert 1 <= len(facility.programs.all()) <= 3
        assert (record["state"], float(record["lat"]), float(record["long"])) == (
            facility.state,
            facility.latitude,
            facility.longitude,
        )
        # The search finds a program at the point it copies from its facility.
        for program in facility.programs.all():
            assert (program.latitude, program.longitude) == (facility.latitude, facility.longitude)


@pytest.mark.django_db
def test_seeding_again_with_clear_replaces_the_directory_instead_of_adding_to_it():
    seed()
    counts = (Facility.objects.count(), Program.objects.count())
    seed("--clear")
    assert (Facility.objects.count(), Program.objects.count()) == counts


@pytest.mark.django_db
def test_seeding_again_without_clear_is_refused():
    seed()
    with pytest.raises(CommandError, match="--clear"):
        seed()


@pytest.mark.django_db
def test_seeded_listings_are_published_fictional_and_write_no_history():
    seed()
    facilities = Facility.objects.filter(source=SOURCE)
    assert set(facilities.values_list("status", flat=True)) == {"published"}
    numbers = [n for pair in facilities.values_list("phone", "intake_phone") for n in pair if n]
    # In the stored form a curator's save gives a number, in the range kept for fiction.
    assert all(phones.normalize(number) == number for number in numbers)
    assert all(number[5:10] == "55501" for number in numbers)
    assert all(".example.org/" in url for url in facilities.values_list("website", flat=True))
    assert Facility.history.count() == Program.history.count() == 0
