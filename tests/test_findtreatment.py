"""The SAMHSA locator importer, on the real sample export in shared/data."""

import copy
import json
from pathlib import Path

import pytest

from facilities.importers.directory import Checker, ImportFailed, import_directory
from facilities.importers.findtreatment import LABEL_TERMS, findtreatment_records
from facilities.models import Facility, Program

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "findtreatment_sample.json"
SOURCE = "import:findtreatment"
# Region Ten's substance use site at 800 Preston Avenue, Charlottesville (rows[3]).
REGION_TEN = "39d6ca2b067e9d7bb435d81d51b2c7876939f82b9c92612142d4239277b3d5e6"
# Empowering Families Program, which also lists computerized treatment/telemedicine.
EMPOWERING_FAMILIES = "ab7407016dd121765de56ac89d9f31ae2074d461de7c3370b2d1a3a6fae20c93"

pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="no locator sample in shared/data")


@pytest.fixture
def locator_data():
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def settings_of(row):
    """The row's SET answers, read straight from the locator's services."""
    return {
        label.strip()
        for service in row["services"]
        if service["f2"] == "SET"
        for label in service["f3"].split(";")
    }


def iop_rows(data):
    return [row for row in data["rows"] if "Intensive outpatient treatment" in settings_of(row)]


def record_for(data, frid):
    records, _ = findtreatment_records(data)
    return next(record for _, record in records if record["external_id"] == frid)


def test_it_maps_every_sample_record_to_a_valid_directory_record(db, locator_data):
    records, _ = findtreatment_records(locator_data)
    checker = Checker()
    problems = [(place, checker.facility(record)[2]) for place, record in records]
    assert [(place, found) for place, found in problems if found] == []


def test_it_makes_one_iop_program_for_each_iop_record(locator_data):
    records, _ = findtreatment_records(locator_data)
    assert len(iop_rows(locator_data)) == 5
    assert [len(record["programs"]) for _, record in records] == [1] * 5


def test_it_counts_the_records_without_iop_as_skipped(locator_data):
    _, extra = findtreatment_records(locator_data)
    assert extra["skipped"] == len(locator_data["rows"]) - len(iop_rows(locator_data)) == 25


def test_it_places_records_by_their_index_in_the_rows(locator_data):
    records, _ = findtreatment_records(locator_data)
    assert [place for place, _ in records] == [
        "index 3",
        "index 4",
        "index 12",
        "index 13",
        "index 25",
    ]


def test_it_maps_the_payment_answers_to_payment_slugs(locator_data):
    record = record_for(locator_data, REGION_TEN)
    # "Federal, or any government funding for substance abuse programs" has no counterpart.
    assert set(record["payment_options"]) == {
        "medicaid",
        "tricare",
        "private_insurance",
        "self_pay",
        "sliding_scale",
    }


def test_it_maps_other_languages_and_deaf_services_and_keeps_english(locator_data):
    record = record_for(locator_data, REGION_TEN)
    assert set(record["languages"]) == {"en", "es", "asl"}


def test_it_maps_state_agency_licences_to_state_license(locator_data):
    record = record_for(locator_data, REGION_TEN)
    assert record["accreditations"] == ["state_license"]


def test_it_derives_the_age_range_from_the_age_groups(locator_data):
    program = record_for(locator_data, REGION_TEN)["programs"][0]
    assert (program["age_min"], program["age_max"]) == (18, None)


def test_it_takes_the_focus_and_facility_type_from_type_facility(locator_data):
    record = record_for(locator_data, REGION_TEN)
    assert (record["facility_type"], record["programs"][0]["focus"]) == (
        "substance_use",
        "substance_use",
    )


def test_it_maps_treatment_approaches_and_medication_to_modalities(locator_data):
    program = record_for(locator_data, REGION_TEN)["programs"][0]
    assert {"cbt", "dbt", "matrix_model", "mat_buprenorphine"} <= set(program["modalities"])


def test_it_maps_special_groups_to_populations_and_conditions(locator_data):
    program = record_for(locator_data, REGION_TEN)["programs"][0]
    assert set(program["populations"]) == {"women", "men", "justice_involved"}
    assert "co_occurring_disorders" in program["conditions"]


def test_it_makes_a_program_with_telemedicine_hybrid(locator_data):
    program = record_for(locator_data, EMPOWERING_FAMILIES)["programs"][0]
    assert (program["format"], program["serves_states"]) == ("hybrid", ["VA"])


def test_it_adds_name2_to_the_name(locator_data):
    record = record_for(locator_data, EMPOWERING_FAMILIES)
    assert record["name"] == "Empowering Families Program — Substance Abuse Intensive Outpatient"


def test_it_turns_coordinate_strings_into_floats(locator_data):
    record = record_for(locator_data, REGION_TEN)
    assert (record["latitude"], record["longitude"]) == (38.0364492, -78.4888244)


def test_it_leaves_blank_coordinates_empty(locator_data):
    locator_data["rows"][3]["latitude"] = ""
    del locator_data["rows"][3]["longitude"]
    record = record_for(locator_data, REGION_TEN)
    assert (record["latitude"], record["longitude"], record["geocode_precision"]) == (
        None,
        None,
        "",
    )


def test_it_adds_https_to_a_bare_host_and_drops_a_broken_website(locator_data):
    locator_data["rows"][3]["website"] = "www.regionten.org"
    locator_data["rows"][4]["website"] = "not a website"
    records = dict(findtreatment_records(locator_data)[0])
    assert (records["index 3"]["website"], records["index 4"]["website"]) == (
        "https://www.regionten.org",
        "",
    )


def test_it_reports_the_labels_the_mapping_does_not_cover(locator_data):
    _, extra = findtreatment_records(locator_data)
    label = "Federal, or any government funding for substance abuse programs"
    assert extra["unmapped_labels"][("PAY", label)] == 7


def test_it_reports_unknown_labels_and_categories_instead_of_raising(locator_data):
    services = locator_data["rows"][3]["services"]
    services.append({"f1": "Treatment Approaches", "f2": "TAP", "f3": "Dolphin therapy"})
    services.append({"f1": "Something new", "f2": "NEW", "f3": "A new answer"})
    _, extra = findtreatment_records(locator_data)
    unmapped = extra["unmapped_labels"]
    assert (unmapped[("TAP", "Dolphin therapy")], unmapped[("NEW", "A new answer")]) == (1, 1)


def test_it_survives_rows_with_missing_keys(locator_data):
    locator_data["rows"] = [
        {"frid": "x1"},
        {"frid": "x2", "services": [{"f2": "SET"}, {"f3": "Intensive outpatient treatment"}]},
        {"services": [{"f2": "SET", "f3": "Intensive outpatient treatment"}]},
    ]
    records, extra = findtreatment_records(locator_data)
    assert (len(records), extra["skipped"]) == (1, 2)


def test_it_maps_only_to_slugs_of_our_vocabularies(db):
    known = Checker().known
    used = {
        (name, slug)
        for terms_by_label in LABEL_TERMS.values()
        for terms in terms_by_label.values()
        for name, slug in terms
    }
    assert {(name, slug) for name, slug in used if slug not in known[name]} == set()


def test_it_imports_every_iop_facility_with_its_frid(db, locator_data):
    records, _ = findtreatment_records(locator_data)
    import_directory(records, source=SOURCE)
    imported = set(Facility.objects.filter(source=SOURCE).values_list("external_id", flat=True))
    assert imported == {row["frid"] for row in iop_rows(locator_data)}


def test_it_imports_one_iop_program_per_facility(db, locator_data):
    records, _ = findtreatment_records(locator_data)
    import_directory(records, source=SOURCE)
    programs = Program.objects.filter(facility__source=SOURCE)
    assert sorted(programs.values_list("level_of_care", flat=True)) == ["iop"] * 5


def test_it_imports_the_mapped_terms(db, locator_data):
    import_directory(findtreatment_records(locator_data)[0], source=SOURCE)
    facility = Facility.objects.get(source=SOURCE, external_id=REGION_TEN)
    assert set(facility.languages.values_list("slug", flat=True)) == {"en", "es", "asl"}


def test_importing_the_same_file_twice_duplicates_nothing(db, locator_data):
    import_directory(findtreatment_records(locator_data)[0], source=SOURCE)
    counts = (Facility.objects.count(), Program.objects.count())
    report = import_directory(findtreatment_records(locator_data)[0], source=SOURCE)
    assert (Facility.objects.count(), Program.objects.count()) == counts
    assert (report.created, report.unchanged) == (0, 5)


def test_a_bad_latitude_fails_the_whole_import_and_names_its_place(db, locator_data):
    broken = copy.deepcopy(locator_data)
    broken["rows"][3]["latitude"] = "north-ish"
    before = Facility.objects.count()
    with pytest.raises(ImportFailed) as failed:
        import_directory(findtreatment_records(broken)[0], source=SOURCE)
    assert any("index 3" in e and "latitude" in e for e in failed.value.report.errors)
    assert Facility.objects.count() == before


def test_a_dropped_website_is_listed_as_a_warning_with_its_index(locator_data):
    locator_data["rows"][4]["website"] = "not a website"
    warnings = findtreatment_records(locator_data)[1]["warnings"]
    assert warnings == ["index 4: website 'not a website' left out: not a web address"]


def test_a_zip_code_outside_the_state_is_left_out_with_a_warning(locator_data):
    locator_data["rows"][3]["zip"] = "10001"
    records, extras = findtreatment_records(locator_data)
    assert dict(records)["index 3"]["zip_code"] == ""
    assert extras["warnings"] == ["index 3: zip '10001' left out: ZIP code 10001 is in NY, not VA."]


def test_the_import_reports_each_phone_number_it_put_in_e164(db, locator_data):
    records, extras = findtreatment_records(locator_data)
    report = import_directory(records, source="import:findtreatment", dry_run=True)
    assert "index 4: intake_phone '434-971-8454 x1' stored as +14349718454;ext=1" in (
        report.warnings
    )
