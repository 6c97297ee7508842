"""The shape of a program and a facility in the API; the CSV and JSON files use the same names."""

from dataclasses import asdict

from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from facilities.answers import answer_words, answers_for, question_words
from facilities.models import Facility, Program, Session
from facilities.querysets import linked
from facilities.result_lists import RELAXATION_COUNT_LIMIT
from facilities.vocabularies import relations_of

FACILITY_VOCABULARIES = relations_of("Facility")
PROGRAM_VOCABULARIES = relations_of("Program")


class TermSerializer(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()


class TermsField(serializers.ListField):
    """A vocabulary link, read from the loaded terms: [{"slug", "label"}] (TermSerializer's
    shape, written out directly: a page of results holds hundreds of terms)."""

    child = TermSerializer()

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return linked(instance, self.source)

    def to_representation(self, terms):
        return [{"slug": term.slug, "label": term.label} for term in terms]


class VocabularyFields:
    """A serializer whose model's vocabulary fields (facilities.vocabularies) are TermsFields."""

    def get_fields(self):
        fields = super().get_fields()
        vocabularies = relations_of(self.Meta.model.__name__)
        return {
            name: TermsField() if name in vocabularies else field for name, field in fields.items()
        }


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "18:00"})
class ClockField(serializers.TimeField):
    """A local time as a 24-hour clock reads it: "18:00"."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class SessionSerializer(serializers.ModelSerializer):
    weekday = serializers.ChoiceField(
        source="weekday_name", choices=[day.name.lower() for day in Session.Weekday]
    )
    start = ClockField(source="start_time")
    end = ClockField(source="end_time")

    class Meta:
        model = Session
        fields = ["weekday", "start", "end"]


class AnswerSerializer(serializers.Serializer):
    question = serializers.CharField(source="question.key")
    text = serializers.CharField(source="question.text")
    answer = serializers.SerializerMethodField()
    notes = serializers.ListField(child=serializers.CharField())

    @extend_schema_field(OpenApiTypes.STR)
    def get_answer(self, answer):
        """The answer in words, or "Not listed — ask when you call"."""
        return answer_words(answer)


FACILITY_FIELDS = [
    "id",
    "slug",
    "name",
    "street",
    "city",
    "state",
    "zip_code",
    "latitude",
    "longitude",
    "phone",
    "intake_phone",
    "website",
    "facility_type",
    *FACILITY_VOCABULARIES,
    "wheelchair_accessible",
    "last_verified_at",
    "url",
]


class FacilitySummarySerializer(VocabularyFields, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Facility
        fields = FACILITY_FIELDS

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, facility):
        request = self.context.get("request")
        path = facility.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


DATETIME = serializers.DateTimeField()


def datetime_text(moment):
    """DATETIME.to_representation(moment) for a stored (aware) moment: ISO 8601 in the
    current time zone, Z for UTC; without the field's look-ups of its settings."""
    if timezone.is_naive(moment):
        return DATETIME.to_representation(moment)
    text = moment.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def terms_of(instance, relation):
    return [{"slug": term.slug, "label": term.label} for term in linked(instance, relation)]


def facility_summary(facility, request):
    """FacilitySummarySerializer's representation, written out field by field (the tests
    compare the two): an API page holds twenty of them."""
    path = facility.get_absolute_url()
    verified = facility.last_verified_at
    return {
        "id": facility.pk,
        "slug": facility.slug,
        "name": facility.name,
        "street": facility.street,
        "city": facility.city,
        "state": facility.state,
        "zip_code": facility.zip_code,
        "latitude": facility.latitude,
        "longitude": facility.longitude,
        "phone": facility.phone,
        "intake_phone": facility.intake_phone,
        "website": facility.website,
        "facility_type": facility.facility_type,
        **{relation: terms_of(facility, relation) for relation in FACILITY_VOCABULARIES},
        "wheelchair_accessible": facility.wheelchair_accessible,
        "last_verified_at": None if verified is None else datetime_text(verified),
        "url": request.build_absolute_uri(path) if request else path,
    }


class ProgramSerializer(VocabularyFields, serializers.ModelSerializer):
    """A program with everything needed to answer the questions without another request."""

    distance_miles = serializers.SerializerMethodField()
    reach = serializers.SerializerMethodField()
    serves_states = serializers.ListField(
        source="online_states", child=serializers.CharField(), read_only=True
    )
    schedule = serializers.SerializerMethodField()
    time_of_day = serializers.ListField(child=serializers.CharField(), read_only=True)
    below_iop_minimum = serializers.BooleanField(read_only=True)
    answers = serializers.SerializerMethodField()
    facility = FacilitySummarySerializer(read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "level_of_care",
            "focus",
            "distance_miles",
            "reach",
            "age_min",
            "age_max",
            "duration_weeks_min",
            "duration_weeks_max",
            "format",
            "serves_states",
            "schedule",
            "days_per_week",
            "hours_per_week",
            "time_of_day",
            "below_iop_minimum",
            *PROGRAM_VOCABULARIES,
            "philosophy_statement",
            "accepting_new_clients",
            "description",
            "answers",
            "facility",
        ]

    def to_representation(self, program):
        """The declared fields' representation, written out directly (the tests compare it
        with ModelSerializer's own): walking the fields one by one cost more than the rest
        of an API search. A subclass with other fields takes the walk."""
        if type(self) is not ProgramSerializer:
            return super().to_representation(program)
        return {
            "id": program.pk,
            "name": program.name,
            "level_of_care": program.level_of_care,
            "focus": program.focus,
            "distance_miles": self.get_distance_miles(program),
            "reach": self.get_reach(program),
            "age_min": program.age_min,
            "age_max": program.age_max,
            "duration_weeks_min": program.duration_weeks_min,
            "duration_weeks_max": program.duration_weeks_max,
            "format": program.format,
            "serves_states": program.online_states,
            "schedule": self.get_schedule(program),
            "days_per_week": program.days_per_week,
            "hours_per_week": program.hours_per_week,
            "time_of_day": program.time_of_day,
            "below_iop_minimum": program.below_iop_minimum,
            **{relation: terms_of(program, relation) for relation in PROGRAM_VOCABULARIES},
            "philosophy_statement": program.philosophy_statement,
            "accepting_new_clients": program.accepting_new_clients,
            "description": program.description,
            "answers": self.get_answers(program),
            "facility": facility_summary(program.facility, self.context.get("request")),
        }

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_miles(self, program):
        distance = getattr(program, "distance_miles", None)
        return None if distance is None else round(distance, 2)

    @extend_schema_field(serializers.ChoiceField(choices=["nearby", "online"], allow_null=True))
    def get_reach(self, program):
        """nearby: within the radius; online: a telehealth or hybrid program licensed for the
        searcher's state, farther away; null without a location."""
        return getattr(program, "reach", None)

    # The schedule and the answers are written out in the shapes of SessionSerializer and
    # AnswerSerializer (the schema's, checked against them in the tests): their fields cost
    # more than the rest of a result together.

    @extend_schema_field(SessionSerializer(many=True))
    def get_schedule(self, program):
        return [
            {
                "weekday": session.weekday_name,
                "start": f"{session.start_time:%H:%M}",
                "end": f"{session.end_time:%H:%M}",
            }
            for session in linked(program, "sessions")
        ]

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, program):
        questions = question_words(get_language())
        return [
            {
                "question": answer.question.key,
                "text": questions[answer.question.key],
                "answer": answer_words(answer),
                "notes": [str(note) for note in answer.notes],
            }
            for answer in answers_for(program, self.context.get("asked", ()))
        ]


class ProgramsOfFacility(serializers.ListSerializer):
    """A facility's programs as querysets.load_programs() loaded them."""

    def get_attribute(self, instance):
        return linked(instance, "programs")


class FacilityProgramSerializer(ProgramSerializer):
    """A program inside its facility's record: the facility is the record around it."""

    class Meta(ProgramSerializer.Meta):
        list_serializer_class = ProgramsOfFacility
        fields = [
            f for f in ProgramSerializer.Meta.fields if f not in ("facility", "distance_miles")
        ]


class FacilitySerializer(FacilitySummarySerializer):
    programs = FacilityProgramSerializer(many=True, read_only=True)

    class Meta(FacilitySummarySerializer.Meta):
        fields = FACILITY_FIELDS + ["description", "programs"]


RELAXATION_SCHEMA = {
    "type": "object",
    "description": "The same search changed by one thing, and how many programs it finds.",
    "properties": {
        "label": {"type": "string", "example": "Without Evenings (starts 5 pm or later)"},
        "change": {
            "type": "object",
            "description": 'The parameter changed: {"remove": {"time_of_day": "evening"}} '
            "(a value asked left out; a single-valued parameter's whole value) or "
            '{"radius": 25} (the next distance).',
            "properties": {
                "remove": {"type": "object", "additionalProperties": {}},
                "radius": {"type": "integer"},
            },
            "example": {"remove": {"time_of_day": "evening"}},
        },
        "count": {
            "type": "integer",
            "description": f"Programs it finds nearby, up to {RELAXATION_COUNT_LIMIT}.",
        },
        "count_exact": {"type": "boolean", "description": "false: more than `count`."},
        "within_miles": {"type": "integer", "description": "The radius `count` is within."},
        "url": {"type": "string", "format": "uri", "description": "The changed search."},
    },
    "required": ["label", "change", "count", "count_exact", "within_miles", "url"],
}


def relaxation_data(relaxation):
    """A facilities.result_lists.Relaxation as RELAXATION_SCHEMA describes it."""
    return asdict(relaxation)
