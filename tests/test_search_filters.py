from datetime import UTC, datetime

import pytest
from django.db.models import Q
from django.http import QueryDict
from geopy.distance import great_circle

from facilities.filters import ProgramFilter
from facilities.models import Facility, Program
from tests.conftest import CULVER_CITY, make_facility, make_program

NOT_FOUND = "We couldn't find that place. Try a 5-digit ZIP code or City, ST."
PASADENA = (34.1478, -118.1445)  # about 18 miles from Culver City
SAN_DIEGO = (32.7157, -117.1611)
PHOENIX = (33.4484, -112.0740)
ANCHORAGE = (61.2181, -149.9003)


def search(query=""):
    """The FilterSet the search page builds for this query string."""
    return ProgramFilter(QueryDict(query), queryset=Program.objects.published())


def found(query=""):
    return list(search(query).qs)


def names(programs):
    return [program.name for program in programs]


def away(miles, bearing, origin=CULVER_CITY):
    """The point `miles` from the origin in the compass direction `bearing`."""
    destination = great_circle(miles=miles).destination(origin, bearing)
    return (destination.latitude, destination.longitude)


def program_at(point, name, **fields):
    return make_program(make_facility(f"{name} Center", point=point), name, **fields)


@pytest.fixture
def no_beyond_limit(settings):
    """A site that offers the nearest programs beyond the radius however far they are."""
    settings.NEAREST_BEYOND_MILES = 20_000


def near_culver_city(miles):
    return Program.objects.published().near(*CULVER_CITY, miles)


# --- Distance ---------------------------------------------------------------------------------


def test_near_puts_the_nearest_programs_first(db):
    program_at(away(20, 0), "Twenty miles")
    program_at(away(3, 90), "Three miles")
    program_at(away(10, 180), "Ten miles")
    assert names(near_culver_city(25)) == ["Three miles", "Ten miles", "Twenty miles"]


def test_near_excludes_programs_beyond_the_radius(db):
    program_at(away(24, 0), "Inside")
    program_at(away(26, 0), "Outside")
    assert names(near_culver_city(25)) == ["Inside"]


def test_near_excludes_a_program_in_the_corner_beyond_the_radius(db):
    # 27 miles to the north-east: inside a 25-mile square around the point, outside the circle.
    program_at(away(27, 45), "Corner")
    assert names(near_culver_city(25)) == []


@pytest.mark.parametrize("city", [PASADENA, SAN_DIEGO, PHOENIX])
def test_distance_agrees_with_the_great_circle(db, city):
    program_at(city, "Program")
    [program] = near_culver_city(400)
    assert program.distance_miles == pytest.approx(great_circle(CULVER_CITY, city).miles, rel=0.005)


@pytest.mark.parametrize("bearing", [90, 270])
def test_near_finds_a_program_east_or_west_at_a_high_latitude(db, bearing):
    # 24 miles at Anchorage is about 0.72 degrees of longitude, twice a naive 24/69.
    program_at(away(24, bearing, origin=ANCHORAGE), "Anchorage track")
    assert names(Program.objects.published().near(*ANCHORAGE, 25)) == ["Anchorage track"]


def test_near_finds_a_program_across_the_antimeridian(db):
    program_at((51.8, 179.95), "Across the line")
    assert names(Program.objects.published().near(51.8, -179.95, 25)) == ["Across the line"]


def test_counts_within_agree_with_near_across_the_antimeridian(db):
    # At 51.8° N a degree of longitude is about 43 miles. From 179.8° W, the circle of 5 miles
    # stays east of the line (measured on the local plane), that of 25 crosses it (haversine).
    program_at((51.8, -179.85), "This side, 2 miles")
    program_at((51.8, 179.95), "Across the line, 11 miles")
    programs = Program.objects.published()
    point = (51.8, -179.8)
    counts = programs.counts_within(*point, [([], 5), ([], 25), ([Q(name="None")], 25)])
    near = [programs.near(*point, miles).count() for miles in (5, 25)]
    assert counts == [*near, 0] == [1, 2, 0]


def test_a_facility_without_coordinates_never_appears_near_a_place(db):
    program_at(CULVER_CITY, "Placed")
    program_at(None, "Unplaced")
    assert names(near_culver_city(250)) == ["Placed"]


@pytest.mark.parametrize(
    "far_points", [(SAN_DIEGO, PHOENIX), (PHOENIX, ANCHORAGE)], ids=["within 400 mi", "farther"]
)
def test_the_nearest_beyond_the_radius_come_nearest_first_however_far(
    db, no_beyond_limit, far_points
):
    """Found in widening circles, or by measuring every program past 400 miles."""
    nearer, farther = far_points
    program_at(farther, "Farther")
    program_at(nearer, "Nearer")
    assert names(search("location=90230&radius=5").nearest_beyond_radius()) == [
        "Nearer",
        "Farther",
    ]


def test_the_nearest_beyond_past_400_miles_have_every_therapy_and_condition_asked(
    db, no_beyond_limit
):
    """Measured over the whole directory from the programs linked to the terms asked."""
    program_at(ANCHORAGE, "Both", modalities=["emdr", "dbt"], conditions=["trauma_ptsd"])
    program_at(PHOENIX, "EMDR only", modalities=["emdr"], conditions=["trauma_ptsd"])
    program_at((64.8378, -147.7164), "Farther with both", modalities=["emdr", "dbt"],
               conditions=["trauma_ptsd"])  # fmt: skip
    program_at(SAN_DIEGO, "Neither", modalities=["cbt"])
    found = search(
        "location=90230&radius=5&modality=emdr&modality=dbt&condition=trauma_ptsd"
    ).nearest_beyond_radius()
    assert names(found) == ["Both", "Farther with both"]


def test_with_a_therapy_asked_the_nearest_within_400_miles_come_from_the_linked_programs(
    db, no_beyond_limit
):
    """Past a circle of 100 miles the next would be the one of 400: with a therapy asked, the
    programs linked to it are measured instead, and give the same nearest, in order."""
    program_at(PHOENIX, "Phoenix DBT", modalities=["dbt"])
    program_at(SAN_DIEGO, "San Diego DBT", modalities=["dbt", "cbt"])
    program_at(away(150, 20), "Nearer, CBT only", modalities=["cbt"])
    program_at(away(250, 60), "Between DBT", modalities=["dbt"])
    found = search("location=90230&radius=25&modality=dbt").nearest_beyond_radius()
    assert names(found) == ["San Diego DBT", "Between DBT", "Phoenix DBT"]
    distances = [program.distance_miles for program in found]
    assert distances == sorted(distances) and 100 < distances[0] < 125


def test_a_circle_holding_five_nearer_programs_ends_the_look_for_the_nearest(db, no_beyond_limit):
    program_at(PHOENIX, "Phoenix")
    for n in range(5):
        program_at(SAN_DIEGO, f"San Diego {n}")
    assert names(search("location=90230&radius=5").nearest_beyond_radius()) == [
        f"San Diego {n}" for n in range(5)
    ]


def test_a_facility_without_coordinates_is_not_offered_beyond_the_radius(db, no_beyond_limit):
    program_at(PHOENIX, "Far")
    program_at(None, "Unplaced")
    assert names(search("location=90230&radius=5").nearest_beyond_radius()) == ["Far"]


@pytest.mark.parametrize("status", [Facility.Status.DRAFT, Facility.Status.ARCHIVED])
def test_an_unpublished_facility_never_appears(db, status):
    program_at(CULVER_CITY, "Published")
    make_program(make_facility("Hidden Center", status=status), "Hidden")
    assert names(found("location=90230")) == ["Published"]


# --- Location and radius ----------------------------------------------------------------------


def test_a_location_search_keeps_programs_within_the_radius(db):
    program_at(CULVER_CITY, "Culver City")
    program_at(PASADENA, "Pasadena")
    assert names(found("location=90230&radius=10")) == ["Culver City"]


def test_the_radius_defaults_to_twenty_five_miles(db):
    program_at(away(24, 0), "Inside")
    program_at(away(26, 0), "Outside")
    assert names(found("location=90230")) == ["Inside"]


def test_a_location_search_gives_each_program_its_distance(db):
    program_at(PASADENA, "Pasadena")
    [program] = found("location=90230")
    assert program.distance_miles == pytest.approx(
        great_circle(CULVER_CITY, PASADENA).miles, rel=0.005
    )


# --- Insurance (any of) -----------------------------------------------------------------------


def test_insurance_matches_any_of_the_options_asked(db):
    make_program(make_facility("Medicaid Center", payment_options=["medicaid"]), "Medicaid")
    make_program(make_facility("Cash Center", payment_options=["self_pay"]), "Cash")
    assert names(found("insurance=medicaid&insurance=medicare")) == ["Medicaid"]


def test_a_named_carrier_answers_a_search_for_private_insurance(db):
    make_program(make_facility("Aetna Center", payment_options=["aetna"]), "Aetna")
    assert names(found("insurance=private_insurance")) == ["Aetna"]


def test_private_insurance_does_not_match_a_facility_taking_only_medicaid(db):
    make_program(make_facility("Medicaid Center", payment_options=["medicaid"]), "Medicaid")
    assert found("insurance=private_insurance") == []


def test_a_named_carrier_search_does_not_match_another_carrier(db):
    make_program(make_facility("Cigna Center", payment_options=["cigna"]), "Cigna")
    assert found("insurance=aetna") == []


def test_results_never_repeat_a_program_that_takes_several_asked_insurances(db):
    facility = make_facility(payment_options=["medicaid", "medicare", "aetna", "private_insurance"])
    make_program(facility, "Adult IOP")
    query = "insurance=medicaid&insurance=medicare&insurance=private_insurance&location=90230"
    assert names(found(query)) == ["Adult IOP"]


def test_results_never_repeat_a_program_that_speaks_several_asked_languages(db):
    make_program(make_facility(languages=["en", "es", "zh"]), "Adult IOP")
    assert names(found("language=en&language=es&language=zh")) == ["Adult IOP"]


# --- Conditions, populations, modalities, philosophy, transition (all of) -----------------------

ALL_OF = [
    ("condition", "conditions", ["depression", "anxiety"]),
    ("population", "populations", ["adults", "veterans"]),
    ("modality", "modalities", ["cbt", "dbt"]),
    ("philosophy", "philosophy", ["evidence_based", "trauma_informed"]),
    ("transition", "transition_supports", ["aftercare_plan", "alumni_group"]),
]


@pytest.mark.parametrize(("parameter", "field", "slugs"), ALL_OF)
def test_a_program_must_have_every_term_asked(db, parameter, field, slugs):
    facility = make_facility()
    make_program(facility, "Both", **{field: slugs})
    make_program(facility, "First only", **{field: slugs[:1]})
    make_program(facility, "Second only", **{field: slugs[1:]})
    query = "&".join(f"{parameter}={slug}" for slug in slugs)
    assert names(found(query)) == ["Both"]


@pytest.mark.parametrize(("parameter", "field", "slugs"), ALL_OF)
def test_a_program_with_more_terms_than_asked_still_matches(db, parameter, field, slugs):
    make_program(make_facility(), "Both", **{field: slugs})
    assert names(found(f"{parameter}={slugs[0]}")) == ["Both"]


# --- Language (any of) ------------------------------------------------------------------------


def test_language_matches_any_of_the_languages_asked(db):
    make_program(make_facility("Spanish Center", languages=["es"]), "Spanish")
    make_program(make_facility("English Center", languages=["en"]), "English")
    assert names(found("language=es&language=zh")) == ["Spanish"]


# --- Focus ------------------------------------------------------------------------------------


@pytest.fixture
def every_focus(db):
    facility = make_facility()
    for focus in Program.Focus.values:
        make_program(facility, focus, focus=focus)


def test_a_substance_use_search_includes_co_occurring_programs(every_focus):
    assert names(found("focus=substance_use")) == ["co_occurring", "substance_use"]


def test_a_mental_health_search_includes_co_occurring_programs(every_focus):
    assert names(found("focus=mental_health")) == ["co_occurring", "mental_health"]


def test_an_eating_disorders_search_finds_only_eating_disorder_programs(every_focus):
    assert names(found("focus=eating_disorders")) == ["eating_disorders"]


def test_asking_for_both_substance_use_and_mental_health_finds_co_occurring_programs(every_focus):
    assert names(found("focus=substance_use&focus=mental_health")) == ["co_occurring"]


# --- Format -----------------------------------------------------------------------------------


@pytest.fixture
def every_format(db):
    facility = make_facility()
    for format_ in Program.Format.values:
        make_program(facility, format_, format=format_)


def test_an_in_person_search_includes_hybrid_programs(every_format):
    assert names(found("format=in_person")) == ["hybrid", "in_person"]


def test_a_telehealth_search_includes_hybrid_programs(every_format):
    assert names(found("format=telehealth")) == ["hybrid", "telehealth"]


# --- Age --------------------------------------------------------------------------------------


@pytest.mark.parametrize("age", [18, 30, 64])
def test_an_age_inside_the_range_or_on_its_bounds_is_served(db, age):
    make_program(make_facility(), "Adults", age_min=18, age_max=64)
    assert names(found(f"age={age}")) == ["Adults"]


@pytest.mark.parametrize("age", [17, 65])
def test_an_age_outside_the_range_is_not_served(db, age):
    make_program(make_facility(), "Adults", age_min=18, age_max=64)
    assert found(f"age={age}") == []


def test_a_program_without_a_lower_age_bound_serves_young_children(db):
    make_program(make_facility(), "Youth", age_min=None, age_max=17)
    assert names(found("age=4")) == ["Youth"]


def test_a_program_without_an_upper_age_bound_serves_older_adults(db):
    make_program(make_facility(), "Adults", age_min=18, age_max=None)
    assert names(found("age=95")) == ["Adults"]


def test_an_age_of_zero_is_an_age_not_an_empty_answer(db):
    make_program(make_facility(), "Teens", age_min=12, age_max=17)
    assert found("age=0") == []


# --- Time of day (any of) ---------------------------------------------------------------------


@pytest.fixture
def every_time_of_day(db):
    facility = make_facility()
    make_program(facility, "Starts 11:59", sessions=[("mon", "11:59", "14:59")])
    make_program(facility, "Starts 12:00", sessions=[("mon", "12:00", "15:00")])
    make_program(facility, "Starts 16:59", sessions=[("tue", "16:59", "19:59")])
    make_program(facility, "Starts 17:00", sessions=[("wed", "17:00", "20:00")])
    make_program(facility, "Saturday evenings", sessions=[("sat", "18:00", "21:00")])


@pytest.mark.parametrize(
    ("bucket", "expected"),
    [
        ("morning", ["Starts 11:59"]),
        ("afternoon", ["Starts 12:00", "Starts 16:59"]),
        ("evening", ["Saturday evenings", "Starts 17:00"]),
        ("weekend", ["Saturday evenings"]),
    ],
)
def test_time_of_day_comes_from_when_sessions_start(every_time_of_day, bucket, expected):
    assert names(found(f"time_of_day={bucket}")) == expected


def test_time_of_day_matches_any_of_the_times_asked(every_time_of_day):
    found_names = names(found("time_of_day=morning&time_of_day=weekend"))
    assert found_names == ["Saturday evenings", "Starts 11:59"]


# --- Days a week, weeks, accepting --------------------------------------------------------------


def test_max_days_per_week_keeps_programs_meeting_that_often_or_less(db):
    facility = make_facility()
    make_program(
        facility, "Three days", sessions=[(d, "18:00", "21:00") for d in ("mon", "wed", "fri")]
    )
    make_program(
        facility,
        "Four days",
        sessions=[(d, "18:00", "21:00") for d in ("mon", "tue", "wed", "thu")],
    )
    assert names(found("max_days_per_week=3")) == ["Three days"]


def test_max_days_per_week_does_not_match_a_program_without_sessions(db):
    make_program(make_facility(), "No schedule listed", sessions=[])
    assert found("max_days_per_week=7") == []


def test_max_weeks_uses_the_longest_length(db):
    make_program(make_facility(), "Six to twelve", duration_weeks_min=6, duration_weeks_max=12)
    assert found("max_weeks=8") == []


def test_max_weeks_includes_a_program_of_exactly_that_length(db):
    make_program(make_facility(), "Six to eight", duration_weeks_min=6, duration_weeks_max=8)
    assert names(found("max_weeks=8")) == ["Six to eight"]


def test_max_weeks_uses_the_shortest_length_when_no_longest_is_listed(db):
    facility = make_facility()
    make_program(facility, "At least six", duration_weeks_min=6)
    make_program(facility, "At least ten", duration_weeks_min=10)
    assert names(found("max_weeks=8")) == ["At least six"]


def test_max_weeks_does_not_match_a_program_without_a_length(db):
    make_program(make_facility(), "Length not listed")
    assert found("max_weeks=104") == []


def test_accepting_keeps_only_programs_accepting_new_clients(db):
    facility = make_facility()
    make_program(facility, "Open", accepting_new_clients=True)
    make_program(facility, "Full", accepting_new_clients=False)
    make_program(facility, "Not listed", accepting_new_clients=None)
    assert names(found("accepting=true")) == ["Open"]


# --- Combinations (all of across categories) ----------------------------------------------------


def test_filters_of_different_questions_must_all_match(db):
    medicaid = make_facility("Medicaid Center", payment_options=["medicaid"])
    cash = make_facility("Cash Center", payment_options=["self_pay"])
    make_program(medicaid, "Everything", modalities=["cbt"], age_min=18)
    make_program(cash, "Wrong insurance", modalities=["cbt"], age_min=18)
    make_program(medicaid, "Wrong modality", modalities=["dbt"], age_min=18)
    make_program(medicaid, "Wrong age", modalities=["cbt"], age_min=21)
    assert names(found("insurance=medicaid&modality=cbt&age=19")) == ["Everything"]


# --- Sort -------------------------------------------------------------------------------------


def test_distance_is_the_order_with_a_location(db):
    program_at(away(20, 0), "A twenty miles")
    program_at(away(3, 90), "B three miles")
    program_at(away(10, 180), "C ten miles")
    assert names(found("location=90230")) == ["B three miles", "C ten miles", "A twenty miles"]


def test_sort_by_name_orders_by_facility_name(db):
    make_program(make_facility("Maple Recovery", point=away(2, 0)), "Evening IOP")
    make_program(make_facility("Zephyr House", point=away(1, 0)), "Adult IOP")
    make_program(make_facility("Alder Clinic", point=away(3, 0)), "Teen IOP")
    programs = found("location=90230&sort=name")
    assert [program.facility.name for program in programs] == [
        "Alder Clinic",
        "Maple Recovery",
        "Zephyr House",
    ]


def test_sort_by_verified_puts_the_most_recently_verified_first_and_never_verified_last(db):
    for name, verified in [
        ("Aaron House", None),
        ("Birch Clinic", datetime(2023, 3, 1, tzinfo=UTC)),
        ("Cedar Center", datetime(2025, 6, 1, tzinfo=UTC)),
        ("Dogwood IOP", datetime(2024, 1, 1, tzinfo=UTC)),
    ]:
        make_program(make_facility(name, last_verified_at=verified), name)
    assert names(found("sort=verified")) == [
        "Cedar Center",
        "Dogwood IOP",
        "Birch Clinic",
        "Aaron House",
    ]


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("modality=telepathy", "modality"),
        ("insurance=gold_coins", "insurance"),
        ("radius=0", "radius"),
        ("radius=251", "radius"),
        ("radius=abc", "radius"),
        ("age=-3", "age"),
        ("age=121", "age"),
        ("age=ten", "age"),
        ("max_days_per_week=8", "max_days_per_week"),
        ("max_weeks=0", "max_weeks"),
        ("time_of_day=midnight", "time_of_day"),
        ("format=carrier_pigeon", "format"),
        ("focus=everything", "focus"),
        ("sort=cheapest", "sort"),
        ("location=xyzzy+plugh", "location"),
        ("page=0", "page"),
    ],
)
def test_bad_input_is_an_error_on_its_own_field(db, query, field):
    filterset = search(query)
    list(filterset.qs)  # never an exception
    assert list(filterset.form.errors) == [field]


def test_a_place_that_cannot_be_found_says_how_to_type_one(db):
    filterset = search("location=Springfield")
    assert filterset.form.errors["location"] == [NOT_FOUND]


def test_a_bad_radius_says_which_distances_are_allowed(db):
    filterset = search("radius=251")
    assert filterset.form.errors["radius"] == ["Choose a distance from 1 to 250 miles."]


def test_a_search_with_bad_input_is_not_valid(db):
    assert not search("location=90230&age=-3").is_valid()
