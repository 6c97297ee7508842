"""Our vocabularies as HSDS taxonomies: each term keeps our slug as its code and our label
as its name, with the plain-language explanation families read as its description.

The vocabularies stored as terms (insurance, conditions, …) are read from the terms held in
memory (querysets.vocabulary_terms); a program's level of care, focus and format are choices
of the model, explained here. A named private insurer is a child of "Private insurance (any
plan)", as a search for any private insurance finds it.
"""

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db.models import Q
from django.utils import translation

from facilities.hsds.ids import term_id
from facilities.models import Program
from facilities.querysets import has_term, linked, vocabulary_terms
from facilities.vocabularies import BY_RELATION

PUBLISHER = "IOP Finder"


@dataclass(frozen=True)
class Term:
    vocabulary: "Vocabulary"
    slug: str
    label: str
    explanation: str
    parent_slug: str = ""

    @property
    def id(self):
        return self.vocabulary.term_id(self.slug)


@dataclass(frozen=True)
class Vocabulary:
    key: str  # in the ids: never change it
    name: str
    description: str
    field: str  # a program's choice field, or a vocabulary's field (facilities.vocabularies)
    choices: type | None = None  # the choices of a program's field; None for a vocabulary
    explanations: dict = dataclass_field(default_factory=dict, hash=False)

    @property
    def id(self):
        return term_id("taxonomy", self.key)

    def term_id(self, slug):
        return term_id("taxonomy_term", self.key, slug)

    @property
    def stored(self):
        """The vocabulary stored as terms (facilities.vocabularies); None for a choice."""
        return None if self.choices is not None else BY_RELATION[self.field]

    def terms(self):
        """The terms in display order."""
        if self.choices is None:
            return [self.term_of(term) for term in vocabulary_terms(self.stored.model).values()]
        with translation.override("en"):
            return [
                Term(self, value, str(label), self.explanations[value])
                for value, label in self.choices.choices
            ]

    def term_of(self, stored):
        parent = "private_insurance" if getattr(stored, "is_private_carrier", False) else ""
        return Term(self, stored.slug, stored.label, stored.explanation, parent)

    def terms_of(self, program):
        """The program's terms in this vocabulary (its facility's, for the facility's)."""
        if self.choices is not None:
            value = getattr(program, self.field)
            return [term for term in self.terms() if term.slug == value]
        owner = program.facility if self.stored.of_facility else program
        return [self.term_of(term) for term in linked(owner, self.field)]

    def having(self, programs, slug):
        """The programs with this term, as the site's search finds them: a co-occurring
        program answers substance use, a hybrid one in person, a named insurer any private
        insurance."""
        if self.field == "level_of_care":
            return programs.filter(level_of_care=slug)
        if self.field == "focus":
            return programs.with_focus([slug])
        if self.field == "format":
            return programs.in_format([slug])
        return programs.with_terms(self.stored, [slug])

    def having_any(self, programs):
        """The programs with any term of this vocabulary (every program has a choice)."""
        if self.choices is not None:
            return programs.filter(~Q(**{self.field: ""}))
        slugs = [term.slug for term in self.terms()]
        return programs.filter(has_term(self.stored, slugs))


VOCABULARIES = [
    Vocabulary(
        "level_of_care",
        f"{PUBLISHER}: level of care",
        "How intensive the program is, by the ASAM levels of care: intensive outpatient, "
        "partial hospitalization or outpatient.",
        "level_of_care",
        choices=Program.LevelOfCare,
        explanations={
            "iop": "Treatment for several hours on three or more days a week (usually at least "
            "nine hours a week for adults, six for teens) while living at home.",
            "php": "Treatment for most of the day, five or more days a week (usually 20 hours "
            "or more), while living at home.",
            "op": "Regular sessions, usually fewer than nine hours a week.",
        },
    ),
    Vocabulary(
        "focus",
        f"{PUBLISHER}: focus",
        "What the program mainly treats.",
        "focus",
        choices=Program.Focus,
        explanations={
            "substance_use": "The program mainly treats alcohol and drug use.",
            "mental_health": "The program mainly treats mental health conditions.",
            "co_occurring": "The program treats substance use and mental health conditions "
            "together.",
            "eating_disorders": "The program mainly treats eating disorders.",
        },
    ),
    Vocabulary(
        "format",
        f"{PUBLISHER}: format",
        "Whether the program meets in person, online, or both.",
        "format",
        choices=Program.Format,
        explanations={
            "in_person": "Sessions take place at the facility.",
            "telehealth": "Sessions take place online, by video.",
            "hybrid": "Sessions take place at the facility and online; a person may do some "
            "of each.",
        },
    ),
    Vocabulary(
        "insurance",
        f"{PUBLISHER}: insurance and payment",
        "The insurance plans and ways of paying the facility accepts.",
        "payment_options",
    ),
    Vocabulary(
        "conditions",
        f"{PUBLISHER}: conditions treated",
        "The problems the program treats.",
        "conditions",
    ),
    Vocabulary(
        "populations",
        f"{PUBLISHER}: groups served",
        "The groups of people the program is designed for or has a track for.",
        "populations",
    ),
    Vocabulary(
        "modalities",
        f"{PUBLISHER}: therapies offered",
        "The therapies and medications the program offers.",
        "modalities",
    ),
    Vocabulary(
        "philosophy",
        f"{PUBLISHER}: treatment philosophy",
        "The approach to treatment the program follows.",
        "philosophy",
    ),
    Vocabulary(
        "transition_supports",
        f"{PUBLISHER}: support after the program",
        "The help the program gives when the intensive phase ends.",
        "transition_supports",
    ),
    Vocabulary(
        "languages",
        f"{PUBLISHER}: languages",
        "The languages the facility's staff provide services in.",
        "languages",
    ),
    Vocabulary(
        "accreditations",
        f"{PUBLISHER}: accreditations",
        "The accreditations and licenses the facility holds.",
        "accreditations",
    ),
]


def all_terms(vocabularies=VOCABULARIES):
    return [term for vocabulary in vocabularies for term in vocabulary.terms()]


def vocabulary_by_id():
    return {vocabulary.id: vocabulary for vocabulary in VOCABULARIES}


def terms_by_id():
    """{term id: Term} of every vocabulary: some 130 terms, their ids held in memory."""
    return {term.id: term for term in all_terms()}
