"""The search's parameters, one FilterSet for the HTML page and the JSON API.

Each filter is a condition of facilities.querysets (a Q); location, radius and sort are form
fields that `filter_queryset` applies after the questions have narrowed the programs.
"""

import copy
from functools import cache, cached_property, partial
from itertools import islice

import django_filters
from django import forms
from django.conf import settings
from django.db.models import F, Q
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from facilities import geocoding
from facilities.models import Program
from facilities.querysets import (
    ACCEPTING,
    AGES_LISTED,
    age_condition,
    answering,
    days_condition,
    focus_condition,
    format_condition,
    terms_condition,
    times_condition,
    vocabulary_terms,
    weeks_condition,
)
from facilities.result_lists import (
    ONLINE_COUNT_LIMIT,
    RELAXATION_COUNT_LIMIT,
    CountedUpTo,
    NearestFirst,
    Relaxation,
)
from facilities.vocabularies import ALL, ANY, SEARCHED


def miles_text(miles):
    return ngettext("%(miles)s mile", "%(miles)s miles", miles) % {"miles": miles}


RADIUS_CHOICES = [(miles, lazy(miles_text, str)(miles)) for miles in (5, 10, 25, 50, 100)]
DEFAULT_RADIUS = 25
TIME_OF_DAY_CHOICES = [
    ("morning", _("Mornings (starts before noon)")),
    ("afternoon", _("Afternoons (starts noon to 5 pm)")),
    ("evening", _("Evenings (starts 5 pm or later)")),
    ("weekend", _("Weekends")),
]
SORT_CHOICES = [
    ("distance", _("Nearest first")),
    ("name", _("Name")),
    ("verified", _("Most recently verified")),
]
ORDER_BY_NAME = ("facility__name", "facility_id", "name", "pk")
# A search with a place finding fewer programs nearby than this shows the ways out: the
# relaxations, and in the API the nearest programs beyond the radius.
FEW_NEARBY = 3
RELAXATIONS_SHOWN = 3
# The changes counted for one search (in one statement): the next distance, then the first
# values asked. A search asking more is rare, and its first values are as good a way out.
RELAXATIONS_TRIED = 10
# The parameters a program answers by having any one of the values asked (times_condition(), and
# the vocabularies matched by any term): leaving one of several out finds fewer programs.
ANY_OF_VALUES = {name for name, vocabulary in SEARCHED.items() if vocabulary.matches == ANY} | {
    "time_of_day"
}


class SearchForm(forms.Form):
    location = forms.CharField(
        required=False,
        max_length=200,
        label=_("ZIP code, City, ST or address"),
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. 90230 or Culver City, CA"), "autocomplete": "postal-code"}
        ),
    )
    radius = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=250,
        label=_("Within"),
        widget=forms.Select(choices=RADIUS_CHOICES),
        error_messages={
            "min_value": _("Choose a distance from 1 to 250 miles."),
            "max_value": _("Choose a distance from 1 to 250 miles."),
            "invalid": _("Choose a distance from 1 to 250 miles."),
        },
    )
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, label=_("Sort by"))
    include_online = forms.NullBooleanField(required=False, widget=forms.HiddenInput)
    online_page = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"min_value": _("Pages start at 1."), "invalid": _("Pages start at 1.")},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"min_value": _("Pages start at 1."), "invalid": _("Pages start at 1.")},
    )

    def __init__(self, data=None, *args, **kwargs):
        # The radius select shows the default when the URL does not name one.
        if data is not None and not data.get("radius"):
            data = data.copy()
            data["radius"] = DEFAULT_RADIUS
        super().__init__(data, *args, **kwargs)
        self.fields["radius"].initial = DEFAULT_RADIUS
        # A link may ask for a distance the select does not offer (the API takes 1 to 250):
        # the select offers it too, so it shows the distance searched, not another.
        # Read as the field reads it: "²" passes str.isdigit() and int() refuses it.
        radius = self.fields["radius"]
        try:
            miles = radius.to_python(self.data.get("radius"))
        except forms.ValidationError:
            miles = None
        if (
            miles
            and radius.min_value <= miles <= radius.max_value
            and miles not in dict(RADIUS_CHOICES)
        ):
            choices = [*RADIUS_CHOICES, (miles, miles_text(miles))]
            self.fields["radius"].widget.choices = sorted(choices, key=lambda choice: choice[0])

    def clean_location(self):
        text = self.cleaned_data["location"].strip()
        self.cleaned_data["place"] = None
        if text:
            try:
                self.cleaned_data["place"] = geocoding.geocode(text)
            except geocoding.PlaceNotFound as not_found:
                raise forms.ValidationError(str(not_found)) from None
        return text

    def clean_include_online(self):
        # The API's switch; on by default whenever a place is given.
        value = self.cleaned_data.get("include_online")
        return True if value is None else value

    def clean_radius(self):
        return self.cleaned_data["radius"] or DEFAULT_RADIUS

    def clean(self):
        # A value given twice (a hand-made link) is asked once: one chip, one way out.
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, list):
                cleaned[name] = list(dict.fromkeys(value))
        return cleaned


# How a single-valued filter reads as a removable chip above the results.
ASKED_WORDS = {
    "age": lambda age: _("Age %(age)s") % {"age": age},
    "max_days_per_week": lambda days: (
        ngettext("At most %(days)s day a week", "At most %(days)s days a week", days)
        % {"days": days}
    ),
    "max_weeks": lambda weeks: (
        ngettext("At most %(weeks)s week long", "At most %(weeks)s weeks long", weeks)
        % {"weeks": weeks}
    ),
    "accepting": lambda accepting: _("Accepting new clients"),
}


def is_set(value):
    """True for a filter value the visitor gave: 0 is an age, an empty list is nothing."""
    if value is None or value is False or value == "":
        return False
    return isinstance(value, int) or bool(value)


# The condition of each filter that is not a vocabulary's (those are terms_condition()).
CONDITIONS = {
    "max_weeks": weeks_condition,
    "focus": focus_condition,
    "age": age_condition,
    "time_of_day": times_condition,
    "max_days_per_week": days_condition,
    "format": format_condition,
    "accepting": lambda accepting: ACCEPTING if accepting else Q(),
}


class CopiedLightly:
    """A filter whose copy for each FilterSet shares its settings (label, choices, widget)
    with the class's own filter. FilterSet copies every filter deeply for each request, which
    cost a third of a millisecond a search, and nothing changes those settings once the class
    is made. The copy gets its own link to the FilterSet's method (the `method` setter)."""

    def __deepcopy__(self, memo):
        copied = copy.copy(self)
        copied.method = self.method
        return copied


class WholeNumberFilter(CopiedLightly, django_filters.NumberFilter):
    field_class = forms.IntegerField


class ChoicesFilter(CopiedLightly, django_filters.MultipleChoiceFilter):
    pass


class YesFilter(CopiedLightly, django_filters.BooleanFilter):
    pass


def whole_number_filter(label, low, high, method, message):
    messages = {"min_value": message, "max_value": message, "invalid": message}
    return WholeNumberFilter(
        label=label, method=method, min_value=low, max_value=high, error_messages=messages
    )


def vocabulary_choices(model):
    """[(slug, label in the page's language)] of a vocabulary, in display order (the order
    vocabulary_terms() keeps them in)."""
    language = get_language()  # once for the vocabulary, not once a term
    return [(term.slug, term.label_in(language)) for term in vocabulary_terms(model).values()]


class VocabularyField(forms.MultipleChoiceField):
    """Slugs of a vocabulary, checked against its terms held in memory: no query, and no
    QuerySet for each request's copy of the form to copy."""

    def __init__(self, *, vocabulary, **kwargs):
        self.vocabulary = vocabulary
        super().__init__(choices=partial(vocabulary_choices, vocabulary), **kwargs)

    def listed_choices(self):
        """The choices as vocabulary_choices() lists them: read through `choices`, Django
        normalizes the list again each time, and every search page lists ten vocabularies."""
        return vocabulary_choices(self.vocabulary)

    def valid_value(self, value):
        if any(term.slug == value for term in vocabulary_terms(self.vocabulary).values()):
            return True
        fresh = vocabulary_terms(self.vocabulary, fresh=True)  # a term added since
        return any(term.slug == value for term in fresh.values())


class VocabularyFilter(CopiedLightly, django_filters.MultipleChoiceFilter):
    """The slugs of a searched vocabulary (facilities.vocabularies), named by its search
    parameter; the filter's method gets the list of slugs ticked."""

    field_class = VocabularyField

    def __init__(self, parameter):
        self.vocabulary = SEARCHED[parameter]
        super().__init__(
            vocabulary=self.vocabulary.model,
            label=self.vocabulary.label,
            method="by_terms",
            widget=forms.CheckboxSelectMultiple,
        )


def choices_filter(choices, label, method):
    return ChoicesFilter(
        choices=choices,
        label=label,
        method=method,
        widget=forms.CheckboxSelectMultiple,
    )


class ProgramFilter(django_filters.FilterSet):
    # In the order of the questions to ask.
    max_weeks = whole_number_filter(
        _("Lasts at most (weeks)"),
        1,
        104,
        "by_condition",
        _("Enter a number of weeks from 1 to 104."),
    )
    insurance = VocabularyFilter("insurance")
    focus = choices_filter(Program.Focus.choices, _("Focus"), "by_condition")
    condition = VocabularyFilter("condition")
    population = VocabularyFilter("population")
    transition = VocabularyFilter("transition")
    age = whole_number_filter(
        _("Age of the person"), 0, 120, "by_condition", _("Enter an age from 0 to 120.")
    )
    time_of_day = choices_filter(TIME_OF_DAY_CHOICES, _("Time of day"), "by_condition")
    max_days_per_week = whole_number_filter(
        _("At most (days a week)"), 1, 7, "by_condition", _("Enter a number of days from 1 to 7.")
    )
    format = choices_filter(Program.Format.choices, _("Format"), "by_condition")
    philosophy = VocabularyFilter("philosophy")
    modality = VocabularyFilter("modality")
    language = VocabularyFilter("language")
    accepting = YesFilter(
        label=_("Accepting new clients now"),
        method="by_condition",
        widget=forms.CheckboxInput(check_test=lambda value: value in (True, "true", "on")),
    )

    class Meta:
        model = Program
        form = SearchForm
        fields = []

    @classmethod
    @cache
    def search_form_class(cls):
        """The form of the filters' fields, made once: its fields do not depend on a
        request (the vocabularies' choices are read in the page's language as a form
        shows them), and each form copies them for itself."""
        filters = copy.deepcopy(cls.base_filters)
        fields = {name: filter_.field for name, filter_ in filters.items()}
        return type(f"{cls.__name__}Form", (cls._meta.form,), fields)

    def get_form_class(self):
        return self.search_form_class()

    # --- Each filter: a condition a program holds (facilities.querysets) ---------------------

    # by_condition() for the vocabularies, its values typed for the API's schema.
    @extend_schema_field(OpenApiTypes.STR)  # a vocabulary slug
    def by_terms(self, queryset, name, slugs):
        return queryset.filter(self.condition_of(name, slugs))

    def by_condition(self, queryset, name, value):
        return queryset.filter(self.condition_of(name, value))

    @staticmethod
    def condition_of(name, value):
        """The Q a program answering a filter's value holds."""
        if name in SEARCHED:
            return terms_condition(SEARCHED[name], value)
        return CONDITIONS[name](value)

    def conditions_of(self, data=None):
        """[Q] of each filter set in `data` (else the cleaned data), in the filters' order.
        Each value's Q is made once a search: the relaxations ask for every condition again
        for each change, and their statement tells two conditions apart by identity first."""
        data = self.form.cleaned_data if data is None else data
        made = self.conditions_made
        conditions = []
        for name in self.filters:
            value = data.get(name)
            if not is_set(value):
                continue
            key = (name, tuple(value) if isinstance(value, list) else value)
            if key not in made:
                made[key] = self.condition_of(name, value)
            conditions.append(made[key])
        return conditions

    @cached_property
    def conditions_made(self):
        """{(filter name, value): its Q}, for conditions_of()."""
        return {}

    @cached_property
    def matched(self):
        """The FilterSet's programs that answer the questions, wherever they are: filtered
        once, and each list of the page (nearby, online, beyond) starts from it."""
        return self.queryset.filter(*self.conditions_of())

    # --- Place, radius and order ---------------------------------------------------------------

    @property
    def place(self):
        return self.form.cleaned_data.get("place") if self.is_valid() else None

    @property
    def radius(self):
        return self.form.cleaned_data.get("radius", DEFAULT_RADIUS)

    @property
    def sort(self):
        default = "distance" if self.place else "name"
        sort = self.form.cleaned_data.get("sort") or default
        return "name" if sort == "distance" and not self.place else sort

    @property
    def asked(self):
        """The names of the filters the visitor set, to mark their answers as matched."""
        data = self.form.cleaned_data if self.is_valid() else {}
        return {name for name in self.filters if is_set(data.get(name))}

    def asked_labels(self):
        """[(filter name, value, words)] for each value the visitor asked, in the filters'
        order: "Medicaid", "Evenings (starts 5 pm or later)", "Age 16"."""
        data = self.form.cleaned_data if self.is_valid() else {}
        labels = []
        for name in self.filters:
            value = data.get(name)
            if not is_set(value):
                continue
            if isinstance(value, list):
                words = dict(self.form.fields[name].choices)
                labels += [(name, one, words.get(one, one)) for one in value]
            else:
                labels.append((name, value, ASKED_WORDS[name](value)))
        return labels

    def matching(self, queryset):
        """The programs of `queryset` that answer the questions asked, wherever they are
        (the FilterSet's own: `matched`)."""
        return queryset.filter(*self.conditions_of())

    def filter_queryset(self, queryset):
        queryset = self.matching(queryset)
        if self.place:
            queryset = queryset.near(self.place.latitude, self.place.longitude, self.radius)
        if self.sort == "name":
            return queryset.order_by(*ORDER_BY_NAME)
        if self.sort == "verified":
            latest_first = F("facility__last_verified_at").desc(nulls_last=True)
            return queryset.order_by(latest_first, *ORDER_BY_NAME)
        return queryset  # near() already put the nearest first

    @property
    def shows_online_section(self):
        """Online programs for the searcher's state, unless the visitor asked for in person."""
        if not (self.place and self.place.state):
            return False
        return "in_person" not in (self.form.cleaned_data.get("format") or [])

    @property
    def online_first(self):
        formats = self.form.cleaned_data.get("format") or []
        return "telehealth" in formats and "in_person" not in formats

    def rows(self, annotations):
        """The queryset's programs with their facility and `annotations`, untested: what a
        result list reads a page of programs it has counted from, by their ids."""
        return self.queryset.select_related("facility").annotate(**annotations)

    def nearby_results(self, **annotations):
        """The programs for the list, with their facility (and any `annotations`), counted
        up to COUNT_LIMIT; nearest first in widening circles when sorted by distance."""
        rows = self.rows(annotations)
        if self.place and self.sort == "distance":
            place = self.place
            matching = self.matched.select_related("facility").annotate(**annotations)
            return NearestFirst(
                matching, place.latitude, place.longitude, within=self.radius, by_id=rows
            )
        listed = self.filter_queryset(rows)
        if self.place:
            return CountedUpTo(listed)
        # Without a place, the count reads the whole directory until it has enough; from the
        # programs linked to a rare term asked (EMDR, a medication, a language) only those.
        asked = self.asked_links
        return CountedUpTo(listed, counting=listed.linked_to_rare(asked) if asked else None)

    def online_results(self, **annotations):
        """Telehealth and hybrid programs licensed for the searcher's state that are farther
        than the radius, with every other filter applied: nearest first (whoever may ask
        to see the person sometimes), unless sorted by name or verification."""
        if not self.shows_online_section:
            return CountedUpTo(self.queryset.none(), ONLINE_COUNT_LIMIT)
        place = self.place
        matching = self.matched.select_related("facility").annotate(**annotations)
        if self.sort == "distance":
            return NearestFirst(
                matching,
                place.latitude,
                place.longitude,
                beyond=self.radius,
                reach=place.state,
                limit=ONLINE_COUNT_LIMIT,
                by_id=self.rows(annotations),
            )
        farther = matching.reaching_online(place.state).farther_than(
            place.latitude, place.longitude, self.radius
        )
        farther = farther.with_distance(place.latitude, place.longitude)
        if self.sort == "verified":
            latest_first = F("facility__last_verified_at").desc(nulls_last=True)
            farther = farther.order_by(latest_first, *ORDER_BY_NAME)
        else:
            farther = farther.order_by(*ORDER_BY_NAME)
        return CountedUpTo(farther, ONLINE_COUNT_LIMIT)

    def nearest_beyond_radius(self, found=0, limit=5):
        """When too few are within the radius (`found` of them): the nearest programs that
        match, farther out but no farther than settings.NEAREST_BEYOND_MILES. With an age
        asked, those that give their ages come first, then those that give none (ask when
        you call)."""
        if not self.place:
            return []
        programs = self.matched.select_related("facility")
        place, ages_asked = self.place, is_set(self.form.cleaned_data.get("age"))
        anywhere = None  # without a therapy or condition asked, every program is scanned
        for vocabulary, slugs in self.asked_terms:
            anywhere = (anywhere or programs).linked_to_all(vocabulary, slugs)
        counted = next(  # the relaxations' count at the next distance, when they are counted
            (
                (change["radius"], count - found)
                for (_label, change, *_), count in self.changes_counted
                if "radius" in change
            ),
            None,
        )
        return programs.nearest_beyond(
            place.latitude,
            place.longitude,
            self.radius,
            limit,
            within=settings.NEAREST_BEYOND_MILES,
            anywhere=anywhere,
            first=AGES_LISTED if ages_asked else None,
            rare=not found,
            counted=counted,
        )

    # --- Ways out of a search that finds too few -----------------------------------------------

    def relaxations(self, found, path):
        """When a search with a place and a filter finds fewer than FEW_NEARBY programs
        nearby (`found`): the same search changed by one thing that finds more, the
        RELAXATIONS_SHOWN finding the most (the nearest distance first among equals), each
        counted up to RELAXATION_COUNT_LIMIT, its URL at `path`."""
        if not self.place or found >= FEW_NEARBY or not self.asked:
            return []
        offered = []
        for (label, change, _data, radius, query), count in self.changes_counted:
            if count > found:
                shown, exact = min(count, RELAXATION_COUNT_LIMIT), count <= RELAXATION_COUNT_LIMIT
                relaxation = Relaxation(label, change, shown, exact, radius, f"{path}?{query}")
                offered.append((count, relaxation))
        offered.sort(key=lambda pair: -pair[0])  # stable: equals keep the order tried
        return [relaxation for _, relaxation in offered[:RELAXATIONS_SHOWN]]

    @cached_property
    def changes_counted(self):
        """[(change, how many programs it finds nearby)] for the first RELAXATIONS_TRIED of
        changes(), counted in one statement; [] without a place or a filter asked. Read by
        relaxations() and, for the next distance's count, by nearest_beyond_radius()."""
        if not self.place or not self.asked:
            return []
        changes = list(islice(self.changes(), RELAXATIONS_TRIED))
        counts = self.queryset.counts_within(
            self.place.latitude,
            self.place.longitude,
            [(self.conditions_of(data), radius) for _, _, data, radius, _ in changes],
        )
        return list(zip(changes, counts, strict=True))

    def changes(self):
        """(label, change, cleaned data, radius, query string) of each way to change the
        search by one thing: the next distance offered, then each value asked left out (a
        single-valued filter's whole value), in the filters' order; not one of several values
        any of which will do (ANY_OF_VALUES), which finds fewer. Never the age: it is the
        person's, and leaving it out would offer adults' programs to an adolescent."""
        data = self.form.cleaned_data
        wider = [miles for miles, _ in RADIUS_CHOICES if miles > self.radius][:1]
        for miles in wider:
            label = ngettext("Within %(miles)s mile", "Within %(miles)s miles", miles)
            query = self.changed_query("radius", [str(miles)])
            yield label % {"miles": miles}, {"radius": miles}, data, miles, query
        for name in self.filters:
            value = data.get(name)
            if name == "age" or not is_set(value):
                continue
            if not isinstance(value, list):
                query = self.changed_query(name, [])
                label = self.removal_label(name, value)
                yield label, {"remove": {name: value}}, data | {name: None}, self.radius, query
                continue
            if len(value) > 1 and name in ANY_OF_VALUES:
                continue  # leaving one out of "any of these" finds fewer, never more
            for one in value:
                kept = [other for other in value if other != one]
                query = self.changed_query(name, kept)
                label = self.removal_label(name, one)
                yield label, {"remove": {name: one}}, data | {name: kept}, self.radius, query

    def changed_query(self, name, values):
        """The search's query string with these values for a parameter, from its first page."""
        query = self.data.copy()
        for page in ("page", "online_page"):
            query.pop(page, None)
        query.setlist(name, values)
        return query.urlencode()

    def removal_label(self, name, value):
        """The words for leaving out a value asked: "Without Medicaid"."""
        if name == "max_weeks":
            words = ngettext(
                "Without the limit of %(count)s week", "Without the limit of %(count)s weeks", value
            )
            return words % {"count": value}
        if name == "max_days_per_week":
            words = ngettext(
                "Without the limit of %(count)s day a week",
                "Without the limit of %(count)s days a week",
                value,
            )
            return words % {"count": value}
        if name == "accepting":
            return gettext("Including programs not taking new clients now")
        labels = dict(self.form.fields[name].choices)  # as asked_labels() reads them
        return gettext("Without %(value)s") % {"value": labels.get(value, value)}

    @property
    def asked_links(self):
        """[(vocabulary, slugs)]: each a link to one of the slugs that the programs (or their
        facilities, for a facility's vocabulary) must have: one for each condition,
        population, therapy, philosophy and support asked (all are wanted), one for the
        insurance and one for the languages (any of them will do)."""
        data = self.form.cleaned_data
        asked = []
        programs_first = sorted(SEARCHED.items(), key=lambda item: item[1].of_facility)
        for parameter, vocabulary in programs_first:
            slugs = data.get(parameter)
            if not slugs:
                continue
            if vocabulary.matches == ALL:
                asked += [(vocabulary, [slug]) for slug in slugs]
            else:
                asked.append((vocabulary, answering(vocabulary, slugs)))
        return asked

    @property
    def asked_terms(self):
        """[(vocabulary, the slugs asked)] of the program's vocabularies each of whose terms
        asked is wanted: the conditions, populations, therapies, philosophies and supports."""
        data = self.form.cleaned_data
        return [
            (vocabulary, data[parameter])
            for parameter, vocabulary in SEARCHED.items()
            if vocabulary.matches == ALL and not vocabulary.of_facility and data.get(parameter)
        ]
