"""The read-only HSDS 3.0 API under /api/hsds/, following HSDS's openapi.json.

Only published listings appear. Lists are HSDS Page objects, `page` and `per_page` choosing
the page; their items carry the object's own fields (`full=true`: fully nested). Filters add
up: each narrows the list. A parameter that cannot be read answers 400 with the parameter
named, as /api/v1/ does; an id that names nothing published answers 404.
"""

import math
from datetime import UTC, datetime, time

from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from facilities import geocoding
from facilities.api import API_RATE_LIMIT
from facilities.filters import DEFAULT_RADIUS
from facilities.hsds.ids import IdIndex, parse_uuid
from facilities.hsds.mapping import Mapper
from facilities.hsds.pagination import HSDSPage
from facilities.hsds.taxonomies import VOCABULARIES, all_terms, terms_by_id, vocabulary_by_id
from facilities.models import Facility, Program
from facilities.querysets import BY_NAME, linked, load_answers, load_programs
from facilities.search_cache import kept_search

HSDS_VERSION = "3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
PROFILE_URL = "https://docs.openreferral.org/en/3.0/"
PER_PAGE, MAX_PER_PAGE = 50, 500
# minimal=true: "aim to return all services within one page".
MINIMAL_PER_PAGE = 10_000
METERS_PER_MILE = 1609.344
MAX_PROXIMITY_METERS = 250 * METERS_PER_MILE  # the widest radius /api/v1/ searches
SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS = 200, 10
TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def program_ids():
    return Program.objects.order_by().values_list("pk", flat=True)


def newer_programs(last):
    return program_ids().filter(pk__gt=last)


def facility_ids():
    return Facility.objects.order_by().values_list("pk", flat=True)


def newer_facilities(last):
    return facility_ids().filter(pk__gt=last)


SERVICES = IdIndex("service", program_ids, newer_programs)
SERVICES_AT_LOCATIONS = IdIndex("service_at_location", program_ids, newer_programs)
ORGANIZATIONS = IdIndex("organization", facility_ids, newer_facilities)


# --- Parameters -------------------------------------------------------------------------------


class Parameters:
    """The request's parameters, read as HSDS names them; each one that cannot be read is
    reported, all of them in one 400 answer."""

    def __init__(self, request):
        self.query = request.query_params
        self.errors = {}

    def text(self, name):
        return (self.query.get(name) or "").strip()

    def fail(self, name, message):
        self.errors.setdefault(name, []).append(message)

    def check(self):
        if self.errors:
            raise ValidationError(self.errors)

    def whole(self, name, default, low, high):
        text = self.text(name)
        if not text:
            return default
        # "²" passes str.isdigit() and int() refuses it: ASCII digits only.
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            self.fail(name, f"Give a whole number from {low} to {high:,}.")
            return default
        return int(text)

    def boolean(self, name):
        text = self.text(name).lower()
        if text and text not in TRUE | FALSE:
            self.fail(name, "Give true or false.")
        return text in TRUE

    def paging(self, default=PER_PAGE, maximum=MAX_PER_PAGE):
        fmt = self.text("format")
        if fmt and fmt.lower() != "json":
            self.fail("format", "Only json is offered (the whole directory: export_facilities).")
        return (
            self.whole("page", 1, 1, 10**9),
            self.whole("per_page", default, 1, maximum),
        )

    def search(self):
        text = self.text("search")
        if len(text) > SEARCH_MAX_LENGTH:
            self.fail("search", f"Use at most {SEARCH_MAX_LENGTH} characters.")
            return []
        return text.split()[:SEARCH_MAX_WORDS]

    def ids(self, name):
        """The UUIDs given, repeated or separated by commas."""
        given = [part.strip() for value in self.query.getlist(name) for part in value.split(",")]
        found = []
        for text in filter(None, given):
            uuid = parse_uuid(text)
            if uuid is None:
                self.fail(name, f"{text!r} is not a UUID.")
            else:
                found.append(str(uuid))
        return found

    def known(self, name, entries, missing):
        """The entries ({id: entry}) the ids given name; each id not among them reported,
        in the words of `missing` ("... {} ...")."""
        found = []
        for given in self.ids(name):
            if given in entries:
                found.append(entries[given])
            else:
                self.fail(name, missing.format(given))
        return found

    def terms(self, name):
        missing = "No taxonomy term has the id {} (see /taxonomy_terms)."
        return self.known(name, terms_by_id(), missing)

    def vocabularies(self, name):
        return self.known(name, vocabulary_by_id(), "No taxonomy has the id {} (see /taxonomies).")

    def moment(self, name):
        text = self.text(name).replace(" ", "+")  # an unescaped "+" arrives as a space
        if not text:
            return None
        try:
            moment = parse_datetime(text)
            day = None if moment else parse_date(text)
        except ValueError:
            moment = day = None
        if day is not None:
            moment = datetime.combine(day, time(), tzinfo=UTC)
        if moment is None:
            self.fail(name, "Give a date or date and time, e.g. 2025-01-31 or 2025-01-31T09:00Z.")
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def place(self):
        """(the ZIP's place, miles) from postcode and proximity (meters), or None."""
        postcode, proximity = self.text("postcode"), self.text("proximity")
        meters = None
        if proximity:
            try:
                meters = float(proximity)
            except ValueError:
                meters = math.nan
            if not 0 < meters <= MAX_PROXIMITY_METERS:  # also NaN and infinity
                self.fail("proximity", f"Give meters, more than 0 and at most "
                          f"{MAX_PROXIMITY_METERS:,.0f} (250 miles).")  # fmt: skip
                meters = None
            if not postcode:
                self.fail("proximity", "Give a postcode to measure from.")
        if not postcode:
            return None
        match = geocoding.ZIP_ONLY.match(postcode)
        place = geocoding.zip_place(match[1]) if match else None
        if place is None:
            self.fail("postcode", f"{postcode!r} is not a US ZIP code we know.")
            return None
        return place, DEFAULT_RADIUS if meters is None else meters / METERS_PER_MILE


# --- Views ------------------------------------------------------------------------------------


class JSONOnly(BaseContentNegotiation):
    """HSDS's `format` is a parameter of its own (json or ndjson), not DRF's renderer."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(exclude=True)  # HSDS's own openapi.json describes it
@method_decorator(API_RATE_LIMIT, name="dispatch")
@method_decorator(kept_search, name="dispatch")
class HSDSView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly

    def mapper(self):
        return Mapper(base_url=self.request.build_absolute_uri("/"))


class Root(HSDSView):
    def get(self, request):
        return Response(
            {"version": HSDS_VERSION, "openapi_url": OPENAPI_URL, "profile": PROFILE_URL}
        )


def with_words(queryset, words, fields):
    """Rows with every word in one of the fields or another."""
    for word in words:
        found = Q()
        for field in fields:
            found |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(found)
    return queryset


class ProgramList(HSDSView):
    """The filters of /services and /service_at_locations, on published programs."""

    def programs(self, parameters):
        programs = Program.objects.published().select_related("facility")
        programs = with_words(
            programs,
            parameters.search(),
            ["name", "description", "facility__name", "facility__city"],
        )
        for term in parameters.terms("taxonomy_term_id"):
            programs = term.vocabulary.having(programs, term.slug)
        for vocabulary in parameters.vocabularies("taxonomy_id"):
            programs = vocabulary.having_any(programs)
        organization_ids = parameters.ids("organization_id")
        if organization_ids:
            facility_ids = ORGANIZATIONS.find_all(organization_ids)
            programs = programs.filter(facility_id__in=[pk for pk in facility_ids if pk])
        since = parameters.moment("modified_after")
        if since is not None:
            changed = Q(updated_at__gte=since) | Q(facility__updated_at__gte=since)
            programs = programs.filter(changed)
        return programs


class Services(ProgramList):
    def get(self, request):
        parameters = Parameters(request)
        minimal, full = parameters.boolean("minimal"), parameters.boolean("full")
        if minimal:
            page, per_page = parameters.paging(MINIMAL_PER_PAGE, MINIMAL_PER_PAGE)
        else:
            page, per_page = parameters.paging()
        programs = self.programs(parameters)
        parameters.check()
        found = HSDSPage(programs.order_by(*BY_NAME), page, per_page)
        mapper = self.mapper()
        if minimal:
            return Response(found.answer([mapper.minimal_service(p) for p in found.items]))
        load_answers(found.items)
        write = mapper.full_service if full else mapper.service
        return Response(found.answer([write(program) for program in found.items]))


class ServiceAtLocations(ProgramList):
    def get(self, request):
        parameters = Parameters(request)
        full = parameters.boolean("full")
        page, per_page = parameters.paging()
        programs = self.programs(parameters)
        place = parameters.place()
        parameters.check()
        if place is None:
            programs = programs.order_by(*BY_NAME)
        else:  # nearest first, measured as the site's search measures
            (zip_place, miles) = place
            programs = programs.near(zip_place.latitude, zip_place.longitude, miles)
        found = HSDSPage(programs, page, per_page)
        load_answers(found.items)
        mapper = self.mapper()
        contents = [mapper.service_at_location_item(p, full=full) for p in found.items]
        return Response(found.answer(contents))


def published_program(index, asked):
    pk = index.find(asked)
    program = (
        Program.objects.published().select_related("facility").filter(pk=pk).first() if pk else None
    )
    if program is None:
        raise NotFound("No published service has this id.")
    load_answers([program])
    return program


class Service(HSDSView):
    def get(self, request, id):
        program = published_program(SERVICES, id)
        return Response(self.mapper().full_service(program))


class ServiceAtLocation(HSDSView):
    def get(self, request, id):
        program = published_program(SERVICES_AT_LOCATIONS, id)
        return Response(self.mapper().service_at_location_item(program, full=True))


def organization_services(mapper, programs, full_service):
    if full_service:
        return [mapper.full_service(program, organization=False) for program in programs]
    return [mapper.service_fields(program) for program in programs]


class Organizations(HSDSView):
    def get(self, request):
        parameters = Parameters(request)
        full, full_service = parameters.boolean("full"), parameters.boolean("full_service")
        page, per_page = parameters.paging()
        facilities = with_words(
            Facility.objects.published(), parameters.search(), ["name", "description", "city"]
        )
        parameters.check()
        found = HSDSPage(facilities.order_by("name", "pk"), page, per_page)
        mapper = self.mapper()
        if not full:
            return Response(found.answer([mapper.organization(f) for f in found.items]))
        contents = [
            mapper.full_organization(
                facility,
                organization_services(mapper, linked(facility, "programs"), full_service),
            )
            for facility in load_programs(found.items)
        ]
        return Response(found.answer(contents))


class Organization(HSDSView):
    def get(self, request, id):
        parameters = Parameters(request)
        full_service = parameters.boolean("full_service")
        parameters.check()
        pk = ORGANIZATIONS.find(id)
        facility = Facility.objects.published().filter(pk=pk).first() if pk else None
        if facility is None:
            raise NotFound("No published organization has this id.")
        load_programs([facility])
        mapper = self.mapper()
        services = organization_services(mapper, linked(facility, "programs"), full_service)
        return Response(mapper.full_organization(facility, services))


def matching_text(words, *texts):
    texts = " ".join(texts).lower()
    return all(word.lower() in texts for word in words)


class Taxonomies(HSDSView):
    def get(self, request):
        parameters = Parameters(request)
        page, per_page = parameters.paging()
        words = parameters.search()
        parameters.check()
        vocabularies = [v for v in VOCABULARIES if matching_text(words, v.name, v.description)]
        found = HSDSPage(vocabularies, page, per_page)
        return Response(found.answer([Mapper.taxonomy(v) for v in found.items]))


class Taxonomy(HSDSView):
    def get(self, request, id):
        vocabulary = vocabulary_by_id().get(str(parse_uuid(id)))
        if vocabulary is None:
            raise NotFound("No taxonomy has this id.")
        return Response(Mapper.taxonomy(vocabulary))


class TaxonomyTerms(HSDSView):
    def get(self, request):
        parameters = Parameters(request)
        page, per_page = parameters.paging()
        words = parameters.search()
        vocabularies = parameters.vocabularies("taxonomy_id")
        parents = parameters.terms("parent_id")
        top_only = parameters.boolean("top_only")
        parameters.check()
        terms = [
            term
            for term in all_terms(vocabularies or VOCABULARIES)
            if matching_text(words, term.slug, term.label, term.explanation)
            and (not parents or any(term.parent_slug == p.slug and term.vocabulary == p.vocabulary
                                    for p in parents))
            and not (top_only and term.parent_slug)
        ]  # fmt: skip
        found = HSDSPage(terms, page, per_page)
        mapper = self.mapper()
        return Response(found.answer([mapper.taxonomy_term(term) for term in found.items]))


class TaxonomyTerm(HSDSView):
    def get(self, request, id):
        term = terms_by_id().get(str(parse_uuid(id)))
        if term is None:
            raise NotFound("No taxonomy term has this id.")
        return Response(self.mapper().taxonomy_term(term))
