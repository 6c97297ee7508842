"""The public site in Spanish: every page under /es/, nothing left in English but the listings.

The catalog checks read locale/es/LC_MESSAGES/django.po with a small parser (below), so a fresh
machine needs no gettext to run them.
"""

import gettext
import html
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation

from facilities.models import Accreditation, Modality, PaymentOption, Program
from tests.conftest import TERM_FIELDS, make_facility, make_program

CATALOG = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES"
FRESNO = (36.7378, -119.7871)  # beyond the radius from Culver City, in the same state


@pytest.fixture(autouse=True)
def english_afterwards():
    """A request to /es/ leaves Spanish active in this thread; the next test starts in English."""
    yield
    translation.deactivate()


# --- The catalog ------------------------------------------------------------------------------

PO_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+"(.*)"$')


def po_string(quoted):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), quoted)


def read_po(path=CATALOG / "django.po"):
    """[{"context", "msgid", "plural", "msgstr": [..], "flags"}], the header included."""
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry:
                entries.append(entry)
            entry = None
            continue
        entry = entry or {"context": None, "msgid": "", "plural": None, "msgstr": [], "flags": []}
        if line.startswith("#,"):
            entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = po_string(line.strip()[1:-1])
            if field == "msgstr":
                entry["msgstr"][-1] += text
            else:
                entry[field] = (entry[field] or "") + text
        else:
            keyword, _, text = PO_LINE.match(line).groups()
            field = {"msgctxt": "context", "msgid_plural": "plural"}.get(keyword, keyword)
            if field == "msgstr":
                entry["msgstr"].append(po_string(text))
            else:
                entry[field] = po_string(text)
    return entries


def translated_entries():
    return [entry for entry in read_po() if entry["msgid"] and not entry.get("obsolete")]


def english_pattern(msgid):
    """A regex for an English interface string as a page shows it: tags gone, placeholders
    standing for anything. None when the string has no words of its own."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", msgid)).split())
    literals = re.split(r"%\(\w+\)[sd]", text)
    if not any(re.search(r"[A-Za-z]{2}", literal) for literal in literals):
        return None
    pattern = ".+?".join(re.escape(literal) for literal in literals)
    if re.match(r"\w", text):
        pattern = r"\b" + pattern
    if re.search(r"\w$", text):
        pattern += r"\b"
    return re.compile(pattern)


def untranslated_strings(lines):
    """The English interface strings of the catalog found in a page's lines."""
    found = []
    for entry in translated_entries():
        forms = [entry["msgid"]] + ([entry["plural"]] if entry["plural"] else [])
        for english, spanish in zip(forms, entry["msgstr"], strict=False):
            pattern = english_pattern(english)
            if spanish != english and pattern and any(pattern.search(line) for line in lines):
                found.append(english)
    return found


# --- What a page shows ------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
INLINE = {"a", "abbr", "b", "em", "i", "small", "span", "strong", "code"}
SHOWN_ATTRIBUTES = {"aria-label", "placeholder", "title", "alt"}


class VisibleText(HTMLParser):
    """The lines a visitor reads or hears: text, titles, labels for screen readers and the
    messages scripts show; not scripts, and not the links in another language."""

    def __init__(self, language):
        super().__init__(convert_charrefs=True)
        self.language, self.open, self.parts = language, [], []

    @property
    def hidden(self):
        return any(skip for _, skip in self.open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = tag in ("script", "style") or attrs.get("lang") not in (None, self.language)
        if not (skip or self.hidden):
            shown = [v for k, v in attrs.items() if k in SHOWN_ATTRIBUTES or "data-message" in k]
            self.parts += [f"\n{value}\n" for value in shown if value]
            if tag not in INLINE:
                self.parts.append("\n")
        if tag not in VOID:
            self.open.append((tag, skip))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break
        if tag not in INLINE:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)

    def lines(self):
        return [" ".join(line.split()) for line in "".join(self.parts).split("\n") if line.strip()]


def visible_lines(response, language):
    parser = VisibleText(language)
    parser.feed(response.content.decode())
    return parser.lines()


# --- A small directory, rich enough to show every kind of answer --------------------------------

LISTING_DATA = [
    "Harbor Light Counseling",
    "Bayside Family Center",
    "Sierra Telehealth Care",
    "Evening Recovery IOP",
    "Teen Afternoon IOP",
    "Bayside Hybrid IOP",
    "Sierra Online IOP",
    "4100 Overland Ave",
    "Culver City",
    "Fresno",
    "90230",
    "93721",
    "(310) 555-0100",
    "(310) 555-0111",
    "harborlight.example.org",
    "A family-run counseling center near the Culver City stairs.",
    "Three evenings a week of group therapy for adults in early recovery.",
    "We meet people where they are and involve their families.",
]
SAME_IN_BOTH = {"IOP Finder", "English", "Español"}
STATE_CODES = re.compile(r"^[A-Z]{2}(, [A-Z]{2})*$")


def same_in_both():
    """Names that read the same in Spanish: the site's, the languages', and vocabulary terms
    such as Medicaid or CARF International."""
    terms = {
        term.label
        for model in TERM_FIELDS.values()
        for term in model.objects.all()
        if term.label_es in ("", term.label)
    }
    return SAME_IN_BOTH | terms


@pytest.fixture
def listings(db):
    now = timezone.now()
    harbor = make_facility(
        "Harbor Light Counseling",
        street="4100 Overland Ave",
        intake_phone="(310) 555-0111",
        website="https://harborlight.example.org",
        description="A family-run counseling center near the Culver City stairs.",
        last_verified_at=now - timedelta(days=100),
        wheelchair_accessible=True,
        payment_options=["medicaid", "self_pay"],
        languages=["en", "es"],
    )
    harbor.accreditations.set(Accreditation.objects.filter(slug="carf"))
    evening = make_program(
        harbor,
        "Evening Recovery IOP",
        sessions=[("mon", "18:00", "21:00"), ("wed", "18:00", "21:00"), ("thu", "18:00", "21:00")],
        duration_weeks_min=6,
        duration_weeks_max=10,
        age_min=18,
        accepting_new_clients=True,
        description="Three evenings a week of group therapy for adults in early recovery.",
        philosophy_statement="We meet people where they are and involve their families.",
        modalities=["cbt", "group_therapy"],
        conditions=["alcohol_use"],
        populations=["adults"],
        philosophy=["harm_reduction"],
        transition_supports=["alumni_group"],
    )
    teen = make_program(
        harbor,
        "Teen Afternoon IOP",
        focus=Program.Focus.MENTAL_HEALTH,
        sessions=[("mon", "15:30", "17:00"), ("wed", "15:30", "17:00")],
        age_min=13,
        age_max=17,
        accepting_new_clients=False,
    )
    bayside = make_facility(
        "Bayside Family Center", point=(34.0000, -118.4000), phone="", last_verified_at=None
    )
    hybrid = make_program(bayside, "Bayside Hybrid IOP", format=Program.Format.HYBRID)
    sierra = make_facility(
        "Sierra Telehealth Care",
        point=FRESNO,
        city="Fresno",
        zip_code="93721",
        last_verified_at=now - timedelta(days=800),
    )
    online = make_program(
        sierra,
        "Sierra Online IOP",
        format=Program.Format.TELEHEALTH,
        sessions=[("tue", "09:30", "12:30"), ("sat", "10:00", "13:00")],
        duration_weeks_max=12,
    )
    return {"evening": evening, "teen": teen, "hybrid": hybrid, "online": online}


def pages(listings):
    """{name: (path, expected status)} for every public page, in English; /es/ + path is the
    same page in Spanish."""
    evening, hybrid = listings["evening"], listings["hybrid"]
    with translation.override("en"):
        facility_url = evening.facility.get_absolute_url()
        hybrid_facility_url = hybrid.facility.get_absolute_url()
    pair = f"{evening.pk},{hybrid.pk}"
    return {
        "home": ("/", 200),
        "search with results": ("/search/?location=90230&modality=cbt&page=9", 200),
        "search with online programs": ("/search/?location=90230", 200),
        "search with a bad input": ("/search/?location=90230&age=-3&radius=999", 200),
        "search for a place not found": ("/search/?location=Nowhere+Town%2C+ZZ", 200),
        "search with nothing near": ("/search/?location=96801&radius=5", 200),
        "facility": (facility_url, 200),
        "facility without phone": (hybrid_facility_url, 200),
        "checklist": (f"{facility_url}programs/{evening.pk}/checklist/", 200),
        "compare": (f"/compare/?programs={pair},{listings['online'].pk}&location=90230", 200),
        "compare with a problem": (f"/compare/?programs={evening.pk}", 400),
        "compare with a missing program": (f"/compare/?programs={pair},999999", 400),
        "shortlist": ("/shortlist/", 200),
        "empty shared shortlist": ("/shortlist/?programs=999999", 200),
        "shared shortlist": (f"/shortlist/?programs={pair}", 200),
        "referral sheet": (f"/shortlist/print/?programs={pair}", 200),
        "suggest form": (f"{facility_url}suggest/", 200),
        "thanks": (f"{facility_url}suggest/thanks/", 200),
        "privacy": ("/privacy/", 200),
        "not found": ("/no-such-page/", 404),
    }


def spanish(path):
    return "/es" + path


@pytest.fixture
def visitor(client, listings):
    """A visitor with a program on their own shortlist."""
    client.post(f"/shortlist/add/{listings['evening'].pk}/")
    return client


def interface_lines(lines):
    """The lines of an English page that are interface, not listing data or names."""
    same = same_in_both()
    return [
        line
        for line in lines
        if re.search(r"[A-Za-z]{2}", line)
        and line not in same
        and not STATE_CODES.match(line)
        and not any(datum in line for datum in LISTING_DATA)
    ]


def without_listing_data(lines):
    for datum in sorted(LISTING_DATA, key=len, reverse=True):
        lines = [line.replace(datum, "") for line in lines]
    return lines


# --- Every page in Spanish --------------------------------------------------------------------

PAGE_NAMES = [
    "home",
    "search with results",
    "search with online programs",
    "search with a bad input",
    "search for a place not found",
    "search with nothing near",
    "facility",
    "facility without phone",
    "checklist",
    "compare",
    "compare with a problem",
    "compare with a missing program",
    "shortlist",
    "empty shared shortlist",
    "shared shortlist",
    "referral sheet",
    "suggest form",
    "thanks",
    "privacy",
    "not found",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_public_page_renders_in_spanish_under_es(visitor, listings, name):
    path, status = pages(listings)[name]
    response = visitor.get(spanish(path))
    assert response.status_code == status
    assert b'<html lang="es">' in response.content


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_translated_interface_string_shows_in_english_on_a_spanish_page(visitor, listings, name):
    path, _ = pages(listings)[name]
    lines = without_listing_data(visible_lines(visitor.get(spanish(path)), "es"))
    assert untranslated_strings(lines) == []


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_english_interface_text_leaks_into_the_spanish_page(visitor, listings, name):
    path, _ = pages(listings)[name]
    english = interface_lines(visible_lines(visitor.get(path), "en"))
    spanish_lines = set(visible_lines(visitor.get(spanish(path)), "es"))
    assert english and [line for line in english if line in spanish_lines] == []


def test_the_suggest_form_says_what_is_wrong_in_spanish(client, listings):
    facility = listings["evening"].facility
    response = client.post(spanish(f"{facility.get_absolute_url()}suggest/"), {"field": ""})
    lines = visible_lines(response, "es")
    assert "Díganos qué debería decir." in lines and "Elija qué está mal o qué falta." in lines
    assert untranslated_strings(without_listing_data(lines)) == []


@pytest.mark.parametrize(
    "template, heading",
    [("500.html", "Algo falló de nuestro lado"), ("503.html", "El directorio no está disponible")],
)
def test_the_error_pages_without_context_speak_the_language_of_the_request(template, heading):
    with translation.override("es"):
        page = render_to_string(template)
    assert '<html lang="es">' in page and heading in page


def test_too_many_searches_in_spanish_get_a_spanish_429_page(client, db, settings):
    settings.RATELIMIT_ENABLE, settings.RATELIMIT_SEARCH = True, "1/m"
    cache.clear()
    client.get("/es/search/")
    response = client.get("/es/search/")
    cache.clear()
    assert response.status_code == 429 and "Espere un minuto" in response.text


# --- The catalog ------------------------------------------------------------------------------


def test_every_catalog_entry_is_translated():
    empty = [e["msgid"] for e in translated_entries() if not all(e["msgstr"])]
    assert translated_entries() and empty == []


def test_no_catalog_entry_is_fuzzy():
    assert [entry["msgid"] for entry in read_po() if "fuzzy" in entry["flags"]] == []


def test_the_compiled_catalog_matches_the_po_file():
    with open(CATALOG / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    expected = {}
    for entry in translated_entries():
        key = f"{entry['context']}\x04{entry['msgid']}" if entry["context"] else entry["msgid"]
        if entry["plural"]:
            expected.update({(key, n): text for n, text in enumerate(entry["msgstr"])})
        else:
            expected[key] = entry["msgstr"][0]
    compiled_entries = {key: text for key, text in catalog.items() if key != ""}
    assert compiled_entries == expected


# --- The language switch ----------------------------------------------------------------------


def switch_link(response, code):
    found = re.search(rf'<a href="([^"]*)" lang="{code}" hreflang="{code}">', response.text)
    return html.unescape(found.group(1))


def test_the_switch_on_an_english_search_opens_the_same_search_in_spanish(client, listings):
    query = "?location=90230&language=es&modality=cbt"
    assert switch_link(client.get(f"/search/{query}"), "es") == f"/es/search/{query}"


def test_the_switch_on_a_spanish_search_opens_the_same_search_in_english(client, listings):
    query = "?location=90230&language=es&modality=cbt"
    assert switch_link(client.get(f"/es/search/{query}"), "en") == f"/search/{query}"


def test_a_shared_shortlist_link_keeps_the_spanish(client, listings):
    response = client.get(spanish(f"/shortlist/?programs={listings['evening'].pk}"))
    assert f"/es/shortlist/?programs={listings['evening'].pk}" in response.text


# --- Vocabulary in Spanish, listings as written -----------------------------------------------


def test_vocabulary_labels_and_explanations_are_spanish_on_es_pages(client, listings):
    cbt = Modality.objects.get(slug="cbt")
    page = client.get(spanish(listings["evening"].facility.get_absolute_url())).text
    assert html.escape(cbt.label_es) in page and html.escape(cbt.explanation_es) in page
    assert html.escape(cbt.label) not in page


def test_search_filters_offer_the_vocabulary_in_spanish(client, listings):
    page = client.get(spanish("/search/")).text
    for term in [Modality.objects.get(slug="dbt"), PaymentOption.objects.get(slug="self_pay")]:
        assert html.escape(term.label_es) in page and html.escape(term.label) not in page


def test_program_descriptions_and_names_stay_as_the_facility_wrote_them(client, listings):
    evening = listings["evening"]
    page = client.get(spanish(evening.facility.get_absolute_url())).text
    for written in [evening.description, evening.philosophy_statement, evening.facility.name]:
        assert html.escape(written) in page


def test_the_schedule_reads_in_spanish(client, listings):
    page = client.get(spanish(listings["evening"].facility.get_absolute_url())).text
    assert "3 días a la semana, 9 horas a la semana (Por la noche). En persona." in page
    assert "lun 6 p. m.–9 p. m.; mié 6 p. m.–9 p. m.; jue 6 p. m.–9 p. m." in page


def test_the_english_schedule_is_unchanged(client, listings):
    page = client.get(listings["evening"].facility.get_absolute_url()).text
    assert "3 days a week, 9 hours a week (Evening). In person. Mon 6 pm–9 pm;" in page


# --- Services in Spanish, prominent -----------------------------------------------------------


def test_the_home_page_offers_programs_with_services_in_spanish(client, db):
    page = client.get("/es/").text
    assert 'name="language" value="es"' in page and "Programas con atención en español" in page


def test_the_spanish_filter_is_in_the_first_filter_group(client, db):
    page = client.get("/search/").text
    first_group = page.split('<details class="filters"')[1]
    assert "Who it is for" in first_group and 'name="language" value="es"' in first_group


def test_the_spanish_filter_finds_programs_with_services_in_spanish(client, listings):
    page = client.get("/es/search/?location=90230&language=es").text
    assert "Evening Recovery IOP" in page and "Bayside Hybrid IOP" not in page


# --- Spanish input, English API ---------------------------------------------------------------


def test_a_spanish_search_for_los_angeles_with_its_accent_finds_programs(client, listings):
    response = client.get("/es/search/", {"location": "Los Ángeles, CA"})
    assert response.status_code == 200 and 'data-program-id="' in response.text


def test_a_place_not_found_is_said_in_spanish(client, listings):
    response = client.get("/es/search/", {"location": "Nowhere Town, ZZ"})
    assert "No encontramos ese lugar." in response.text


def test_the_api_stays_english_whatever_the_browser_asks(client, listings):
    response = client.get(
        "/api/v1/programs/", {"location": "Los Ángeles, CA"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    answers = response.json()["results"][0]["answers"]
    assert answers[0]["text"] == "How long does the program last?"


def test_the_api_says_a_place_not_found_in_english(client, listings):
    response = client.get(
        "/api/v1/programs/", {"location": "Nowhere Town, ZZ"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 400 and "couldn't find that place" in response.text


# --- In a browser -----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_family_switches_a_search_to_spanish_on_a_phone(open_page, directory):
    page = open_page()
    page.goto("/search/?location=90230&modality=cbt")
    english_results = page.locator("[data-program-id]").count()
    page.get_by_role("link", name="Español").click()
    page.wait_for_url(re.compile(r"/es/search/\?location=90230&modality=cbt$"))
    assert page.locator("html").get_attribute("lang") == "es"
    assert re.match(r"\d+ programas a menos de 25 millas", page.locator("#results h1").inner_text())
    assert page.locator("[data-program-id]").count() == english_results > 0
