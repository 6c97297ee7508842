import re
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Case, Exists, Min, OuterRef, Q, Subquery, Value, When
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from facilities import phones
from facilities.answers import QUESTIONS, answers_for
from facilities.querysets import FacilityQuerySet, ProgramQuerySet
from facilities.schedule import iop_minimum_hours, schedule_facts
from facilities.states import state_codes, validate_state_codes
from facilities.vocabularies import relations_of
from facilities.zip_codes import check_zip_code

# --- Vocabularies -----------------------------------------------------------------------------
# Their rows ship in fixtures/vocabularies.json and arrive with `migrate`.


class VocabularyTerm(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=120)
    explanation = models.TextField(help_text="One plain-language sentence shown to families.")
    label_es = models.CharField("label in Spanish", max_length=120, blank=True)
    explanation_es = models.TextField("explanation in Spanish", blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Display order.")

    class Meta:
        abstract = True
        ordering = ["position", "label"]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self):
        """The label in the page's language (English when no translation is given)."""
        return self.in_language("label")

    @property
    def display_explanation(self):
        return self.in_language("explanation")

    def in_language(self, field):
        if get_language() == "es":
            return getattr(self, f"{field}_es") or getattr(self, field)
        return getattr(self, field)

    def label_in(self, language):
        """display_label for a language the caller already knows."""
        return (self.label_es or self.label) if language == "es" else self.label


class PaymentOption(VocabularyTerm):
    is_private_carrier = models.BooleanField(
        default=False,
        help_text="A named private insurer: a facility that takes it also matches "
        "a search for any private insurance.",
    )


class Condition(VocabularyTerm):
    pass


class Population(VocabularyTerm):
    pass


class Modality(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name_plural = "modalities"


class Philosophy(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = "philosophy tag"


class TransitionSupport(VocabularyTerm):
    pass


class Language(VocabularyTerm):
    pass


class Accreditation(VocabularyTerm):
    pass


# --- The directory ----------------------------------------------------------------------------


class NullsLastIndex(models.Index):
    """An index whose descending columns keep NULLs last on every database, as `ORDER BY
    ... DESC NULLS LAST` reads them: SQLite's descending order does so already (and takes no
    NULLS in an index); PostgreSQL's puts them first unless told."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        index = self
        if schema_editor.connection.vendor == "postgresql":
            index = self.clone()
            index.fields_orders = [
                (name, "DESC NULLS LAST" if order == "DESC" else order)
                for name, order in self.fields_orders
            ]
        return super(NullsLastIndex, index).create_sql(model, schema_editor, using, **kwargs)


PHONE_HELP = "Any usual form, e.g. (323) 555-0199 x12; kept as +13235550199;ext=12."
PHONE_FIELDS = ("phone", "intake_phone")


class VerificationMethod(models.TextChoices):
    PHONE_CALL = "phone", "Phone call"
    WEBSITE = "website", "The facility's website"
    FACILITY = "facility", "The facility itself (email, visit, form)"
    IMPORT = "import", "An import"


# How a listing was verified, as its public page says it.
VERIFIED_THROUGH = {
    VerificationMethod.PHONE_CALL: gettext_lazy("by a phone call"),
    VerificationMethod.WEBSITE: gettext_lazy("on the facility's website"),
    VerificationMethod.FACILITY: gettext_lazy("with the facility itself"),
    VerificationMethod.IMPORT: gettext_lazy("from an imported file"),
}


class Facility(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"
        ARCHIVED = "archived"

    class FacilityType(models.TextChoices):
        SUBSTANCE_USE = "substance_use", gettext_lazy("Substance use")
        MENTAL_HEALTH = "mental_health", gettext_lazy("Mental health")
        BOTH = "both", gettext_lazy("Substance use and mental health")

    class GeocodePrecision(models.TextChoices):
        ADDRESS = "address"
        ZIP = "zip", "ZIP code centre"
        CITY = "city", "City centre"
        MANUAL = "manual", "Set by hand"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, help_text="Two-letter postal code, e.g. CA.")
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    geocode_precision = models.CharField(
        max_length=10, choices=GeocodePrecision.choices, blank=True
    )
    phone = models.CharField(max_length=phones.MAX_STORED_LENGTH, blank=True, help_text=PHONE_HELP)
    intake_phone = models.CharField(
        max_length=phones.MAX_STORED_LENGTH, blank=True, help_text=PHONE_HELP
    )
    website = models.URLField(
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="An http:// or https:// address.",
    )
    description = models.TextField(blank=True)
    facility_type = models.CharField(
        max_length=20, choices=FacilityType.choices, default=FacilityType.BOTH
    )
    payment_options = models.ManyToManyField(PaymentOption, blank=True)
    languages = models.ManyToManyField(Language, blank=True)
    accreditations = models.ManyToManyField(Accreditation, blank=True)
    wheelchair_accessible = models.BooleanField(null=True, blank=True)
    source = models.CharField(
        max_length=100,
        default="manual",
        help_text="manual, import:<name> or suggestion.",
    )
    external_id = models.CharField(
        max_length=100, blank=True, help_text="The id in the source, e.g. SAMHSA's frid."
    )
    last_verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verification_method = models.CharField(
        "verified through",
        max_length=10,
        choices=VerificationMethod.choices,
        blank=True,
    )
    needs_review = models.BooleanField(
        default=False,
        help_text="Set when a stored contact value could not be read (e.g. a phone number "
        "that does not parse); cleared when the listing is saved with valid contact data.",
    )
    # The least complete program's count of questions answered (see refresh_questions_answered);
    # None for a facility without programs.
    questions_answered = models.PositiveSmallIntegerField(null=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        m2m_fields=relations_of("Facility"),
        excluded_fields=["questions_answered"],  # derived, rewritten without a save
    )

    objects = FacilityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "facilities"
        ordering = ["name"]
        indexes = [
            # A box of facilities, told published or not without reading the table. The
            # site's search reads its programs' own points (Program.Meta) since 0017; the
            # benchmarks' raw floor (bench/workload.py) still reads this one.
            models.Index(fields=["latitude", "longitude", "status"]),
            models.Index(fields=["status", "state"]),
            models.Index(fields=["source", "status"]),  # the demo notice asks on every page
            # A search with no place lists programs by facility name: read in this index's
            # order, a page stops after twenty rows rather than sorting the whole directory.
            models.Index(fields=["status", "name"]),
            # Sorted by verification, the same: the most recently verified first, never
            # verified last, then by name (ProgramFilter.filter_queryset's order).
            NullsLastIndex(fields=["status", "-last_verified_at", "name", "id"]),
            # The admin's "questions answered" filter.
            models.Index(fields=["questions_answered"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="facility_unique_external_id_per_source",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.city}, {self.state})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reversed_with("facility_detail", self.slug)

    def clean(self):
        """Contact data checked wherever a listing is edited (admin, corrections): phone
        numbers parsed and kept in E.164, the ZIP code found in the listing's state."""
        errors = {}
        for name in PHONE_FIELDS:
            try:
                setattr(self, name, phones.normalize(getattr(self, name)))
            except ValidationError as error:
                errors[name] = error
        if self.zip_code:
            try:
                check_zip_code(self.zip_code, self.state)
            except ValidationError as error:
                errors["zip_code"] = error
        if errors:
            raise ValidationError(errors)
        self.needs_review = False

    def mark_verified(self, curator, method, when=None):
        """Record that a curator checked the listing, when and how, in its history too."""
        self.last_verified_at = when or timezone.now()
        self.verified_by, self.verification_method = curator, method
        self._change_reason = f"Marked verified: {VerificationMethod(method).label}"
        self._history_user = curator
        self.save(
            update_fields=["last_verified_at", "verified_by", "verification_method", "updated_at"]
        )

    @property
    def verification_note(self):
        """Who verified the listing and how, for its public page: "Checked by Dana Reyes by
        a phone call." Empty when it was never verified."""
        if self.last_verified_at is None:
            return ""
        through = VERIFIED_THROUGH.get(self.verification_method, "")
        curator = self.verified_by and (
            self.verified_by.get_full_name() or self.verified_by.get_username()
        )
        if curator and through:
            return _("Checked by %(curator)s %(through)s.") % {
                "curator": curator,
                "through": through,
            }
        if curator:
            return _("Checked by %(curator)s.") % {"curator": curator}
        if through:
            return _("Checked %(through)s.") % {"through": through}
        return ""

    def unique_slug(self):
        base = slugify(f"{self.name} {self.city}")[:200] or "facility"
        slug, n = base, 2
        while Facility.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    @property
    def source_description(self):
        """Where the listing's data came from, in plain words."""
        if self.source == "manual":
            return _("Entered by IOP Finder curators")
        if self.source == "suggestion":
            return _("Suggested by the public and reviewed by a curator")
        if self.source == "import:demo":
            return _("Fictional demo data")
        if self.source == "import:findtreatment":
            return _("SAMHSA's treatment locator (FindTreatment.gov)")
        return _("Imported from %(source)s") % {"source": self.source.removeprefix("import:")}

    @property
    def address_line(self):
        place = f"{self.city}, {self.state} {self.zip_code}".strip()
        return f"{self.street}, {place}" if self.street else place


def reversed_with(view_name, argument):
    """reverse(view_name, args=[argument]) for a slug or an id, the address around it
    reversed once per language rather than once per result row; the argument quoted as
    reverse() quotes it."""
    head, tail = address_around(view_name, get_language(), get_script_prefix(), get_urlconf())
    return f"{head}{quote(str(argument), safe=RFC3986_SUBDELIMS + '/~:@')}{tail}"


@lru_cache(maxsize=64)
def address_around(view_name, language, script_prefix, urlconf):
    return reverse(view_name, args=[PLACEHOLDER]).split(str(PLACEHOLDER))


PLACEHOLDER = 987654321  # a slug or an id: no address holds it otherwise
ONLINE_FORMATS = ("telehealth", "hybrid")
# The columns of a program the search's filters test, indexed after its point and after its
# facility (Program.Meta), so a program that fails them is passed over in the index.
SEARCHED_COLUMNS = (
    "format",
    "offers_morning",
    "offers_afternoon",
    "offers_evening",
    "offers_weekend",
    "age_min",
    "age_max",
    "accepting_new_clients",
    "days_per_week",
    "duration_weeks_min",
    "duration_weeks_max",
    "focus",
)


def online_states(program_format, serves_states, facility_state):
    """The states whose residents an online program may treat: those it lists, else its
    facility's own; none for an in-person program."""
    if program_format not in ONLINE_FORMATS:
        return []
    return state_codes(serves_states) or ([facility_state] if facility_state else [])


class Program(models.Model):
    class LevelOfCare(models.TextChoices):
        IOP = "iop", gettext_lazy("Intensive outpatient (IOP, ASAM 2.1)")
        PHP = "php", gettext_lazy("Partial hospitalization (PHP, ASAM 2.5)")
        OP = "op", gettext_lazy("Outpatient (OP, ASAM 1)")

    class Focus(models.TextChoices):
        SUBSTANCE_USE = "substance_use", gettext_lazy("Substance use")
        MENTAL_HEALTH = "mental_health", gettext_lazy("Mental health")
        CO_OCCURRING = "co_occurring", gettext_lazy("Co-occurring substance use and mental health")
        EATING_DISORDERS = "eating_disorders", gettext_lazy("Eating disorders")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", gettext_lazy("In person")
        TELEHEALTH = "telehealth", gettext_lazy("Telehealth (online)")
        HYBRID = "hybrid", gettext_lazy("Hybrid (in person and online)")

    # Indexed first in program_search_columns (Meta), which its own index would hide from
    # SQLite's planner: both find a facility's programs, and it takes the narrower.
    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="programs", db_index=False
    )
    name = models.CharField(max_length=200)
    level_of_care = models.CharField(
        max_length=3, choices=LevelOfCare.choices, default=LevelOfCare.IOP
    )
    focus = models.CharField(max_length=20, choices=Focus.choices)
    age_min = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Years.")
    age_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Years; blank for no upper bound."
    )
    duration_weeks_min = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_weeks_max = models.PositiveSmallIntegerField(null=True, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    conditions = models.ManyToManyField(Condition, blank=True)
    populations = models.ManyToManyField(Population, blank=True)
    modalities = models.ManyToManyField(Modality, blank=True)
    philosophy = models.ManyToManyField(Philosophy, blank=True)
    philosophy_statement = models.TextField(blank=True)
    transition_supports = models.ManyToManyField(TransitionSupport, blank=True)
    accepting_new_clients = models.BooleanField(null=True, blank=True)
    description = models.TextField(blank=True)
    serves_states = models.CharField(
        "states served online",
        max_length=200,
        blank=True,
        validators=[validate_state_codes],
        help_text="For telehealth and hybrid programs: the states its clinicians are licensed "
        "to treat in, as two-letter codes separated by spaces (e.g. CA NV AZ). Left blank, "
        "an online program serves only its facility's state.",
    )

    # Derived from sessions by facilities.schedule; stored so the search can filter on them.
    days_per_week = models.PositiveSmallIntegerField(default=0, editable=False)
    hours_per_week = models.FloatField(default=0, editable=False)
    offers_morning = models.BooleanField(default=False, editable=False)
    offers_afternoon = models.BooleanField(default=False, editable=False)
    offers_evening = models.BooleanField(default=False, editable=False)
    offers_weekend = models.BooleanField(default=False, editable=False)
    # How many of the questions to ask it answers, as answered_count counts them; kept by
    # refresh_questions_answered so the admin's filter reads a column, not every program.
    questions_answered = models.PositiveSmallIntegerField(default=0, editable=False)
    # The facility's point, copied by refresh_program_places(): a search's circle finds its
    # programs in the index of their own point and columns (Meta), not facility by facility.
    latitude = models.FloatField(null=True, editable=False)
    longitude = models.FloatField(null=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        m2m_fields=relations_of("Program"),
        # derived, rewritten without a save
        excluded_fields=["questions_answered", "latitude", "longitude"],
    )

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["facility__name", "name"]
        indexes = [
            # Online reach starts from the telehealth and hybrid programs.
            models.Index(fields=["format"]),
            models.Index(fields=["questions_answered"]),
            # A search in a circle reads the programs in its box from this index and tests
            # the columns the filters ask of a program there: one that fails them is passed
            # over without its row (descriptions and all) or its facility being read. In the
            # circle of 100 miles around Corona, CA at 25,000 facilities (4,600 programs),
            # the five nearest taking Tricare with evening sessions for a 17-year-old took
            # 1.3 ms on SQLite and 2.5 on PostgreSQL, against 5.1 and 10.7 when the box was
            # the facilities' and each one's programs were read through the index below.
            models.Index(
                fields=["latitude", "longitude", *SEARCHED_COLUMNS], name="program_point_search"
            ),
            # A facility's programs, with the same columns: a search without a place tests
            # them there.
            models.Index(fields=["facility", *SEARCHED_COLUMNS], name="program_search_columns"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_max__isnull=True)
                | models.Q(age_min__isnull=True)
                | models.Q(age_max__gte=models.F("age_min")),
                name="program_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_weeks_max__isnull=True)
                | models.Q(duration_weeks_min__isnull=True)
                | models.Q(duration_weeks_max__gte=models.F("duration_weeks_min")),
                name="program_duration_range_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.name} at {self.facility.name}"

    def save(self, *args, **kwargs):
        self.serves_states = " ".join(state_codes(self.serves_states))
        super().save(*args, **kwargs)

    def schedule_facts(self):
        return schedule_facts(self.sessions.all())

    def refresh_schedule_facts(self):
        """Recompute the stored schedule facts from the sessions and save them."""
        facts = self.schedule_facts()
        values = {
            "days_per_week": facts.days_per_week,
            "hours_per_week": facts.hours_per_week,
            "offers_morning": facts.morning,
            "offers_afternoon": facts.afternoon,
            "offers_evening": facts.evening,
            "offers_weekend": facts.weekend,
        }
        for field, value in values.items():
            setattr(self, field, value)
        # update() rather than save(): no history row, no recursion, and harmless when the
        # program itself is being deleted along with its sessions.
        Program.objects.filter(pk=self.pk).update(**values)

    @property
    def time_of_day(self):
        buckets = {
            "morning": self.offers_morning,
            "afternoon": self.offers_afternoon,
            "evening": self.offers_evening,
            "weekend": self.offers_weekend,
        }
        return [bucket for bucket, offered in buckets.items() if offered]

    @property
    def is_online(self):
        return self.format in ONLINE_FORMATS

    @property
    def online_states(self):
        """The states an online program may serve: those listed, else its facility's."""
        return online_states(self.format, self.serves_states, self.facility.state)

    @property
    def answered_count(self):
        """How many of the questions to ask the listing answers (facilities.answers); load
        programs with querysets.load_answers() to count many without a query each."""
        return sum(answer.known for answer in answers_for(self))

    @property
    def iop_minimum_hours(self):
        return iop_minimum_hours(self.age_max)

    @property
    def below_iop_minimum(self):
        """True when the sessions add up to fewer weekly hours than ASAM 2.1 asks for."""
        return (
            self.level_of_care == self.LevelOfCare.IOP
            and self.days_per_week > 0
            and self.hours_per_week < self.iop_minimum_hours
        )


class OnlineReach(models.Model):
    """One state an online program may treat people in (Program.online_states), a row a
    state, so the search finds a state's online programs through an index rather than by
    reading every program's list. Derived data: refresh_program_places() rewrites it."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="online_reach")
    state = models.CharField(max_length=2)
    # The facility's point, copied so the index finds a state's online programs near a place.
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["state", "program"], name="online_reach_once")
        ]
        indexes = [models.Index(fields=["state", "latitude", "longitude"])]

    def __str__(self):
        return f"{self.program_id} reaches {self.state}"


def refresh_program_places(programs):
    """Rewrite what the programs (a queryset) derive from where their facility is: their copy
    of its point, and the states they reach online (OnlineReach). Called whenever a program
    or its facility is saved, and after bulk writes."""
    facility = Facility.objects.filter(pk=OuterRef("facility_id"))
    programs.update(
        latitude=Subquery(facility.values("latitude")),
        longitude=Subquery(facility.values("longitude")),
    )
    refresh_online_reach(programs)


def refresh_online_reach(programs):
    """Rewrite the OnlineReach rows of the programs (a queryset) from what they say now."""
    rows = [
        OnlineReach(program_id=pk, state=state, latitude=latitude, longitude=longitude)
        for pk, program_format, serves, facility_state, latitude, longitude in (
            programs.values_list(
                "pk",
                "format",
                "serves_states",
                "facility__state",
                "facility__latitude",
                "facility__longitude",
            )
        )
        for state in online_states(program_format, serves, facility_state)
    ]
    OnlineReach.objects.filter(program__in=programs.values("pk")).delete()
    OnlineReach.objects.bulk_create(rows, batch_size=500)


class Session(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(help_text="Local time at the facility.")
    end_time = models.TimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="session_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def weekday_name(self):
        """The weekday as the API and the import files spell it: 'monday'."""
        return self.Weekday(self.weekday).name.lower()


# --- Completeness: how many of the questions to ask a listing answers ---------------------------


def answered_questions(program_model):
    """An SQL expression counting the questions a program answers, as answers_for() reads
    them (tests hold the two together). Takes the Program model so migrations can use it."""
    facility_model = program_model._meta.get_field("facility").related_model

    def linked(model, name, owner):
        through = model._meta.get_field(name).remote_field.through
        return Exists(through.objects.filter(**{f"{model._meta.model_name}_id": OuterRef(owner)}))

    def term(name):
        return linked(program_model, name, "pk")

    sessions = program_model._meta.get_field("sessions").related_model
    answered = [
        Q(duration_weeks_min__gt=0) | Q(duration_weeks_max__gt=0),
        linked(facility_model, "payment_options", "facility_id"),
        term("conditions") | term("populations"),
        term("transition_supports"),
        Q(age_min__isnull=False) | Q(age_max__isnull=False),
        Exists(sessions.objects.filter(program=OuterRef("pk"))),
        ~Q(philosophy_statement="") | term("philosophy"),
        term("modalities"),
    ]
    assert len(answered) == len(QUESTIONS)
    total = Value(0)
    for condition in answered:
        total += Case(When(condition, then=Value(1)), default=Value(0))
    return total


def refresh_questions_answered(facilities, program_model=None, facility_model=None):
    """Store the count of questions answered on the facilities' programs, and on each of the
    facilities its least complete program's (None without programs). `facilities` is a
    queryset of facilities or of their ids."""
    program_model = program_model or Program
    facility_model = facility_model or Facility
    programs = program_model.objects.filter(facility__in=facilities)
    programs.update(questions_answered=answered_questions(program_model))
    least = (
        program_model.objects.filter(facility=OuterRef("pk"))
        .order_by()
        .values("facility")
        .annotate(least=Min("questions_answered"))
        .values("least")
    )
    facility_model.objects.filter(pk__in=facilities).update(questions_answered=Subquery(least))


# The links an answer reads: {through model: its owner}, for the signals that recount.
ANSWER_LINKS = {
    Facility.payment_options.through: Facility,
    **{getattr(Program, name).through: Program for name in relations_of("Program")},
}
INCOMPLETE = Q(questions_answered__lt=len(QUESTIONS))
INCOMPLETE_FACILITY = INCOMPLETE | Q(questions_answered__isnull=True)


class Correction(models.Model):
    """A visitor's suggestion about a facility; it changes nothing until a curator accepts it."""

    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        REJECTED = "rejected"

    class Field(models.TextChoices):
        NAME = "name", gettext_lazy("Name")
        STREET = "street", gettext_lazy("Street address")
        PHONE = "phone", gettext_lazy("Phone number")
        INTAKE_PHONE = "intake_phone", gettext_lazy("Intake phone number")
        WEBSITE = "website", gettext_lazy("Website")
        DESCRIPTION = "description", gettext_lazy("Description")
        OTHER = "other", gettext_lazy("Something else (programs, schedule, insurance…)")

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField("what is wrong", max_length=20, choices=Field.choices)
    suggested_value = models.TextField("what it should say", max_length=2000)
    contact_email = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    applied_value = models.TextField(
        blank=True, help_text="What the listing was given on acceptance, as the curator left it."
    )

    # Fields whose suggested text can replace the listing's as it stands.
    APPLICABLE_FIELDS = {"name", "street", "phone", "intake_phone", "website", "description"}

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_field_display()} of {self.facility.name}"

    @property
    def applicable(self):
        return self.field in self.APPLICABLE_FIELDS

    @property
    def current_value(self):
        """What the listing says now in the suggested field."""
        return getattr(self.facility, self.field) if self.applicable else ""

    @property
    def proposed_value(self):
        """The value to apply, read out of the visitor's words where it can be: the phone
        number in "new # is 323-555-0199", the address in "it moved to www.example.org"."""
        text = self.suggested_value.strip()
        if self.field in PHONE_FIELDS:
            return phones.find(text) or text
        if self.field == "website":
            return web_address_in(text) or text
        return text

    def accept(self, curator, value=None):
        """Apply the suggestion (or the curator's edit of it) to the listing, recording the
        curator in its history.

        The listing's full validation runs first: an invalid value raises ValidationError
        (keyed by the facility's field) and nothing is stored. A suggestion about something
        else ("other") is marked accepted for the curator to apply by hand.
        """
        facility = self.facility
        if self.applicable:
            value = (self.proposed_value if value is None else value).strip()
            setattr(facility, self.field, value)
            facility.full_clean(exclude=["slug"])
            facility._change_reason = f"Accepted correction #{self.pk}"
            facility._history_user = curator
            facility.save()
            self.applied_value = getattr(facility, self.field)
        self.review(self.Status.ACCEPTED, curator)

    def reject(self, curator):
        self.review(self.Status.REJECTED, curator)

    def review(self, status, curator):
        self.status = status
        self.reviewed_by = curator
        self.reviewed_at = timezone.now()
        self.save(update_fields=["status", "reviewed_by", "reviewed_at", "applied_value"])


# A bare address ("harborlight.org") ends in a lowercase name: "Dr.Smith closed it" names none.
WEB_ADDRESS_IN_TEXT = re.compile(
    r"((?i:https?://)\S+|(?i:www\.)\S+|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b(?:/\S*)?)"
)


def web_address_in(text):
    """The first web address in free text, with https:// when it was left out; "" if none."""
    match = WEB_ADDRESS_IN_TEXT.search(text)
    if match is None:
        return ""
    address = match.group(0).rstrip(".,;:!?)")
    return address if "://" in address else f"https://{address}"
