"""The questions to ask before choosing a program, answered from its listing.

Results, program pages, comparisons and referral sheets all show these answers, in this
order; a question without data reads "Not listed — ask when you call".
"""

from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from facilities.querysets import linked
from facilities.vocabularies import SEARCHED

NOT_LISTED = gettext_lazy("Not listed — ask when you call")
TIME_OF_DAY_WORDS = {
    "morning": pgettext_lazy("time of day", "morning"),
    "afternoon": pgettext_lazy("time of day", "afternoon"),
    "evening": pgettext_lazy("time of day", "evening"),
    "weekend": pgettext_lazy("time of day", "weekend"),
}


@dataclass(frozen=True)
class Question:
    key: str
    text: str  # lazy: read in the language of the page that shows it
    filters: frozenset  # the search filters that ask it


QUESTIONS = [
    Question("duration", gettext_lazy("How long does the program last?"), frozenset({"max_weeks"})),
    Question("insurance", gettext_lazy("Does it accept my insurance?"), frozenset({"insurance"})),
    Question(
        "experience",
        gettext_lazy("Does it have experience with issues like mine?"),
        frozenset({"condition", "population", "focus"}),
    ),
    Question(
        "transition", gettext_lazy("What support is there when I leave?"), frozenset({"transition"})
    ),
    Question("age", gettext_lazy("Does it serve my age?"), frozenset({"age"})),
    Question(
        "schedule",
        gettext_lazy("What is the weekly schedule?"),
        frozenset({"time_of_day", "max_days_per_week", "format"}),
    ),
    Question(
        "philosophy", gettext_lazy("What is the treatment philosophy?"), frozenset({"philosophy"})
    ),
    Question(
        "modalities", gettext_lazy("Which therapy modalities are offered?"), frozenset({"modality"})
    ),
]


@dataclass
class Answer:
    question: Question
    text: str = ""  # the answer in a sentence; empty when not listed
    terms: list = field(default_factory=list)  # vocabulary terms, each with its explanation
    notes: list = field(default_factory=list)  # plain warnings, e.g. fewer hours than IOP
    matched: bool = False  # the visitor asked this question and the program answers it

    @property
    def known(self):
        return bool(self.text or self.terms)

    def labels_in(self, language):
        """The terms' labels in a line, in a language the caller has looked up once."""
        return ", ".join(term.label_in(language) for term in self.terms)


# A results page writes some 240 answers, from few distinct values (lengths, ages, a few
# common weekly schedules): each text is worked out once per language, then looked up.


def duration_text(low, high):
    return duration_words(get_language(), low, high)


@lru_cache(maxsize=1024)
def duration_words(language, low, high):
    if low and high:
        if low == high:
            return ngettext("About %(weeks)s week", "About %(weeks)s weeks", low) % {"weeks": low}
        return _("%(low)s to %(high)s weeks") % {"low": low, "high": high}
    if high:
        return ngettext("Up to %(weeks)s week", "Up to %(weeks)s weeks", high) % {"weeks": high}
    if low:
        return ngettext("At least %(weeks)s week", "At least %(weeks)s weeks", low) % {"weeks": low}
    return ""


def age_text(low, high):
    return age_words(get_language(), low, high)


@lru_cache(maxsize=1024)
def age_words(language, low, high):
    if low is not None and high is not None:
        return _("Ages %(low)s to %(high)s") % {"low": low, "high": high}
    if low is not None:
        return _("Ages %(low)s and older") % {"low": low}
    if high is not None:
        return _("Up to age %(high)s") % {"high": high}
    return ""


def clock(moment):
    """6 pm, 6:30 pm: the 12-hour clock families in the US read, in the page's language."""
    hour = moment.hour % 12 or 12
    time = f"{hour}:{moment.minute:02d}" if moment.minute else f"{hour}"
    if moment.hour < 12:
        return pgettext("clock", "%(time)s am") % {"time": time}
    return pgettext("clock", "%(time)s pm") % {"time": time}


@lru_cache(maxsize=4096)
def session_words(language, weekday, start, end):
    """ "Mon 6 pm–9 pm" in the language: a results page writes some 80 of them, and most
    programs meet at a few common times, so each is worked out once."""
    day = WEEKDAYS_ABBR[weekday]  # Django's own "Mon", "lun"…; Monday is 0 in both
    return f"{day} {clock(start)}–{clock(end)}"


def plural_number(number):
    """The count ngettext chooses a form by: fractions (1.5 hours) read as plural in English
    and Spanish alike, and gettext wants a whole number."""
    return int(number) if float(number).is_integer() else 2


def days_a_week(days):
    return ngettext("%(count)s day a week", "%(count)s days a week", days) % {"count": days}


def hours_a_week(hours):
    return ngettext("%(count)s hour a week", "%(count)s hours a week", plural_number(hours)) % {
        "count": f"{hours:g}"
    }


def schedule_answer(program, answer):
    sessions = linked(program, "sessions")
    answer.text, notes = schedule_words(
        get_language(),
        program.format,
        tuple((s.weekday, s.start_time, s.end_time) for s in sessions),
        program.days_per_week,
        program.hours_per_week,
        tuple(program.time_of_day),
        program.below_iop_minimum,
        program.iop_minimum_hours,
    )
    answer.notes.extend(notes)


@lru_cache(maxsize=4096)
def schedule_words(language, format_, sessions, days, hours, buckets, below_minimum, minimum):
    """(the schedule in a sentence, its notes) for a program's format and sessions, given
    as (weekday, start, end), with the facts derived from them."""
    format_words = choice_words(language, "format", format_)
    if not sessions:
        return "", (_("Format: %(format)s.") % {"format": format_words},)
    times = ", ".join(str(TIME_OF_DAY_WORDS[bucket]) for bucket in buckets)
    text = _("%(days)s, %(hours)s (%(times)s). %(format)s. %(sessions)s.") % {
        "days": days_a_week(days),
        "hours": hours_a_week(hours),
        "times": times.capitalize(),
        "format": format_words,
        "sessions": "; ".join(session_words(language, *session) for session in sessions),
    }
    if not below_minimum:
        return text, ()
    note = _(
        "These sessions add up to %(hours)s, fewer than the %(minimum)s hours a week "
        "an intensive outpatient program usually provides. Ask how the rest of the "
        "care is given."
    ) % {"hours": hours_a_week(hours), "minimum": minimum}
    return text, (note,)


@lru_cache(maxsize=256)
def choice_words(language, field_name, value):
    """A program's choice (focus, format, level of care) in words, as get_FOO_display()
    gives it in the language."""
    from facilities.models import Program  # the models import this module

    return str(dict(Program._meta.get_field(field_name).flatchoices).get(value, value))


@lru_cache(maxsize=8)
def question_words(language):
    """{question key: the question in the language}."""
    return {question.key: str(question.text) for question in QUESTIONS}


def answers_for(program, asked=frozenset()):
    """The eight answers for a program (loaded with querysets.load_answers())."""
    facility = program.facility
    answers = {question.key: Answer(question) for question in QUESTIONS}

    answers["duration"].text = duration_text(program.duration_weeks_min, program.duration_weeks_max)
    answers["insurance"].terms = linked(facility, "payment_options")

    experience = answers["experience"]
    experience.terms = [*linked(program, "conditions"), *linked(program, "populations")]
    if experience.terms:
        focus = choice_words(get_language(), "focus", program.focus)
        experience.text = _("Focus: %(focus)s.") % {"focus": focus}

    answers["transition"].terms = linked(program, "transition_supports")
    answers["age"].text = age_text(program.age_min, program.age_max)
    schedule_answer(program, answers["schedule"])

    philosophy = answers["philosophy"]
    philosophy.terms = linked(program, "philosophy")
    philosophy.text = program.philosophy_statement

    answers["modalities"].terms = linked(program, "modalities")

    asked = set(asked)
    for answer in answers.values():
        answer.matched = answer.known and not answer.question.filters.isdisjoint(asked)
    return list(answers.values())


def answer_words(answer):
    """An answer as one line of text, for comparing and for sheets."""
    if not answer.known:
        return str(NOT_LISTED)
    labels = ", ".join(term.label for term in answer.terms)
    return " ".join(part for part in [answer.text, labels] if part)


class ComparisonRow(NamedTuple):
    question: Question
    answers: list  # one Answer a program, in the programs' order
    differs: bool  # the programs' answers are not all the same


def comparison_rows(programs):
    """{"rows": [ComparisonRow], "differing_count": how many rows differ} for programs side
    by side. A row differs only when the answers read differently: two programs that both
    leave a question unanswered, or answer it alike, are alike there."""
    answers = [answers_for(program) for program in programs]
    rows = []
    for index, question in enumerate(QUESTIONS):
        cells = [program_answers[index] for program_answers in answers]
        differs = len({answer_words(cell) for cell in cells}) > 1
        rows.append(ComparisonRow(question, cells, differs))
    return {"rows": rows, "differing_count": sum(row.differs for row in rows)}


# --- A result card: the facts that decide a call, and what the search asked ---------------

TIME_OF_DAY_PLURALS = {
    "morning": pgettext_lazy("parts of the week", "mornings"),
    "afternoon": pgettext_lazy("parts of the week", "afternoons"),
    "evening": pgettext_lazy("parts of the week", "evenings"),
    "weekend": pgettext_lazy("parts of the week", "weekends"),
}


@dataclass(frozen=True)
class Mark:
    """One thing the search asked: answered by the listing (✓) or not listed (?)."""

    known: bool
    text: str


def meeting_days(weekdays):
    """ "Mon–Thu", "Mon, Wed, Fri": the days of the week a program meets, runs of three or
    more consecutive days joined by a dash."""
    days = sorted(set(weekdays))
    runs = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    words = []
    for run in runs:
        if len(run) >= 3:
            words.append(f"{WEEKDAYS_ABBR[run[0]]}–{WEEKDAYS_ABBR[run[-1]]}")
        else:
            words.extend(str(WEEKDAYS_ABBR[day]) for day in run)
    return ", ".join(words)


def weekly_rhythm(program):
    """ "Mon–Thu evenings · 4 days, 14 h a week", or "" when no sessions are listed."""
    sessions = linked(program, "sessions")
    if not sessions:
        return ""
    # The days already say a weekend; the parts of the day say when in them.
    times = [str(TIME_OF_DAY_PLURALS[b]) for b in program.time_of_day if b != "weekend"]
    when = " ".join(part for part in [meeting_days(s.weekday for s in sessions), *times[:1]])
    if len(times) > 1:  # "Mon–Fri mornings, afternoons and evenings": every part named
        first = ", ".join([when, *times[1:-1]])
        when = _("%(first)s and %(second)s") % {"first": first, "second": times[-1]}
    load = ngettext(
        "%(days)s day, %(hours)s h a week",
        "%(days)s days, %(hours)s h a week",
        program.days_per_week,
    ) % {"days": program.days_per_week, "hours": f"{program.hours_per_week:g}"}
    return f"{when} · {load}"


def summary_facts(program):
    """The facts that decide whether to call, in a line: ages, days and times, length,
    format, whether it takes new clients. Facts the listing lacks are left out here; the
    marks and the full answers say they are not listed."""
    language = get_language()
    facts = [
        age_text(program.age_min, program.age_max),
        weekly_rhythm(program),
        duration_text(program.duration_weeks_min, program.duration_weeks_max),
        choice_words(language, "format", program.format),
    ]
    if program.accepting_new_clients:
        facts.append(_("Accepting new clients"))
    elif program.accepting_new_clients is False:
        facts.append(_("Not accepting new clients now"))
    return [fact for fact in facts if fact]


def term_marks(asked_slugs, terms):
    language = get_language()
    return [Mark(True, term.label_in(language)) for term in terms if term.slug in asked_slugs]


def vocabulary_marks(program, asked, of_facility):
    """The marks of the terms asked in the facility's vocabularies, or the program's."""
    from facilities.querysets import answering  # the querysets import the models

    owner = program.facility if of_facility else program
    marks = []
    for parameter, vocabulary in SEARCHED.items():
        if vocabulary.of_facility == of_facility and asked.get(parameter):
            wanted = answering(vocabulary, asked[parameter])
            marks += term_marks(wanted, linked(owner, vocabulary.relation))
    return marks


def search_marks(program, asked):
    """What the search asked (`asked`: {filter name: cleaned value}) as short marks: the
    terms and facts of the program that answer it, and "? … not listed" for a question the
    search asked and the listing does not answer."""
    language = get_language()
    marks = vocabulary_marks(program, asked, of_facility=True)
    if asked.get("focus"):
        marks.append(Mark(True, choice_words(language, "focus", program.focus)))
    marks += vocabulary_marks(program, asked, of_facility=False)
    if asked.get("age") is not None:
        ages = age_text(program.age_min, program.age_max)
        marks.append(Mark(True, ages) if ages else Mark(False, _("Ages not listed")))
    if asked.get("time_of_day"):
        offered = set(program.time_of_day)
        marks += [
            Mark(True, str(TIME_OF_DAY_PLURALS[bucket]).capitalize())
            for bucket in asked["time_of_day"]
            if bucket in offered
        ]
    if asked.get("format"):
        marks.append(Mark(True, choice_words(language, "format", program.format)))
    if asked.get("max_days_per_week"):
        if program.days_per_week:
            marks.append(Mark(True, days_a_week(program.days_per_week)))
        else:
            marks.append(Mark(False, _("Schedule not listed")))
    if asked.get("max_weeks"):
        length = duration_text(program.duration_weeks_min, program.duration_weeks_max)
        marks.append(Mark(True, length) if length else Mark(False, _("Length not listed")))
    if asked.get("accepting"):
        if program.accepting_new_clients:
            marks.append(Mark(True, _("Accepting new clients")))
        else:
            marks.append(Mark(False, _("Whether it takes new clients is not listed")))
    return marks
