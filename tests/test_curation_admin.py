"""Curation in the admin: importing a file, verifying, completeness, history, corrections."""

import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from facilities.importers.directory import import_directory
from facilities.models import Correction, Facility
from tests.conftest import make_facility, make_program

IMPORT_URL = "/admin/facilities/facility/import/"
FACILITIES_URL = "/admin/facilities/facility/"
PROGRAMS_URL = "/admin/facilities/program/"
CORRECTIONS_URL = "/admin/facilities/correction/"
SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "findtreatment_sample.json"


def record(name="Harbor Light Counseling", **fields):
    return {
        "name": name,
        "street": "1 Main St",
        "city": "Culver City",
        "state": "CA",
        "programs": [{"name": "Adult IOP", "focus": "substance_use"}],
        **fields,
    }


def directory_json(*records):
    return json.dumps({"facilities": list(records)})


def upload(admin_client, text, name="county.json", **fields):
    data = {"file": SimpleUploadedFile(name, text.encode()), "format": "", "source": ""}
    return admin_client.post(IMPORT_URL, {**data, **fields})


def confirm(admin_client, report_page):
    token = re.search(r'name="token" value="(\w+)"', report_page.content.decode())[1]
    return admin_client.post(IMPORT_URL, {"token": token})


def page(response):
    return response.content.decode()


# --- Importing a file -------------------------------------------------------------------------


def test_the_facility_list_offers_to_import_a_file(admin_client):
    assert IMPORT_URL in page(admin_client.get(FACILITIES_URL))


def test_an_upload_shows_what_the_import_would_do(admin_client):
    response = upload(admin_client, directory_json(record(), record("Bayside Recovery")))
    assert '<td data-count="created">2</td>' in page(response)


def test_an_upload_writes_nothing_before_it_is_confirmed(admin_client):
    upload(admin_client, directory_json(record()))
    assert not Facility.objects.exists()


def test_confirming_the_report_imports_the_file(admin_client):
    report_page = upload(admin_client, directory_json(record(), record("Bayside Recovery")))
    response = confirm(admin_client, report_page)
    assert response["Location"] == FACILITIES_URL
    assert sorted(Facility.objects.values_list("name", "programs__name")) == [
        ("Bayside Recovery", "Adult IOP"),
        ("Harbor Light Counseling", "Adult IOP"),
    ]


def test_an_admin_import_is_kept_in_history_with_the_curator_and_source(admin_client, admin_user):
    confirm(admin_client, upload(admin_client, directory_json(record())))
    change = Facility.history.get()
    assert (change.history_user, change.history_change_reason) == (admin_user, "import:county")


def test_an_upload_with_bad_rows_lists_every_problem_and_offers_no_import(admin_client):
    text = "facility.name,facility.city,facility.state,facility.latitude,facility.longitude\n"
    text += "Good,Culver City,CA,33.9,-118.4\nBad,Culver City,CA,north-ish,-118.4\nWorse,,CA,,\n"
    content = page(upload(admin_client, text, name="county.csv"))
    assert "line 3: latitude &#x27;north-ish&#x27; is not a number" in content
    assert "line 4: city is missing" in content and 'name="token"' not in content


def test_a_confirmation_with_no_upload_waiting_is_refused(admin_client):
    response = admin_client.post(IMPORT_URL, {"token": "0123abcd"})
    assert response["Location"] == IMPORT_URL and not Facility.objects.exists()


def test_a_file_of_unknown_format_is_refused_with_a_message(admin_client):
    content = page(upload(admin_client, "Harbor Light, Culver City", name="county.txt"))
    assert "Cannot tell the file&#x27;s format from its content: choose one." in content


def test_a_file_that_is_not_utf8_is_refused_with_a_message(admin_client):
    response = admin_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("county.csv", "Peña".encode("latin-1"))}
    )
    assert "The file is not UTF-8 text" in page(response)


@pytest.mark.skipif(not SAMPLE.exists(), reason="no locator sample in shared/data")
def test_a_locator_upload_reports_skipped_rows_and_unmapped_answers(admin_client):
    content = page(upload(admin_client, SAMPLE.read_text(), name="va.json", format="findtreatment"))
    assert '<td data-count="skipped">25</td>' in content
    assert "Federal, or any government funding for substance abuse programs" in content


def test_the_import_page_needs_a_curator(client, db):
    assert client.get(IMPORT_URL)["Location"].startswith("/admin/login/")


# --- Verification -----------------------------------------------------------------------------


def mark_verified(admin_client, *facilities, method="phone"):
    return admin_client.post(
        FACILITIES_URL,
        {
            "action": "mark_verified",
            "method": method,
            "_selected_action": [f.pk for f in facilities],
        },
    )


def test_mark_verified_today_records_the_date_and_the_curator(admin_client, admin_user, facility):
    mark_verified(admin_client, facility)
    facility.refresh_from_db()
    assert (facility.last_verified_at.date(), facility.verified_by) == (date.today(), admin_user)


def test_mark_verified_is_kept_in_history(admin_client, admin_user, facility):
    mark_verified(admin_client, facility)
    change = facility.history.first()
    assert (change.history_user, change.history_change_reason) == (
        admin_user,
        "Marked verified: Phone call",
    )


def test_the_verified_filter_finds_listings_not_verified_in_a_year(admin_client, db):
    make_facility("Checked Long Ago", last_verified_at=timezone.now() - timedelta(days=400))
    make_facility("Checked Recently", last_verified_at=timezone.now() - timedelta(days=30))
    content = page(admin_client.get(FACILITIES_URL, {"verified": "over_year"}))
    assert "Checked Long Ago" in content and "Checked Recently" not in content


# --- Completeness -----------------------------------------------------------------------------


def complete_program(facility=None, name="Complete IOP"):
    facility = facility or make_facility("Complete Care", payment_options=["medicaid"])
    return make_program(
        facility,
        name,
        sessions=[("mon", "18:00", "21:00")],
        age_min=18,
        duration_weeks_max=12,
        conditions=["alcohol_use"],
        transition_supports=["alumni_group"],
        philosophy=["harm_reduction"],
        modalities=["cbt"],
    )


def test_a_program_counts_the_questions_its_listing_answers(program):
    # Only the schedule: no insurance, conditions, ages, duration, support, philosophy, methods.
    assert program.answered_count == 1


def test_a_complete_program_answers_all_eight_questions(db):
    assert complete_program().answered_count == 8


def test_the_program_list_shows_how_many_questions_are_answered(admin_client, program):
    assert '<td class="field-answered">1/8</td>' in page(admin_client.get(PROGRAMS_URL))


def test_the_facility_list_shows_its_least_complete_program(admin_client, db):
    facility = complete_program().facility
    make_program(facility, "Sparse IOP")
    content = page(admin_client.get(FACILITIES_URL))
    assert '<td class="field-lowest_completeness">1/8</td>' in content


def test_the_facility_list_says_when_a_facility_has_no_programs(admin_client, facility):
    content = page(admin_client.get(FACILITIES_URL))
    assert '<td class="field-lowest_completeness">no programs</td>' in content


def test_the_incomplete_filter_lists_only_programs_missing_answers(admin_client, db):
    complete_program()
    make_program(name="Sparse IOP")
    content = page(admin_client.get(PROGRAMS_URL, {"answered": "incomplete"}))
    assert "Sparse IOP" in content and "Complete IOP" not in content


def test_the_incomplete_filter_counts_a_facility_without_programs(admin_client, db):
    complete_program()
    make_facility("Empty Shell")
    content = page(admin_client.get(FACILITIES_URL, {"answered": "incomplete"}))
    assert "Empty Shell" in content and "Complete Care" not in content


def test_the_program_list_takes_a_fixed_number_of_queries(
    admin_client, db, django_assert_max_num_queries
):
    for number in range(12):
        complete_program(name=f"Program {number}")
    with django_assert_max_num_queries(25):
        admin_client.get(PROGRAMS_URL)


def test_the_facility_list_takes_a_fixed_number_of_queries(
    admin_client, db, django_assert_max_num_queries
):
    for number in range(12):
        facility = make_facility(f"Facility {number}")
        complete_program(facility)
    with django_assert_max_num_queries(30):
        admin_client.get(FACILITIES_URL)


# --- History ----------------------------------------------------------------------------------


def test_the_facility_history_page_shows_an_imports_source(admin_client, db):
    import_directory([("index 0", record())], source="import:county")
    facility = Facility.objects.get()
    content = page(admin_client.get(f"{FACILITIES_URL}{facility.pk}/history/"))
    assert "import:county" in content


def program_form(program, sessions):
    """The program change form's data, with its sessions inline."""
    data = {
        "name": program.name,
        "facility": program.facility.pk,
        "level_of_care": program.level_of_care,
        "focus": program.focus,
        "format": program.format,
        "accepting_new_clients": "unknown",
        "sessions-TOTAL_FORMS": len(sessions),
        "sessions-INITIAL_FORMS": program.sessions.count(),
        "sessions-MIN_NUM_FORMS": 0,
        "sessions-MAX_NUM_FORMS": 1000,
    }
    for number, (session_id, weekday, start, end) in enumerate(sessions):
        data |= {
            f"sessions-{number}-id": session_id or "",
            f"sessions-{number}-program": program.pk,
            f"sessions-{number}-weekday": weekday,
            f"sessions-{number}-start_time": start,
            f"sessions-{number}-end_time": end,
        }
    return data


def test_a_schedule_change_in_the_admin_is_kept_in_the_programs_history(
    admin_client, admin_user, program
):
    sessions = [(s.pk, s.weekday, "18:00", "21:00") for s in program.sessions.all()]
    sessions.append((None, 4, "17:00", "20:00"))
    admin_client.post(f"{PROGRAMS_URL}{program.pk}/change/", program_form(program, sessions))
    change = program.history.first()
    assert (change.history_change_reason, change.history_user, change.days_per_week) == (
        "Schedule changed",
        admin_user,
        3,
    )


# --- Corrections ------------------------------------------------------------------------------


def suggest(facility, field="phone", value="(310) 555-0199", **fields):
    return Correction.objects.create(
        facility=facility, field=field, suggested_value=value, **fields
    )


def act_on(admin_client, action, *corrections):
    return admin_client.post(
        CORRECTIONS_URL,
        {"action": action, "_selected_action": [c.pk for c in corrections]},
        follow=True,
    )


def test_the_queue_lists_pending_corrections_first(admin_client, facility):
    suggest(facility, value="(310) 555-0001")
    suggest(facility, value="(310) 555-0002", status=Correction.Status.ACCEPTED)
    content = page(admin_client.get(CORRECTIONS_URL))
    assert content.index("555-0001") < content.index("555-0002")


def test_the_queue_shows_the_current_value_beside_the_suggested_one(admin_client, facility):
    suggest(facility)
    content = page(admin_client.get(CORRECTIONS_URL))
    assert '<td class="field-current_value_short">(310) 555-0100</td>' in content
    assert '<td class="field-suggestion_short">(310) 555-0199</td>' in content


def test_a_correction_changes_nothing_until_a_curator_accepts_it(admin_client, facility):
    suggest(facility)
    admin_client.get(CORRECTIONS_URL)
    facility.refresh_from_db()
    assert facility.phone == "(310) 555-0100"


def test_accepting_applies_the_suggestion_to_the_listing(admin_client, admin_user, facility):
    correction = suggest(facility)
    act_on(admin_client, "accept", correction)
    facility.refresh_from_db()
    correction.refresh_from_db()
    assert (facility.phone, correction.status, correction.reviewed_by) == (
        "+13105550199",
        "accepted",
        admin_user,
    )


def test_rejecting_leaves_the_listing_as_it_was(admin_client, facility):
    correction = suggest(facility)
    act_on(admin_client, "reject", correction)
    facility.refresh_from_db()
    correction.refresh_from_db()
    assert (facility.phone, correction.status) == ("(310) 555-0100", "rejected")


def test_a_suggestion_that_cannot_stand_is_an_error_message_not_a_500(admin_client, facility):
    correction = suggest(facility, field="website", value="harbor light dot org")
    response = act_on(admin_client, "accept", correction)
    correction.refresh_from_db()
    assert response.status_code == 200 and correction.status == "pending"
    assert f"Correction #{correction.pk} to Harbor Light Counseling was not applied" in page(
        response
    )


def test_a_reviewed_correction_is_not_reviewed_again(admin_client, facility):
    correction = suggest(facility, status=Correction.Status.REJECTED)
    act_on(admin_client, "accept", correction)
    facility.refresh_from_db()
    assert facility.phone == "(310) 555-0100"


def test_an_accepted_correction_is_kept_in_the_listings_history(admin_client, admin_user, facility):
    correction = suggest(facility)
    act_on(admin_client, "accept", correction)
    change = facility.history.first()
    assert (change.history_user, change.history_change_reason) == (
        admin_user,
        f"Accepted correction #{correction.pk}",
    )


def test_the_queue_filters_by_status(admin_client, facility):
    suggest(facility, value="(310) 555-0001")
    suggest(facility, value="(310) 555-0002", status=Correction.Status.REJECTED)
    content = page(admin_client.get(CORRECTIONS_URL, {"status__exact": "rejected"}))
    assert "555-0002" in content and "555-0001" not in content


def test_accepting_a_suggestion_about_something_else_asks_to_apply_it_by_hand(
    admin_client, facility
):
    correction = suggest(facility, field="other", value="The teen track has closed.")
    assert "apply those to the listing by hand" in page(act_on(admin_client, "accept", correction))


# --- Contact data checked at the door ---------------------------------------------------------


def change_form_data(admin_client, facility, **changes):
    """The facility's change form as the admin renders it, with some values changed."""
    response = admin_client.get(f"{FACILITIES_URL}{facility.pk}/change/")
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    data.update(changes)
    return data


def save_facility(admin_client, facility, **changes):
    url = f"{FACILITIES_URL}{facility.pk}/change/"
    return admin_client.post(url, change_form_data(admin_client, facility, **changes))


def test_the_admin_refuses_n_a_as_a_phone_number(admin_client, facility):
    content = page(save_facility(admin_client, facility, phone="n/a"))
    facility.refresh_from_db()
    assert "“n/a” is not a phone number" in content.replace("&quot;", '"')
    assert facility.phone == "(310) 555-0100"


def test_the_admin_stores_a_phone_number_in_e164(admin_client, facility):
    save_facility(admin_client, facility, phone="(323) 555-0199 x12")
    facility.refresh_from_db()
    assert facility.phone == "+13235550199;ext=12"


def test_the_admin_refuses_a_zip_code_of_another_state(admin_client, facility):
    content = page(save_facility(admin_client, facility, zip_code="10001"))
    assert "ZIP code 10001 is in NY, not CA." in content


def test_the_admin_refuses_a_website_that_is_not_http(admin_client, facility):
    save_facility(admin_client, facility, website="ftp://files.example.org")
    facility.refresh_from_db()
    assert facility.website == ""


def test_a_migrated_phone_that_cannot_be_read_is_kept_and_flagged(db, facility):
    from django.core.management import call_command

    Facility.objects.filter(pk=facility.pk).update(phone="call the front desk")
    output = io.StringIO()
    call_command("normalize_phones", stdout=output)
    facility.refresh_from_db()
    assert (facility.phone, facility.needs_review) == ("call the front desk", True)
    assert "phone 'call the front desk'" in output.getvalue()


# --- Verification as a first-class act ------------------------------------------------------


def verify(admin_client, facility, method="phone"):
    url = f"{FACILITIES_URL}{facility.pk}/verify/"
    return admin_client.post(url, {"method": method}, follow=True)


def test_the_change_page_has_a_mark_verified_button(admin_client, facility):
    content = page(admin_client.get(f"{FACILITIES_URL}{facility.pk}/change/"))
    assert f'action="{FACILITIES_URL}{facility.pk}/verify/"' in content
    assert "Mark verified</button>" in content


def test_marking_verified_an_address_that_names_no_listing_is_not_found(admin_client, db):
    for object_id in ("abc", "999999"):
        response = admin_client.post(f"{FACILITIES_URL}{object_id}/verify/", {"method": "phone"})
        assert response.status_code == 404, object_id


def test_marking_verified_records_who_when_and_how(admin_client, admin_user, facility):
    verify(admin_client, facility, method="website")
    facility.refresh_from_db()
    assert (facility.last_verified_at.date(), facility.verified_by) == (date.today(), admin_user)
    assert facility.verification_method == "website"


def test_the_history_shows_the_curator_and_the_method(admin_client, facility):
    verify(admin_client, facility, method="phone")
    history = page(admin_client.get(f"{FACILITIES_URL}{facility.pk}/history/"))
    assert "Marked verified: Phone call" in history and ">admin<" in history
    assert "Deleted user" not in history


def test_the_public_page_note_names_the_curator_and_the_method(admin_client, facility):
    verify(admin_client, facility, method="phone")
    facility.refresh_from_db()
    assert facility.verification_note == "Checked by admin by a phone call."


def test_the_public_verified_line_names_the_curator_and_the_method(admin_client, client, facility):
    verify(admin_client, facility, method="phone")
    assert "Checked by admin by a phone call." in page(client.get(facility.get_absolute_url()))


def test_a_verification_date_typed_by_hand_records_the_curator(admin_client, admin_user, facility):
    save_facility(
        admin_client,
        facility,
        last_verified_at_0="2026-11-02",
        last_verified_at_1="10:00:00",
        verification_method="facility",
    )
    facility.refresh_from_db()
    assert (facility.verified_by, facility.verification_method) == (admin_user, "facility")
    assert facility.history.first().history_user == admin_user


def test_mark_verified_from_the_list_asks_how(admin_client, facility):
    mark_verified(admin_client, facility, method="")
    facility.refresh_from_db()
    assert facility.last_verified_at is None


# --- The admin's home page --------------------------------------------------------------------


def test_the_home_page_counts_what_waits_with_links(admin_client, facility):
    suggest(facility)
    content = page(admin_client.get("/admin/"))
    assert re.search(
        r'href="/admin/facilities/correction/\?status__exact=pending"><strong data-count>1</strong>'
        r" corrections waiting",
        content,
    )
    assert f'href="{FACILITIES_URL}?answered=incomplete"' in content
    assert f'href="{FACILITIES_URL}?verified=over_year"' in content


# --- Importing: recognised from the content, nothing silent ----------------------------------


@pytest.mark.skipif(not SAMPLE.exists(), reason="no locator sample in shared/data")
def test_the_locator_sample_imports_with_the_default_format_choice(admin_client):
    content = page(upload(admin_client, SAMPLE.read_text(), name="va.json"))
    assert "(findtreatment: A SAMHSA" in content and '<td data-count="created">5</td>' in content
    admin_client.post(IMPORT_URL, {"token": re.search(r'name="token" value="(\w+)"', content)[1]})
    assert Facility.objects.filter(source="import:findtreatment").count() == 5


@pytest.mark.skipif(not SAMPLE.exists(), reason="no locator sample in shared/data")
def test_a_locator_record_with_a_bad_website_imports_with_a_warning(admin_client):
    data = json.loads(SAMPLE.read_text())
    data["rows"][3]["website"] = "not a web site"
    content = page(upload(admin_client, json.dumps(data), name="va.json"))
    assert "index 3: website &#x27;not a web site&#x27; left out: not a web address" in content


def test_the_format_choices_carry_human_labels(admin_client):
    content = page(admin_client.get(IMPORT_URL))
    assert "A SAMHSA treatment locator (FindTreatment.gov) JSON export" in content
    assert "Recognise it from the file&#x27;s content" in content


# --- Corrections reviewed like edits ---------------------------------------------------------


def review(admin_client, correction, decision, value):
    url = f"{CORRECTIONS_URL}{correction.pk}/change/"
    return admin_client.post(url, {"decision": decision, "value_to_apply": value}, follow=True)


def test_the_correction_page_shows_the_listing_beside_the_parsed_suggestion(admin_client, facility):
    correction = suggest(facility, value="new # is 323-555-0199")
    content = page(admin_client.get(f"{CORRECTIONS_URL}{correction.pk}/change/"))
    assert "(310) 555-0100" in content and "+13235550199</textarea>" in content


def test_the_curator_edits_the_value_before_accepting(admin_client, facility):
    correction = suggest(facility, value="new # is 323-555-0199")
    review(admin_client, correction, "accept", "323-555-0123")
    facility.refresh_from_db()
    assert facility.phone == "+13235550123"


def test_an_invalid_edited_value_is_refused_and_nothing_changes(admin_client, facility):
    correction = suggest(facility)
    content = page(review(admin_client, correction, "accept", "n/a"))
    facility.refresh_from_db()
    correction.refresh_from_db()
    assert "is not a phone number" in content
    assert (facility.phone, correction.status) == ("(310) 555-0100", "pending")


def test_rejecting_from_the_correction_page(admin_client, facility):
    correction = suggest(facility)
    review(admin_client, correction, "reject", "")
    correction.refresh_from_db()
    assert correction.status == "rejected"


# --- Completeness kept in the database -------------------------------------------------------


def test_the_stored_count_agrees_with_the_answers_shown(db):
    program = complete_program()
    sparse = make_program(program.facility, "Sparse IOP", age_max=17)
    program.refresh_from_db()
    sparse.refresh_from_db()
    assert (program.questions_answered, sparse.questions_answered) == (8, 2)
    assert (program.answered_count, sparse.answered_count) == (8, 2)


def test_removing_a_payment_option_makes_a_listing_incomplete(admin_client, db):
    facility = complete_program().facility
    facility.payment_options.clear()
    content = page(admin_client.get(FACILITIES_URL, {"answered": "incomplete"}))
    assert "Complete Care" in content


@pytest.mark.parametrize(
    "vocabulary, slug",
    [("modality", "cbt"), ("paymentoption", "medicaid")],  # a program's, a facility's
)
def test_deleting_a_term_makes_the_listings_that_had_it_incomplete(admin_client, vocabulary, slug):
    program = complete_program()
    other = make_program(make_facility("Other Care", payment_options=["self_pay"]), "Other")
    term = django_apps.get_model("facilities", vocabulary).objects.get(slug=slug)
    response = admin_client.post(
        f"/admin/facilities/{vocabulary}/{term.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    program.refresh_from_db()
    other.refresh_from_db()
    assert (program.questions_answered, program.answered_count) == (7, 7)
    assert other.questions_answered == other.answered_count
    assert "Complete Care" in page(admin_client.get(FACILITIES_URL, {"answered": "incomplete"}))


def test_the_incomplete_filter_reads_no_program(admin_client, db, django_assert_max_num_queries):
    for number in range(5):
        make_program(make_facility(f"Listing {number}"))
    with django_assert_max_num_queries(12):
        admin_client.get(FACILITIES_URL, {"answered": "incomplete"})
