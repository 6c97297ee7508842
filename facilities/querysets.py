"""Named querysets for facilities and programs. The search lives here."""

import math
from collections import defaultdict
from datetime import time
from functools import lru_cache
from typing import NamedTuple

from django.apps import apps
from django.db import connections, models, router
from django.db.models import BooleanField, Count, ExpressionWrapper, F, FloatField, Func, Q
from django.db.models.functions import Sqrt
from django.utils.dateparse import parse_time

from facilities import directory_version
from facilities.schedule import ADOLESCENT_MAX_AGE
from facilities.vocabularies import ALL, BY_RELATION, relations_of

# The sphere geopy's great_circle uses (6371.009 km), so our distances agree with it.
EARTH_RADIUS_MILES = 3958.7613


def bounding_box(latitude, longitude, miles):
    """(south, north, west, east) of the smallest box holding a circle on the sphere."""
    angular = miles / EARTH_RADIUS_MILES
    delta_lat = math.degrees(angular)
    south, north = latitude - delta_lat, latitude + delta_lat
    if south <= -90 or north >= 90 or angular >= math.pi / 2:
        return max(south, -90), min(north, 90), -180, 180
    ratio = math.sin(angular) / math.cos(math.radians(latitude))
    delta_lng = math.degrees(math.asin(min(1.0, ratio)))
    return south, north, longitude - delta_lng, longitude + delta_lng


DEGREE = math.pi / 180


class PointFormula(Func):
    """A formula of the row's latitude and longitude and a fixed point, written as one SQL
    string: the same formula as a tree of Django expressions took longer to compile than
    the statement took to run. `formula` names the columns {lat} and {lng}; its %s take
    `params`, given for one use of each column."""

    output_field = FloatField()
    formula = ""

    def __init__(self, latitude, longitude, lat_field, lng_field):
        super().__init__(F(lat_field), F(lng_field))
        self.latitude, self.longitude = latitude, longitude

    def params(self):
        raise NotImplementedError

    def as_sql(self, compiler, connection, **extra_context):
        (lat, lat_params), (lng, lng_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        if lat_params or lng_params:  # columns never have any; say so if that changes
            raise ValueError("PointFormula takes plain columns.")
        return self.formula.format(lat=lat, lng=lng), self.params()


class GreatCircleMiles(PointFormula):
    """The haversine distance in miles from the point to the row's coordinates."""

    formula = (
        "(%s * ASIN(SQRT(POWER(SIN((RADIANS({lat}) - %s) / 2), 2)"
        " + %s * COS(RADIANS({lat})) * POWER(SIN((RADIANS({lng}) - %s) / 2), 2))))"
    )

    def params(self):
        lat1, lng1 = math.radians(self.latitude), math.radians(self.longitude)
        return [2 * EARTH_RADIUS_MILES, lat1, math.cos(lat1), lng1]


class LocalAngleSquared(PointFormula):
    """The squared angle (radians²) between the point and the row, on the plane tangent at
    their mean latitude: arithmetic and one cosine per row, where the haversine calls eight
    functions. It stays within 0.45 % of the great-circle distance out to 400 miles, even at
    70° north; `beyond()` uses the haversine farther."""

    formula = (
        "((({lat} - %s) * %s) * (({lat} - %s) * %s)"
        " + (({lng} - %s) * %s * COS(({lat} + %s) * %s))"
        " * (({lng} - %s) * %s * COS(({lat} + %s) * %s)))"
    )

    def params(self):
        north = [self.latitude, DEGREE]
        east = [self.longitude, DEGREE, self.latitude, DEGREE / 2]
        return north * 2 + east * 2


def local_miles(latitude, longitude, lat_field, lng_field):
    return EARTH_RADIUS_MILES * Sqrt(LocalAngleSquared(latitude, longitude, lat_field, lng_field))


BY_NAME = ("facility__name", "facility_id", "name", "pk")
# Where a program is: its copy of its facility's point (Program.latitude), which the index
# of the program's point and searched columns starts with.
POINT = ("latitude", "longitude")
# The widest circle near() is asked for; its distances stay within 0.45 % out to here.
WIDEST_NEAR_MILES = 400
# The populations that name an age group: a program listing only one side's says whom it
# serves as plainly as an age range does (vocabulary slugs, shared/VOCABULARY.md).
ADOLESCENT_POPULATIONS = ("adolescents",)
ADULT_POPULATIONS = ("young_adults", "adults", "seniors")
# A term linked to no more programs (or facilities) than this is read from its links when a
# whole-directory count starts from it (linked_to_rare): at worst some 40 ms on SQLite, where
# a scan of 400,000 programs testing a rare term took half a second.
RARE_TERM_LINKS = 20_000
# A program that gives an age bound: with an age asked, offered before those that give none.
AGES_LISTED = Q(age_min__isnull=False) | Q(age_max__isnull=False)


def crosses_antimeridian(latitude, longitude, miles):
    south, north, west, east = bounding_box(latitude, longitude, miles)
    return west < -180 or east > 180


def in_box(latitude, longitude, miles, point=""):
    """Q: the program's copy of its facility's point (or the `point` fields named by that
    prefix) is inside the bounding box of the circle: the indexed prefilter."""
    south, north, west, east = bounding_box(latitude, longitude, miles)
    box = Q(**{f"{point}latitude__range": (south, north)})
    if west < -180 or east > 180:  # the box crosses the antimeridian
        return box & (
            Q(**{f"{point}longitude__gte": (west + 540) % 360 - 180})
            | Q(**{f"{point}longitude__lte": (east + 540) % 360 - 180})
        )
    return box & Q(**{f"{point}longitude__range": (west, east)})


def circle_test(latitude, longitude, miles):
    """(alias, distance expression, bound) of near()'s circle: the squared angle on the local
    plane, or past the antimeridian the haversine miles; a row is inside when its distance
    is at most the bound."""
    if crosses_antimeridian(latitude, longitude, miles):
        return "exact_miles", GreatCircleMiles(latitude, longitude, *POINT), miles
    angle_squared = LocalAngleSquared(latitude, longitude, *POINT)
    return "angle_squared", angle_squared, (miles / EARTH_RADIUS_MILES) ** 2


def tests_of(conditions):
    """The conditions, those that are an AND of several tests (every therapy asked) taken
    apart: the same search without one of the therapies shares the others' tests."""
    for condition in conditions:
        if condition.connector == Q.AND and not condition.negated:
            yield from (Q(test) for test in condition.children)
        else:
            yield condition


def ranked_first(first, programs):
    """Programs nearest first (as near() and beyond() order them), those `first` (a Q)
    holds before the others, each marked `first`; as they are when `first` is None."""
    if first is None:
        return programs
    return programs.annotate(first=ExpressionWrapper(first, BooleanField())).order_by(
        F("first").desc(), "distance_miles", *BY_NAME
    )


class LinkedTo(Func):
    """EXISTS (a link from the row's `owner` column to one of the terms), written as one SQL
    string as PointFormula is: the same test as Exists(a QuerySet of the link table) took
    longer to build and compile than to run, and a search compiles it once per statement."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, owner, through, owner_column, term_column, term_ids):
        super().__init__(F(owner))
        self.through, self.owner_column, self.term_column = through, owner_column, term_column
        self.term_ids = list(term_ids)

    def as_sql(self, compiler, connection, **extra_context):
        [(owner, owner_params)] = [compiler.compile(e) for e in self.get_source_expressions()]
        quote = connection.ops.quote_name
        terms = ", ".join(["%s"] * len(self.term_ids)) or "NULL"
        sql = (
            f"EXISTS (SELECT 1 FROM {quote(self.through)} term_link"
            f" WHERE term_link.{quote(self.owner_column)} = {owner}"
            f" AND term_link.{quote(self.term_column)} IN ({terms}) LIMIT 1)"
        )
        return sql, [*owner_params, *self.term_ids]


def term_ids(vocabulary, slugs):
    """The ids of a vocabulary's terms with these slugs."""
    ids = [term.pk for term in vocabulary_terms(vocabulary).values() if term.slug in slugs]
    if len(ids) < len(set(slugs)):  # a term added since, or a slug that is no term
        fresh = vocabulary_terms(vocabulary, fresh=True)
        ids = [term.pk for term in fresh.values() if term.slug in slugs]
    return ids


def linked_owners(field, ids):
    """The ids of the programs or facilities linked to any of the terms of these ids of a
    vocabulary field of theirs: a subquery on the link table's index of the terms."""
    through = field.remote_field.through
    linked = through.objects.filter(**{f"{field.m2m_reverse_field_name()}_id__in": ids})
    return linked.values(f"{field.m2m_field_name()}_id")


def payment_slugs(slugs):
    """The payment options that answer a search for these: a named private carrier also
    answers one for any private insurance."""
    slugs = set(slugs)
    if "private_insurance" in slugs:
        options = vocabulary_terms(apps.get_model("facilities", "PaymentOption")).values()
        slugs |= {option.slug for option in options if option.is_private_carrier}
    return slugs


def answering(vocabulary, slugs):
    """The terms of a vocabulary that answer a search for these slugs: themselves, and for
    payment the named carriers that answer a search for any private insurance."""
    return payment_slugs(slugs) if vocabulary.relation == "payment_options" else set(slugs)


def has_term(vocabulary, slugs):
    """LinkedTo(a term of the vocabulary with one of the slugs) for the program (for its
    facility, for a facility's vocabulary). A subquery rather than a join, so rows are never
    repeated; on the terms' ids, read from the vocabularies held in memory, so the planner
    sees which terms are asked for (a common one, a rare one) and the subquery needs no join."""
    field = vocabulary.field
    ids = term_ids(vocabulary.model, slugs)
    through = field.remote_field.through._meta
    return LinkedTo(
        "facility_id" if vocabulary.of_facility else "pk",
        through.db_table,
        through.get_field(field.m2m_field_name()).column,
        through.get_field(field.m2m_reverse_field_name()).column,
        ids,
    )


_vocabularies = {"version": None, "terms": {}}


def vocabulary_terms(model, fresh=False):
    """{id: term} of a vocabulary in display order (the model's ordering), held in memory
    until the directory's version changes: a handful of rows each, read by every search.
    `fresh` reads them again now, for a term the caller knows exists and does not find."""
    version = directory_version.current()
    if _vocabularies["version"] != version:
        _vocabularies["terms"] = {}
        _vocabularies["version"] = version
    terms = _vocabularies["terms"]
    if fresh or model not in terms:
        terms[model] = {term.pk: term for term in model.objects.all()}
    return terms[model]


def term_links(owners_by_relation):
    """{(relation, owner id): [term ids]} for each (model, relation, owner ids) asked, read in
    one statement: a UNION ALL of the link tables, the ids written into it as integers (they
    come from the database), so there is no limit on parameters and nothing to compile."""
    model_of = {}
    parts = []
    connection = connections[router.db_for_read(owners_by_relation[0][0])]  # a replica, maybe
    quote = connection.ops.quote_name
    for index, (model, relation, owner_ids) in enumerate(owners_by_relation):
        if not owner_ids:
            continue
        field = model._meta.get_field(relation)
        model_of[index] = (relation, field.related_model)
        table = quote(field.remote_field.through._meta.db_table)
        owner_column = quote(f"{field.m2m_field_name()}_id")
        term_column = quote(f"{field.m2m_reverse_field_name()}_id")
        ids = ", ".join(str(int(pk)) for pk in owner_ids)
        parts.append(
            f"SELECT {index}, {owner_column}, {term_column} FROM {table} "
            f"WHERE {owner_column} IN ({ids})"
        )
    links = defaultdict(list)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts))
            for index, owner_id, term_id in cursor.fetchall():
                links[model_of[index][0], owner_id].append(term_id)
    return links, dict(model_of.values())


class SessionTimes(NamedTuple):
    """A session as a result row reads it: what Session holds, without a model instance."""

    weekday: int
    start_time: time
    end_time: time

    @property
    def weekday_name(self):
        return weekday_names()[self.weekday]


@lru_cache(maxsize=1)
def weekday_names():
    """{weekday: its name as Session.weekday_name spells it}."""
    Session = apps.get_model("facilities", "Session")
    return {day.value: day.name.lower() for day in Session.Weekday}


@lru_cache(maxsize=256)
def clock_time(value):
    """A time as the database gives it: a time already, or SQLite's "18:00:00"."""
    return value if isinstance(value, time) else parse_time(value)


def weekly_sessions(program_ids):
    """{program id: [SessionTimes in the week's order]}, in one statement with the ids
    written in as integers, as term_links does."""
    Session = apps.get_model("facilities", "Session")
    connection = connections[router.db_for_read(Session)]
    sessions = defaultdict(list)
    if not program_ids:
        return sessions
    ids = ", ".join(str(int(pk)) for pk in program_ids)
    week_order = ", ".join(Session._meta.get_field(name).column for name in Session._meta.ordering)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT program_id, weekday, start_time, end_time FROM {Session._meta.db_table} "
            f"WHERE program_id IN ({ids}) ORDER BY {week_order}"
        )
        for program_id, weekday, start, end in cursor.fetchall():
            sessions[program_id].append(SessionTimes(weekday, clock_time(start), clock_time(end)))
    return sessions


def load_answers(programs):
    """Load what a program's answers, its API item and its export read (its sessions, its
    vocabularies and its facility's) for programs fetched with their facility: the one way
    to load them, for a page of results or a whole export, in two queries whatever their
    number; read them with linked(). A program may come twice (online and among the nearest
    beyond the radius): each instance gets its answers. Not prefetch_related: it builds a
    model instance a link and a QuerySet a program and relation, and with it the search page
    and the API took twice as long, past their targets by far more (issue 28's ratios)."""
    programs = list(programs)
    if not programs:
        return programs
    Program, Facility = type(programs[0]), type(programs[0].facility)
    program_ids = {program.pk for program in programs}
    facility_ids = {program.facility_id for program in programs}
    loaded = LoadedTerms(
        [(Program, relation, program_ids) for relation in relations_of("Program")]
        + [(Facility, relation, facility_ids) for relation in relations_of("Facility")]
    )
    sessions = weekly_sessions(program_ids)
    for program in programs:
        program.loaded_relations = loaded.of(program, "Program") | {
            "sessions": sessions[program.pk]
        }
        program.facility.loaded_relations = loaded.of(program.facility, "Facility")
    return programs


def load_facility_terms(facilities):
    """load_answers() for facilities without their programs: their vocabularies."""
    facilities = list(facilities)
    if facilities:
        Facility = type(facilities[0])
        ids = {facility.pk for facility in facilities}
        loaded = LoadedTerms([(Facility, relation, ids) for relation in relations_of("Facility")])
        for facility in facilities:
            facility.loaded_relations = loaded.of(facility, "Facility")
    return facilities


class LoadedTerms:
    """The terms linked to some programs or facilities (term_links), as terms held in memory."""

    def __init__(self, owners_by_relation):
        self.links, vocabulary_of = term_links(owners_by_relation)
        self.terms = {}
        for relation, model in vocabulary_of.items():
            self.terms[relation] = vocabulary_terms(model)
            linked_ids = {i for (r, _), ids in self.links.items() if r == relation for i in ids}
            if not self.terms[relation].keys() >= linked_ids:  # a term added since
                self.terms[relation] = vocabulary_terms(model, fresh=True)

    def of(self, owner, owner_name):
        """{relation: [the owner's terms in display order]} of the owner's vocabularies."""
        return {
            relation: self.in_order(relation, owner.pk) for relation in relations_of(owner_name)
        }

    def in_order(self, relation, owner_id):
        found = [
            self.terms[relation][term_id] for term_id in self.links.get((relation, owner_id), ())
        ]
        return sorted(found, key=lambda term: (term.position, term.label))


def load_programs(facilities):
    """load_facility_terms() and the facilities' programs, by name, with their answers
    (load_answers), each facility's in linked(facility, "programs"): in four queries
    whatever the number of facilities."""
    facilities = list(facilities)
    by_id = {facility.pk: facility for facility in facilities}
    Program = apps.get_model("facilities", "Program")
    programs = list(Program.objects.filter(facility__in=list(by_id)).order_by("name", "pk"))
    for program in programs:
        program.facility = by_id[program.facility_id]
    load_answers(programs)  # their facilities' terms too
    with_programs = {program.facility_id for program in programs}
    load_facility_terms(facility for facility in facilities if facility.pk not in with_programs)
    for facility in facilities:
        facility.loaded_relations["programs"] = []
    for program in programs:
        program.facility.loaded_relations["programs"].append(program)
    return facilities


def batches(items, size):
    """The items in lists of `size` (the last may be shorter), taken as they come."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def in_chunks(queryset, size):
    """The queryset's rows in lists of `size`, read `size` at a time: to load and write a
    whole directory a chunk at a time."""
    return batches(queryset.iterator(chunk_size=size), size)


def linked(instance, relation):
    """The rows of a relation (a vocabulary field, a program's sessions) as load_answers()
    left them on the instance; for an instance it did not load, as a query gives them."""
    loaded = getattr(instance, "loaded_relations", None)
    if loaded is not None and relation in loaded:
        return loaded[relation]
    return list(getattr(instance, relation).all())


class FacilityQuerySet(models.QuerySet):
    def published(self):
        """Facilities the public may see."""
        return self.filter(status="published")


class ProgramQuerySet(models.QuerySet):
    def published(self):
        """Programs at published facilities."""
        return self.filter(facility__status="published")

    # --- Geography ----------------------------------------------------------------------------

    def with_distance(self, latitude, longitude):
        """Annotate `distance_miles` from the point (great-circle miles)."""
        return self.annotate(distance_miles=GreatCircleMiles(latitude, longitude, *POINT))

    def near(self, latitude, longitude, miles):
        """Programs within `miles` of the point, with `distance_miles`, nearest first.

        The bounding box uses the index of the programs' points (program_point_search);
        only the rows inside it have their distance computed.
        """
        found = self.within(latitude, longitude, miles)
        if crosses_antimeridian(latitude, longitude, miles):  # within() measured the haversine
            found = found.annotate(distance_miles=F("exact_miles"))
            return found.order_by("distance_miles", *BY_NAME)
        return found.annotate(distance_miles=local_miles(latitude, longitude, *POINT)).order_by(
            "angle_squared", *BY_NAME
        )

    def within(self, latitude, longitude, miles):
        """near()'s programs, unordered and without their distance: what a count reads."""
        alias, distance, bound = circle_test(latitude, longitude, miles)
        in_the_box = self.filter(in_box(latitude, longitude, miles))
        return in_the_box.alias(**{alias: distance}).filter(**{f"{alias}__lte": bound})

    def counts_within(self, latitude, longitude, searches):
        """[how many of the programs hold every condition of each search within its miles],
        for `searches` [([Q], miles)]: one statement over the widest circle, each circle
        near()'s. The searches differ by a condition or two (the relaxations of one search),
        so the statement tests each distinct condition once a row and counts the programs of
        each answer to them all (GROUP BY); a filtered COUNT each repeated every test in
        every count, and a search with five filters took twice as long."""
        if not searches:
            return []
        searches = [([*tests_of(conditions)], miles) for conditions, miles in searches]
        tests = {miles: circle_test(latitude, longitude, miles) for _, miles in searches}
        widest = max(tests)
        everywhere = [q for q in searches[0][0] if all(q in others for others, _ in searches)]
        column_of = {}  # each other condition, and each circle inside the widest: a column
        for conditions, _ in searches:
            for q in conditions:
                if q and q not in everywhere:
                    column_of.setdefault(q, f"holds_{len(column_of)}")
        measured = tests[widest][0]  # within() measures the widest circle's way
        distances = {alias: distance for alias, distance, _ in tests.values() if alias != measured}
        circle_of = {}
        for miles in sorted(tests)[:-1]:
            alias, _, bound = tests[miles]
            circle_of[miles] = f"within_{len(circle_of)}"
            column_of[Q(**{f"{alias}__lte": bound})] = circle_of[miles]
        found = self.within(latitude, longitude, widest).filter(*everywhere).alias(**distances)
        found = found.annotate(
            **{name: ExpressionWrapper(q, BooleanField()) for q, name in column_of.items()}
        )
        groups = list(found.values(*column_of.values()).annotate(programs=Count("pk")).order_by())
        counts = []
        for conditions, miles in searches:
            held = [column_of[q] for q in conditions if q in column_of]
            held += [circle_of[miles]] if miles in circle_of else []
            counts.append(sum(group["programs"] for group in groups if all(map(group.get, held))))
        return counts

    def farther_than(self, latitude, longitude, miles):
        """Programs farther than `miles` from the point, or not on the map. Rows outside the
        bounding box are farther by the box alone; only those inside need the exact distance."""
        distance = GreatCircleMiles(latitude, longitude, *POINT)
        return self.alias(exact_miles=distance).filter(
            Q(latitude__isnull=True)
            | ~in_box(latitude, longitude, miles)
            | Q(exact_miles__gt=miles)
        )

    def beyond(self, latitude, longitude, miles):
        """Programs farther than `miles` from the point, nearest first."""
        return (
            self.filter(latitude__isnull=False)
            .with_distance(latitude, longitude)
            .filter(distance_miles__gt=miles)
            .order_by("distance_miles", *BY_NAME)
        )

    def nearest_beyond(
        self,
        latitude,
        longitude,
        miles,
        limit,
        within,
        anywhere=None,
        first=None,
        rare=False,
        counted=None,
    ):
        """The `limit` nearest programs farther than `miles` and no farther than `within`,
        nearest first; given `first` (a Q), those it holds before the others, nearest first
        in each, in the same statement.

        Read from circles four times wider each time, each an indexed box: when one holds
        `limit` programs past `miles` (and `first` holds them all), or is the circle of
        `within`, nothing outside it can be nearer. `rare`: nothing within `miles` matches,
        so a smaller circle most often holds too few, and only the circle of `within` (or
        of WIDEST_NEAR_MILES) is read, in one statement. Measured on the bench workload,
        least of three runs: with nothing near, one circle took 6.2 ms against 8.8 for the
        circles at 25,000 facilities and 31.7 against 37.6 at 250,000; with one or two near,
        the circles took 4.4 against 5.1, and 18.2 against 26.9.

        `counted`: (a circle's miles, how many of the programs lie in it past `miles`), as
        the relaxation "Within 25 miles" counted them. A circle that holds `limit` of them
        is read first, alone when `first` holds them all: in a city, the circle of 25 miles
        where a search within 10 finds nothing, not the circle of 100 (some 4,000 programs
        to test at 25,000 facilities). One that holds fewer leaves out the circles no wider,
        and one of `within` miles or more that holds none leaves nothing to read.

        Only when `within` is wider than WIDEST_NEAR_MILES and that circle holds too few is
        every program measured, from `anywhere`: the same programs, in a form that scan
        starts from best (linked_to_all). Given `anywhere`, that circle is not tried: its
        box holds a fifth of the country's programs, and reading them cost two to four times
        the scan from the programs linked to a therapy or condition asked.
        """
        widest = min(within, WIDEST_NEAR_MILES)
        radii, reach = [], miles
        while reach < widest:
            reach = min(reach * 4, widest)
            radii.append(reach)
        radii = radii[-1:] if rare else radii
        if counted is not None:
            counted_miles, programs = counted
            if not programs and counted_miles >= within:
                return []
            wider = [reach for reach in radii if reach > counted_miles]
            if programs >= limit and counted_miles <= widest:
                radii = [counted_miles, *wider]
            elif programs < limit:
                radii = wider or radii[-1:]
        found = []
        for reach in radii:
            if reach == WIDEST_NEAR_MILES < within and anywhere is not None:
                break
            ring = self.near(latitude, longitude, reach).filter(distance_miles__gt=miles)
            found = list(ranked_first(first, ring)[:limit])
            enough = len(found) == limit and all(getattr(row, "first", True) for row in found)
            if enough or reach == within:
                return found
        if within <= WIDEST_NEAR_MILES:
            return found
        anywhere = self if anywhere is None else anywhere
        farther = anywhere.beyond(latitude, longitude, miles).filter(distance_miles__lte=within)
        return list(ranked_first(first, farther)[:limit])

    def reaching_online(self, state, near=None, beyond=0):
        """Telehealth and hybrid programs licensed to treat people in the state: the state is
        listed in `serves_states`, or none are listed and the facility is in that state
        (Program.online_states, stored a row a state in OnlineReach). `near`: (latitude,
        longitude, miles), only those whose facility is in that circle's box, found through
        the index on the reach rows' state and coordinates: in a city, a few of the many
        programs around are online ones. One filter(), so one join to the reach rows.

        `beyond`: with `near`, only those in the ring from `beyond` out to the circle's
        miles, measured as near() measures, on the reach rows' copy of the point: the many
        rows of the box nearer than the ring or in its corners are passed over before their
        programs are read. The bounds are a hair wider than near()'s, so no row near()
        would keep is passed over."""
        reach = Q(online_reach__state=state)
        if near is not None:
            reach &= in_box(*near, point="online_reach__")
        found = self.filter(reach)
        if near is None or not beyond:
            return found
        fields = ("online_reach__latitude", "online_reach__longitude")
        # alias() joins nothing new: it uses the one join to the reach rows made above.
        ring = [(miles / EARTH_RADIUS_MILES) ** 2 for miles in (beyond, near[2])]
        return found.alias(reach_angle_squared=LocalAngleSquared(*near[:2], *fields)).filter(
            reach_angle_squared__gt=ring[0] * (1 - 1e-9),
            reach_angle_squared__lte=ring[1] * (1 + 1e-9),
        )

    # --- The questions ------------------------------------------------------------------------

    def with_terms(self, vocabulary, slugs):
        return self.filter(terms_condition(vocabulary, slugs))

    def linked_to_all(self, vocabulary, slugs):
        """with_terms()'s programs for a program's vocabulary that matches all, told again
        as `id IN (the programs linked to the term)`: a test that a scan of the whole
        directory starts from, reading only the programs linked to a rare term (a
        medication, EMDR) rather than every program. Not for a
        search in a box: SQLite would start from the link table there too, and read far
        more than the box holds."""
        queryset = self
        for term_id in term_ids(vocabulary.model, slugs):
            queryset = queryset.filter(pk__in=linked_owners(vocabulary.field, [term_id]))
        return queryset

    def linked_to_rare(self, asked):
        """The programs, told again as linked to each of the `asked` links that no more than
        RARE_TERM_LINKS programs or facilities have, as `id IN (...)` or `facility_id IN
        (...)`; None when none is that rare. `asked`: [(vocabulary, slugs)], each answered by
        a program (or its facility, for a facility's vocabulary) linked to any of the slugs.
        For a count of the whole directory: it starts from a rare link's rows (EMDR, a
        medication, Vietnamese, tribal health insurance). A common one is left out, as SQLite
        reads every id of `IN (...)` before the first program. Each costs one look at its
        links' index: is there a row past the RARE_TERM_LINKS-th?"""
        queryset = None
        for vocabulary, slugs in asked:
            linked = linked_owners(vocabulary.field, term_ids(vocabulary.model, slugs))
            if not linked[RARE_TERM_LINKS : RARE_TERM_LINKS + 1].exists():
                owner = "facility_id__in" if vocabulary.of_facility else "pk__in"
                queryset = (queryset or self).filter(**{owner: linked})
        return queryset

    def with_focus(self, focuses):
        return self.filter(focus_condition(focuses))

    def in_format(self, formats):
        return self.filter(format_condition(formats))


# --- The questions, each a condition (a Q) a program holds ------------------------------------
# One statement can test several at once, each apart: ProgramQuerySet.counts_within().


def terms_condition(vocabulary, slugs):
    """Programs whose terms of a vocabulary (facilities.vocabularies; their facility's, for a
    facility's) answer a search for these slugs: every one of them, or any one, as the
    vocabulary matches."""
    if vocabulary.matches != ALL:
        return Q(has_term(vocabulary, answering(vocabulary, slugs)))
    return Q(*(has_term(vocabulary, [slug]) for slug in slugs))


def focus_condition(focuses):
    """Programs whose focus covers every one asked for: a co-occurring program also treats
    substance use and mental health."""
    condition = Q()
    for focus in focuses:
        covered = {focus}
        if focus in ("substance_use", "mental_health"):
            covered.add("co_occurring")
        condition &= Q(focus__in=covered)
    return condition


def format_condition(formats):
    """Programs offering every format asked for: a hybrid program meets in person and online,
    so it answers both."""
    return Q(*(Q(format__in={format_, "hybrid"}) for format_ in formats))


def age_condition(age):
    """Programs that may serve a person of this age: the age range holds it (a blank bound
    holds every age), and the populations do not say adults only while the age is under 18,
    or adolescents only while it is 18 or over. The one rule for the results, the online
    programs, the suggestions beyond the radius and the API."""
    if age <= ADOLESCENT_MAX_AGE:
        own, others = ADOLESCENT_POPULATIONS, ADULT_POPULATIONS
    else:
        own, others = ADULT_POPULATIONS, ADOLESCENT_POPULATIONS
    populations = BY_RELATION["populations"]
    only_others = Q(has_term(populations, others)) & ~Q(has_term(populations, own))
    in_range = (Q(age_min__isnull=True) | Q(age_min__lte=age)) & (
        Q(age_max__isnull=True) | Q(age_max__gte=age)
    )
    return in_range & ~only_others


def times_condition(times_of_day):
    """Programs with a session in any of these parts of the week."""
    condition = Q()
    for bucket in times_of_day:
        condition |= Q(**{f"offers_{bucket}": True})
    return condition


def days_condition(days):
    return Q(days_per_week__gte=1, days_per_week__lte=days)


def weeks_condition(weeks):
    """Programs whose typical length (the longest, else the shortest) is at most `weeks`."""
    return Q(duration_weeks_max__lte=weeks) | Q(
        duration_weeks_max__isnull=True, duration_weeks_min__lte=weeks
    )


ACCEPTING = Q(accepting_new_clients=True)
