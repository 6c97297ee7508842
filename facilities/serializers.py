"""The shape of a program and a facility in the API; the CSV and JSON files use the same names."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from facilities.answers import answer_words, answers_for
from facilities.models import Facility, Program, Session
from facilities.querysets import linked


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
    "payment_options",
    "languages",
    "accreditations",
    "wheelchair_accessible",
    "last_verified_at",
    "url",
]


class FacilitySummarySerializer(serializers.ModelSerializer):
    payment_options = TermsField()
    languages = TermsField()
    accreditations = TermsField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Facility
        fields = FACILITY_FIELDS

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, facility):
        request = self.context.get("request")
        path = facility.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class ProgramSerializer(serializers.ModelSerializer):
    """A program with everything needed to answer the questions without another request."""

    distance_miles = serializers.SerializerMethodField()
    reach = serializers.SerializerMethodField()
    serves_states = serializers.ListField(
        source="online_states", child=serializers.CharField(), read_only=True
    )
    schedule = serializers.SerializerMethodField()
    time_of_day = serializers.ListField(child=serializers.CharField(), read_only=True)
    modalities = TermsField()
    conditions = TermsField()
    populations = TermsField()
    philosophy = TermsField()
    transition_supports = TermsField()
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
            "modalities",
            "conditions",
            "populations",
            "philosophy",
            "philosophy_statement",
            "transition_supports",
            "accepting_new_clients",
            "description",
            "answers",
            "facility",
        ]

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
        return [
            {
                "question": answer.question.key,
                "text": str(answer.question.text),
                "answer": answer_words(answer),
                "notes": [str(note) for note in answer.notes],
            }
            for answer in answers_for(program, self.context.get("asked", ()))
        ]


class FacilityProgramSerializer(ProgramSerializer):
    """A program inside its facility's record: the facility is the record around it."""

    class Meta(ProgramSerializer.Meta):
        fields = [
            f for f in ProgramSerializer.Meta.fields if f not in ("facility", "distance_miles")
        ]


class FacilitySerializer(FacilitySummarySerializer):
    programs = FacilityProgramSerializer(many=True, read_only=True)

    class Meta(FacilitySummarySerializer.Meta):
        fields = FACILITY_FIELDS + ["description", "programs"]
