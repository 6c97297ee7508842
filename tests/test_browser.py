"""The flows a person takes, in Debian's Chromium against a live server.

Run with the rest of the suite when /usr/bin/chromium exists (`.ci/run` installs it); skipped
otherwise. Every request that does not go to the live server (map tiles) is refused, so the
pages are tested as they read when tiles cannot load.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def distances(page):
    return [float(d) for d in page.locator("[data-distance-miles]").evaluate_all(
        "rows => rows.map(row => row.dataset.distanceMiles)")]  # fmt: skip


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_family_searches_from_the_home_page_on_a_phone(open_page, directory):
    page = open_page()
    page.goto("/")
    page.get_by_label("ZIP code, City, ST or address").fill("90230")
    page.get_by_role("button", name="Find programs").click()
    page.wait_for_url(re.compile(r"/search/\?location=90230"))
    assert len(distances(page)) == 6 and distances(page) == sorted(distances(page))
    assert fits_the_screen(page)


def edit_search(page):
    """On a phone, a search with results folds its form: open it."""
    page.get_by_text("Edit search").click()


def test_ticking_a_filter_updates_the_results_without_a_reload(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230")
    page.evaluate("window.sameDocument = true")
    edit_search(page)
    page.get_by_text("Approach, therapies and aftercare").click()
    page.get_by_label("Dialectical behavior therapy (DBT)").check()
    page.wait_for_url(re.compile(r"modality=dbt"))
    expect(page.locator("[data-program-id]")).to_have_count(3)
    assert page.evaluate("window.sameDocument") is True
    assert page.locator("#results h1").inner_text().startswith("3 programs")


def test_the_form_still_searches_with_scripts_off(browser, live_server, directory):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto("/search/?location=90230")
    edit_search(page)
    page.get_by_text("Approach, therapies and aftercare").click()
    page.get_by_label("Dialectical behavior therapy (DBT)").check()
    page.get_by_role("button", name="Show programs").click()
    page.wait_for_url(re.compile(r"modality=dbt"))
    assert page.locator("[data-program-id]").count() == 3
    context.close()


def test_the_map_shows_a_marker_for_each_facility_on_the_page(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230&radius=10")
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator(".leaflet-marker-icon").count() == 5


def test_the_map_follows_the_live_filters(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230&radius=10")
    edit_search(page)
    page.get_by_text("Approach, therapies and aftercare").click()
    page.get_by_label("Dialectical behavior therapy (DBT)").check()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(3)


def test_the_keyboard_moves_past_the_map(open_page, directory):
    page = open_page(**{"is_mobile": False, "viewport": {"width": 1280, "height": 900}})
    page.goto("/search/?location=90230&radius=10")
    page.wait_for_selector(".leaflet-marker-icon")
    page.focus("#results-map")
    inside_map = "document.getElementById('results-map').contains(document.activeElement)"
    presses = 0
    while page.evaluate(inside_map) and presses < 6:  # the zoom buttons and credits, then out
        page.keyboard.press("Tab")
        presses += 1
    assert not page.evaluate(inside_map)


def test_use_my_location_searches_from_the_browsers_position(open_page, directory):
    page = open_page(
        geolocation={"latitude": 33.9949, "longitude": -118.3991}, permissions=["geolocation"]
    )
    page.goto("/")
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_url(re.compile(r"location=33\.9949%2C-118\.3991"))
    assert len(distances(page)) == 6 and distances(page)[0] < 0.5


def test_a_refused_location_says_what_to_do_instead(open_page, directory):
    page = open_page(permissions=[])
    page.goto("/")
    page.get_by_role("button", name="Use my location").click()
    message = page.locator("#location-message")
    message.filter(has_text="Type a ZIP code or City, ST instead").wait_for()
    assert page.url.endswith("/")


def test_a_family_compares_two_programs_from_the_results(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230")
    boxes = page.get_by_label("Compare", exact=True)
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Compare selected programs").first.click()
    page.wait_for_url(re.compile(r"/compare/"))
    assert page.locator("thead th[data-program-id]").count() == 2
    assert page.locator(".compare-table th", has_text="Distance from").count() == 1


def test_the_referral_sheet_prints_without_navigation(open_page, directory):
    page = open_page()
    page.goto(directory[0].facility.get_absolute_url())
    page.get_by_role("button", name=re.compile("Add to shortlist")).first.click()
    expect(page.locator("[data-shortlist-count]")).to_have_text(" (1)")  # added in place
    page.goto("/shortlist/print/")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator(".crisis-line").is_hidden()
    assert page.locator(".referrer").is_visible() and page.get_by_text("Evening IOP 0").is_visible()


PAGES = {
    "home": lambda programs: "/",
    "results": lambda programs: "/search/?location=90230&modality=cbt",
    "facility": lambda programs: programs[0].facility.get_absolute_url(),
    "compare": lambda programs: (
        f"/compare/?programs={programs[0].pk},{programs[1].pk}&location=90230"
    ),
    "shortlist": lambda programs: f"/shortlist/?programs={programs[0].pk},{programs[1].pk}",
}


@pytest.mark.parametrize("name", PAGES)
def test_each_page_fits_a_phone_screen(open_page, directory, name):
    page = open_page()
    page.goto(PAGES[name](directory))
    page.wait_for_load_state("load")
    assert fits_the_screen(page)


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_accessibility_problem(open_page, directory, name):
    from axe_playwright_python.sync_playwright import Axe

    page = open_page()
    page.goto(PAGES[name](directory))
    page.wait_for_load_state("load")
    # The experimental rules too: label-content-name-mismatch is one of them.
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice", "experimental"]
    options = {"runOnly": {"type": "tag", "values": tags}}
    violations = Axe().run(page, options=options).response["violations"]
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
