"""Online programs that may legally serve the searcher's state, wherever they are based."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from facilities.importers.directory import import_directory
from facilities.models import OnlineReach, Program
from facilities.views import ONLINE_PER_PAGE, RESULTS_PER_PAGE
from tests.conftest import make_facility, make_program

PHOENIX = (33.4484, -112.0740)
AUSTIN_ZIP = "78701"


def online_ids(response):
    text = response.content.decode()
    return [int(i) for i in re.findall(r'data-program-id="(\d+)" data-online-reach="true"', text)]


def nearby_ids(response):
    text = response.content.decode()
    return [int(i) for i in re.findall(r'data-program-id="(\d+)" data-distance-miles=', text)]


@pytest.fixture
def phoenix_online(db):
    """A telehealth program based in Arizona, licensed for Arizona and California."""
    facility = make_facility(
        "Desert Bloom Virtual Care", point=PHOENIX, city="Phoenix", state="AZ",
        zip_code="85004", payment_options=["medicaid"],
    )  # fmt: skip
    return make_program(
        facility, "Virtual Evening IOP", format="telehealth", serves_states="AZ CA", age_min=18
    )


def test_an_online_program_licensed_for_california_serves_a_culver_city_search(
    client, phoenix_online
):
    response = client.get("/search/", {"location": "90230", "radius": 5})
    assert online_ids(response) == [phoenix_online.pk]
    assert b"Online programs that serve California" in response.content


def test_it_is_absent_for_a_texas_search(client, phoenix_online):
    assert online_ids(client.get("/search/", {"location": AUSTIN_ZIP, "radius": 5})) == []


def test_online_rows_say_who_runs_them_and_claim_no_distance(client, phoenix_online):
    page = client.get("/search/", {"location": "90230", "radius": 5}).content.decode()
    row = page[page.index('data-online-reach="true"') :].split("</li>")[0]
    assert "run by Desert Bloom Virtual Care in Phoenix, AZ" in row and "miles" not in row


def test_online_programs_are_filtered_by_insurance_like_any_other(client, phoenix_online):
    search = {"location": "90230", "radius": 5}
    assert online_ids(client.get("/search/", {**search, "insurance": "tricare"})) == []
    assert online_ids(client.get("/search/", {**search, "insurance": "medicaid"})) == [
        phoenix_online.pk
    ]


def test_online_programs_are_filtered_by_age_like_any_other(client, phoenix_online):
    assert online_ids(client.get("/search/", {"location": "90230", "radius": 5, "age": 15})) == []


def test_in_person_programs_never_appear_in_the_online_section(client, db):
    far = make_facility("Phoenix Clinic", point=PHOENIX, city="Phoenix", state="AZ")
    make_program(far, "In Person IOP", format="in_person", serves_states="CA")
    assert online_ids(client.get("/search/", {"location": "90230", "radius": 5})) == []


def test_an_online_program_listing_no_states_serves_only_its_own(client, db):
    far = make_facility("Phoenix Online", point=PHOENIX, city="Phoenix", state="AZ")
    program = make_program(far, "Online IOP", format="hybrid")
    assert online_ids(client.get("/search/", {"location": "90230", "radius": 5})) == []
    assert online_ids(client.get("/search/", {"location": "85281", "radius": 5})) == [program.pk]


def test_an_online_program_within_the_radius_is_listed_once_among_the_nearby(client, db):
    program = make_program(format="telehealth", serves_states="CA")
    response = client.get("/search/", {"location": "90230", "radius": 5})
    assert (nearby_ids(response), online_ids(response)) == ([program.pk], [])


def test_asking_for_in_person_hides_the_online_section(client, phoenix_online):
    response = client.get("/search/", {"location": "90230", "radius": 5, "format": "in_person"})
    assert b"online-heading" not in response.content


def test_asking_for_telehealth_shows_the_online_section_first(client, phoenix_online):
    make_program(format="telehealth", name="Local Telehealth IOP")
    page = client.get(
        "/search/", {"location": "90230", "radius": 5, "format": "telehealth"}
    ).content.decode()
    assert page.index("online-heading") < page.index("data-distance-miles")


def test_online_programs_never_push_nearby_ones_off_the_first_page(client, phoenix_online):
    nearby = make_facility("Busy Local Center")
    for n in range(20):
        make_program(nearby, f"Track {n:02d}")
    response = client.get("/search/", {"location": "90230", "radius": 5})
    assert len(nearby_ids(response)) == RESULTS_PER_PAGE and online_ids(response) == [
        phoenix_online.pk
    ]


def test_the_online_section_keeps_its_queries_bounded(
    client, phoenix_online, django_assert_max_num_queries
):
    for n in range(15):
        far = make_facility(f"Remote {n}", point=PHOENIX, state="AZ", payment_options=["medicaid"])
        make_program(
            far, f"Remote IOP {n}", format="telehealth", serves_states="CA", modalities=["cbt"]
        )
    with django_assert_max_num_queries(40):
        response = client.get("/search/", {"location": "90230", "radius": 5})
    assert (
        len(online_ids(response)) == ONLINE_PER_PAGE
        and b"16 telehealth or hybrid programs" in response.content
    )


# --- The API ------------------------------------------------------------------------------


def test_the_api_adds_reachable_online_programs_after_the_nearby_ones(client, phoenix_online):
    local = make_program(name="Local IOP")
    results = client.get("/api/v1/programs/", {"location": "90230", "radius": 5}).json()["results"]
    assert [(r["id"], r["reach"]) for r in results] == [
        (local.pk, "nearby"),
        (phoenix_online.pk, "online"),
    ]
    assert 350 < results[1]["distance_miles"] < 380


def test_the_api_leaves_online_programs_out_when_asked(client, phoenix_online):
    response = client.get(
        "/api/v1/programs/", {"location": "90230", "radius": 5, "include_online": "false"}
    )
    assert response.json()["count"] == 0


def test_api_items_carry_the_states_served(client, phoenix_online):
    item = client.get("/api/v1/programs/").json()["results"][0]
    assert item["serves_states"] == ["AZ", "CA"]


def test_api_pages_run_from_nearby_into_online_programs(client, phoenix_online):
    nearby = make_facility("Busy Local Center")
    for n in range(20):
        make_program(nearby, f"Track {n:02d}")
    first = client.get("/api/v1/programs/", {"location": "90230", "radius": 5}).json()
    second = client.get(first["next"]).json()
    assert first["count"] == 21 and [r["reach"] for r in second["results"]] == ["online"]


# --- The listing --------------------------------------------------------------------------


def test_states_are_stored_as_upper_case_codes_without_repeats(db):
    program = make_program(format="telehealth", serves_states="ca, nv; CA az")
    program.refresh_from_db()
    assert program.serves_states == "CA NV AZ"


def test_a_made_up_state_code_is_refused(db):
    program = make_program(format="telehealth")
    program.serves_states = "CA ZZ"
    with pytest.raises(ValidationError, match="ZZ is not a state code"):
        program.full_clean()


def test_facility_and_compare_pages_say_which_states_are_served_online(client, phoenix_online):
    other = make_program(name="Local IOP")
    facility_page = client.get(phoenix_online.facility.get_absolute_url()).content
    compare_page = client.get("/compare/", {"programs": f"{phoenix_online.pk},{other.pk}"}).content
    assert b"Serves online: AZ, CA" in facility_page and b"<td>AZ, CA</td>" in compare_page


# --- The states each online program reaches, kept for the search ----------------------------


def reached(program):
    return sorted(OnlineReach.objects.filter(program=program).values_list("state", flat=True))


def test_the_states_reached_follow_the_program_as_a_curator_edits_it(phoenix_online):
    assert reached(phoenix_online) == ["AZ", "CA"]
    phoenix_online.serves_states = "NV"
    phoenix_online.save()
    assert reached(phoenix_online) == ["NV"]
    phoenix_online.format = "in_person"
    phoenix_online.save()
    assert reached(phoenix_online) == []


def test_a_program_listing_no_states_follows_its_facility_when_it_moves(db):
    program = make_program(make_facility(state="AZ"), format="hybrid")
    assert reached(program) == ["AZ"]
    facility = program.facility
    facility.state = "NM"
    facility.save()
    assert reached(program) == ["NM"]


def test_an_import_and_the_synthetic_directory_write_what_they_reach(db, tmp_path):
    records = [
        {
            "name": "Mesa Virtual Care", "city": "Mesa", "state": "AZ", "zip_code": "85201",
            "programs": [
                {"name": "Online IOP", "focus": "mental_health", "format": "telehealth",
                 "serves_states": ["AZ", "UT"]},
                {"name": "Clinic IOP", "focus": "mental_health", "format": "in_person"},
            ],
        }
    ]  # fmt: skip
    import_directory(((f"index {i}", r) for i, r in enumerate(records)), source="import:test")
    imported = Program.objects.get(name="Online IOP")
    assert (
        reached(imported) == ["AZ", "UT"] and reached(Program.objects.get(name="Clinic IOP")) == []
    )

    call_command("seed_synthetic", "--count", "60", stdout=io.StringIO())
    synthetic = Program.objects.filter(facility__source="import:synthetic")
    for program in synthetic.select_related("facility"):
        assert reached(program) == sorted(program.online_states)
    assert OnlineReach.objects.filter(program__in=synthetic).exists()
