"""Result cards: a program with what a person needs to decide whether to call, grouped by
facility and numbered like the map's pins."""

from dataclasses import dataclass, field
from itertools import groupby

from facilities.answers import answers_for, search_marks, summary_facts


@dataclass
class ResultCard:
    program: object
    answers: list  # the eight answers, for "All 8 answers"
    summary: list  # the facts that decide a call (answers.summary_facts)
    marks: list  # what the search asked (answers.search_marks)

    @property
    def distance_miles(self):
        return getattr(self.program, "distance_miles", None)


@dataclass
class FacilityGroup:
    number: int
    facility: object
    cards: list = field(default_factory=list)

    @property
    def distance_miles(self):
        return self.cards[0].distance_miles


def result_cards(programs, asked):
    """A card for each program (loaded with its answers), `asked` being the search's
    {filter name: value}."""
    names = set(asked)
    return [
        ResultCard(
            program,
            answers_for(program, names),
            summary_facts(program),
            search_marks(program, asked),
        )
        for program in programs
    ]


def by_facility(cards):
    """The cards grouped by facility in their order, each group numbered from 1, as the
    map's pins are."""
    return [
        FacilityGroup(number, facility, list(cards_of))
        for number, (facility, cards_of) in enumerate(
            groupby(cards, key=lambda card: card.program.facility), start=1
        )
    ]
