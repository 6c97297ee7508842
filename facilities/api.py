"""The read-only JSON API: the search's FilterSet and QuerySet methods behind JSON views."""

from django.conf import settings
from django.db.models import Value
from django.utils.decorators import method_decorator
from django_filters import MultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from facilities.filters import (
    FEW_NEARBY,
    RADIUS_CHOICES,
    SORT_CHOICES,
    ProgramFilter,
    VocabularyFilter,
)
from facilities.geocoding import NOT_FOUND_MESSAGE
from facilities.models import Facility, Program
from facilities.querysets import load_answers, load_programs
from facilities.rate_limits import API_RATE_LIMIT, GEOCODE_LIMIT
from facilities.result_lists import COUNT_LIMIT, ONLINE_COUNT_LIMIT
from facilities.search_cache import kept_search
from facilities.serializers import (
    RELAXATION_SCHEMA,
    FacilitySerializer,
    ProgramSerializer,
    relaxation_data,
)


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        # A page past the end is a bad parameter, answered like any other: 400, naming it.
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise ValidationError({"page": ["There is no such page of results."]}) from None

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        exact = getattr(self.page.paginator.object_list, "exact", True)
        response.data = {"count": response.data["count"], "count_exact": exact} | {
            key: value for key, value in response.data.items() if key != "count"
        }
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_exact"] = {
            "type": "boolean",
            "description": f"false when more than {COUNT_LIMIT:,} nearby programs match, or "
            f"more than {ONLINE_COUNT_LIMIT:,} online ones: the count and the pages stop there "
            "for that part of the list; narrow the search to see the others.",
        }
        schema["required"] = [*schema.get("required", []), "count_exact"]
        return schema


class ProgramPagination(Pagination):
    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["relaxations"] = {
            "type": "array",
            "items": RELAXATION_SCHEMA,
            "description": f"With a location, when fewer than {FEW_NEARBY} programs are "
            "nearby: the same search changed by one thing (a value asked left out, or the "
            "next distance) that finds more, the most first; at most three. Empty when no "
            "such change finds more, or no filter was asked.",
        }
        schema["properties"]["nearest_beyond"] = {
            **schema["properties"]["results"],
            "description": f"With a location, when fewer than {FEW_NEARBY} programs are "
            "nearby: the nearest that match every filter farther than the radius, each with "
            "`distance_miles`, none farther than NEAREST_BEYOND_MILES "
            f"({settings.NEAREST_BEYOND_MILES} by default). With an age asked, those that "
            "list no ages come after those that do.",
        }
        return schema


class ChainedResults:
    """Result lists (facilities.result_lists) read one after the other as one list, so a page
    can run from the nearby programs into the online ones; each is counted and sliced in the
    database."""

    def __init__(self, *querysets):
        self.querysets = querysets
        self.counts = None

    @property
    def exact(self):
        return all(part.exact for part in self.querysets)

    def count(self):
        if self.counts is None:
            self.counts = [queryset.count() for queryset in self.querysets]
        return sum(self.counts)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        self.count()
        items, offset = [], 0
        for queryset, size in zip(self.querysets, self.counts, strict=True):
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                items += list(queryset[low:high])
            offset += size
        return items


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "location",
        OpenApiTypes.STR,
        description='A 5-digit ZIP, "City, ST", an address ending in a ZIP, or "lat,lng". '
        f"A place that cannot be found answers 400: {NOT_FOUND_MESSAGE}",
    ),
    OpenApiParameter(
        "radius",
        OpenApiTypes.INT,
        description="Miles from the location, 1 to 250 (default 25; the site offers "
        + ", ".join(str(miles) for miles, _ in RADIUS_CHOICES)
        + ").",
    ),
    OpenApiParameter(
        "include_online",
        OpenApiTypes.BOOL,
        description="With a location: after the nearby programs, add the telehealth and "
        "hybrid programs licensed for the searcher's state that are farther away "
        '(`"reach": "online"`). Default true.',
    ),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        enum=[value for value, _ in SORT_CHOICES],
        description="distance (default with a location), name, or verified.",
    ),
]


BAD_PARAMETERS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="A parameter is wrong: each key names one, with what is wrong with it.",
)
NOT_FOUND = OpenApiResponse(
    response={"type": "object", "properties": {"detail": {"type": "string"}}},
    description="No published listing has this id.",
)


@extend_schema_view(
    list=extend_schema(
        parameters=SEARCH_PARAMETERS,
        responses={200: ProgramSerializer(many=True), 400: BAD_PARAMETERS},
    ),
    retrieve=extend_schema(responses={200: ProgramSerializer, 404: NOT_FOUND}),
)
# Limits checked before DRF handles the request: 429 through RATELIMIT_VIEW.
@method_decorator(API_RATE_LIMIT, name="dispatch")
@method_decorator(GEOCODE_LIMIT, name="dispatch")
@method_decorator(kept_search, name="dispatch")
class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """Programs at published facilities that answer the questions, nearest first."""

    serializer_class = ProgramSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProgramFilter
    pagination_class = ProgramPagination

    def get_queryset(self):  # the rows get their answers in paginate_queryset and get_object
        return Program.objects.published().select_related("facility")

    def get_object(self):
        return load_answers([super().get_object()])[0]

    def paginate_queryset(self, queryset):
        rows = super().paginate_queryset(queryset)
        few = self.few_nearby()
        self.beyond = self.filterset.nearest_beyond_radius(self.nearby.count()) if few else []
        load_answers(rows + self.beyond)  # the page's and the way out's, in one load
        return rows

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        backend = DjangoFilterBackend()
        filterset = backend.get_filterset(self.request, queryset, self)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        self.filterset = filterset
        if not filterset.place:
            return filterset.nearby_results()
        nearby = self.nearby = filterset.nearby_results(reach=Value("nearby"))
        if not filterset.form.cleaned_data["include_online"]:
            return nearby
        return ChainedResults(nearby, filterset.online_results(reach=Value("online")))

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data.update(self.way_out())
        return response

    def few_nearby(self):
        """Whether a search with a place finds fewer than FEW_NEARBY programs nearby."""
        nearby = getattr(self, "nearby", None)
        return nearby is not None and nearby.count() < FEW_NEARBY

    def way_out(self):
        """`relaxations` and `nearest_beyond` (read with the page: paginate_queryset), when
        few programs are nearby; nothing otherwise."""
        if not self.few_nearby():
            return {}
        request = self.request
        path = request.build_absolute_uri(request.path)
        relaxations = self.filterset.relaxations(self.nearby.count(), path)
        context = self.get_serializer_context()
        return {
            "relaxations": [relaxation_data(relaxation) for relaxation in relaxations],
            "nearest_beyond": ProgramSerializer(self.beyond, many=True, context=context).data,
        }

    def get_serializer_context(self):
        context = super().get_serializer_context()
        filterset = getattr(self, "filterset", None)
        context["asked"] = filterset.asked if filterset is not None else ()
        return context


@extend_schema_view(
    list=extend_schema(responses={200: FacilitySerializer(many=True), 400: BAD_PARAMETERS}),
    retrieve=extend_schema(responses={200: FacilitySerializer, 404: NOT_FOUND}),
)
@method_decorator(API_RATE_LIMIT, name="dispatch")
class FacilityViewSet(viewsets.ReadOnlyModelViewSet):
    """Published facilities, each with its programs."""

    serializer_class = FacilitySerializer
    pagination_class = Pagination

    def get_queryset(self):
        return Facility.objects.published().order_by("name", "pk")

    def paginate_queryset(self, queryset):
        return load_programs(super().paginate_queryset(queryset))

    def get_object(self):
        return load_programs([super().get_object()])[0]


VocabularyAnswer = inline_serializer(
    "Vocabularies",
    {
        "count": serializers.IntegerField(),
        "next": serializers.CharField(allow_null=True),
        "previous": serializers.CharField(allow_null=True),
        "results": inline_serializer(
            "Vocabulary",
            {
                "parameter": serializers.CharField(),
                "label": serializers.CharField(),
                "terms": inline_serializer(
                    "VocabularyTerm",
                    {
                        "slug": serializers.CharField(),
                        "label": serializers.CharField(),
                        "explanation": serializers.CharField(),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
    },
)


@extend_schema(responses=VocabularyAnswer)
@API_RATE_LIMIT
@api_view(["GET"])
def vocabularies(request):
    """Every value a search parameter takes: slug, label and a plain explanation."""
    results = []
    for parameter, filter_ in ProgramFilter.base_filters.items():
        if isinstance(filter_, VocabularyFilter):
            terms = list(filter_.vocabulary.model.objects.values("slug", "label", "explanation"))
        elif isinstance(filter_, MultipleChoiceFilter):
            terms = [
                {"slug": slug, "label": str(label), "explanation": ""}
                for slug, label in filter_.extra["choices"]
            ]
        else:
            continue
        results.append({"parameter": parameter, "label": str(filter_.label), "terms": terms})
    return Response({"count": len(results), "next": None, "previous": None, "results": results})
