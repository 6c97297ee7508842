"""The referral sheet: what a clinician hands over about each program of a list, and the QR
code of the link that reopens the same list on the patient's phone."""

from dataclasses import dataclass

import segno
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from facilities.answers import NOT_LISTED, age_text, answers_for
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
    schedule: str  # the schedule's answer: "3 days a week, 9 hours a week (Evening). ..."
    schedule_notes: list  # e.g. fewer hours than an IOP usually gives
    ages: str
    insurance: list  # payment options' labels
    accepting: str
    verified_on: str  # "November 3, 2025", or that it is not yet verified


def referral_entries(programs):
    """The sheet's entries for programs loaded with querysets.load_answers()."""
    return [referral_entry(program) for program in programs]


def referral_entry(program):
    facility = program.facility
    answers = answers_for(program)
    schedule = next(answer for answer in answers if answer.question.key == "schedule")
    return ReferralEntry(
        program=program,
        facility=facility,
        address=facility.address_line,
        distance_miles=getattr(program, "distance_miles", None),
        phone=facility.phone,
        intake_phone=facility.intake_phone,
        schedule=schedule.text or str(NOT_LISTED),
        schedule_notes=schedule.notes,
        ages=age_text(program.age_min, program.age_max) or str(NOT_LISTED),
        insurance=[term.display_label for term in linked(facility, "payment_options")],
        accepting=accepting_words(program.accepting_new_clients),
        verified_on=verified_words(facility.last_verified_at),
    )


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
