"""The shortlist, compare and the referral sheet as a family and a clinician use them, in
Debian's Chromium against a live server (marked `browser`)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RESULTS = "/search/?location=90230&radius=10"


def test_adding_from_the_middle_of_the_results_keeps_the_place(open_page, directory):
    page = open_page()
    page.goto(RESULTS)
    page.evaluate("window.samePage = true")
    card = page.locator(".program-card").nth(3)
    card.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    button = card.locator("[data-shortlist-toggle]")
    expect(button).to_have_accessible_name(re.compile("^Add to shortlist"))
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_accessible_name(re.compile("On your shortlist"))
    expect(page.locator("[data-tray-count]")).to_have_text("1 on your shortlist")
    expect(page.locator("#shortlist-status")).to_contain_text("Added. 1 program")
    assert abs(page.evaluate("window.scrollY") - before) <= 50
    assert page.evaluate("window.samePage") is True


def test_without_scripts_adding_comes_back_to_the_same_program(browser, live_server, directory):
    from tests.conftest import PHONE

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(RESULTS)
    card = page.locator(".program-card").nth(3)
    program_id = card.get_attribute("data-program-id")
    card.get_by_role("button", name=re.compile("Add to shortlist")).click()
    page.wait_for_url(re.compile(rf"#program-{program_id}$"))
    assert page.locator(f"#program-{program_id} [aria-pressed=true]").count() == 1
    context.close()


def test_a_fifth_compare_tick_is_refused_at_once(open_page, directory):
    page = open_page()
    page.goto(RESULTS)
    boxes = page.get_by_label("Compare", exact=True)
    for n in range(4):
        boxes.nth(n).check()
    boxes.nth(4).click()
    expect(boxes.nth(4)).not_to_be_checked()
    expect(page.locator("#shortlist-status")).to_contain_text("up to 4 programs")
    expect(page.locator("[data-compare-ticked]")).to_have_text("Compare 4")


def test_when_the_background_post_fails_the_button_posts_the_page_instead(open_page, directory):
    page = open_page()

    def refuse_the_background_post(route):
        if route.request.headers.get("x-requested-with") == "fetch":
            route.fulfill(status=500, body="")
        else:
            route.continue_()

    page.route("**/shortlist/add/**", refuse_the_background_post)
    page.goto(RESULTS)
    card = page.locator(".program-card").nth(1)
    program_id = card.get_attribute("data-program-id")
    card.locator("[data-shortlist-toggle]").click()
    page.wait_for_url(re.compile(rf"#program-{program_id}$"))
    expect(page.locator(f"#program-{program_id} [aria-pressed=true]")).to_have_count(1)


def test_the_compare_ticks_start_again_when_the_live_filters_change_the_results(
    open_page, directory
):
    page = open_page(is_mobile=False, has_touch=False, viewport={"width": 1280, "height": 900})
    page.goto(RESULTS)
    boxes = page.get_by_label("Compare", exact=True)
    boxes.nth(0).check()
    boxes.nth(1).check()
    compare = page.locator("[data-compare-ticked]")
    expect(compare).to_have_text("Compare 2")
    page.get_by_label("Sort by").select_option("name")  # the results come back in place
    expect(page.get_by_label("Compare", exact=True).nth(0)).not_to_be_checked()
    expect(compare).to_be_hidden()
    for n in range(4):
        page.get_by_label("Compare", exact=True).nth(n).check()
    page.get_by_label("Compare", exact=True).nth(4).click()
    expect(page.get_by_label("Compare", exact=True).nth(4)).not_to_be_checked()
    expect(compare).to_have_text("Compare 4")


def test_compare_can_show_only_the_rows_that_differ(open_page, directory):
    page = open_page()
    ids = ",".join(str(program.pk) for program in directory[:3])
    page.goto(f"/compare/?programs={ids}")
    rows = page.locator(".compare-table tbody tr")
    shown = rows.count()
    page.get_by_label(re.compile("Show only the")).check()
    visible = len([row for row in rows.all() if row.is_visible()])
    assert 0 < visible < shown


def test_the_referral_sheet_of_three_programs_prints_on_one_page(open_page, directory, tmp_path):
    page = open_page(is_mobile=False, has_touch=False, viewport={"width": 1280, "height": 900})
    ids = ",".join(str(program.pk) for program in directory[:3])
    page.goto(f"/shortlist/print/?programs={ids}&location=90230")
    assert page.locator("svg.qr-code").count() == 1
    page.get_by_label("Name").fill("Dr. Example, intake clinician")
    pdf = page.pdf(format="Letter", path=tmp_path / "sheet.pdf")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert page.locator(".sheet-program").count() == 3


def test_the_referral_sheet_printed_from_a_phone_stays_within_the_page(open_page, directory):
    page = open_page()  # 390 px wide
    ids = ",".join(str(program.pk) for program in directory[:3])
    page.goto(f"/es/shortlist/print/?programs={ids}")
    page.emulate_media(media="print")
    wider = page.evaluate(
        """[...document.querySelectorAll('.referrer *')].filter((element) =>
            element.getBoundingClientRect().right > document.documentElement.clientWidth
        ).map((element) => element.tagName)"""
    )
    assert page.get_by_label("Nombre").is_visible() and wider == []
