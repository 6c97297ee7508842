"""A curator in the admin, in Chromium: verifying a listing, and lists that fit at 1280 px."""

import pytest
from django.contrib.auth import get_user_model

from facilities.models import Correction
from tests.conftest import add_missing_vocabulary_terms, make_facility, make_program

# As the other live-server tests: the rows migrations made come back after each test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False}


@pytest.fixture
def curator_page(open_page):
    add_missing_vocabulary_terms()
    get_user_model().objects.create_superuser("dana", "dana@example.org", "a-long-passphrase")
    page = open_page(**DESKTOP)
    page.goto("/admin/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", "a-long-passphrase")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def nothing_cut_off(page):
    """The list's box scrolls sideways only when a column does not fit."""
    return page.eval_on_selector("#changelist .results", "e => e.scrollWidth <= e.clientWidth")


def test_a_curator_marks_a_listing_verified_from_its_change_page(curator_page):
    facility = make_facility("Harbor Light Counseling")
    page = curator_page
    page.goto(f"/admin/facilities/facility/{facility.pk}/change/")
    page.select_option("#verify_method", "phone")
    page.click("text=Mark verified")
    page.wait_for_selector("text=marked verified today (Phone call)")
    page.goto(f"/admin/facilities/facility/{facility.pk}/history/")
    history = page.inner_text("#change-history")
    assert "Marked verified: Phone call" in history and "dana" in history
    facility.refresh_from_db()
    assert facility.verification_note == "Checked by dana by a phone call."


def test_the_facility_list_shows_its_last_column_at_1280_px(curator_page):
    facility = make_facility("Harbor Light Counseling and Recovery Center of Greater Culver City")
    make_program(facility, "Adult Evening Intensive Outpatient Program")
    page = curator_page
    page.goto("/admin/facilities/facility/")
    page.screenshot(path="/tmp/curation-facility-list-1280.png", full_page=True)
    assert nothing_cut_off(page)


def test_the_corrections_list_shows_the_suggestion_at_1280_px(curator_page):
    facility = make_facility("Harbor Light Counseling")
    Correction.objects.create(
        facility=facility,
        field="description",
        suggested_value="They now run an adolescent track on weekday afternoons " * 6,
    )
    page = curator_page
    page.goto("/admin/facilities/correction/")
    page.screenshot(path="/tmp/curation-corrections-1280.png", full_page=True)
    assert nothing_cut_off(page)
