"""The questions to ask before choosing a program, answered from its listing.

Results, program pages, comparisons and referral sheets all show these answers, in this
order; a question without data reads "Not listed — ask when you call".
"""

from dataclasses import dataclass, field

NOT_LISTED = "Not listed — ask when you call"


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    filters: frozenset  # the search filters that ask it


QUESTIONS = [
    Question("duration", "How long does the program last?", frozenset({"max_weeks"})),
    Question("insurance", "Does it accept my insurance?", frozenset({"insurance"})),
    Question(
        "experience",
        "Does it have experience with issues like mine?",
        frozenset({"condition", "population", "focus"}),
    ),
    Question("transition", "What support is there when I leave?", frozenset({"transition"})),
    Question("age", "Does it serve my age?", frozenset({"age"})),
    Question(
        "schedule",
        "What is the weekly schedule?",
        frozenset({"time_of_day", "max_days_per_week", "format"}),
    ),
    Question("philosophy", "What is the treatment philosophy?", frozenset({"philosophy"})),
    Question("modalities", "Which therapy modalities are offered?", frozenset({"modality"})),
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


def duration_text(low, high):
    if low and high:
        return f"About {low} weeks" if low == high else f"{low} to {high} weeks"
    if high:
        return f"Up to {high} weeks"
    if low:
        return f"At least {low} weeks"
    return ""


def age_text(low, high):
    if low is not None and high is not None:
        return f"Ages {low} to {high}"
    if low is not None:
        return f"Ages {low} and older"
    if high is not None:
        return f"Up to age {high}"
    return ""


def clock(moment):
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'am' if moment.hour < 12 else 'pm'}"


def session_text(session):
    day = session.get_weekday_display()[:3]
    return f"{day} {clock(session.start_time)}–{clock(session.end_time)}"


def plural(count, word):
    return f"{count:g} {word}{'' if count == 1 else 's'}"


def schedule_answer(program, answer):
    sessions = list(program.sessions.all())
    format_ = program.get_format_display()
    if not sessions:
        answer.text = ""
        answer.notes.append(f"Format: {format_}.")
        return
    times = ", ".join(program.time_of_day).capitalize()
    answer.text = (
        f"{plural(program.days_per_week, 'day')} a week, "
        f"{plural(program.hours_per_week, 'hour')} a week ({times}). {format_}. "
        + "; ".join(session_text(s) for s in sessions)
        + "."
    )
    if program.below_iop_minimum:
        answer.notes.append(
            f"These sessions add up to {plural(program.hours_per_week, 'hour')} a week, "
            f"fewer than the {program.iop_minimum_hours} hours a week an intensive "
            "outpatient program usually provides. Ask how the rest of the care is given."
        )


def answers_for(program, asked=frozenset()):
    """The eight answers for a program (loaded with ProgramQuerySet.with_answers())."""
    facility = program.facility
    answers = {question.key: Answer(question) for question in QUESTIONS}

    answers["duration"].text = duration_text(program.duration_weeks_min, program.duration_weeks_max)
    answers["insurance"].terms = list(facility.payment_options.all())

    experience = answers["experience"]
    experience.terms = list(program.conditions.all()) + list(program.populations.all())
    if experience.terms:
        experience.text = f"Focus: {program.get_focus_display()}."

    answers["transition"].terms = list(program.transition_supports.all())
    answers["age"].text = age_text(program.age_min, program.age_max)
    schedule_answer(program, answers["schedule"])

    philosophy = answers["philosophy"]
    philosophy.terms = list(program.philosophy.all())
    philosophy.text = program.philosophy_statement

    answers["modalities"].terms = list(program.modalities.all())

    for answer in answers.values():
        answer.matched = answer.known and bool(answer.question.filters & set(asked))
    return list(answers.values())


def answer_words(answer):
    """An answer as one line of text, for comparing and for sheets."""
    if not answer.known:
        return NOT_LISTED
    labels = ", ".join(term.label for term in answer.terms)
    return " ".join(part for part in [answer.text, labels] if part)


def comparison_rows(programs):
    """{"rows": [(question, [answer per program], differs)]} for programs side by side."""
    answers = [answers_for(program) for program in programs]
    rows = []
    for index, question in enumerate(QUESTIONS):
        cells = [program_answers[index] for program_answers in answers]
        differs = len({answer_words(cell) for cell in cells}) > 1
        rows.append((question, cells, differs))
    return {"rows": rows}
