"""Open Referral HSDS 3.0: /api/hsds/ and `export_facilities --format hsds`, validated against
the official schemas in ../shared/data/hsds-3.0/ (skipped with a reason where it is absent)."""

import io
import json
import sys
from datetime import UTC, datetime, time, timedelta
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from facilities.hsds.ids import hsds_id
from facilities.hsds.mapping import Mapper
from facilities.hsds.timezones import STATE_ZONES, utc_offset
from facilities.hsds.views import ORGANIZATIONS, SERVICES
from facilities.models import Facility, PaymentOption, Program
from facilities.querysets import load_answers
from tests.conftest import make_facility, make_program

HSDS = Path(settings.BASE_DIR).parent / "shared" / "data" / "hsds-3.0"
FINDTREATMENT_SAMPLE = (
    Path(settings.BASE_DIR).parent / "shared" / "data" / "findtreatment_sample.json"
)
needs_schemas = pytest.mark.skipif(
    not (HSDS / "compiled" / "service.json").exists(),
    reason=f"the HSDS 3.0 schemas are not at {HSDS} (../shared beside the clone)",
)
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page",
             "empty", "contents"}  # fmt: skip


# --- The official schemas ---------------------------------------------------------------------


@cache
def validator(name):
    """A Draft 2020-12 validator with a format checker for a schema file of hsds-3.0/
    ("compiled/service.json", or a table's, "taxonomy_term.json"); the tables' files are
    registered under their names, as their $refs ("taxonomy.json") name them."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    def resource(path):
        return Resource.from_contents(json.loads(path.read_text()), DRAFT202012)

    registry = Registry().with_resources(
        (path.name, resource(path)) for path in HSDS.glob("*.json") if path.name != "openapi.json"
    )
    schema = json.loads((HSDS / name).read_text())
    return jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.FormatChecker()
    )


def assert_valid(instance, name):
    errors = sorted(validator(name).iter_errors(instance), key=lambda error: error.path)
    assert not errors, f"{name}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )


@cache
def page_schema():
    """openapi.json's Page object, every field of it asked for."""
    openapi = json.loads((HSDS / "openapi.json").read_text())
    schema = dict(openapi["components"]["schemas"]["Page"])
    return {**schema, "required": sorted(schema["properties"])}


def assert_page(answer, item_schema):
    import jsonschema

    jsonschema.Draft202012Validator(page_schema()).validate(answer)
    assert set(answer) == PAGE_KEYS and answer["size"] == len(answer["contents"])
    for item in answer["contents"]:
        assert_valid(item, item_schema)


def every_page(client, path, **params):
    """Each page of a list, as the client reads them one after the other."""
    number = 1
    while True:
        response = client.get(path, {**params, "page": number, "per_page": 100})
        assert response.status_code == 200, response.content
        answer = response.json()
        yield answer
        if answer["last_page"]:
            return
        number += 1


# --- The demo directory, loaded once for the module --------------------------------------------


@pytest.fixture(scope="class")
def demo(class_transaction):
    """The demo directory, loaded once for a class of tests and rolled back after it."""
    call_command("load_demo", stdout=io.StringIO())


class TestTheDemoDirectory:
    """Every object every endpoint returns for the demo directory validates against its
    schema; the geographic search; the queries a page runs; the export."""

    @needs_schemas
    def test_services_list_full_minimal_and_each(self, demo, db, client):
        listed = []
        for answer in every_page(client, "/api/hsds/services"):
            assert_page(answer, "compiled/service_list.json")
            listed += [service["id"] for service in answer["contents"]]
        assert len(listed) == Program.objects.published().count() == len(set(listed))
        for answer in every_page(client, "/api/hsds/services", full="true"):
            assert_page(answer, "compiled/service.json")
        for answer in every_page(client, "/api/hsds/services", minimal="true"):
            assert_page(answer, "compiled/service_list.json")
            assert all(set(item) == {"id", "name", "status", "last_modified"}
                       for item in answer["contents"])  # fmt: skip
        for service_id in listed:
            response = client.get(f"/api/hsds/services/{service_id}")
            assert response.status_code == 200
            assert_valid(response.json(), "compiled/service.json")

    @needs_schemas
    def test_services_at_locations_list_full_and_each(self, demo, db, client):
        listed = []
        for answer in every_page(client, "/api/hsds/service_at_locations"):
            assert_page(answer, "compiled/service_at_location_list.json")
            listed += [item["id"] for item in answer["contents"]]
        for answer in every_page(client, "/api/hsds/service_at_locations", full="true"):
            assert_page(answer, "compiled/service_at_location.json")
        nearby = client.get("/api/hsds/service_at_locations", {"postcode": "90230"}).json()
        assert_page(nearby, "compiled/service_at_location_list.json")
        for item_id in listed:
            response = client.get(f"/api/hsds/service_at_locations/{item_id}")
            assert response.status_code == 200
            assert_valid(response.json(), "compiled/service_at_location.json")

    @needs_schemas
    def test_organizations_list_full_and_each(self, demo, db, client):
        listed = []
        for answer in every_page(client, "/api/hsds/organizations"):
            assert_page(answer, "compiled/organization_list.json")
            listed += [item["id"] for item in answer["contents"]]
        assert len(listed) == Facility.objects.published().count()
        for answer in every_page(client, "/api/hsds/organizations", full="true"):
            assert_page(answer, "compiled/organization.json")
        for answer in every_page(
            client, "/api/hsds/organizations", full="true", full_service="true"
        ):
            assert_page(answer, "compiled/organization.json")
        for item_id in listed:
            for full_service in ("false", "true"):
                response = client.get(
                    f"/api/hsds/organizations/{item_id}", {"full_service": full_service}
                )
                assert response.status_code == 200
                assert_valid(response.json(), "compiled/organization.json")

    @needs_schemas
    def test_taxonomies_and_their_terms(self, demo, db, client):
        taxonomies = client.get("/api/hsds/taxonomies").json()
        assert_page(taxonomies, "taxonomy.json")
        names = {taxonomy["name"] for taxonomy in taxonomies["contents"]}
        for vocabulary in (
            "insurance",
            "conditions treated",
            "groups served",
            "therapies offered",
            "treatment philosophy",
            "support after",
            "format",
            "level of care",
        ):
            assert any(vocabulary in name for name in names), vocabulary
        for taxonomy in taxonomies["contents"]:
            assert_valid(
                client.get(f"/api/hsds/taxonomies/{taxonomy['id']}").json(), "taxonomy.json"
            )
        terms = []
        for answer in every_page(client, "/api/hsds/taxonomy_terms"):
            assert_page(answer, "taxonomy_term.json")
            terms += answer["contents"]
        assert {"medicaid", "emdr", "iop", "telehealth", "harm_reduction"} <= {
            term["code"] for term in terms
        }
        for term in terms:
            response = client.get(f"/api/hsds/taxonomy_terms/{term['id']}")
            assert_valid(response.json(), "taxonomy_term.json")

    def test_postcode_and_proximity_find_the_programs_the_site_finds_nearest_first(
        self, demo, db, client
    ):
        """16,093 m from 90230's centroid: the programs /api/v1/ finds within 10 miles."""
        hsds = client.get(
            "/api/hsds/service_at_locations",
            {"postcode": "90230", "proximity": "16093", "per_page": 100},
        ).json()
        ours = client.get(
            "/api/v1/programs/",
            {"location": "90230", "radius": 10, "include_online": "false", "page_size": 100},
        ).json()
        nearby = [program for program in ours["results"] if program["reach"] == "nearby"]
        assert len(nearby) >= 5 and ours["count"] == len(nearby)
        assert [item["service_id"] for item in hsds["contents"]] == [
            hsds_id("service", program["id"]) for program in nearby
        ]
        assert hsds["total_items"] == len(nearby)

    def test_a_wider_proximity_finds_more_and_the_list_pages_in_order(self, demo, db, client):
        wide = client.get(
            "/api/hsds/service_at_locations",
            {"postcode": "90230", "proximity": 80_000, "per_page": 5},
        ).json()
        assert wide["total_items"] > 5 and wide["size"] == 5 and not wide["last_page"]
        second = client.get(
            "/api/hsds/service_at_locations",
            {"postcode": "90230", "proximity": 80_000, "per_page": 5, "page": 2},
        ).json()
        assert second["page_number"] == 2 and not second["first_page"]
        assert not {i["id"] for i in wide["contents"]} & {i["id"] for i in second["contents"]}

    def test_a_list_page_runs_a_bounded_number_of_queries(
        self, demo, db, client, django_assert_max_num_queries
    ):
        asks = [
            ("/api/hsds/services", {"full": "true"}),
            ("/api/hsds/services", {"minimal": "true"}),
            ("/api/hsds/service_at_locations", {"full": "true", "postcode": "90230"}),
            ("/api/hsds/organizations", {"full": "true", "full_service": "true"}),
            ("/api/hsds/taxonomy_terms", {}),
        ]
        for path, params in asks:
            client.get(path, params)  # the vocabularies and the id index, read once a process
            for per_page in (5, 100):
                with django_assert_max_num_queries(6):
                    assert client.get(path, {**params, "per_page": per_page}).status_code == 200

    @needs_schemas
    def test_the_hsds_export_of_the_demo_validates_item_by_item(self, demo, db):
        out, err = io.StringIO(), io.StringIO()
        call_command("export_facilities", "--format", "hsds", stdout=out, stderr=err)
        services = json.loads(out.getvalue())
        exported = Program.objects.filter(facility__status__in=["published", "archived"])
        assert len(services) == exported.count() > 200
        for service in services:
            assert_valid(service, "compiled/service.json")
        archived = {hsds_id("service", pk) for pk in exported.filter(facility__status="archived")
                    .values_list("pk", flat=True)}  # fmt: skip
        assert archived and {s["id"] for s in services if s["status"] == "inactive"} == archived
        assert all("url" not in service for service in services)  # no --base-url
        assert err.getvalue() == ""  # no progress bar off a terminal


def test_the_root_names_the_version_and_hsds_openapi_document(client, db):
    answer = client.get("/api/hsds/").json()
    assert answer["version"] == "3.0"
    assert answer["openapi_url"].endswith("/3.0/schema/openapi.json")
    assert answer["profile"].startswith("https://")
    assert client.get("/api/hsds/services/").json() == client.get("/api/hsds/services").json()


def test_our_openapi_document_links_to_the_hsds_api(client, db):
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "(/api/hsds/)" in document["info"]["description"]
    assert not any(path.startswith("/api/hsds") for path in document["paths"])


# --- Parameters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, params, parameter",
    [
        ("services", {"page": 0}, "page"),
        ("services", {"page": "two"}, "page"),
        ("services", {"page": "²"}, "page"),
        ("services", {"page": 999}, "page"),
        ("services", {"per_page": 0}, "per_page"),
        ("services", {"per_page": 100_000}, "per_page"),
        ("services", {"minimal": "maybe"}, "minimal"),
        ("services", {"format": "xml"}, "format"),
        ("services", {"taxonomy_term_id": "medicaid"}, "taxonomy_term_id"),
        (
            "services",
            {"taxonomy_term_id": "00000000-0000-5000-8000-000000000000"},
            "taxonomy_term_id",
        ),
        ("services", {"taxonomy_id": "nope"}, "taxonomy_id"),
        ("services", {"organization_id": "nope"}, "organization_id"),
        ("services", {"modified_after": "yesterday"}, "modified_after"),
        ("services", {"search": "x" * 201}, "search"),
        ("service_at_locations", {"postcode": "90230", "proximity": "abc"}, "proximity"),
        ("service_at_locations", {"postcode": "90230", "proximity": "-5"}, "proximity"),
        ("service_at_locations", {"postcode": "90230", "proximity": "nan"}, "proximity"),
        ("service_at_locations", {"postcode": "90230", "proximity": 10**7}, "proximity"),
        ("service_at_locations", {"proximity": "1000"}, "proximity"),
        ("service_at_locations", {"postcode": "00000"}, "postcode"),
        ("service_at_locations", {"postcode": "Culver City"}, "postcode"),
        ("organizations", {"full": "sometimes"}, "full"),
        ("taxonomy_terms", {"parent_id": "nope"}, "parent_id"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(client, program, path, params, parameter):
    response = client.get(f"/api/hsds/{path}", params)
    assert response.status_code == 400, response.content
    assert parameter in response.json()


def test_an_id_that_names_nothing_published_is_not_found(client, db):
    draft = make_program(make_facility("Quiet Draft Clinic", status=Facility.Status.DRAFT))
    for path in (
        f"services/{hsds_id('service', draft.pk)}",
        f"service_at_locations/{hsds_id('service_at_location', draft.pk)}",
        f"organizations/{hsds_id('organization', draft.facility_id)}",
        "services/not-a-uuid",
        "services/00000000-0000-5000-8000-000000000000",
        "taxonomies/not-a-uuid",
        f"taxonomy_terms/{hsds_id('taxonomy_term', 'insurance', 'nope')}",
    ):
        response = client.get(f"/api/hsds/{path}")
        assert response.status_code == 404 and response.json()["detail"], path
    assert client.get("/api/hsds/services").json()["total_items"] == 0


def test_unknown_organization_ids_are_looked_for_in_one_query(client, db):
    make_program(make_facility("Open Door"), "Open IOP")
    unknown = [hsds_id("organization", pk) for pk in range(10_000, 10_020)]
    client.get("/api/hsds/services")  # the index of ids is made
    with CaptureQueriesContext(connection) as one:
        client.get("/api/hsds/services", {"organization_id": unknown[0]})
    with CaptureQueriesContext(connection) as twenty:
        answer = client.get("/api/hsds/services", {"organization_id": ",".join(unknown)})
    assert answer.json()["total_items"] == 0
    assert len(twenty) == len(one)


def test_only_published_listings_appear(client, db):
    make_program(make_facility("Open Door"), "Open IOP")
    make_program(make_facility("Closed Door", status=Facility.Status.ARCHIVED), "Closed IOP")
    make_program(make_facility("Draft Door", status=Facility.Status.DRAFT), "Draft IOP")
    names = [s["name"] for s in client.get("/api/hsds/services").json()["contents"]]
    organizations = client.get("/api/hsds/organizations").json()["contents"]
    assert names == ["Open IOP"] and [o["name"] for o in organizations] == ["Open Door"]


def test_filters_add_up(client, db):
    harbor = make_facility("Harbor", payment_options=["aetna"], languages=["en", "ko"])
    bay = make_facility("Bay", payment_options=["medicaid"])
    make_program(harbor, "Harbor Teens", focus="co_occurring", modalities=["emdr"])
    make_program(harbor, "Harbor Adults", focus="mental_health", format="telehealth")
    make_program(bay, "Bay Adults", focus="mental_health")

    def names(**params):
        answer = client.get("/api/hsds/services", params)
        assert answer.status_code == 200, answer.content
        return sorted(service["name"] for service in answer.json()["contents"])

    def term(vocabulary, slug):
        return hsds_id("taxonomy_term", vocabulary, slug)

    # A named insurer answers "any private insurance", as on the site.
    assert names(taxonomy_term_id=term("insurance", "private_insurance")) == [
        "Harbor Adults",
        "Harbor Teens",
    ]
    assert names(taxonomy_term_id=term("focus", "substance_use")) == ["Harbor Teens"]
    assert names(taxonomy_term_id=term("languages", "ko")) == ["Harbor Adults", "Harbor Teens"]
    assert names(
        taxonomy_term_id=f"{term('insurance', 'aetna')},{term('format', 'telehealth')}"
    ) == ["Harbor Adults"]
    assert names(taxonomy_id=hsds_id("taxonomy", "modalities")) == ["Harbor Teens"]
    assert names(organization_id=hsds_id("organization", bay.pk)) == ["Bay Adults"]
    assert names(search="harbor teens") == ["Harbor Teens"]
    assert names(search="bay", organization_id=hsds_id("organization", harbor.pk)) == []


def test_modified_after_lists_what_changed_since(client, db):
    old = make_program(make_facility("Old Place"), "Old IOP")
    new = make_program(make_facility("New Place"), "New IOP")
    long_ago = timezone.now() - timedelta(days=30)
    Program.objects.filter(pk=old.pk).update(updated_at=long_ago)
    Facility.objects.filter(pk=old.facility_id).update(updated_at=long_ago)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    listed = client.get("/api/hsds/services", {"modified_after": since}).json()["contents"]
    assert [s["id"] for s in listed] == [hsds_id("service", new.pk)]
    day = (timezone.now() - timedelta(days=60)).date().isoformat()
    assert client.get("/api/hsds/services", {"modified_after": day}).json()["total_items"] == 2


# --- Ids and the mapping -----------------------------------------------------------------------


def test_ids_are_uuid5_of_our_ids_and_found_again_after_new_rows(client, db):
    first = make_program(make_facility("First Place"), "First IOP")
    service = client.get(f"/api/hsds/services/{hsds_id('service', first.pk)}").json()
    assert service["id"] == hsds_id("service", first.pk)
    assert service["organization"]["id"] == hsds_id("organization", first.facility_id)
    later = make_program(make_facility("Later Place"), "Later IOP")  # after the index was made
    assert SERVICES.find(hsds_id("service", later.pk)) == later.pk
    assert ORGANIZATIONS.find(hsds_id("organization", later.facility_id)) == later.facility_id
    again = client.get(f"/api/hsds/services/{hsds_id('service', later.pk)}").json()
    assert again["name"] == "Later IOP"
    assert client.get(f"/api/hsds/services/{service['id']}").json() == service


def test_a_program_maps_to_a_service_with_schedules_terms_payment_and_reach(db):
    facility = make_facility(
        "Harbor Light Counseling",
        street="1 Main St",
        intake_phone="(310) 555-0111",
        payment_options=["medicaid", "aetna", "sliding_scale"],
        languages=["en", "asl"],
        wheelchair_accessible=False,
        last_verified_at=datetime(2025, 11, 3, 15, 30, tzinfo=UTC),
    )
    program = make_program(
        facility,
        "Adult Evening IOP",
        sessions=[("mon", "18:00", "21:00"), ("wed", "18:00", "21:00"), ("sat", "09:30", "12:00")],
        age_min=18,
        duration_weeks_min=8,
        duration_weeks_max=12,
        format=Program.Format.HYBRID,
        serves_states="CA NV",
        modalities=["cbt"],
        philosophy=["harm_reduction"],
        philosophy_statement="We meet people where they are.",
        accepting_new_clients=False,
    )
    load_answers([program])
    july = datetime(2025, 7, 1, 12, tzinfo=UTC)
    service = Mapper(base_url="https://iop.example.org", moment=july).full_service(program)

    assert service["status"] == "active" and service["minimum_age"] == 18
    assert "maximum_age" not in service and service["assured_date"] == "2025-11-03"
    assert "Length: 8 to 12 weeks." in service["description"]
    assert "Philosophy: We meet people where they are." in service["description"]
    assert service["alert"] == "Not accepting new clients at the moment."
    assert service["url"].startswith("https://iop.example.org/facilities/harbor-light")
    assert service["url"].endswith(f"#program-{program.pk}")
    evenings, saturday = service["schedules"]
    assert (evenings["freq"], evenings["byday"]) == ("WEEKLY", "MO,WE")
    assert (evenings["opens_at"], evenings["closes_at"]) == ("18:00-07:00", "21:00-07:00")
    assert evenings["timezone"] == -7 and "America/Los_Angeles" in evenings["notes"]
    assert (saturday["byday"], saturday["opens_at"]) == ("SA", "09:30-07:00")
    codes = {(a["taxonomy_term"]["taxonomy_id"], a["taxonomy_term"]["code"])
             for a in service["attributes"]}  # fmt: skip
    for vocabulary, slug in [("insurance", "medicaid"), ("insurance", "aetna"),
                             ("modalities", "cbt"), ("philosophy", "harm_reduction"),
                             ("format", "hybrid"), ("level_of_care", "iop"),
                             ("focus", "substance_use"), ("languages", "asl")]:  # fmt: skip
        assert (hsds_id("taxonomy", vocabulary), slug) in codes
    assert [f["source"] for f in service["funding"]] == ["Medicaid"]
    assert [c["option"] for c in service["cost_options"]] == ["Sliding-scale fees"]
    assert [area["name"] for area in service["service_areas"]] == ["California", "Nevada"]
    location = service["organization"]["locations"][0]
    assert location["addresses"][0]["address_1"] == "1 Main St"
    assert location["accessibility"][0]["description"] == "Not wheelchair accessible"
    assert {language["code"] for language in location["languages"]} == {"en", "ase"}
    assert len({phone["number"] for phone in location["phones"]}) == 2
    if HSDS.exists():
        assert_valid(service, "compiled/service.json")


def test_a_named_insurer_is_a_child_of_any_private_insurance(client, db):
    aetna = hsds_id("taxonomy_term", "insurance", "aetna")
    term = client.get(f"/api/hsds/taxonomy_terms/{aetna}").json()
    assert term["parent_id"] == hsds_id("taxonomy_term", "insurance", "private_insurance")
    children = client.get("/api/hsds/taxonomy_terms", {"parent_id": term["parent_id"]}).json()
    carriers = PaymentOption.objects.filter(is_private_carrier=True)
    assert {child["code"] for child in children["contents"]} == {c.slug for c in carriers}


def test_the_time_zone_follows_daylight_saving_time(db):
    winter, summer = datetime(2025, 1, 15, tzinfo=UTC), datetime(2025, 7, 15, tzinfo=UTC)
    assert [utc_offset(STATE_ZONES[s], winter) for s in ("CA", "AZ", "NY")] == [-8, -7, -5]
    assert [utc_offset(STATE_ZONES[s], summer) for s in ("CA", "AZ", "NY")] == [-7, -7, -4]


def test_the_time_zone_rule_agrees_with_the_iana_database():
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        zoneinfo.ZoneInfo("America/Chicago")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no IANA time zone database on this machine")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for zone in set(STATE_ZONES.values()):
        iana = zoneinfo.ZoneInfo(zone.name)
        for hour in range(0, 2 * 366 * 24, 5):  # two years, including both changes each
            moment = start + timedelta(hours=hour)
            expected = moment.astimezone(iana).utcoffset().total_seconds() / 3600
            assert utc_offset(zone, moment) == expected, (zone.name, moment)


# --- A program imported from SAMHSA's locator ---------------------------------------------------


@pytest.mark.skipif(not FINDTREATMENT_SAMPLE.exists(), reason="no locator sample in shared/data")
def test_a_program_imported_from_samhsa_lists_its_insurance_as_attributes(client, db):
    from facilities.importers.files import import_file

    import_file(
        FINDTREATMENT_SAMPLE.read_text(encoding="utf-8"),
        file_format="findtreatment",
        source="import:findtreatment",
    )
    Facility.objects.filter(source="import:findtreatment").update(status="published")
    program = Program.objects.filter(facility__source="import:findtreatment").first()
    payment = {term.slug for term in program.facility.payment_options.all()}
    assert payment
    answer = client.get(
        "/api/hsds/services",
        {"full": "true", "organization_id": hsds_id("organization", program.facility_id)},
    ).json()
    [service] = [s for s in answer["contents"] if s["id"] == hsds_id("service", program.pk)]
    insurance = hsds_id("taxonomy", "insurance")
    listed = {a["taxonomy_term"]["code"] for a in service["attributes"]
              if a["taxonomy_term"]["taxonomy_id"] == insurance}  # fmt: skip
    assert listed == payment
    identifiers = service["organization"]["organization_identifiers"]
    assert identifiers[0]["identifier"] == program.facility.external_id
    if HSDS.exists():
        assert_valid(service, "compiled/service.json")


# --- The export --------------------------------------------------------------------------------


def test_the_export_is_streamed_a_service_a_line_with_links_given_a_base_url(db):
    program = make_program(make_facility("Harbor"), sessions=[("tue", "10:00", "13:00")])
    out = io.StringIO()
    call_command(
        "export_facilities", "--format", "hsds", "--base-url", "https://iop.example.org",
        stdout=out,
    )  # fmt: skip
    lines = out.getvalue().splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 3
    service = json.loads(lines[1])
    assert service["id"] == hsds_id("service", program.pk)
    assert service["url"].startswith("https://iop.example.org/facilities/")
    assert service["schedules"][0]["opens_at"].startswith("10:00")


def test_the_export_shows_a_progress_bar_on_a_terminal(db, monkeypatch):
    make_program(make_facility("Harbor"))
    terminal = io.StringIO()
    terminal.isatty = lambda: True
    monkeypatch.setattr(sys, "stderr", terminal)
    call_command("export_facilities", "--format", "hsds", stdout=io.StringIO())
    assert "Exporting" in terminal.getvalue()


def test_session_times_stay_local_times(db):
    """A session is stored in the facility's local time; the schedule says that time."""
    program = make_program(
        make_facility("Denver Place", state="CO", city="Denver", zip_code="80202"),
        sessions=[("fri", "17:30", "20:00")],
    )
    load_answers([program])
    winter = datetime(2025, 1, 10, 12, tzinfo=UTC)
    [schedule] = Mapper(moment=winter).full_service(program)["schedules"]
    assert schedule["opens_at"] == "17:30-07:00" and schedule["timezone"] == -7
    assert time.fromisoformat(schedule["closes_at"][:5]) == time(20, 0)
