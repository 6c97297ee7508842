"""The facility page, the call checklist and the comparison."""

import re

import pytest
from django.utils import timezone

from facilities.models import Facility
from tests.conftest import make_facility, make_program

PASADENA = (34.1478, -118.1445)


def program_columns(response):
    return [
        int(i)
        for i in re.findall(r'<th scope="col" data-program-id="(\d+)"', response.content.decode())
    ]


# --- Facility page ------------------------------------------------------------------------------


def test_facility_page_offers_tap_to_call_and_directions(client, db):
    facility = make_facility(phone="+13105550110", intake_phone="+13105550111")
    page = client.get(facility.get_absolute_url()).content.decode()
    assert 'href="tel:+13105550110">Call (310) 555-0110' in page
    assert 'href="tel:+13105550111">Intake: (310) 555-0111' in page
    assert "maps/dir/?api=1&amp;destination=33.994900%2C-118.399100" in page


def test_facility_page_says_when_it_was_verified_in_plain_words(client, db):
    verified = timezone.now() - timezone.timedelta(days=95)
    facility = make_facility(last_verified_at=verified)
    assert b"Verified 3 months ago" in client.get(facility.get_absolute_url()).content


def test_a_listing_unverified_for_a_year_warns_the_visitor(client, db):
    facility = make_facility(last_verified_at=timezone.now() - timezone.timedelta(days=400))
    page = client.get(facility.get_absolute_url()).content
    assert b"Verified over a year ago" in page and b"confirm them when you call" in page


def test_facility_page_names_the_source_of_its_data(client, db):
    facility = make_facility(source="import:findtreatment")
    assert b"SAMHSA&#39;s treatment locator" in client.get(facility.get_absolute_url()).content


def test_program_answers_explain_the_terms(client, db):
    program = make_program(modalities=["dbt"])
    page = client.get(program.facility.get_absolute_url()).content.decode()
    assert re.search(r"<strong>Dialectical behavior therapy \(DBT\)</strong>: \w+", page)


def test_the_eight_questions_come_in_the_order_of_the_design(client, program):
    page = client.get(program.facility.get_absolute_url()).content.decode()
    questions = [
        "How long does the program last?",
        "Does it accept my insurance?",
        "Does it have experience with issues like mine?",
        "What support is there when I leave?",
        "Does it serve my age?",
        "What is the weekly schedule?",
        "What is the treatment philosophy?",
        "Which therapy modalities are offered?",
    ]
    positions = [page.index(question) for question in questions]
    assert positions == sorted(positions)


def test_a_program_under_the_iop_hours_says_so_plainly(client, db):
    program = make_program(
        age_min=18, sessions=[("mon", "18:00", "20:30"), ("wed", "18:00", "20:30")]
    )
    page = client.get(program.facility.get_absolute_url()).content.decode()
    assert "add up to 5 hours a week, fewer than the 9 hours a week" in page


def test_an_adolescent_program_is_held_to_six_hours(client, db):
    program = make_program(
        age_min=12, age_max=17, sessions=[("mon", "16:00", "18:00"), ("wed", "16:00", "18:00")]
    )
    page = client.get(program.facility.get_absolute_url()).content.decode()
    assert "fewer than the 6 hours a week" in page


@pytest.mark.parametrize("status", [Facility.Status.DRAFT, Facility.Status.ARCHIVED])
def test_unpublished_facility_pages_are_not_found(client, db, status):
    facility = make_facility(status=status)
    assert client.get(facility.get_absolute_url()).status_code == 404


def test_facility_page_links_to_suggest_a_correction(client, facility):
    assert (
        f'href="/facilities/{facility.slug}/suggest/"'.encode()
        in client.get(facility.get_absolute_url()).content
    )


# --- Questions to ask when you call -------------------------------------------------------------


def test_the_checklist_separates_what_is_known_from_what_to_ask(client, db):
    program = make_program(duration_weeks_min=6, duration_weeks_max=8)
    page = client.get(
        f"/facilities/{program.facility.slug}/programs/{program.pk}/checklist/"
    ).content.decode()
    to_ask, known = page.split("Worth asking every program")[0], page.split("already says")[1]
    assert "Which therapy modalities are offered?" in to_ask and "6 to 8 weeks" in known
    assert "How long does the program last?" not in to_ask


def test_the_checklist_of_another_facilitys_program_is_not_found(client, program):
    other = make_facility("Other Center")
    assert (
        client.get(f"/facilities/{other.slug}/programs/{program.pk}/checklist/").status_code == 404
    )


# --- Compare -----------------------------------------------------------------------------------


@pytest.fixture
def three_programs(db):
    near = make_program(make_facility("Near Center"), "Near IOP", duration_weeks_max=8)
    far = make_program(
        make_facility("Far Center", point=PASADENA), "Far IOP", duration_weeks_max=12
    )
    other = make_program(make_facility("Third Center"), "Third IOP", duration_weeks_max=8)
    return near, far, other


def test_compare_shows_programs_side_by_side_in_the_order_asked(client, three_programs):
    near, far, other = three_programs
    response = client.get("/compare/", {"programs": f"{far.pk},{near.pk},{other.pk}"})
    assert program_columns(response) == [far.pk, near.pk, other.pk]


def test_compare_accepts_repeated_parameters_from_the_results_form(client, three_programs):
    near, far, _ = three_programs
    response = client.get(f"/compare/?programs={near.pk}&programs={far.pk}")
    assert program_columns(response) == [near.pk, far.pk]


def test_compare_marks_the_questions_where_programs_differ(client, three_programs):
    near, far, _ = three_programs
    page = client.get("/compare/", {"programs": f"{near.pk},{far.pk}"}).content.decode()
    duration_row = page[page.index("How long does the program last?") :].split("</tr>")[0]
    insurance_row = page[page.index("Does it accept my insurance?") :].split("</tr>")[0]
    assert "Differs" in duration_row and "Differs" not in insurance_row


def test_compare_gives_distances_from_the_place_searched(client, three_programs):
    near, far, _ = three_programs
    page = client.get(
        "/compare/", {"programs": f"{near.pk},{far.pk}", "location": "90230"}
    ).content.decode()
    assert "Distance from Culver City, CA 90230" in page and re.search(r"1[5-9]\.\d miles", page)


@pytest.mark.parametrize(
    "programs, message",
    [
        ("", "Choose 2 to 4 programs to compare; none were chosen."),
        ("NEAR", "Choose 2 to 4 programs to compare; only one was chosen."),
        ("NEAR,abc", "“abc” is not a program number."),
        ("NEAR,999999", "We couldn&#39;t find program 999999."),
    ],
)
def test_compare_explains_what_is_wrong_with_the_choice(client, three_programs, programs, message):
    near, far, other = three_programs
    ids = (
        programs.replace("NEAR", str(near.pk))
        .replace("FAR", str(far.pk))
        .replace("THIRD", str(other.pk))
    )
    response = client.get("/compare/", {"programs": ids})
    assert response.status_code == 400 and message in response.content.decode()


def test_compare_leaves_out_unpublished_programs(client, three_programs):
    near, _, _ = three_programs
    hidden = make_program(make_facility("Draft Center", status=Facility.Status.DRAFT), "Hidden IOP")
    response = client.get("/compare/", {"programs": f"{near.pk},{hidden.pk}"})
    assert response.status_code == 400 and b"Hidden IOP" not in response.content


def test_search_results_let_the_visitor_pick_programs_to_compare(client, three_programs):
    near, _, _ = three_programs
    page = client.get("/search/", {"location": "90230"}).content.decode()
    assert (
        'id="compare-form"' in page
        and f'name="programs" value="{near.pk}" form="compare-form"' in page
    )
