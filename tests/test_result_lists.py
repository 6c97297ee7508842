"""Result lists with bounded work: counts that stop at a limit, pages read from the smallest
circle that holds them, in the same order as measuring every program."""

import importlib
import random
import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

import facilities.filters as filters
import facilities.querysets as querysets
import facilities.result_lists as result_lists
import facilities.views as views
from facilities.models import Facility, Language, NullsLastIndex, PaymentOption, Program
from facilities.result_lists import CountedUpTo, NearestFirst
from tests.conftest import CULVER_CITY, make_facility, make_program
from tests.test_search_filters import away, program_at


@pytest.fixture(scope="class")
def scattered(class_transaction):
    """40 programs within 25 miles of Culver City, 6 more from 25 to 300 miles."""
    rng = random.Random(3)
    for n in range(40):
        program_at(away(rng.uniform(0.2, 24.5), rng.uniform(0, 360)), f"Near {n:02}")
    for n, miles in enumerate((30, 60, 120, 180, 250, 300)):
        program_at(away(miles, rng.uniform(0, 360)), f"Far {n}")


def ids(programs):
    return [program.pk for program in programs]


@pytest.fixture(params=[1000, 8], ids=["all counted", "counted up to 8"])
def count_limit(request, monkeypatch):
    """Past the limit a page is looked for in a smaller circle first; both ways agree."""
    monkeypatch.setattr(result_lists, "COUNT_LIMIT", request.param)
    return request.param


@pytest.mark.parametrize("start, stop", [(0, 3), (3, 6), (2, 5), (0, 8)])
def test_programs_as_near_as_each_other_keep_their_order_across_pages(db, start, stop):
    """Counted in full, a page is read by the ids of its programs: programs at one point,
    with a page ending among them, come in the order of measuring every program."""
    same_point = away(6, 45)
    for name in ("Cedar", "aspen", "Birch", "Alder", "elm", "Dogwood"):
        program_at(same_point, name)
    program_at(away(2, 200), "Nearest")
    program_at(away(12, 10), "Farthest")
    programs = Program.objects.published()
    everything = list(programs.near(*CULVER_CITY, 25))
    listed = NearestFirst(programs, *CULVER_CITY, within=25)
    assert listed.exact and listed.count() == 8
    assert ids(listed[start:stop]) == ids(everything[start:stop])
    assert [p.name for p in listed[0:8]][0] == "Nearest"
    assert [p.name for p in listed[0:8]][-1] == "Farthest"


@pytest.fixture(scope="class")
def online_around(class_transaction):
    """Telehealth programs licensed for California, one within 25 miles of Culver City and
    24 from 26 to about 370 miles, each some 12 % farther than the last."""
    rng = random.Random(5)
    program_at(away(20, 90), "Online within the radius", format="telehealth")
    for n in range(24):
        miles = 26 * 1.12**n
        program_at(away(miles, rng.uniform(0, 360)), f"Online {n:02}", format="telehealth")
    program_at(away(40, 10), "In person only", format="in_person")


@pytest.mark.django_db
class TestAroundCulverCity:
    """Around Culver City (`scattered`), made once for the class."""

    @pytest.mark.parametrize("start, stop", [(0, 5), (0, 20), (3, 6), (20, 40), (35, 45)])
    def test_a_page_nearest_first_is_the_same_as_measuring_every_program(
        self, scattered, count_limit, start, stop
    ):
        programs = Program.objects.published()
        everything = list(programs.near(*CULVER_CITY, 25))
        listed = NearestFirst(programs, *CULVER_CITY, within=25)
        assert ids(listed[start:stop]) == ids(everything[start:stop])
        assert listed.count() == min(40, count_limit) and listed.exact == (count_limit >= 40)

    @pytest.mark.parametrize("start, stop", [(0, 3), (2, 6)])
    def test_programs_beyond_the_radius_come_nearest_first_too(
        self, scattered, count_limit, start, stop
    ):
        programs = Program.objects.published()
        everything = list(programs.beyond(*CULVER_CITY, 25))
        listed = NearestFirst(programs, *CULVER_CITY, beyond=25)
        assert ids(listed[start:stop]) == ids(everything[start:stop])
        assert [p.name for p in listed[0:6]] == [f"Far {n}" for n in range(6)]

    def test_past_the_limit_a_first_page_comes_from_a_smaller_circle(self, scattered, monkeypatch):
        monkeypatch.setattr(result_lists, "COUNT_LIMIT", 8)
        listed = NearestFirst(Program.objects.published(), *CULVER_CITY, within=25)
        read = []
        circle = listed.circle
        monkeypatch.setattr(listed, "circle", lambda miles: read.append(miles) or circle(miles))
        first = listed[0:4]
        assert len(first) == 4 and read and read[0] < 25

    def test_past_the_limit_a_page_beyond_the_radius_is_read_in_one_statement(
        self, scattered, monkeypatch
    ):
        monkeypatch.setattr(result_lists, "COUNT_LIMIT", 3)
        listed = NearestFirst(Program.objects.published(), *CULVER_CITY, beyond=25)
        with CaptureQueriesContext(connection) as captured:
            first = listed[0:2]
        assert [program.name for program in first] == ["Far 0", "Far 1"] and not listed.exact
        assert len(captured) == 2  # the count, then the page from one circle

    def test_a_count_stops_at_the_limit_and_says_it_is_not_exact(self, scattered, monkeypatch):
        monkeypatch.setattr(result_lists, "COUNT_LIMIT", 10)
        counted = CountedUpTo(Program.objects.published())
        assert counted.count() == 10 and not counted.exact

    def test_the_page_says_more_than_the_limit_when_the_count_stops(
        self, client, scattered, monkeypatch
    ):
        monkeypatch.setattr(result_lists, "COUNT_LIMIT", 10)
        monkeypatch.setattr(views, "COUNT_LIMIT", 10)
        page = client.get("/search/", {"location": "90230", "radius": 25}).content.decode()
        assert "More than 10 programs within 25 miles of Culver City, CA 90230" in page
        assert "Only the first 10 are shown" in page
        spanish = client.get("/es/search/", {"location": "90230", "radius": 25}).content.decode()
        assert "Más de 10 programas a menos de 25 millas" in spanish
        api = client.get("/api/v1/programs/", {"location": "90230", "radius": 25}).json()
        assert api["count"] == 10 and api["count_exact"] is False
        exact = client.get("/api/v1/programs/", {"location": "90230", "radius": 5}).json()
        assert exact["count_exact"] is True and exact["count"] < 10


@pytest.mark.django_db
class TestOnlineAround:
    """California's telehealth programs (`online_around`), made once for the class."""

    @pytest.mark.parametrize("start, stop", [(0, 4), (3, 7), (0, 8)])
    def test_online_programs_past_the_radius_are_read_from_rings_in_order(
        self, online_around, count_limit, start, stop
    ):
        programs = Program.objects.published()
        everything = list(programs.reaching_online("CA").beyond(*CULVER_CITY, 25))
        listed = NearestFirst(programs, *CULVER_CITY, beyond=25, reach="CA")
        assert [p.name for p in everything] == [f"Online {n:02}" for n in range(24)]
        assert ids(listed[start:stop]) == ids(everything[start:stop])
        assert listed.count() == min(24, count_limit) and listed.exact == (count_limit >= 24)

    def test_past_the_limit_online_pages_come_from_at_most_two_rings(
        self, online_around, monkeypatch
    ):
        """The count's own distances say how far out the page ends: the ring out to twice the
        radius first, then the ring out to the last program of the page, never all of the
        state's programs sorted."""
        monkeypatch.setattr(result_lists, "COUNT_LIMIT", 8)
        listed = NearestFirst(Program.objects.published(), *CULVER_CITY, beyond=25, reach="CA")
        read = []
        circle = listed.circle
        monkeypatch.setattr(listed, "circle", lambda miles: read.append(miles) or circle(miles))
        assert not listed.exact  # counted now, so the queryset is not read again for it
        monkeypatch.setattr(listed, "queryset", None)  # sorting everything would fail here
        assert [p.name for p in listed[0:8]] == [f"Online {n:02}" for n in range(8)]
        assert len(read) <= 2 and read[-1] < 26 * 1.12**8

    def test_online_programs_are_counted_to_their_own_limit(
        self, client, online_around, monkeypatch
    ):
        search = {"location": "90230", "radius": 25}
        counted = client.get("/api/v1/programs/", search).json()
        assert counted["count"] == 1 + 24 and counted["count_exact"] is True  # one near, 24 online

        monkeypatch.setattr(filters, "ONLINE_COUNT_LIMIT", 6)
        page = client.get("/search/", search).content.decode()
        assert "More than 6 telehealth or hybrid programs farther than 25 miles" in page
        assert (
            "1 program within 25 miles of Culver City, CA 90230" in page
        )  # the nearby count stands
        api = client.get("/api/v1/programs/", {**search, "page_size": 10}).json()
        assert api["count"] == 1 + 6 and api["count_exact"] is False
        assert [row["name"] for row in api["results"]] == [
            "Online within the radius",
            *(f"Online {n:02}" for n in range(6)),
        ]


@pytest.fixture(scope="class")
def therapies_anywhere(class_transaction):
    """24 programs over 600 miles, a third offering EMDR (two of those only for teenagers),
    another third at facilities speaking Vietnamese, a quarter at facilities taking tribal
    health insurance; some as last verified on one day and some never; the names out of
    order. A facility with no program comes first, so no facility shares its id with its
    program."""
    make_facility("Center With No Program", languages=["vi"], payment_options=["ihs_tribal"])
    rng = random.Random(5)
    vietnamese = Language.objects.get(slug="vi")
    tribal = PaymentOption.objects.get(slug="ihs_tribal")
    for n in rng.sample(range(24), 24):
        modalities = ["emdr", "cbt"] if n % 3 == 0 else ["cbt"]
        ages = {"age_min": 13, "age_max": 17} if n in (3, 9) else {}
        program = program_at(
            away(rng.uniform(0, 600), rng.uniform(0, 360)),
            f"Program {n:02}",
            modalities=modalities,
            **ages,
        )
        if n % 3 == 1:
            program.facility.languages.add(vietnamese)
        if n % 4 == 2:
            program.facility.payment_options.add(tribal)
        if n % 4:
            program.facility.last_verified_at = datetime(2026, 1 + n % 12, 1, tzinfo=UTC)
            program.facility.save(update_fields=["last_verified_at"])


# What each search asks, and which programs answer it.
WANTED = {
    "emdr": ({"modality": "emdr"}, lambda p: "emdr" in {t.slug for t in p.modalities.all()}),
    "vietnamese": (
        {"language": "vi"},
        lambda p: "vi" in {t.slug for t in p.facility.languages.all()},
    ),
    "tribal insurance": (
        {"insurance": "ihs_tribal"},
        lambda p: "ihs_tribal" in {t.slug for t in p.facility.payment_options.all()},
    ),
}


def listed_in_python(wanted, asked_age, sort):
    """The programs answering `wanted` and serving the age, in the search's own order,
    worked out here."""
    rows = [
        program
        for program in Program.objects.published().select_related("facility")
        if WANTED[wanted][1](program)
        and (program.age_min is None or program.age_min <= asked_age)
        and (program.age_max is None or program.age_max >= asked_age)
    ]
    by_name = sorted(rows, key=lambda p: (p.facility.name, p.facility_id, p.name, p.pk))
    if sort == "name":
        return by_name
    never = [p for p in by_name if p.facility.last_verified_at is None]
    verified = [p for p in by_name if p.facility.last_verified_at is not None]
    return sorted(verified, key=lambda p: p.facility.last_verified_at, reverse=True) + never


@pytest.mark.django_db
class TestWithoutAPlace:
    """Programs over 600 miles (`therapies_anywhere`), made once for the class."""

    @pytest.mark.parametrize("rare_links", [20_000, 0], ids=["term counted from its links", "scan"])
    @pytest.mark.parametrize("limit", [1000, 3], ids=["all counted", "counted up to 3"])
    @pytest.mark.parametrize("sort", ["name", "verified"])
    @pytest.mark.parametrize(
        "wanted, age, answering",
        [
            ("emdr", 15, 8),
            ("emdr", 40, 6),
            ("vietnamese", 15, 8),
            ("tribal insurance", 40, 6),
        ],
    )
    def test_a_search_without_a_place_lists_the_same_programs_however_it_is_counted(
        self,
        client,
        therapies_anywhere,
        monkeypatch,
        rare_links,
        limit,
        sort,
        wanted,
        age,
        answering,
    ):
        """Without a place a rare term's programs (or facilities) are counted from its links, and
        a page of a count that read them all is read by their ids: the same programs, in the
        same order, on every page, on the search page and in the API."""
        monkeypatch.setattr(querysets, "RARE_TERM_LINKS", rare_links)
        monkeypatch.setattr(result_lists, "COUNT_LIMIT", limit)
        expected = listed_in_python(wanted, age, sort)
        assert len(expected) == answering
        reachable = expected[:limit]  # past a count that stopped, no page is offered
        asked = {**WANTED[wanted][0], "age": age, "sort": sort}
        pages = [
            client.get("/api/v1/programs/", {**asked, "page_size": 3, "page": n}).json()
            for n in (1, 2)
        ]
        pages = pages[: 1 + (len(reachable) > 3)]
        assert [row["name"] for answer in pages for row in answer["results"]] == [
            p.name for p in reachable[:6]
        ]
        assert pages[0]["count"] == len(reachable)
        assert pages[0]["count_exact"] is (len(expected) <= limit)
        page = client.get("/search/", asked).content.decode()
        shown = [int(pk) for pk in re.findall(r'data-program-id="(\d+)"', page)]
        assert shown == [p.pk for p in reachable]


# --- The indexes the pages without a place are read from --------------------------------------


def index_definition(name):
    sql = {
        "sqlite": "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s",
        "postgresql": "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(sql, [name])
        return cursor.fetchone()[0]


def test_the_verification_index_keeps_never_verified_facilities_last_as_the_sort_does(db):
    """Sorted by verification, a page is read in the index's order: its NULLs must come
    where ORDER BY ... DESC NULLS LAST puts them, or the database sorts the directory."""
    [index] = [i for i in Facility._meta.indexes if isinstance(i, NullsLastIndex)]
    definition = index_definition(index.name)
    if connection.vendor == "postgresql":
        assert "last_verified_at DESC NULLS LAST, name, id" in definition
    else:  # SQLite's descending order puts NULLs last, and an index takes no NULLS there
        assert '"last_verified_at" DESC, "name", "id"' in definition


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own planner statistics")
@pytest.mark.parametrize(
    "migration_name, recount, index_name",
    [
        (
            "0012_facility_verified_index_with_status",
            "recount_sqlite_statistics",
            "facilities__status_5019d6_idx",
        ),
        ("0016_program_search_columns", "recount_program_statistics", "program_search_columns"),
        ("0017_program_point", "recount_program_statistics", "program_point_search"),
    ],
)
def test_migrating_a_database_with_statistics_counts_the_new_index_too(
    db, migration_name, recount, index_name
):
    """An index without statistics beside indexes with them looks very selective to SQLite:
    the migrations that add the verification index and the program's search columns recount
    their table's indexes."""
    migration = importlib.import_module(f"facilities.migrations.{migration_name}")
    make_program(make_facility("Counted Center"), "Counted")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE idx = %s", [index_name])
        # What the function reads of the migration's schema editor: its connection.
        getattr(migration, recount)(django_apps, SimpleNamespace(connection=connection))
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = %s", [index_name])
        assert cursor.fetchone() is not None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own query planner")
def test_a_search_in_a_circle_tests_its_programs_from_the_index_of_their_columns(db):
    """SQLite finds a circle's programs in the index of their points and reads a program's
    row (and its facility's) only when the columns the filters ask of it there pass: from
    the facilities' box, it read each facility's programs through an index of their own."""
    make_program(make_facility("Indexed Center"), "Evenings", offers_evening=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    query = QueryDict("location=90230&radius=25&time_of_day=evening&age=16")
    nearby = filters.ProgramFilter(query, queryset=Program.objects.published()).nearby_results()
    # A page past the count's limit: whole rows, read from a circle in the distance's order.
    sql, params = nearby.circle(25)[:12].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " / ".join(row[-1] for row in cursor.fetchall())
    [programs] = [step for step in plan.split(" / ") if "SEARCH facilities_program " in step]
    assert "INDEX program_point_search (latitude>? AND latitude<?)" in programs, plan
