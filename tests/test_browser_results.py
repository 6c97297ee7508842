"""The results page as a person on a phone meets it: cards, chips, the folded search, the
numbered map, the skip link. Debian's Chromium against a live server (marked `browser`)."""

import copy
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CULVER_CITY_SEARCH = "/search/?location=90230&radius=10"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_demo_results_fit_a_phone_with_the_count_in_the_first_screen(open_page, demo, prefix):
    page = open_page()
    page.goto(prefix + CULVER_CITY_SEARCH)
    heading_top = page.locator("#results-heading").bounding_box()["y"]
    height = page.evaluate("document.documentElement.scrollHeight")
    assert heading_top < 844 and height < 9000


def test_a_card_shows_the_summary_line_and_the_marks_of_what_was_asked(open_page, demo):
    page = open_page()
    page.goto(CULVER_CITY_SEARCH + "&insurance=medicaid&age=16")
    card = page.locator(".program-card").first
    assert re.search(r"Ages \d+ to \d+ · .* · ", card.locator(".card-summary").inner_text())
    marks = card.locator(".marks li").all_inner_texts()
    assert "✓ Medicaid" in marks and any(re.match(r"✓ Ages \d+ to \d+", m) for m in marks)


def test_the_full_answers_are_one_tap_away(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230&radius=10")
    card = page.locator(".program-card").first
    assert card.get_by_text("Which therapy modalities are offered?").is_hidden()
    card.get_by_text("All 8 answers").click()
    assert card.get_by_text("Which therapy modalities are offered?").is_visible()


def test_a_chip_removes_its_filter_and_keeps_the_rest(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230&radius=10&modality=dbt&insurance=medicaid")
    expect(page.locator("[data-program-id]")).to_have_count(3)
    page.get_by_role("link", name=re.compile("^Dialectical behavior therapy")).click()
    page.wait_for_url(re.compile(r"insurance=medicaid"))
    assert "modality" not in page.url
    expect(page.locator("[data-program-id]")).to_have_count(5)


def test_on_a_phone_the_search_folds_into_one_line_after_a_search(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230&radius=10&modality=cbt")
    assert page.get_by_label("ZIP code, City, ST or address").is_hidden()
    summary = page.locator(".search-panel > summary")
    assert "Within 10 miles of Culver City" in summary.inner_text()
    assert "Filters (1)" in summary.inner_text()
    page.get_by_text("Edit search").click()
    assert page.get_by_label("ZIP code, City, ST or address").is_visible()


def test_on_a_wide_screen_the_search_stays_open_beside_the_results(open_page, directory):
    page = open_page(is_mobile=False, has_touch=False, viewport={"width": 1280, "height": 900})
    page.goto("/search/?location=90230&radius=10")
    assert page.get_by_label("ZIP code, City, ST or address").is_visible()
    assert page.get_by_text("Edit search").is_hidden()


def test_the_pins_are_numbered_like_the_cards_and_the_place_is_marked(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230&radius=10")
    page.wait_for_selector(".map-pin")
    pins = page.locator(".map-pin").all_inner_texts()
    numbers = page.locator(".facility-result .pin-number").all_inner_texts()
    assert sorted(pins, key=int) == numbers == ["1", "2", "3", "4", "5"]
    # The place searched (a circle marker) and the radius (a circle) are drawn too.
    assert page.locator("path.leaflet-interactive").count() == 2


def test_a_cards_number_opens_its_pin_and_the_pin_leads_back(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230&radius=10")
    page.wait_for_selector(".map-pin")
    page.locator(".facility-result .pin-number").nth(2).click()
    popup = page.locator(".leaflet-popup")
    expect(popup).to_contain_text("3. Center")
    popup.get_by_role("button", name="Show in the list").click()
    expect(page.locator("#place-3 h2 a").nth(1)).to_be_focused()


def test_the_tiles_come_from_the_setting(open_page, directory, settings):
    settings.MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"] = ["'self'", "https://tiles.example.org"]
    settings.CONTENT_SECURITY_POLICY = policy
    page = open_page()
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto("/search/?location=90230&radius=10")
    page.wait_for_selector(".map-pin")
    page.wait_for_timeout(200)
    tiles = [url for url in asked if url.endswith(".png")]
    assert tiles and all(url.startswith("https://tiles.example.org/") for url in tiles)


def test_the_skip_link_moves_focus_without_loading_the_page_again(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230&radius=10")
    page.evaluate("window.samePage = true")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.go_back()
    page.wait_for_timeout(300)
    assert page.evaluate("window.samePage") is True
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
