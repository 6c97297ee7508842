"""`import_facilities`: our JSON and CSV, the locator's export; all or nothing, never twice."""

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from facilities.importers.directory import BATCH_SIZE, import_directory
from facilities.models import Facility, PaymentOption, Program, Session
from tests.conftest import make_facility

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "findtreatment_sample.json"
CSV_COLUMNS = [
    "facility.name",
    "facility.street",
    "facility.city",
    "facility.state",
    "facility.latitude",
    "facility.longitude",
    "name",
    "focus",
    "schedule",
    "modalities",
]


def program(**fields):
    return {
        "name": "Adult Evening IOP",
        "focus": "substance_use",
        "schedule": [
            {"weekday": "monday", "start": "18:00", "end": "21:00"},
            {"weekday": "wednesday", "start": "18:00", "end": "21:00"},
        ],
        "modalities": ["cbt", "dbt"],
        **fields,
    }


def facility(**fields):
    return {
        "name": "Harbor Light Counseling",
        "street": "1 Main St",
        "city": "Culver City",
        "state": "CA",
        "zip_code": "90230",
        "payment_options": ["medicaid"],
        "programs": [program()],
        **fields,
    }


def json_file(tmp_path, *records, name="directory.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"facilities": list(records)}), encoding="utf-8")
    return path


def csv_row(**cells):
    row = {
        "facility.name": "Harbor Light Counseling",
        "facility.street": "1 Main St",
        "facility.city": "Culver City",
        "facility.state": "CA",
        "facility.latitude": "33.99",
        "facility.longitude": "-118.40",
        "name": "Adult Evening IOP",
        "focus": "substance_use",
        "schedule": "monday 18:00-21:00; wednesday 18:00-21:00",
        "modalities": "cbt; dbt",
    }
    row.update({name.replace("__", "."): value for name, value in cells.items()})
    return row


def csv_file(tmp_path, *rows, name="directory.csv"):
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(output.getvalue(), encoding="utf-8")
    return path


def run(path, *args):
    output = io.StringIO()
    call_command("import_facilities", str(path), *args, stdout=output, stderr=io.StringIO())
    return output.getvalue()


def failure(path, *args):
    with pytest.raises(CommandError) as raised:
        run(path, *args)
    return str(raised.value)


# --- Our JSON and CSV -------------------------------------------------------------------------


def test_it_imports_a_json_file_with_programs_and_sessions(db, tmp_path):
    run(json_file(tmp_path, facility()))
    imported = Program.objects.get()
    assert (imported.facility.name, imported.days_per_week, imported.hours_per_week) == (
        "Harbor Light Counseling",
        2,
        6.0,
    )


def test_it_links_the_vocabulary_terms(db, tmp_path):
    run(json_file(tmp_path, facility()))
    assert set(Program.objects.get().modalities.values_list("slug", flat=True)) == {"cbt", "dbt"}


def test_it_accepts_terms_as_objects_with_slug_and_label(db, tmp_path):
    terms = [{"slug": "medicaid", "label": "Medicaid"}, {"slug": "tricare", "label": "TRICARE"}]
    run(json_file(tmp_path, facility(payment_options=terms)))
    payment = Facility.objects.get().payment_options.values_list("slug", flat=True)
    assert set(payment) == {"medicaid", "tricare"}


def test_it_groups_csv_rows_into_facilities_with_programs(db, tmp_path):
    rows = [csv_row(), csv_row(name="Teen IOP"), csv_row(facility__name="Bayside Recovery")]
    run(csv_file(tmp_path, *rows))
    assert sorted(Facility.objects.values_list("name", "programs__name")) == [
        ("Bayside Recovery", "Adult Evening IOP"),
        ("Harbor Light Counseling", "Adult Evening IOP"),
        ("Harbor Light Counseling", "Teen IOP"),
    ]


def test_a_csv_row_with_empty_program_columns_is_a_facility_without_programs(db, tmp_path):
    run(csv_file(tmp_path, csv_row(name="", focus="", schedule="", modalities="")))
    assert (Facility.objects.count(), Program.objects.count()) == (1, 0)


def test_it_reads_the_csv_schedule_text(db, tmp_path):
    run(csv_file(tmp_path, csv_row(schedule="saturday 09:00-12:30")))
    session = Session.objects.get()
    assert str(session) == "Saturday 09:00–12:30"


def test_new_facilities_are_published_unless_the_file_says_otherwise(db, tmp_path):
    run(json_file(tmp_path, facility(), facility(name="Quiet Draft", status="draft")))
    assert dict(Facility.objects.values_list("name", "status")) == {
        "Harbor Light Counseling": "published",
        "Quiet Draft": "draft",
    }


def test_coordinates_without_a_precision_are_taken_as_the_address(db, tmp_path):
    run(json_file(tmp_path, facility(latitude=33.99, longitude=-118.4)))
    assert Facility.objects.get().geocode_precision == "address"


# --- All or nothing ---------------------------------------------------------------------------


def test_a_bad_row_in_the_middle_imports_nothing(db, tmp_path):
    rows = [
        csv_row(facility__name="First"),
        csv_row(facility__name="Second", facility__latitude="north-ish"),
        csv_row(facility__name="Third"),
    ]
    failure(csv_file(tmp_path, *rows))
    assert (Facility.objects.count(), Program.objects.count()) == (0, 0)


def test_every_bad_csv_row_is_reported_with_its_line(db, tmp_path):
    rows = [
        csv_row(facility__name="First"),
        csv_row(facility__name="Second", facility__latitude="north-ish"),
        csv_row(facility__name="Third"),
        csv_row(facility__name="Fourth", focus="gardening"),
    ]
    message = failure(csv_file(tmp_path, *rows))
    assert "line 3: latitude 'north-ish' is not a number" in message
    assert "line 5: focus 'gardening' is not one of" in message


def test_a_bad_program_row_is_reported_at_its_own_line(db, tmp_path):
    rows = [csv_row(), csv_row(name="Teen IOP", schedule="someday 09:00-12:00")]
    message = failure(csv_file(tmp_path, *rows))
    assert "line 3: session 1: weekday 'someday' is not a day of the week" in message


def test_every_bad_json_record_is_reported_with_its_index(db, tmp_path):
    records = [facility(name="A"), facility(name="B", state="Virginia"), facility(name="")]
    message = failure(json_file(tmp_path, *records))
    assert "index 1: state 'Virginia' is not a two-letter US state code" in message
    assert "index 2: name is missing" in message


def test_a_json_program_problem_names_the_program(db, tmp_path):
    record = facility(programs=[program(), program(name="Teen IOP", age_min=18, age_max=12)])
    message = failure(json_file(tmp_path, record))
    assert "index 0: program 2: age_min 18 is more than age_max 12" in message


def test_a_failed_import_says_nothing_was_imported(db, tmp_path):
    message = failure(json_file(tmp_path, facility(latitude="north-ish", longitude=1)))
    assert "1 problem(s) in the file; nothing was imported" in message


def test_an_unknown_csv_column_is_reported_rather_than_ignored(db, tmp_path):
    message = failure(csv_file(tmp_path, {**csv_row(), "facility.zipcode": "90230"}))
    assert "line 1: unknown column(s): facility.zipcode" in message


def test_rows_of_one_facility_that_disagree_are_reported(db, tmp_path):
    rows = [csv_row(), csv_row(name="Teen IOP", facility__latitude="34.5")]
    message = failure(csv_file(tmp_path, *rows))
    assert "line 3: facility.latitude '34.5' differs from line 2's '33.99'" in message


def test_two_records_for_one_facility_are_reported(db, tmp_path):
    records = [facility(external_id="a1"), facility(name="Renamed", external_id="a1")]
    message = failure(json_file(tmp_path, *records))
    assert "index 1: the same facility (external_id) as index 0" in message


def test_a_json_file_that_is_not_json_is_reported_with_its_line(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"facilities": [\n{"name": }]}', encoding="utf-8")
    assert "line 2: not valid JSON" in failure(path)


@pytest.mark.skipif(not SAMPLE.exists(), reason="no locator sample in shared/data")
def test_a_locator_export_is_recognised_by_its_fields(db, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert "(findtreatment, default source import:findtreatment)" in run(path, "--dry-run")


def test_our_json_is_recognised_whatever_the_file_is_called(db, tmp_path):
    run(json_file(tmp_path, facility(), name="directory.txt"))
    assert Facility.objects.get().name == "Harbor Light Counseling"


# --- The fixed bugs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "limit"),
    [
        ("street", "x" * 201, 200),
        ("zip_code", "90230-12345", 10),
        ("phone", "5" * 31, 30),
        ("intake_phone", "5" * 31, 30),
        ("website", "https://example.org/" + "x" * 190, 200),
    ],
)
def test_too_long_text_is_a_record_error(db, tmp_path, name, value, limit):
    message = failure(json_file(tmp_path, facility(**{name: value})))
    assert f"index 0: {name} is {len(value)} characters long, more than {limit}" in message


def test_a_phone_that_is_not_a_number_is_refused_with_its_index(db, tmp_path):
    message = failure(json_file(tmp_path, facility(name="B"), facility(phone="n/a")))
    assert "index 1: phone: “n/a” is not a phone number" in message


def test_a_phone_number_is_stored_in_e164_with_a_warning(db, tmp_path):
    output = run(json_file(tmp_path, facility(phone="(310) 555-0101 x12")))
    assert Facility.objects.get().phone == "+13105550101;ext=12"
    assert "Warning: index 0: phone '(310) 555-0101 x12' stored as +13105550101;ext=12" in output


def test_an_unknown_zip_code_is_a_record_error(db, tmp_path):
    message = failure(json_file(tmp_path, facility(zip_code="00000")))
    assert "index 0: zip_code: ZIP code 00000 does not exist." in message


def test_a_zip_code_in_another_state_is_a_record_error(db, tmp_path):
    message = failure(json_file(tmp_path, facility(zip_code="10001")))
    assert "index 0: zip_code: ZIP code 10001 is in NY, not CA." in message


def test_a_website_must_be_a_web_address(db, tmp_path):
    message = failure(json_file(tmp_path, facility(website="harbor light dot org")))
    assert "index 0: website 'harbor light dot org' is not a web address" in message


def test_a_lower_case_state_is_accepted(db, tmp_path):
    run(json_file(tmp_path, facility(state="va", city="Richmond", zip_code="23219")))
    assert Facility.objects.get().state == "VA"


def test_two_programs_with_one_name_are_a_record_error(db, tmp_path):
    record = facility(programs=[program(name="Adult IOP"), program(name="Adult IOP")])
    message = failure(json_file(tmp_path, record))
    assert "index 0: program 2: another program of this facility is also named 'Adult IOP'" in (
        message
    )


def test_serves_states_is_checked(db, tmp_path):
    record = facility(programs=[program(format="telehealth", serves_states=["CA", "ZZ"])])
    assert "serves_states has unknown state code(s): ZZ" in failure(json_file(tmp_path, record))


def test_serves_states_is_stored(db, tmp_path):
    record = facility(programs=[program(format="telehealth", serves_states=["ca", "NV"])])
    run(json_file(tmp_path, record))
    assert Program.objects.get().serves_states == "CA NV"


# --- Importing again --------------------------------------------------------------------------


def test_importing_the_same_file_twice_duplicates_nothing(db, tmp_path):
    path = json_file(tmp_path, facility(), facility(name="Bayside Recovery"))
    run(path)
    output = run(path)
    assert (Facility.objects.count(), Program.objects.count(), Session.objects.count()) == (2, 2, 4)
    assert "0 facilities added, 0 updated, 2 unchanged" in output


def test_importing_the_same_csv_twice_duplicates_nothing(db, tmp_path):
    path = csv_file(tmp_path, csv_row(), csv_row(name="Teen IOP"))
    run(path)
    run(path)
    assert (Facility.objects.count(), Program.objects.count()) == (1, 2)


def test_a_changed_record_updates_the_listing_in_place(db, tmp_path):
    run(json_file(tmp_path, facility(external_id="a1")))
    run(json_file(tmp_path, facility(external_id="a1", name="Harbor Light", phone="+13105550101")))
    assert list(Facility.objects.values_list("name", "phone")) == [("Harbor Light", "+13105550101")]


def test_a_changed_schedule_replaces_the_sessions_and_their_facts(db, tmp_path):
    run(json_file(tmp_path, facility()))
    sessions = [{"weekday": day, "start": "09:00", "end": "12:00"} for day in ("monday", "friday")]
    run(json_file(tmp_path, facility(programs=[program(schedule=sessions)])))
    imported = Program.objects.get()
    assert (imported.sessions.count(), imported.time_of_day) == (2, ["morning"])


def test_a_facility_moved_by_a_new_import_is_searched_at_its_new_place(db, client, tmp_path):
    """A re-import that moves a facility moves its programs too: the search reads their
    copy of its point."""
    culver_city = {"latitude": 33.9949, "longitude": -118.3991}
    sacramento = {"latitude": 38.5804, "longitude": -121.4922, "zip_code": "95814"}
    run(json_file(tmp_path, facility(external_id="a1", **culver_city)))
    run(json_file(tmp_path, facility(external_id="a1", city="Sacramento", **sacramento)))

    def found_near(zip_code):
        answer = client.get("/api/v1/programs/", {"location": zip_code, "radius": 10}).json()
        return [item["facility"]["city"] for item in answer["results"]]

    assert (found_near("90230"), found_near("95814")) == ([], ["Sacramento"])


def test_reimporting_keeps_what_the_record_does_not_carry(db, tmp_path):
    run(json_file(tmp_path, facility(external_id="a1")))
    verified = datetime(2025, 3, 1, tzinfo=UTC)
    Facility.objects.update(
        last_verified_at=verified, description="Checked by phone.", status="archived"
    )
    run(json_file(tmp_path, facility(external_id="a1", phone="+13105550101")))
    assert list(Facility.objects.values_list("last_verified_at", "description", "status")) == [
        (verified, "Checked by phone.", "archived")
    ]


def test_reimporting_a_csv_with_a_blank_status_keeps_the_status(db, tmp_path):
    run(csv_file(tmp_path, {**csv_row(), "facility.status": "draft"}))
    run(csv_file(tmp_path, {**csv_row(), "facility.status": ""}))
    assert Facility.objects.get().status == "draft"


def test_a_new_date_of_verification_clears_the_curator(db, tmp_path, admin_user):
    run(json_file(tmp_path, facility(external_id="a1")))
    Facility.objects.update(verified_by=admin_user)
    run(json_file(tmp_path, facility(external_id="a1", last_verified_at="2026-01-05")))
    assert Facility.objects.get().verified_by is None


def test_a_program_left_out_of_the_record_is_removed(db, tmp_path):
    run(json_file(tmp_path, facility(programs=[program(), program(name="Teen IOP")])))
    output = run(json_file(tmp_path, facility(programs=[program()])))
    assert list(Program.objects.values_list("name", flat=True)) == ["Adult Evening IOP"]
    assert "1 removed" in output


def test_a_record_without_programs_leaves_the_programs_alone(db, tmp_path):
    run(json_file(tmp_path, facility(external_id="a1")))
    record = facility(external_id="a1", phone="+13105550101")
    del record["programs"]
    run(json_file(tmp_path, record))
    assert Program.objects.count() == 1


def test_a_partial_age_range_against_the_stored_one_is_reported(db, tmp_path):
    run(json_file(tmp_path, facility(programs=[program(age_min=12, age_max=17)])))
    message = failure(json_file(tmp_path, facility(programs=[{**program(), "age_min": 30}])))
    assert "index 0: program 1: age_min 30 is more than age_max 17 (with the stored" in message


def test_a_slug_another_listing_has_is_replaced_by_a_fresh_one(db, tmp_path):
    make_facility("Someone Else", slug="harbor-light")
    run(json_file(tmp_path, facility(slug="harbor-light")))
    assert Facility.objects.get(name="Harbor Light Counseling").slug == (
        "harbor-light-counseling-culver-city"
    )


# --- Dry run ----------------------------------------------------------------------------------


@pytest.fixture
def one_listed(db, tmp_path):
    run(json_file(tmp_path, facility(external_id="a1")))


def test_a_dry_run_reports_exact_counts(one_listed, tmp_path):
    records = [
        facility(external_id="a1", phone="+13105550101"),
        facility(name="New One"),
        facility(name="New Two"),
    ]
    output = run(json_file(tmp_path, *records), "--dry-run")
    assert "2 facilities added, 1 updated, 0 unchanged; 3 programs." in output


def test_a_dry_run_writes_nothing(one_listed, tmp_path):
    records = [facility(external_id="a1", phone="+13105550101"), facility(name="New One")]
    run(json_file(tmp_path, *records), "--dry-run")
    assert list(Facility.objects.values_list("name", "phone")) == [("Harbor Light Counseling", "")]


def test_a_dry_run_writes_no_history(one_listed, tmp_path):
    before = Facility.history.count()
    run(json_file(tmp_path, facility(external_id="a1", phone="+13105550101")), "--dry-run")
    assert Facility.history.count() == before


# --- Formats and sources ----------------------------------------------------------------------


def test_the_format_comes_from_the_extension(db, tmp_path):
    output = run(csv_file(tmp_path, csv_row(), name="partners.CSV"))
    assert output.startswith("partners.CSV (csv, default source import:partners)")


def test_an_unknown_extension_asks_for_a_format(db, tmp_path):
    path = tmp_path / "directory.txt"
    path.write_text("Harbor Light, Culver City\n", encoding="utf-8")
    assert "use --format" in failure(path)


def test_the_source_defaults_to_import_and_the_file_name(db, tmp_path):
    run(json_file(tmp_path, facility(), name="county-list.json"))
    assert Facility.objects.get().source == "import:county-list"


def test_a_source_can_be_named(db, tmp_path):
    run(json_file(tmp_path, facility()), "--source", "import:state-registry")
    assert Facility.objects.get().source == "import:state-registry"


def test_a_source_must_look_like_one(db, tmp_path):
    message = failure(json_file(tmp_path, facility()), "--source", "the state")
    assert "--source 'the state' is not manual, suggestion or import:<name>" in message


def test_a_records_own_source_wins_over_the_default(db, tmp_path):
    run(json_file(tmp_path, facility(source="manual")))
    assert Facility.objects.get().source == "manual"


def test_listings_match_only_within_their_source(db, tmp_path):
    run(json_file(tmp_path, facility(external_id="a1")), "--source", "import:one")
    run(json_file(tmp_path, facility(external_id="a1")), "--source", "import:two")
    assert Facility.objects.count() == 2


# --- The locator's export ---------------------------------------------------------------------

needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="no locator sample in shared/data")


@needs_sample
def test_the_locator_sample_imports_its_five_iop_facilities(db):
    run(SAMPLE, "--format", "findtreatment")
    imported = Facility.objects.filter(source="import:findtreatment")
    assert (imported.count(), Program.objects.filter(facility__in=imported).count()) == (5, 5)


@needs_sample
def test_the_locator_import_reports_the_skipped_rows(db):
    output = run(SAMPLE, "--format", "findtreatment")
    assert "Skipped 25 rows without intensive outpatient treatment." in output


@needs_sample
def test_the_locator_import_reports_the_unmapped_answers(db):
    output = run(SAMPLE, "--format", "findtreatment")
    assert "  PAY: Federal, or any government funding for substance abuse programs (7)" in output


@needs_sample
def test_the_locator_sample_imports_twice_without_duplicates(db):
    run(SAMPLE, "--format", "findtreatment")
    output = run(SAMPLE, "--format", "findtreatment")
    assert "0 facilities added, 0 updated, 5 unchanged" in output


@needs_sample
def test_reimporting_the_locator_keeps_an_archived_listing_archived(db):
    run(SAMPLE, "--format", "findtreatment")
    Facility.objects.update(status="archived")
    run(SAMPLE, "--format", "findtreatment")
    assert set(Facility.objects.values_list("status", flat=True)) == {"archived"}


# --- History ----------------------------------------------------------------------------------


def test_an_import_writes_one_history_record_per_object_with_the_source(db, tmp_path):
    run(json_file(tmp_path, facility()), "--source", "import:county")
    reasons = [
        (record.history_type, record.history_change_reason)
        for history in (Facility.history, Program.history)
        for record in history.all()
    ]
    assert reasons == [("+", "import:county"), ("+", "import:county")]


def test_an_update_writes_history_only_for_what_changed(db, tmp_path):
    run(json_file(tmp_path, facility()))
    run(json_file(tmp_path, facility(programs=[program(description="Now with a description.")])))
    assert (Facility.history.count(), Program.history.count()) == (1, 2)


def test_an_unchanged_import_writes_no_history(db, tmp_path):
    path = json_file(tmp_path, facility())
    run(path)
    run(path)
    assert (Facility.history.count(), Program.history.count()) == (1, 1)


def test_the_history_shows_which_links_an_import_changed(db, tmp_path):
    run(json_file(tmp_path, facility()))
    run(json_file(tmp_path, facility(payment_options=["medicaid", "self_pay"])))
    newest, previous = Facility.history.all()[:2]
    change = newest.diff_against(previous).changes[0]
    linked = PaymentOption.objects.filter(slug__in=["medicaid", "self_pay"])
    assert (change.field, {link["paymentoption"] for link in change.new}) == (
        "payment_options",
        {term.pk for term in linked},
    )


def test_a_removed_program_keeps_its_history_with_the_reason(db, tmp_path):
    run(json_file(tmp_path, facility(programs=[program(), program(name="Teen IOP")])))
    run(json_file(tmp_path, facility(programs=[program()])))
    removed = Program.history.filter(history_type="-").get()
    assert (removed.name, removed.history_change_reason) == ("Teen IOP", "import:directory")


# --- Speed ------------------------------------------------------------------------------------


def test_an_import_takes_a_few_queries_a_facility(db, django_assert_max_num_queries):
    records = [(f"index {n}", facility(name=f"Facility {n}")) for n in range(BATCH_SIZE + 10)]
    with django_assert_max_num_queries(5 * len(records)):
        import_directory(records, source="import:test")


def test_an_unchanged_reimport_takes_a_few_queries_a_batch(db, django_assert_max_num_queries):
    records = [(f"index {n}", facility(name=f"Facility {n}")) for n in range(BATCH_SIZE + 10)]
    import_directory(records, source="import:test")
    with django_assert_max_num_queries(40):
        import_directory(records, source="import:test")
