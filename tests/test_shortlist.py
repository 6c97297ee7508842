"""The shortlist: kept in the visitor's browser, shared by link, printed, exported."""

import csv
import io
import re

import pytest
from django.test import Client

from facilities.csv_format import COLUMNS
from facilities.models import Facility
from tests.conftest import make_facility, make_program


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


def test_adding_returns_the_visitor_to_the_page_they_were_on(client, two_programs):
    first, _ = two_programs
    response = client.post(f"/shortlist/add/{first.pk}/", {"next": "/search/?location=90230"})
    assert response.status_code == 302 and response["Location"] == "/search/?location=90230"


def test_adding_never_redirects_to_another_site(client, two_programs):
    first, _ = two_programs
    response = client.post(f"/shortlist/add/{first.pk}/", {"next": "https://evil.example.com/"})
    assert response["Location"] == "/shortlist/"


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


def test_the_referral_sheet_lists_phones_addresses_answers_and_room_for_notes(client, two_programs):
    first, second = two_programs
    page = client.get("/shortlist/print/", {"programs": f"{first.pk},{second.pk}"}).content.decode()
    assert "First IOP" in page and "Second IOP" in page and "(310) 555-0100" in page
    assert page.count('class="notes-box"') == 2 and "Does it accept my insurance?" in page


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
