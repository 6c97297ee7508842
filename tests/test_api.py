import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from facilities.models import Facility
from facilities.querysets import load_answers
from tests.conftest import make_facility, make_program

PASADENA = (34.1478, -118.1445)
PROGRAM_FIELDS = {
    "id", "name", "level_of_care", "focus", "distance_miles", "age_min", "age_max",
    "duration_weeks_min", "duration_weeks_max", "format", "schedule", "days_per_week",
    "hours_per_week", "time_of_day", "modalities", "conditions", "populations", "philosophy",
    "transition_supports", "accepting_new_clients", "facility",
}  # fmt: skip
FACILITY_FIELDS = {
    "id", "slug", "name", "street", "city", "state", "zip_code", "latitude", "longitude",
    "phone", "website", "payment_options", "languages", "accreditations", "last_verified_at",
    "url",
}  # fmt: skip


def names(response):
    return [item["name"] for item in response.json()["results"]]


@pytest.fixture
def evening_program(db):
    facility = make_facility(payment_options=["medicaid", "aetna"], languages=["en", "es"])
    return make_program(
        facility,
        "Adult Evening IOP",
        sessions=[("mon", "18:00", "21:00"), ("wed", "18:00", "21:00"), ("thu", "18:00", "21:00")],
        modalities=["cbt", "dbt"],
        age_min=18,
    )


# --- The shape of an item ---------------------------------------------------------------------


def test_a_program_item_carries_every_field_of_the_contract(client, evening_program):
    item = client.get("/api/v1/programs/", {"location": "90230"}).json()["results"][0]
    assert set(item) >= PROGRAM_FIELDS and set(item["facility"]) >= FACILITY_FIELDS


def test_a_program_item_answers_the_schedule_question(client, evening_program):
    item = client.get("/api/v1/programs/").json()["results"][0]
    assert (item["days_per_week"], item["hours_per_week"], item["time_of_day"]) == (
        3,
        9.0,
        ["evening"],
    )
    assert item["schedule"][0] == {"weekday": "monday", "start": "18:00", "end": "21:00"}


def test_vocabulary_lists_carry_slug_and_label(client, evening_program):
    item = client.get("/api/v1/programs/").json()["results"][0]
    assert {"slug": "dbt", "label": "Dialectical behavior therapy (DBT)"} in item["modalities"]


def test_the_answers_say_not_listed_when_a_listing_is_silent(client, evening_program):
    answers = client.get("/api/v1/programs/").json()["results"][0]["answers"]
    duration = next(answer for answer in answers if answer["question"] == "duration")
    assert duration["answer"] == "Not listed — ask when you call"


def test_distance_is_null_without_a_location(client, evening_program):
    assert client.get("/api/v1/programs/").json()["results"][0]["distance_miles"] is None


def test_a_location_search_returns_nearest_first_with_distances(client, db):
    make_program(make_facility("Far Center", point=PASADENA), "Far IOP")
    make_program(make_facility("Near Center"), "Near IOP")
    results = client.get("/api/v1/programs/", {"location": "90230"}).json()["results"]
    assert [item["name"] for item in results] == ["Near IOP", "Far IOP"]
    assert results[0]["distance_miles"] < 1 < 15 < results[1]["distance_miles"] < 20


def test_the_facility_url_opens_its_page(client, evening_program):
    item = client.get("/api/v1/programs/").json()["results"][0]
    assert (
        item["facility"]["url"] == f"http://testserver/facilities/{evening_program.facility.slug}/"
    )


# --- The search's semantics, on the items -----------------------------------------------------


def test_insurance_matches_any_of_the_plans(client, evening_program):
    make_program(make_facility("Cash Only", payment_options=["self_pay"]), "Cash IOP")
    response = client.get("/api/v1/programs/?insurance=tricare&insurance=aetna")
    assert names(response) == ["Adult Evening IOP"]


def test_modalities_must_all_be_offered(client, evening_program):
    make_program(make_facility("CBT Only"), "CBT IOP", modalities=["cbt"])
    response = client.get("/api/v1/programs/?modality=cbt&modality=dbt")
    assert names(response) == ["Adult Evening IOP"]


def test_format_is_the_search_parameter_and_hybrid_answers_in_person(client, evening_program):
    make_program(make_facility("Online Only"), "Online IOP", format="telehealth")
    make_program(make_facility("Both Ways"), "Hybrid IOP", format="hybrid")
    response = client.get("/api/v1/programs/", {"format": "in_person"})
    assert names(response) == ["Hybrid IOP", "Adult Evening IOP"]


def test_age_keeps_programs_that_serve_it(client, evening_program):
    make_program(make_facility("Teen Center"), "Teen IOP", age_min=12, age_max=17)
    assert names(client.get("/api/v1/programs/", {"age": 15})) == ["Teen IOP"]


def test_the_answers_mark_the_questions_asked(client, evening_program):
    answers = client.get("/api/v1/programs/", {"insurance": "medicaid"}).json()["results"][0]
    insurance = next(a for a in answers["answers"] if a["question"] == "insurance")
    assert insurance["answer"].startswith("Medicaid")


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"modality": "telepathy"}, "modality"),
        ({"radius": "0"}, "radius"),
        ({"radius": "251"}, "radius"),
        ({"location": "Atlantis, ZZ"}, "location"),
        ({"age": "ten"}, "age"),
        ({"age": "-3"}, "age"),
        ({"sort": "price"}, "sort"),
        ({"page": "999"}, "page"),
    ],
)
def test_bad_input_answers_400_naming_the_parameter(client, evening_program, params, parameter):
    response = client.get("/api/v1/programs/", params)
    assert response.status_code == 400 and list(response.json()) == [parameter]


def test_an_unknown_place_says_so_plainly(client, db):
    response = client.get("/api/v1/programs/", {"location": "nowhere at all"})
    assert response.json()["location"] == [
        "We couldn't find that place. Try a 5-digit ZIP code or City, ST."
    ]


# --- Pagination, facilities, vocabularies, schema, CORS ---------------------------------------


def test_results_come_twenty_a_page_with_links(client, db):
    facility = make_facility()
    for n in range(21):
        make_program(facility, f"Track {n:02d}")
    first = client.get("/api/v1/programs/").json()
    second = client.get(first["next"]).json()
    assert (first["count"], len(first["results"]), len(second["results"])) == (21, 20, 1)
    assert second["previous"] is not None and second["next"] is None


def test_a_search_runs_a_bounded_number_of_queries(client, db, django_assert_max_num_queries):
    for n in range(25):
        make_program(make_facility(f"Center {n}", payment_options=["medicaid"]), modalities=["cbt"])
    with django_assert_max_num_queries(16):
        response = client.get("/api/v1/programs/", {"location": "90230", "insurance": "medicaid"})
    assert len(response.json()["results"]) == 20


def test_facilities_list_only_published_ones(client, db):
    make_facility("Open Center")
    make_facility("Draft Center", status=Facility.Status.DRAFT)
    response = client.get("/api/v1/facilities/")
    assert names(response) == ["Open Center"]


def test_a_facility_detail_lists_its_programs(client, evening_program):
    facility = evening_program.facility
    item = client.get(f"/api/v1/facilities/{facility.pk}/").json()
    assert [program["name"] for program in item["programs"]] == ["Adult Evening IOP"]


def test_an_unpublished_facility_is_not_found(client, db):
    draft = make_facility("Draft Center", status=Facility.Status.DRAFT)
    assert client.get(f"/api/v1/facilities/{draft.pk}/").status_code == 404


def test_vocabularies_list_every_search_parameter_with_explained_slugs(client, db):
    vocabularies = {
        v["parameter"]: v for v in client.get("/api/v1/vocabularies/").json()["results"]
    }
    assert {"insurance", "condition", "population", "modality", "philosophy", "transition",
            "language", "focus", "format", "time_of_day"} <= set(vocabularies)  # fmt: skip
    emdr = next(t for t in vocabularies["modality"]["terms"] if t["slug"] == "emdr")
    assert emdr["explanation"]


def test_the_openapi_document_describes_the_search(client, db):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    document = response.json()
    parameters = {p["name"] for p in document["paths"]["/api/v1/programs/"]["get"]["parameters"]}
    assert document["openapi"].startswith("3.") and {"location", "radius", "modality"} <= parameters


def test_the_documentation_page_is_linked_from_every_page(client, db):
    assert b'href="/api/v1/docs/">For developers' in client.get("/").content
    assert client.get("/api/v1/docs/").status_code == 200


def test_other_sites_may_read_the_api_from_a_browser(client, db):
    response = client.get("/api/v1/programs/", HTTP_ORIGIN="https://referrals.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_api_is_read_only(client, db):
    assert client.post("/api/v1/programs/", {}).status_code == 405


# --- Fuzzing against the schema ----------------------------------------------------------------


@pytest.fixture
def api_schema(db, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]  # the host schemathesis sends
    facility = make_facility(payment_options=["medicaid"])
    make_program(facility, sessions=[("tue", "09:00", "12:00")], modalities=["cbt"])
    make_program(make_facility("Far Center", point=PASADENA), "Far IOP", format="hybrid")
    # As Django's test client does: requests inside the test's transaction must not close
    # the connection at their start and end.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_fuzzing_the_api_finds_no_server_error_and_no_answer_off_the_schema(api_schema):
    # Each operation of the schema, with a bounded number of generated requests, in process.
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def requests_follow_the_schema(case):
            case.call_and_validate(checks=checks)

        requests_follow_the_schema()


def test_a_search_result_has_the_schedule_and_answers_in_the_schema_serializers_shapes(
    client, evening_program
):
    """The list writes a program's schedule and answers out by hand, for speed: they must
    read exactly as the serializers the schema is made from would write them."""
    from facilities.answers import answers_for
    from facilities.models import Program
    from facilities.serializers import AnswerSerializer, SessionSerializer

    item = client.get("/api/v1/programs/", {"location": "91101", "modality": "cbt"}).json()
    [result] = [r for r in item["results"] if r["id"] == evening_program.pk]
    program = load_answers([Program.objects.get(pk=evening_program.pk)])[0]
    assert result["schedule"] == SessionSerializer(program.sessions.all(), many=True).data
    assert result["schedule"][0] == {"weekday": "monday", "start": "18:00", "end": "21:00"}
    expected = AnswerSerializer(answers_for(program, {"modality"}), many=True).data
    assert result["answers"] == [dict(answer) for answer in expected]
    assert any("Cognitive" in answer["answer"] for answer in result["answers"])


def test_a_search_result_reads_exactly_as_the_serializers_field_walk_would_write_it(
    client, evening_program
):
    """ProgramSerializer writes a list item out directly, for speed: it must equal, field
    for field and in the same order, what ModelSerializer's walk of the declared fields
    (the schema's) gives, the facility's summary included."""
    from django.test import RequestFactory
    from django.utils import timezone
    from rest_framework import serializers

    from facilities.models import Program
    from facilities.serializers import ProgramSerializer

    Facility.objects.filter(pk=evening_program.facility_id).update(last_verified_at=timezone.now())
    [result] = client.get("/api/v1/programs/", {"location": "91101"}).json()["results"]
    program = load_answers([Program.objects.get(pk=evening_program.pk)])[0]
    program.distance_miles, program.reach = result["distance_miles"], result["reach"]
    request = RequestFactory().get("/api/v1/programs/")
    serializer = ProgramSerializer(context={"request": request, "asked": set()})
    walked = serializers.ModelSerializer.to_representation(serializer, program)
    assert list(result) == list(walked)
    assert result == json.loads(json.dumps(walked))
    assert result["facility"]["last_verified_at"] is not None
