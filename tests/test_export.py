"""`export_facilities`: the directory out as JSON or CSV, and back in unchanged."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from facilities.models import Accreditation, Facility, Program
from tests.conftest import make_facility, make_program

VERIFIED = datetime(2025, 11, 3, 15, 30, 12, 345678, tzinfo=UTC)


# Phone numbers as the directory stores them (E.164), which is what an import stores too.
PHONE, INTAKE_PHONE = "+13105550100", "+13105550111"


@pytest.fixture
def directory(db):
    """Listings that exercise every field the export carries, and the awkward cases."""
    harbor = make_facility(
        "Harbor Light Counseling",
        street="1 Main St",
        phone=PHONE,
        intake_phone=INTAKE_PHONE,
        website="https://harbor.example.org",
        description="Evening groups; family night on Thursdays.\nParking behind.",
        facility_type=Facility.FacilityType.SUBSTANCE_USE,
        payment_options=["medicaid", "aetna", "sliding_scale"],
        languages=["en", "es"],
        wheelchair_accessible=True,
        source="import:partner",
        external_id="p-1",
        geocode_precision=Facility.GeocodePrecision.MANUAL,
        last_verified_at=VERIFIED,
    )
    harbor.accreditations.set(Accreditation.objects.filter(slug="carf"))
    make_program(
        harbor,
        "Adult Evening IOP",
        sessions=[("mon", "18:00", "21:00"), ("wed", "18:00", "21:00"), ("sat", "09:30", "12:00")],
        age_min=18,
        duration_weeks_min=8,
        duration_weeks_max=12,
        format=Program.Format.HYBRID,
        serves_states="CA NV",
        modalities=["cbt", "dbt"],
        conditions=["alcohol_use", "opioid_use"],
        populations=["adults"],
        philosophy=["harm_reduction"],
        transition_supports=["alumni_group"],
        philosophy_statement='We meet people "where they are", one step at a time.',
        accepting_new_clients=True,
    )
    make_program(harbor, "Teen After-School IOP", age_max=17, accepting_new_clients=False)
    make_facility(
        'Bayside "North", Recovery',
        point=None,
        phone=PHONE,
        status=Facility.Status.ARCHIVED,
        wheelchair_accessible=False,
        languages=[],
    )
    # The same external id under another source is another listing.
    make_facility(
        "Quiet Draft Clinic",
        phone=PHONE,
        status=Facility.Status.DRAFT,
        source="import:other",
        external_id="p-1",
        geocode_precision=Facility.GeocodePrecision.ZIP,
    )


def as_plain(instance, exclude):
    """A model's fields with links as sorted slugs, for comparing directories."""
    fields = model_to_dict(instance, exclude=exclude)
    return {
        name: sorted(term.slug for term in value) if isinstance(value, list) else value
        for name, value in fields.items()
    }


def directory_as_plain():
    """Every facility, program, session and vocabulary link, without database ids."""
    facilities = {}
    for facility in Facility.objects.all():
        programs = {}
        for program in facility.programs.all():
            programs[program.name] = {
                **as_plain(program, exclude=["id", "facility"]),
                "facts": (program.days_per_week, program.hours_per_week, program.time_of_day),
                "sessions": sorted(
                    program.sessions.values_list("weekday", "start_time", "end_time")
                ),
            }
        plain = as_plain(facility, exclude=["id", "verified_by"])
        plain["programs"] = programs
        facilities[(facility.source, facility.external_id, facility.name)] = plain
    return facilities


def export(file_format="json"):
    output = io.StringIO()
    call_command("export_facilities", "--format", file_format, stdout=output)
    return output.getvalue()


def import_into_empty_database(tmp_path, text, name):
    Facility.objects.all().delete()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    call_command("import_facilities", str(path), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize(("file_format", "name"), [("json", "backup.json"), ("csv", "backup.csv")])
def test_export_then_import_into_an_empty_database_gives_the_same_directory(
    directory, tmp_path, file_format, name
):
    before = directory_as_plain()
    import_into_empty_database(tmp_path, export(file_format), name)
    assert directory_as_plain() == before


@pytest.mark.parametrize(("file_format", "name"), [("json", "backup.json"), ("csv", "backup.csv")])
def test_importing_an_export_into_the_same_database_changes_nothing(
    directory, tmp_path, file_format, name
):
    path = tmp_path / name
    path.write_text(export(file_format), encoding="utf-8")
    output = io.StringIO()
    call_command("import_facilities", str(path), stdout=output, stderr=io.StringIO())
    assert "0 facilities added, 0 updated, 3 unchanged" in output.getvalue()


def test_the_json_export_lists_every_facility_whatever_its_status(directory):
    facilities = json.loads(export())["facilities"]
    assert sorted(item["status"] for item in facilities) == ["archived", "draft", "published"]


def test_the_json_export_is_the_api_facility_with_what_reimport_needs(directory):
    harbor = json.loads(export())["facilities"][1]
    assert (harbor["source"], harbor["external_id"], harbor["geocode_precision"]) == (
        "import:partner",
        "p-1",
        "manual",
    )
    assert harbor["programs"][0]["schedule"][0] == {
        "weekday": "monday",
        "start": "18:00",
        "end": "21:00",
    }


def test_the_csv_export_has_one_row_a_program_and_one_for_a_facility_without(directory):
    rows = list(csv.DictReader(io.StringIO(export("csv"))))
    assert [(row["facility.name"], row["name"]) for row in rows] == [
        ('Bayside "North", Recovery', ""),
        ("Harbor Light Counseling", "Adult Evening IOP"),
        ("Harbor Light Counseling", "Teen After-School IOP"),
        ("Quiet Draft Clinic", ""),
    ]


def test_the_csv_export_writes_lists_as_slugs_and_the_schedule_as_text(directory):
    row = list(csv.DictReader(io.StringIO(export("csv"))))[1]
    assert (row["modalities"], row["schedule"]) == (
        "cbt; dbt",
        "monday 18:00-21:00; wednesday 18:00-21:00; saturday 09:30-12:00",
    )


def test_the_export_takes_a_fixed_number_of_queries(directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        export()


# --- Spreadsheet-safe CSV ----------------------------------------------------------------------

FORMULA_NAME = '=HYPERLINK("http://x.example","y")'


@pytest.fixture
def formula_listings(db):
    """Listings whose texts a spreadsheet would run, or that look like our own guard."""
    facility = make_facility(
        FORMULA_NAME,
        phone=PHONE,
        intake_phone=INTAKE_PHONE,
        description="@ the corner of Main and 2nd; -2+3 on a sheet",
        street="'=already quoted",
        geocode_precision=Facility.GeocodePrecision.MANUAL,
    )
    make_program(facility, "+Plus IOP", philosophy_statement="-- recovery first, step by step.")
    return facility


def csv_rows():
    return list(csv.DictReader(io.StringIO(export("csv"))))


def test_a_facility_named_like_a_formula_exports_with_a_leading_quote(formula_listings):
    assert csv_rows()[0]["facility.name"] == f"'{FORMULA_NAME}"


def test_a_phone_starting_with_plus_is_quoted_for_spreadsheets(formula_listings):
    row = csv_rows()[0]
    assert (row["facility.phone"], row["name"]) == (f"'{PHONE}", "'+Plus IOP")


@pytest.mark.parametrize("name", ["=1+1", "+1", "-1", "@SUM(A1)", "\tTab", "\rReturn"])
def test_every_cell_a_spreadsheet_would_run_is_quoted(db, name):
    make_facility(name)
    assert csv_rows()[0]["facility.name"] == f"'{name}"


def test_texts_that_are_not_formulas_export_unquoted(directory):
    row = csv_rows()[1]
    assert (row["facility.name"], row["facility.website"], row["duration_weeks_max"]) == (
        "Harbor Light Counseling",
        "https://harbor.example.org",
        "12",
    )


def test_formula_like_texts_survive_the_csv_round_trip_unchanged(formula_listings, tmp_path):
    before = directory_as_plain()
    import_into_empty_database(tmp_path, export("csv"), "backup.csv")
    assert directory_as_plain() == before


def test_the_demo_directory_survives_the_csv_round_trip_unchanged(db, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    before = directory_as_plain()
    import_into_empty_database(tmp_path, export("csv"), "demo.csv")
    assert directory_as_plain() == before
