"""The referral sheet: what a clinician hands over about each program of a list, and the QR
code of the link that reopens the same list on the patient's phone."""

from dataclasses import dataclass

import segno
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from facilities.answers import (
    NOT_LISTED,
    TIME_OF_DAY_WORDS,
    age_text,
    answers_for,
    choice_words,
    days_a_week,
    hours_a_week,
    session_words,
)
from facilities.querysets import linked


@dataclass
class ReferralEntry:
    """One program as the sheet shows it; every text is ready in the page's language."""

    program: object  # the Program, loaded with querysets.load_answers()
    facility: object
    address: str
    distance_miles: float | None  # from the place typed; None without one, or unmapped
    phone: str  # as stored
    intake_phone: str
    days_per_week: int
    hours_per_week: float
    schedule_summary: str  # "3 days a week, 9 hours a week (evening). In person."
    sessions: list  # ["Mon 6 pm–9 pm", ...]
    schedule_notes: list  # e.g. fewer hours than an IOP usually gives
    ages: str
    insurance: list  # payment options' labels
    accepting_new_clients: bool | None
    accepting: str
    verified_at: object  # datetime or None
    verified_on: str  # "November 3, 2025", or that it is not yet verified
    answers: list  # the eight answers, for anything else the sheet shows


def referral_entries(programs):
    """The sheet's entries for programs loaded with querysets.load_answers()."""
    return [referral_entry(program) for program in programs]


def referral_entry(program):
    facility = program.facility
    answers = answers_for(program)
    schedule = next(answer for answer in answers if answer.question.key == "schedule")
    sessions = linked(program, "sessions")
    language = get_language()
    return ReferralEntry(
        program=program,
        facility=facility,
        address=facility.address_line,
        distance_miles=getattr(program, "distance_miles", None),
        phone=facility.phone,
        intake_phone=facility.intake_phone,
        days_per_week=program.days_per_week,
        hours_per_week=program.hours_per_week,
        schedule_summary=schedule_summary(program) if sessions else str(NOT_LISTED),
        sessions=[session_words(language, s.weekday, s.start_time, s.end_time) for s in sessions],
        schedule_notes=schedule.notes,
        ages=age_text(program.age_min, program.age_max) or str(NOT_LISTED),
        insurance=[term.display_label for term in linked(facility, "payment_options")],
        accepting_new_clients=program.accepting_new_clients,
        accepting=accepting_words(program.accepting_new_clients),
        verified_at=facility.last_verified_at,
        verified_on=verified_words(facility.last_verified_at),
        answers=answers,
    )


def schedule_summary(program):
    times = ", ".join(str(TIME_OF_DAY_WORDS[bucket]) for bucket in program.time_of_day)
    return _("%(days)s, %(hours)s (%(times)s). %(format)s.") % {
        "days": days_a_week(program.days_per_week),
        "hours": hours_a_week(program.hours_per_week),
        "times": times,
        "format": choice_words(get_language(), "format", program.format),
    }


def accepting_words(accepting):
    if accepting is None:
        return str(NOT_LISTED)
    return _("Accepting new clients now") if accepting else _("Not accepting new clients now")


def verified_words(moment):
    if moment is None:
        return _("Not yet verified — check the details when you call")
    return _("Verified %(date)s") % {"date": date_format(localtime(moment), "DATE_FORMAT")}


def qr_code_svg(url):
    """The QR code of a link as inline SVG markup, drawn here: no network, no JavaScript."""
    qr = segno.make(url, error="m", micro=False)
    svg = qr.svg_inline(
        scale=4, omitsize=True, svgclass="qr-code", title=_("QR code of the link to this list")
    )
    # segno's own markup (it escapes the title we give it); the template shows it as it is.
    return svg
