"""The shortlist: kept in the visitor's browser, shared by link, printed, exported."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.shortcuts import render as real_render
from django.test import Client
from django.utils import translation

from facilities.csv_format import COLUMNS
from facilities.models import Facility
from facilities.referral_sheet import qr_code_svg
from tests.conftest import PASADENA, make_facility, make_program


@pytest.fixture
def english_afterwards():
    """A request to /es/ leaves Spanish active in this thread; the next test starts in English."""
    yield
    translation.deactivate()


def listed(response):
    return [
        int(i)
        for i in re.findall(
            r'class="facility-result" data-program-id="(\d+)"', response.content.decode()
        )
    ]


@pytest.fixture
def two_programs(db):
    first = make_program(make_facility("First Center", payment_options=["medicaid"]), "First IOP")
    second = make_program(make_facility("Second Center"), "Second IOP", modalities=["cbt", "dbt"])
    return first, second


def test_adding_a_program_puts_it_on_the_shortlist(client, two_programs):
    first, _ = two_programs
    client.post(f"/shortlist/add/{first.pk}/")
    assert listed(client.get("/shortlist/")) == [first.pk]


def test_adding_returns_the_visitor_to_the_program_on_the_page_they_were_on(client, two_programs):
    first, _ = two_programs
    response = client.post(f"/shortlist/add/{first.pk}/", {"next": "/search/?location=90230"})
    assert response.status_code == 302
    assert response["Location"] == f"/search/?location=90230#program-{first.pk}"


def test_removing_returns_to_the_program_not_to_an_earlier_anchor(client, two_programs):
    first, second = two_programs
    client.post(f"/shortlist/add/{first.pk}/")
    response = client.post(
        f"/shortlist/remove/{first.pk}/", {"next": f"/shortlist/#program-{second.pk}"}
    )
    assert response["Location"] == f"/shortlist/#program-{first.pk}"


def test_adding_never_redirects_to_another_site(client, two_programs):
    first, _ = two_programs
    response = client.post(f"/shortlist/add/{first.pk}/", {"next": "https://evil.example.com/"})
    assert response["Location"] == f"/shortlist/#program-{first.pk}"


# --- In place, for the page's script -------------------------------------------------------------


def press(client, action, program, **headers):
    return client.post(
        f"/shortlist/{action}/{program.pk}/",
        {"next": "/search/"},
        headers=headers or {"Accept": "application/json"},
    )


def test_adding_from_a_script_answers_json_rather_than_leaving_the_page(client, two_programs):
    first, second = two_programs
    press(client, "add", first)
    response = press(client, "add", second)
    assert response.status_code == 200 and response.json() == {
        "program_id": second.pk,
        "on_shortlist": True,
        "count": 2,
        "message": "Added. 2 programs on your shortlist.",
        "toggle_url": f"/shortlist/remove/{second.pk}/",
    }


def test_a_fetch_marked_request_is_answered_in_json_too(client, two_programs):
    first, _ = two_programs
    response = press(client, "add", first, **{"X-Requested-With": "fetch"})
    assert response.json()["message"] == "Added. 1 program on your shortlist."


def test_removing_from_a_script_says_what_is_left(client, two_programs):
    first, second = two_programs
    press(client, "add", first)
    press(client, "add", second)
    answer = press(client, "remove", first).json()
    assert (answer["on_shortlist"], answer["count"], answer["message"]) == (
        False,
        1,
        "Removed. 1 program on your shortlist.",
    )
    assert listed(client.get("/shortlist/")) == [second.pk]


def test_adding_from_a_script_still_needs_the_csrf_token(db, two_programs):
    guarded = Client(enforce_csrf_checks=True)
    assert press(guarded, "add", two_programs[0]).status_code == 403


def test_a_full_shortlist_says_so_and_keeps_what_it_holds(client, two_programs, monkeypatch):
    first, second = two_programs
    monkeypatch.setattr("facilities.shortlist.MAX_LISTED_PROGRAMS", 1)
    press(client, "add", first)
    answer = press(client, "add", second).json()
    assert (answer["on_shortlist"], answer["count"]) == (False, 1)
    assert "full" in answer["message"] and listed(client.get("/shortlist/")) == [first.pk]


def test_the_in_place_answer_is_in_the_pages_language(client, two_programs, english_afterwards):
    first, _ = two_programs
    response = client.post(
        f"/es/shortlist/add/{first.pk}/", headers={"X-Requested-With": "fetch"}
    ).json()
    assert (response["message"], response["toggle_url"]) == (
        "Agregado. 1 programa en su lista.",
        f"/es/shortlist/remove/{first.pk}/",
    )


def test_removing_a_program_takes_it_off(client, two_programs):
    first, second = two_programs
    client.post(f"/shortlist/add/{first.pk}/")
    client.post(f"/shortlist/add/{second.pk}/")
    client.post(f"/shortlist/remove/{first.pk}/")
    assert listed(client.get("/shortlist/")) == [second.pk]


def test_adding_needs_a_post_with_a_csrf_token(db, two_programs):
    first, _ = two_programs
    guarded = Client(enforce_csrf_checks=True)
    assert guarded.post(f"/shortlist/add/{first.pk}/").status_code == 403
    assert guarded.get(f"/shortlist/add/{first.pk}/").status_code == 405


def test_an_unpublished_program_cannot_be_added(client, db):
    hidden = make_program(make_facility(status=Facility.Status.DRAFT))
    assert client.post(f"/shortlist/add/{hidden.pk}/").status_code == 404


def test_a_tampered_shortlist_cookie_is_ignored(client, two_programs):
    client.cookies["shortlist"] = "1,2,3"
    assert listed(client.get("/shortlist/")) == []


def test_a_shared_link_reopens_the_list_for_someone_else(client, two_programs):
    first, second = two_programs
    response = Client().get("/shortlist/", {"programs": f"{second.pk},{first.pk}"})
    assert (
        listed(response) == [second.pk, first.pk]
        and b"Add these to my shortlist" in response.content
    )


def test_the_shortlist_offers_a_link_that_reopens_it(client, two_programs):
    first, second = two_programs
    client.post(f"/shortlist/add/{first.pk}/")
    client.post(f"/shortlist/add/{second.pk}/")
    page = client.get("/shortlist/").content.decode()
    assert f"http://testserver/shortlist/?programs={first.pk},{second.pk}" in page


def test_keeping_a_shared_list_adds_it_to_your_own(client, two_programs):
    first, second = two_programs
    client.post(f"/shortlist/add/{first.pk}/")
    client.post("/shortlist/keep/", {"programs": f"{second.pk},{first.pk}"})
    assert listed(client.get("/shortlist/")) == [first.pk, second.pk]


def test_the_shortlist_links_to_compare_its_programs(client, two_programs):
    first, second = two_programs
    client.post(f"/shortlist/add/{first.pk}/")
    client.post(f"/shortlist/add/{second.pk}/")
    assert (
        f"/compare/?programs={first.pk},{second.pk}".encode() in client.get("/shortlist/").content
    )


def test_the_referral_sheet_lists_phones_ages_and_room_for_the_referrer(client, two_programs):
    first, second = two_programs
    page = client.get("/shortlist/print/", {"programs": f"{first.pk},{second.pk}"}).content.decode()
    assert "First IOP" in page and "Second IOP" in page and "(310) 555-0100" in page
    assert page.count('class="sheet-facts"') == 2 and 'id="referrer-heading"' in page


def test_the_referral_sheet_has_a_print_stylesheet_that_hides_navigation(client, two_programs):
    page = client.get("/shortlist/print/").content.decode()
    stylesheet = client.get("/static/css/print.css")
    css = b"".join(stylesheet.streaming_content).decode()
    assert 'media="print"' in page and ".site-header" in css.split("display: none")[0]


def test_the_csv_export_has_a_row_a_program_with_the_apis_field_names(client, two_programs):
    first, second = two_programs
    response = client.get("/shortlist/export.csv", {"programs": f"{first.pk},{second.pk}"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv") and list(rows[0]) == COLUMNS
    assert [row["name"] for row in rows] == ["First IOP", "Second IOP"]
    assert rows[1]["modalities"] == "cbt; dbt" and rows[0]["facility.payment_options"] == "medicaid"


def test_the_csv_export_of_your_own_shortlist(client, two_programs):
    first, _ = two_programs
    client.post(f"/shortlist/add/{first.pk}/")
    rows = list(csv.DictReader(io.StringIO(client.get("/shortlist/export.csv").content.decode())))
    assert [row["id"] for row in rows] == [str(first.pk)]


def test_an_empty_shortlist_says_how_to_fill_it(client, db):
    assert b"Nothing on your shortlist yet" in client.get("/shortlist/").content


def test_the_shortlist_is_stored_nowhere_on_the_server(client, two_programs):
    from django.contrib.sessions.models import Session

    client.post(f"/shortlist/add/{two_programs[0].pk}/")
    assert Session.objects.count() == 0


# --- Private: never kept by a shared cache -------------------------------------------------------


@pytest.mark.parametrize("path", ["/shortlist/", "/shortlist/print/", "/shortlist/export.csv"])
def test_pages_of_the_visitors_own_list_are_private_and_vary_by_cookie(client, db, path):
    response = client.get(path)
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives and "public" not in directives
    assert "Cookie" in {part.strip() for part in response["Vary"].split(",")}


# --- CSV -----------------------------------------------------------------------------------------


def test_the_csv_export_quotes_a_name_a_spreadsheet_would_run(client, db):
    program = make_program(make_facility('=HYPERLINK("http://x.example","y")'), "-Evening IOP")
    response = client.get("/shortlist/export.csv", {"programs": str(program.pk)})
    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert (row["facility.name"], row["name"]) == (
        '\'=HYPERLINK("http://x.example","y")',
        "'-Evening IOP",
    )


# --- The referral sheet --------------------------------------------------------------------------


def rendered_context(monkeypatch, module):
    """The context a module's views hand their template, whatever the template engine: a
    dict that fills as the view renders."""
    seen = {}

    def render(request, template_name, context=None, *args, **kwargs):
        seen.update(context or {})
        return real_render(request, template_name, context, *args, **kwargs)

    monkeypatch.setattr(f"{module}.render", render)
    return seen


@pytest.fixture
def sheet_context(monkeypatch):
    return rendered_context(monkeypatch, "facilities.shortlist")


@pytest.fixture
def referral(db):
    facility = make_facility(
        "Harbor Light Counseling",
        point=PASADENA,
        street="1 Main St",
        intake_phone="(310) 555-0111",
        payment_options=["medicaid", "sliding_scale"],
        last_verified_at=datetime(2025, 11, 3, 15, 0, tzinfo=UTC),
    )
    return make_program(
        facility,
        "Adult Evening IOP",
        sessions=[("mon", "18:00", "21:00"), ("wed", "18:00", "21:00"), ("thu", "18:00", "21:00")],
        age_min=18,
        accepting_new_clients=True,
    )


def test_the_referral_sheet_gives_each_program_what_a_referral_needs(
    client, referral, sheet_context
):
    client.get("/shortlist/print/", {"programs": str(referral.pk)})
    entry = sheet_context["entries"][0]
    assert (entry.program.name, entry.facility.name, entry.address) == (
        "Adult Evening IOP",
        "Harbor Light Counseling",
        "1 Main St, Culver City, CA 90230",
    )
    facility = referral.facility
    assert (entry.phone, entry.intake_phone) == (facility.phone, facility.intake_phone)
    assert entry.phone and entry.intake_phone
    assert entry.schedule == (
        "3 days a week, 9 hours a week (Evening). In person. "
        "Mon 6 pm–9 pm; Wed 6 pm–9 pm; Thu 6 pm–9 pm."
    )
    assert (entry.ages, entry.insurance, entry.accepting, entry.verified_on) == (
        "Ages 18 and older",
        ["Medicaid", "Sliding-scale fees"],
        "Accepting new clients now",
        "Verified Nov. 3, 2025",
    )


def test_the_referral_sheet_says_what_a_listing_leaves_out(client, db, sheet_context):
    program = make_program(make_facility(phone=""), "Quiet IOP")
    client.get("/shortlist/print/", {"programs": str(program.pk)})
    entry = sheet_context["entries"][0]
    not_listed = "Not listed — ask when you call"
    assert (entry.schedule, entry.ages, entry.accepting, entry.insurance) == (
        not_listed,
        not_listed,
        not_listed,
        [],
    )
    assert entry.verified_on == "Not yet verified — check the details when you call"


def test_the_referral_sheet_gives_distances_from_the_place_typed(client, referral, sheet_context):
    client.get("/shortlist/print/", {"programs": str(referral.pk), "location": "90230"})
    assert 15 < sheet_context["entries"][0].distance_miles < 20
    assert sheet_context["place"].label == "Culver City, CA 90230"


def test_the_referral_sheet_has_no_distances_without_a_place(client, referral, sheet_context):
    client.get("/shortlist/print/", {"programs": str(referral.pk)})
    assert sheet_context["entries"][0].distance_miles is None
    assert (sheet_context["place"], sheet_context["location_problem"]) == (None, "")


def test_a_place_not_found_on_the_sheet_is_said_rather_than_an_error(
    client, referral, sheet_context
):
    response = client.get(
        "/shortlist/print/", {"programs": str(referral.pk), "location": "Nowhere, ZZ"}
    )
    assert response.status_code == 200 and sheet_context["location_problem"].startswith(
        "We couldn't find that place."
    )
    assert sheet_context["entries"][0].distance_miles is None


def test_the_referral_sheet_carries_the_lists_link_and_its_qr_code(
    client, two_programs, sheet_context
):
    first, second = two_programs
    client.post(f"/shortlist/add/{second.pk}/")
    client.post(f"/shortlist/add/{first.pk}/")
    client.get("/shortlist/print/")
    link = f"http://testserver/shortlist/?programs={second.pk},{first.pk}"
    assert sheet_context["share_link"] == link
    assert sheet_context["qr_svg"] == qr_code_svg(link)
    assert sheet_context["qr_svg"].startswith("<svg") and "<path" in sheet_context["qr_svg"]


def test_the_qr_codes_of_two_lists_differ(db):
    assert qr_code_svg("http://testserver/shortlist/?programs=1") != qr_code_svg(
        "http://testserver/shortlist/?programs=2"
    )


def test_an_empty_sheet_has_no_link_and_no_qr_code(client, db, sheet_context):
    client.get("/shortlist/print/")
    assert (sheet_context["entries"], sheet_context["share_link"], sheet_context["qr_svg"]) == (
        [],
        "",
        "",
    )


def test_the_spanish_sheet_links_to_the_spanish_list(
    client, referral, sheet_context, english_afterwards
):
    client.get("/es/shortlist/print/", {"programs": str(referral.pk)})
    assert sheet_context["share_link"] == f"http://testserver/es/shortlist/?programs={referral.pk}"
    assert sheet_context["entries"][0].accepting == "Acepta pacientes nuevos ahora"
