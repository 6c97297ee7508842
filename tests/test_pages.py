import re

import pytest
from django.urls import reverse

from facilities.models import Facility
from tests.conftest import make_facility, make_program

PASADENA = (34.1478, -118.1445)  # about 17 miles from Culver City


def program_ids(response):
    return [int(i) for i in re.findall(r'data-program-id="(\d+)"', response.content.decode())]


def distances(response):
    text = response.content.decode()
    return [float(d) for d in re.findall(r'data-distance-miles="([\d.]+)"', text)]


# --- Home -------------------------------------------------------------------------------------


def test_home_page_offers_the_search_and_the_crisis_line(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b'action="/search/"' in response.content and b'href="tel:988"' in response.content


def test_home_page_explains_what_an_iop_is(client, db):
    assert b"What is an intensive outpatient program?" in client.get("/").content


def test_every_page_shows_the_988_line(client, facility):
    for url in ["/", "/search/", facility.get_absolute_url()]:
        assert b'href="tel:988"' in client.get(url).content, url


# --- The search page --------------------------------------------------------------------------


def test_search_form_offers_every_vocabulary_slug_as_a_value(client, db):
    page = client.get("/search/").content.decode()
    for name, slug in [
        ("insurance", "tricare"),
        ("condition", "trauma_ptsd"),
        ("population", "first_responders"),
        ("modality", "smart_recovery"),
        ("philosophy", "harm_reduction"),
        ("transition", "sober_living_referral"),
        ("language", "asl"),
        ("time_of_day", "weekend"),
        ("format", "hybrid"),
        ("focus", "eating_disorders"),
    ]:
        assert f'name="{name}" value="{slug}"' in page, (name, slug)


def test_search_from_a_zip_lists_nearest_first_with_distances(client, db):
    far = make_program(make_facility("Far Away Center", point=PASADENA), "Far IOP")
    near = make_program(make_facility("Close By Center"), "Near IOP")
    response = client.get("/search/", {"location": "90230", "radius": 25})
    assert program_ids(response) == [near.pk, far.pk]
    assert distances(response) == sorted(distances(response)) and distances(response)[1] > 15


def test_the_radius_leaves_out_programs_farther_away(client, db):
    make_program(make_facility("Far Away Center", point=PASADENA), "Far IOP")
    near = make_program(make_facility("Close By Center"), "Near IOP")
    assert program_ids(client.get("/search/", {"location": "90230", "radius": 10})) == [near.pk]


def test_search_page_says_how_many_programs_match_and_where(client, db):
    make_program()
    response = client.get("/search/", {"location": "Culver City, CA", "radius": 10})
    assert b"1 program within 10 miles of Culver City, CA" in response.content


def test_the_questions_the_visitor_asked_are_marked_as_matched(client, db):
    facility = make_facility(payment_options=["medicaid"])
    make_program(facility, modalities=["dbt"])
    page = client.get("/search/", {"location": "90230", "insurance": "medicaid"}).content.decode()
    assert re.search(r'<li class="mark-yes"><span aria-hidden="true">✓</span> Medicaid</li>', page)
    matched = re.findall(r'<div class="answer answer-matched">\s*<dt>([^<]+)</dt>', page)
    assert matched == ["Does it accept my insurance?"]


def test_a_missing_answer_reads_not_listed(client, db):
    make_program(duration_weeks_min=None, duration_weeks_max=None)
    page = client.get("/search/").content.decode()
    assert "Not listed — ask when you call" in page


def test_each_result_offers_a_tap_to_call_link(client, db):
    make_program(make_facility(phone="+13105550142"))
    page = client.get("/search/").content.decode()
    assert 'href="tel:+13105550142">Call (310) 555-0142</a>' in page


def test_results_are_grouped_by_facility(client, db):
    facility = make_facility("Two Track Center")
    make_program(facility, "Adult evening IOP")
    make_program(facility, "Teen after-school IOP")
    page = client.get("/search/", {"location": "90230"}).content.decode()
    assert page.count('class="facility-result"') == 1 and len(program_ids_in(page)) == 2


def program_ids_in(page):
    return re.findall(r'data-program-id="(\d+)"', page)


def test_an_empty_search_offers_the_nearest_programs_beyond_the_radius(client, db):
    far = make_program(make_facility("Far Away Center", point=PASADENA), "Far IOP")
    response = client.get("/search/", {"location": "90230", "radius": 5})
    page = response.content.decode()
    assert "No program matching your search is within 5 miles" in page
    assert program_ids(response) == [far.pk] and 'data-beyond-radius="true"' in page


def test_filters_stay_in_the_links_to_other_pages(client, db):
    facility = make_facility(payment_options=["medicaid"])
    for n in range(21):
        make_program(facility, f"Track {n:02d}")
    page = client.get("/search/", {"location": "90230", "insurance": "medicaid"}).content.decode()
    assert re.search(
        r'href="\?location=90230&amp;insurance=medicaid(&amp;radius=25)?&amp;page=2"', page
    ) or (
        "page=2" in page and "insurance=medicaid" in page.split("page=2")[0].rsplit('href="', 1)[1]
    )


def test_a_page_past_the_end_says_so_and_shows_the_last_page(client, db):
    make_program()
    response = client.get("/search/", {"page": 7})
    assert response.status_code == 200
    assert b"There is no page 7" in response.content and len(program_ids(response)) == 1


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"location": "Atlantis, ZZ"}, "location", "We couldn&#39;t find that place."),
        ({"radius": "0"}, "radius", "Choose a distance from 1 to 250 miles."),
        ({"radius": "900"}, "radius", "Choose a distance from 1 to 250 miles."),
        ({"age": "-3"}, "age", "Enter an age from 0 to 120."),
        ({"age": "ten"}, "age", "Enter an age from 0 to 120."),
        ({"modality": "telepathy"}, "modality", "telepathy is not one of the available choices"),
        ({"max_days_per_week": "9"}, "max_days_per_week", "Enter a number of days from 1 to 7."),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field(client, db, params, field, message):
    response = client.get("/search/", params)
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(rf'id="id_{field}_error"[^>]*>[^<]*{re.escape(message)}', page)


def test_bad_input_shows_no_results(client, db):
    make_program()
    assert program_ids(client.get("/search/", {"age": "-3"})) == []


def test_unpublished_facilities_are_not_in_results(client, db):
    make_program(make_facility("Draft Center", status=Facility.Status.DRAFT))
    make_program(make_facility("Archived Center", status=Facility.Status.ARCHIVED))
    assert program_ids(client.get("/search/")) == []


@pytest.mark.parametrize(
    "search",
    [
        {"location": "90230", "insurance": "medicaid", "age": 30},
        {"insurance": "medicaid", "age": 30},  # no place: every program, by name
        {"location": "90230", "insurance": "medicaid", "sort": "name"},
        {"location": "90230", "insurance": "medicaid", "sort": "verified"},
    ],
    ids=["nearest first", "no place", "by name", "by verification"],
)
def test_a_search_page_runs_the_same_number_of_queries_for_3_or_40_results(
    client, db, django_assert_max_num_queries, search
):
    def queries_for_search():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            page = client.get("/search/", search)
        assert page.status_code == 200 and "Track 1" in page.content.decode()
        return len(captured)

    # Three: fewer would add the ways out of a search that finds too few (test_way_out).
    facility = make_facility(payment_options=["medicaid"])
    for n in range(3):
        make_program(
            facility, f"Track {n}", modalities=["cbt"], sessions=[("mon", "09:00", "12:00")]
        )
    queries_for_search()  # the first search of a directory version reads the vocabularies
    with_three = queries_for_search()
    for n in range(3, 40):
        other = make_facility(f"Center {n}", payment_options=["medicaid"])
        make_program(other, f"Track {n}", modalities=["cbt"], sessions=[("mon", "09:00", "12:00")])
    with_forty = queries_for_search()
    assert with_forty == with_three
    with django_assert_max_num_queries(30):
        client.get("/search/", {"location": "90230"})


def test_a_results_page_of_12_programs_runs_the_queries_of_one_of_2(client, db):
    """Every program with sessions and a term of every vocabulary: a card that read a
    relation other than through linked() (querysets.load_answers) would add a query a card."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from facilities.vocabularies import VOCABULARIES

    def first_terms(of_facility):
        return {
            v.relation: [v.model.objects.first().slug]
            for v in VOCABULARIES
            if v.of_facility == of_facility
        }

    facility_terms, program_terms = first_terms(True), first_terms(False)

    def add_programs(count):
        for n in range(count):
            facility = make_facility(f"Center {Facility.objects.count()}", **facility_terms)
            sessions = [("mon", "09:00", "12:00"), ("wed", "18:00", "21:00")]
            make_program(facility, f"Track {n}", sessions=sessions, **program_terms)

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/search/", {"location": "90230"})
        assert page.status_code == 200
        return len(captured), page.content.decode().count("data-program-id=")

    add_programs(2)
    queries_for_page()  # the first search of a directory version reads the vocabularies
    with_two = queries_for_page()
    add_programs(10)
    with_twelve = queries_for_page()
    assert (with_two[1], with_twelve[1]) == (2, 12)
    assert with_twelve[0] == with_two[0]


# --- Facility page, health, admin -------------------------------------------------------------


def test_facility_page_lists_its_programs_with_answers(client, db):
    program = make_program(duration_weeks_min=6, duration_weeks_max=10)
    page = client.get(program.facility.get_absolute_url()).content.decode()
    assert program.name in page and "6 to 10 weeks" in page


def test_draft_facility_page_is_not_found(client, db):
    facility = make_facility(status=Facility.Status.DRAFT)
    assert client.get(facility.get_absolute_url()).status_code == 404


def test_health_check_answers_when_the_database_does(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_admin_lists_facilities_for_staff(admin_client, facility):
    response = admin_client.get(reverse("admin:facilities_facility_changelist"), {"q": "Harbor"})
    assert response.status_code == 200 and facility.name.encode() in response.content


def test_admin_facility_page_shows_programs_and_sessions_inline(admin_client, program):
    url = reverse("admin:facilities_facility_change", args=[program.facility.pk])
    page = admin_client.get(url).content.decode()
    assert program.name in page and 'name="programs-0-sessions-0-start_time"' in page


def test_admin_filters_listings_not_verified_in_a_year(admin_client, db):
    from django.utils import timezone

    make_facility("Stale Center", last_verified_at=timezone.now() - timezone.timedelta(days=400))
    make_facility("Fresh Center", last_verified_at=timezone.now())
    url = reverse("admin:facilities_facility_changelist")
    page = admin_client.get(url, {"verified": "over_year"}).content.decode()
    assert "Stale Center" in page and "Fresh Center" not in page


def test_admin_is_closed_to_visitors(client, db):
    response = client.get("/admin/facilities/facility/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_pages_without_demo_listings_carry_no_demo_notice(client, db):
    make_program()
    assert b"Demo data" not in client.get("/").content


@pytest.mark.parametrize("language", ["en", "es"])
def test_result_rows_link_to_the_addresses_reverse_gives(db, language):
    """Rows build their links from an address reversed once per language."""
    from django.utils import translation

    from facilities.models import reversed_with

    with translation.override(language):
        assert reversed_with("facility_detail", "harbor-light-culver-city") == reverse(
            "facility_detail", args=["harbor-light-culver-city"]
        )
        assert reversed_with("shortlist_add", 42) == reverse("shortlist_add", args=[42])
        assert reversed_with("shortlist_add", 42).startswith("/es/" if language == "es" else "/")


def test_the_folded_search_counts_the_filters_as_the_chips_show_them(client, db):
    make_program(make_facility("Harbor Light Counseling"), "Adult IOP")
    query = "location=90230&insurance=medicaid&insurance=medicare&language=es"
    page = client.get(f"/search/?{query}").content.decode()
    assert page.count('class="chip"') == 3
    assert "Filters (3)" in page
    # A place not found (the form open again to mend it) still counts what was asked.
    unknown = query.replace("90230", "zzzzqqq") + "&insurance=medicaid"
    assert "Filters (3)" in client.get(f"/search/?{unknown}").content.decode()
