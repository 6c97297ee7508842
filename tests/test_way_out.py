"""When a search finds few or no programs: the same search changed by one thing, the nearest
programs farther out up to NEAREST_BEYOND_MILES, and past it the online programs and the
helpline; never a program for another age."""

import io
import random
import re
from itertools import islice

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from geopy.distance import great_circle

from facilities.answers import Mark
from facilities.filters import RELAXATIONS_TRIED, ProgramFilter
from facilities.models import Program
from facilities.querysets import ProgramQuerySet
from facilities.views import search_results
from tests.conftest import CULVER_CITY, make_facility, make_program

# The parent's search of the issue: Culver City, 10 miles, Medicaid, age 16, evenings.
PARENT = "location=90230&radius=10&insurance=medicaid&age=16&time_of_day=evening"
MONTANA = "location=59001&radius=10"
AGES = (8, 12, 16, 17, 18, 25, 70)
ADULT_POPULATIONS = {"young_adults", "adults", "seniors"}
WITHOUT_EVENINGS = {"remove": {"time_of_day": "evening"}}


def search(query):
    filterset = ProgramFilter(QueryDict(query), queryset=Program.objects.published())
    assert filterset.is_valid(), filterset.errors
    return filterset


def page_context(query):
    """What the search page is given for this query string, in the active language."""
    return search_results(search(query))


def cards(groups):
    return [card for group in groups for card in group.cards]


def beyond_names(context):
    return [card.program.name for card in cards(context["beyond_groups"])]


def program_ids(response):
    return [int(pk) for pk in re.findall(r'data-program-id="(\d+)"', response.content.decode())]


def relaxation(context, change):
    [found] = [r for r in context["relaxations"] if r.change == change]
    return found


def not_for_age(program, age):
    """A program a person of this age must never be offered: its range leaves the age out,
    or its populations name only the other side of 18."""
    populations = {term.slug for term in program.populations.all()}
    if program.age_min is not None and age < program.age_min:
        return True
    if program.age_max is not None and age > program.age_max:
        return True
    adults = bool(populations & ADULT_POPULATIONS)
    adolescents = "adolescents" in populations
    return (adults and not adolescents) if age < 18 else (adolescents and not adults)


def away(miles, bearing=90):
    destination = great_circle(miles=miles).destination(CULVER_CITY, bearing)
    return (destination.latitude, destination.longitude)


def program_at(miles, name, **fields):
    return make_program(make_facility(f"{name} Center", point=away(miles)), name, **fields)


def recorded_circles(monkeypatch):
    """The miles of every circle near() is asked for, in order."""
    circles = []
    near_as_defined = ProgramQuerySet.near

    def recorded(self, latitude, longitude, miles):
        circles.append(miles)
        return near_as_defined(self, latitude, longitude, miles)

    monkeypatch.setattr(ProgramQuerySet, "near", recorded)
    return circles


# --- Relaxations on a directory of their own ---------------------------------------------------


def test_the_next_distance_is_offered_with_its_count_and_url(db):
    program_at(3, "Near DBT", modalities=["dbt"])
    program_at(8, "Farther CBT", modalities=["cbt"])
    program_at(9, "Farther CBT 2", modalities=["cbt"])
    context = page_context("location=90230&radius=5&modality=cbt&page=1")
    wider = relaxation(context, {"radius": 10})
    assert (wider.label, wider.count, wider.within_miles) == ("Within 10 miles", 2, 10)
    assert wider.url == "/search/?location=90230&radius=10&modality=cbt"


def test_the_relaxations_finding_most_come_first_three_at_most(db):
    accepting = {"accepting_new_clients": True}
    for n in range(3):
        program_at(1, f"Without CBT {n}", modalities=["dbt", "emdr"], **accepting)
    program_at(1, "Without DBT", modalities=["cbt", "emdr"], **accepting)
    program_at(1, "Without EMDR", modalities=["cbt", "dbt"], **accepting)
    program_at(1, "Not accepting", modalities=["cbt", "dbt", "emdr"], accepting_new_clients=False)
    context = page_context(
        "location=90230&radius=5&modality=cbt&modality=dbt&modality=emdr&accepting=true"
    )
    # Leaving out "accepting" finds one too, but was tried last among equals.
    assert [(r.change, r.count) for r in context["relaxations"]] == [
        ({"remove": {"modality": "cbt"}}, 3),
        ({"remove": {"modality": "dbt"}}, 1),
        ({"remove": {"modality": "emdr"}}, 1),
    ]


def test_a_relaxation_count_stops_at_its_limit_and_says_so(db, monkeypatch):
    monkeypatch.setattr("facilities.filters.RELAXATION_COUNT_LIMIT", 2)
    for n in range(3):
        program_at(1, f"Daytime {n}", sessions=[("mon", "09:00", "12:00")])
    without_evenings = relaxation(
        page_context("location=90230&radius=5&time_of_day=evening"), WITHOUT_EVENINGS
    )
    assert (without_evenings.count, without_evenings.count_exact) == (2, False)


def queries_for(query):
    with CaptureQueriesContext(connection) as captured:
        page_context(query)
    return len(captured)


def test_the_relaxations_are_counted_in_one_statement_however_many_are_tried(db):
    program_at(1, "Some therapy", modalities=["cbt"])
    program_at(8, "Two therapies, farther", modalities=["cbt", "dbt"])
    therapies = ["cbt", "dbt", "emdr", "yoga", "tms", "ketamine", "art_therapy",
                 "equine_therapy", "mindfulness", "met", "matrix_model", "group_therapy",
                 "individual_therapy", "family_therapy"]  # fmt: skip
    asking = {n: "&".join(f"modality={slug}" for slug in therapies[:n]) for n in (2, 14)}
    search(f"location=90230&radius=5&{asking[2]}").relaxations(0, "/search/")  # vocabularies read
    for n in (2, 14):
        asked = search(f"location=90230&radius=5&{asking[n]}")
        with CaptureQueriesContext(connection) as captured:
            asked.relaxations(0, "/search/")
        assert len(captured) == 1
        # Each therapy's link is tested once a row, not once in every count that keeps it.
        assert captured[0]["sql"].count('"facilities_program_modalities"') == n
    # Two therapies: within 10 miles the farther one answers both; within 5 miles, without
    # DBT, the nearer one answers; without CBT, none does.
    two = search(f"location=90230&radius=5&{asking[2]}").relaxations(0, "/search/")
    assert [(r.change, r.count, r.within_miles) for r in two] == [
        ({"radius": 10}, 1, 10),
        ({"remove": {"modality": "dbt"}}, 1, 5),
    ]


@pytest.mark.parametrize(
    "asked", ["age=16", "time_of_day=evening&time_of_day=weekend"], ids=["age", "either time"]
)
def test_at_the_widest_distance_with_nothing_to_leave_out_the_page_offers_no_change(
    db, client, asked
):
    program_at(150, "Far away")
    assert client.get(f"/search/?location=90230&radius=100&{asked}").status_code == 200
    assert page_context(f"location=90230&radius=100&{asked}")["relaxations"] == []
    answer = client.get(f"/api/v1/programs/?location=90230&radius=100&{asked}")
    assert answer.status_code == 200 and answer.json()["relaxations"] == []


@pytest.fixture
def varied_directory(db):
    """30 programs from 1 to 40 miles with therapies, times, formats and ages drawn at random."""
    rng = random.Random(4)
    times = [("mon", "09:00", "12:00"), ("tue", "18:00", "21:00"), ("sat", "10:00", "13:00")]
    for n in range(30):
        program_at(
            rng.uniform(1, 40),
            f"Program {n}",
            modalities=rng.sample(["cbt", "dbt", "emdr"], k=rng.randint(0, 2)),
            sessions=rng.sample(times, k=rng.randint(0, 2)),
            format=rng.choice(["in_person", "telehealth", "hybrid"]),
            age_min=rng.choice([None, 12, 18]),
            accepting_new_clients=rng.choice([True, False, None]),
        )


@pytest.mark.parametrize(
    "asked",
    [
        "modality=cbt&modality=dbt&time_of_day=evening",
        "modality=emdr&format=in_person&accepting=true&age=16",
        "time_of_day=weekend&modality=dbt&age=30&format=telehealth&format=hybrid",
    ],
)
def test_each_relaxation_counts_what_its_own_search_finds(varied_directory, asked):
    asking = search(f"location=90230&radius=10&{asked}")
    changes = list(islice(asking.changes(), RELAXATIONS_TRIED))
    place = asking.place
    counted = asking.queryset.counts_within(
        place.latitude, place.longitude, [(asking.conditions_of(d), r) for *_, d, r, _ in changes]
    )
    one_by_one = [
        asking.queryset.filter(*asking.conditions_of(data)).within(*CULVER_CITY, radius).count()
        for *_, data, radius, _ in changes
    ]
    assert counted == one_by_one and len(changes) >= 3 and any(counted)


def test_a_value_given_twice_is_asked_once(db):
    program_at(7, "Evenings, farther", sessions=[("mon", "18:00", "21:00")])
    program_at(2, "Daytime", sessions=[("mon", "09:00", "12:00")])
    twice = "location=90230&radius=5&time_of_day=evening&time_of_day=evening"
    context = page_context(twice)
    assert [label for label, _ in context["chips"]] == ["Evenings (starts 5 pm or later)"]
    assert relaxation(context, WITHOUT_EVENINGS).count == 1


def test_one_of_several_times_any_of_which_will_do_is_never_counted_as_left_out(db):
    program_at(7, "Evenings, farther", sessions=[("mon", "18:00", "21:00")])
    either = search("location=90230&radius=5&time_of_day=evening&time_of_day=weekend")
    with CaptureQueriesContext(connection) as captured:
        relaxations = either.relaxations(0, "/search/")
    # Only the next distance is counted: without evenings, weekends alone find fewer.
    assert len(captured) == 1
    assert [r.change for r in relaxations] == [{"radius": 10}]


# --- The nearest farther out, and past the limit -----------------------------------------------


def test_no_suggestion_is_farther_than_the_limit(db):
    program_at(90, "Within reach")
    program_at(130, "Too far")
    context = page_context("location=90230&radius=5")
    assert beyond_names(context) == ["Within reach"]
    assert not context["nothing_within_limit"] and context["helpline"] is None


def test_the_nearest_beyond_are_read_in_one_statement(db):
    program_at(90, "Within reach")
    program_at(30, "Nearer, for adults", age_min=18)
    asked = search("location=90230&radius=5&age=16")
    asked.nearest_beyond_radius()  # the vocabularies read
    with CaptureQueriesContext(connection) as captured:
        beyond = asked.nearest_beyond_radius()
    assert [program.name for program in beyond] == ["Within reach"] and len(captured) == 1


@pytest.mark.parametrize("near", [0, 1], ids=["none near", "one near"])
def test_the_look_beyond_starts_from_the_limit_only_when_none_is_near(
    db, client, monkeypatch, near
):
    for n in range(near):
        program_at(3, f"Near {n}")
    for n in range(5):
        program_at(15, f"Fifteen miles {n}")
    circles = recorded_circles(monkeypatch)
    answer = client.get("/api/v1/programs/?location=90230&radius=5").json()
    assert [row["name"] for row in answer["nearest_beyond"]] == [
        f"Fifteen miles {n}" for n in range(5)
    ]
    # With one near, matches are near enough that a circle four times the radius holds five.
    assert (20 in circles, 100 in circles) == ((False, True) if near == 0 else (True, False))


def test_when_the_next_distance_holds_five_only_its_circle_is_read(db, monkeypatch):
    for n in range(5):
        program_at(15 + n, f"CBT at {15 + n} miles", modalities=["cbt"])
    program_at(60, "CBT at 60 miles", modalities=["cbt"])
    asked = search("location=90230&radius=10&modality=cbt")
    assert [r.label for r in asked.relaxations(0, "/search/")] == ["Within 25 miles"]
    circles = recorded_circles(monkeypatch)
    with CaptureQueriesContext(connection) as captured:
        beyond = asked.nearest_beyond_radius()
    assert [program.name for program in beyond] == [f"CBT at {m} miles" for m in range(15, 20)]
    assert circles == [25] and len(captured) == 1


def test_with_an_age_asked_the_next_distance_is_not_enough_without_ages_listed(db, monkeypatch):
    for n in range(5):
        program_at(15 + n, f"Ages not listed {n}")
    program_at(70, "Teens farther", age_min=13, age_max=17)
    asked = search("location=90230&radius=10&age=16&format=in_person")
    circles = recorded_circles(monkeypatch)
    beyond = [program.name for program in asked.nearest_beyond_radius()]
    assert beyond == ["Teens farther"] + [f"Ages not listed {n}" for n in range(4)]
    assert circles == [25, 100]


def test_when_the_next_distance_holds_too_few_the_limit_is_read_at_once(db, monkeypatch):
    program_at(15, "CBT at 15 miles", modalities=["cbt"])
    program_at(60, "CBT at 60 miles", modalities=["cbt"])
    circles = recorded_circles(monkeypatch)
    beyond = search("location=90230&radius=10&modality=cbt").nearest_beyond_radius()
    assert [program.name for program in beyond] == ["CBT at 15 miles", "CBT at 60 miles"]
    assert circles == [100]


def test_when_nothing_matches_within_the_limit_nothing_more_is_read(db):
    program_at(130, "CBT too far", modalities=["cbt"])
    program_at(30, "DBT within reach", modalities=["dbt"])
    asked = search("location=90230&radius=50&modality=cbt")
    asked.relaxations(0, "/search/")  # the counts, which the page reads first
    with CaptureQueriesContext(connection) as captured:
        assert asked.nearest_beyond_radius() == []
    assert len(captured) == 0
    context = page_context("location=90230&radius=50&modality=cbt")
    assert context["nothing_within_limit"] and context["helpline"] is not None


def test_the_limit_comes_from_the_settings(db, settings):
    settings.NEAREST_BEYOND_MILES = 150
    program_at(130, "Farther but within the limit")
    context = page_context("location=90230&radius=5")
    assert beyond_names(context) == ["Farther but within the limit"]


def test_past_the_limit_the_page_says_so_with_the_helpline_and_online_first(db, settings):
    program_at(130, "Too far")
    context = page_context("location=90230&radius=5")
    assert context["beyond_groups"] == [] and context["nothing_within_limit"]
    assert context["helpline"]["number"] == "1-800-662-4357" and context["online_first"]
    assert context["nearest_beyond_miles"] == settings.NEAREST_BEYOND_MILES == 100


def test_the_api_gives_the_nearest_beyond_with_their_distance(db, client):
    near = program_at(40, "Forty miles")
    program_at(130, "Too far")
    answer = client.get("/api/v1/programs/?location=90230&radius=5").json()
    [row] = answer["nearest_beyond"]
    assert row["id"] == near.pk and row["distance_miles"] == pytest.approx(40, rel=0.01)
    assert row["facility"]["name"] == "Forty miles Center"


def test_the_api_reads_the_answers_of_the_page_and_of_the_nearest_beyond_at_once(db, client):
    program_at(3, "Three miles", modalities=["cbt"])
    program_at(40, "Forty miles", modalities=["dbt"])
    with CaptureQueriesContext(connection) as captured:
        answer = client.get("/api/v1/programs/?location=90230&radius=5").json()
    [near], [beyond] = answer["results"], answer["nearest_beyond"]
    assert [term["slug"] for term in near["modalities"]] == ["cbt"]
    assert [term["slug"] for term in beyond["modalities"]] == ["dbt"]
    term_links = [query for query in captured if " UNION ALL " in query["sql"]]
    assert len(term_links) == 1


def test_the_api_schema_describes_relaxations_and_nearest_beyond(db, client):
    program_at(8, "Farther CBT", modalities=["cbt"])
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    listing = schema["components"]["schemas"]["PaginatedProgramList"]["properties"]
    answer = client.get("/api/v1/programs/?location=90230&radius=5&modality=cbt").json()
    [relaxation] = answer["relaxations"]
    assert set(listing["relaxations"]["items"]["properties"]) == set(relaxation)
    assert listing["nearest_beyond"]["items"] == {"$ref": "#/components/schemas/Program"}


def test_with_an_age_asked_programs_without_ages_come_after_those_with(db):
    unlisted = program_at(30, "Ages not listed")
    program_at(60, "Teens", age_min=13, age_max=17)
    context = page_context("location=90230&radius=5&age=16")
    assert beyond_names(context) == ["Teens", "Ages not listed"]
    [unlisted_card] = [c for c in cards(context["beyond_groups"]) if c.program == unlisted]
    assert Mark(False, "Ages not listed") in unlisted_card.marks


def test_programs_with_ages_come_first_even_when_nearer_ones_without_fill_the_list(db):
    for number in range(5):
        program_at(10 + number, f"Ages not listed {number}")
    program_at(70, "Teens farther", age_min=13, age_max=17)
    context = page_context("location=90230&radius=5&age=16")
    assert beyond_names(context) == ["Teens farther"] + [
        f"Ages not listed {number}" for number in range(4)
    ]


# --- Never a program for another age -----------------------------------------------------------


def test_results_never_offer_an_adults_only_program_without_ages_to_a_teen(db):
    program_at(1, "Adults, ages not listed", populations=["adults"])
    program_at(1, "Teens, ages not listed", populations=["adolescents"])
    names = [program.name for program in search("location=90230&age=16").qs]
    assert names == ["Teens, ages not listed"]


def test_results_never_offer_an_adolescents_only_program_to_an_adult(db):
    program_at(1, "Adults, ages not listed", populations=["adults"])
    program_at(1, "Teens, ages not listed", populations=["adolescents"])
    names = [program.name for program in search("location=90230&age=18").qs]
    assert names == ["Adults, ages not listed"]


def offered_everywhere(client, query):
    """Every program the page and the API offer for this search: the results, the online
    ones, the nearest beyond the radius."""
    context = page_context(query)
    rows = cards(context["groups"]) + context["online"] + cards(context["beyond_groups"])
    offered = {card.program.pk for card in rows}
    answer = client.get(f"/api/v1/programs/?{query}&page_size=100").json()
    offered |= {row["id"] for row in answer["results"] + answer.get("nearest_beyond", [])}
    return offered


# --- On the demo directory -----------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo(class_transaction):
    """The demo directory, loaded once for the class and rolled back after it."""
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.usefixtures("demo")
class TestTheDemoDirectory:
    def test_the_parents_search_offers_leaving_out_evenings_with_two_programs(self, db):
        context = page_context(PARENT)
        assert context["page"].paginator.count == 0
        without_evenings = relaxation(context, WITHOUT_EVENINGS)
        assert without_evenings.count == 2 and without_evenings.count_exact
        assert without_evenings.label.startswith("Without Evenings")
        assert without_evenings.within_miles == 10

    def test_following_without_evenings_lists_the_two_teen_programs(self, db, client):
        url = relaxation(page_context(PARENT), WITHOUT_EVENINGS).url
        assert url.startswith("/search/?") and "time_of_day" not in url
        listed = Program.objects.filter(pk__in=program_ids(client.get(url)))
        assert len(listed) == 2 and all(program.age_max <= 17 for program in listed)

    def test_the_spanish_page_offers_it_in_spanish_and_stays_spanish(self, db, client):
        with translation.override("es"):
            without_evenings = relaxation(page_context(PARENT), WITHOUT_EVENINGS)
        assert without_evenings.label.startswith("Sin Noches") and without_evenings.count == 2
        assert without_evenings.url.startswith("/es/search/?")
        assert len(program_ids(client.get(without_evenings.url))) == 2

    def test_the_api_offers_the_same_relaxation_with_an_api_url(self, db, client):
        answer = client.get(f"/api/v1/programs/?{PARENT}").json()
        [without_evenings] = [r for r in answer["relaxations"] if r["change"] == WITHOUT_EVENINGS]
        assert (without_evenings["count"], without_evenings["count_exact"]) == (2, True)
        assert without_evenings["url"].startswith("http://testserver/api/v1/programs/?")
        assert client.get(without_evenings["url"]).json()["count"] == 2

    def test_the_age_is_never_left_out(self, db):
        """Leaving it out would offer adults' programs to the parent's 16-year-old."""
        changes = [r.change for r in page_context(PARENT)["relaxations"]]
        assert changes and all("age" not in change.get("remove", {}) for change in changes)

    def test_no_relaxation_offered_finds_nothing_or_no_more(self, db):
        # Within 25 miles the parent's search still finds nothing: it is not offered.
        relaxations = page_context(PARENT)["relaxations"]
        assert {"radius": 25} not in [r.change for r in relaxations]
        assert all(r.count > 0 for r in relaxations)

    def test_a_search_finding_three_programs_offers_no_relaxation(self, db):
        context = page_context("location=90230&radius=10&insurance=medicaid&time_of_day=evening")
        assert context["page"].paginator.count >= 3 and context["relaxations"] == []

    def test_the_api_adds_no_way_out_when_three_are_nearby(self, db, client):
        answer = client.get("/api/v1/programs/?location=90230&radius=10").json()
        assert (
            answer["count"] >= 3 and "relaxations" not in answer and "nearest_beyond" not in answer
        )

    def test_the_montana_search_offers_no_far_program_but_the_helpline_and_online_ones(self, db):
        context = page_context(MONTANA)
        assert context["groups"] == [] and context["beyond_groups"] == []
        assert context["nothing_within_limit"] and context["helpline"] is not None
        assert context["online"] and context["online_first"]
        assert all("MT" in card.program.online_states for card in context["online"])

    def test_the_api_gives_montana_no_far_program(self, db, client):
        answer = client.get(f"/api/v1/programs/?{MONTANA}").json()
        assert answer["nearest_beyond"] == []
        assert answer["results"] and {row["reach"] for row in answer["results"]} == {"online"}

    def test_the_parents_search_is_offered_no_adult_program_however_far(self, db, settings):
        """The issue's Sacramento and Chicago programs match all but the age: they list no
        ages, and say they serve adults."""
        settings.NEAREST_BEYOND_MILES = 5000
        but_the_age = search("insurance=medicaid&time_of_day=evening").qs
        unlisted = but_the_age.filter(age_min=None, age_max=None)
        assert len([program for program in unlisted if not_for_age(program, 16)]) >= 2
        assert page_context(PARENT)["beyond_groups"] == []

    @pytest.mark.parametrize("age", AGES)
    def test_no_search_anywhere_offers_a_program_for_another_age(self, db, client, age):
        """The whole directory without a place; from a ZIP code of each state of the demo
        directory and from Montana, where none is, within 5 miles (so most also offer the
        nearest beyond the radius)."""
        offered = {program.pk for program in search(f"age={age}").qs}
        places = Program.objects.published().values_list("facility__state", "facility__zip_code")
        zip_codes = dict(sorted(places, reverse=True)).values()
        for zip_code in [*zip_codes, "59001"]:
            offered |= offered_everywhere(client, f"location={zip_code}&radius=5&age={age}")
        programs = Program.objects.filter(pk__in=offered).prefetch_related("populations")
        assert programs or age < 12  # the demo directory's youngest programs start at 12
        assert [program.name for program in programs if not_for_age(program, age)] == []


def test_a_card_names_every_part_of_the_day_its_program_meets(db):
    program_at(
        2,
        "All day",
        sessions=[("mon", "09:00", "11:00"), ("tue", "13:00", "15:00"), ("wed", "18:00", "20:00")],
    )
    [card] = cards(page_context("location=90230&radius=5")["groups"])
    assert "Mon–Wed mornings, afternoons and evenings" in " · ".join(card.summary)
