"""The result list, its rows, their compact answers and the shortlist button, written in
Python.

A results page shows 30 rows of eight answers in groups by facility, and the template
language spent about a millisecond a row on them, most of the page's time. Text is escaped
with html.escape, as Django's escape does, without its checks for lazy strings; the words
are the catalog's.
"""

from html import escape
from itertools import groupby

from django import template
from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from facilities.answers import NOT_LISTED, QUESTIONS, choice_words
from facilities.models import reversed_with

register = template.Library()


class Words:
    """The fixed words of a row in the page's language, looked up once a page rather than
    once a row: each lookup of the language goes through a context-local variable."""

    def __init__(self):
        self.language = get_language()
        self.matches = escape(_("Matches your search"))
        self.not_listed = escape(str(NOT_LISTED))
        self.questions = {question.key: escape(str(question.text)) for question in QUESTIONS}
        self.online_program = escape(_("Online program"))
        self.serves_online = escape(_("Serves online:"))
        self.accepting = escape(_("Accepting new clients"))
        self.not_accepting = escape(_("Not accepting new clients now"))
        self.compare = escape(_("Compare"))
        self.on_shortlist = escape(_("✓ On your shortlist · Remove"))
        self.add_to_shortlist = escape(_("Add to shortlist"))
        self.miles_away = _("%(miles)s miles away")
        self.call = _("Call %(phone)s")
        self.remove_named = _("Remove %(name)s from your shortlist")
        self.add_named = _("Add %(name)s to your shortlist")
        self.run_by = _("run by %(facility)s in %(city)s, %(state)s")


def words_of(context):
    """The Words of this rendering, kept in the template context's render_context."""
    if "row_words" not in context.render_context:
        context.render_context["row_words"] = Words()
    return context.render_context["row_words"]


def answer_html(answer, words):
    classes = "answer"
    if answer.matched:
        classes += " answer-matched"
    if not answer.known:
        classes += " answer-missing"
    badge = f' <span class="match-badge">{words.matches}</span>' if answer.matched else ""
    if answer.known:
        labels = ", ".join(term.label_in(words.language) for term in answer.terms)
        said = "".join(f"<p>{escape(str(part))}</p>" for part in (answer.text, labels) if part)
    else:
        said = f'<p class="not-listed">{words.not_listed}</p>'
    notes = "".join(f'<p class="answer-note">{escape(str(note))}</p>' for note in answer.notes)
    question = words.questions[answer.question.key]
    return f'<div class="{classes}"><dt>{question}{badge}</dt><dd>{said}{notes}</dd></div>'


@register.simple_tag(takes_context=True)
def compact_answers(context, answers):
    """<dl class="answers answers-compact">: each question, whether the search asked it, and
    the answer's text and terms (labels only), or "Not listed — ask when you call"."""
    words = words_of(context)
    rows = "".join(answer_html(answer, words) for answer in answers)
    return mark_safe(f'<dl class="answers answers-compact">{rows}</dl>')


def shortlisted_ids(context):
    shortlisted = context.get("shortlisted") or ()
    return shortlisted() if callable(shortlisted) else shortlisted


@register.simple_tag(takes_context=True)
def shortlist_button(context, program, in_page_form=False):
    """Add to the shortlist, or remove from it. `in_page_form`: a button of the page's
    form #shortlist-form, which holds the one CSRF token of a results page; else a form of
    its own, coming back to this page."""
    name, words = program.name, words_of(context)
    if program.pk in shortlisted_ids(context):
        action = reversed_with("shortlist_remove", program.pk)
        label, text = words.remove_named % {"name": name}, words.on_shortlist
    else:
        action = reversed_with("shortlist_add", program.pk)
        label, text = words.add_named % {"name": name}, words.add_to_shortlist
    button = f'class="button-secondary" aria-label="{escape(label)}">{text}</button>'
    if in_page_form:
        return mark_safe(
            f'<button type="submit" form="shortlist-form" formaction="{action}" {button}'
        )
    token = escape(str(context.get("csrf_token", "")))
    back = escape(context["request"].get_full_path())
    return mark_safe(
        f'<form class="inline-form" method="post" action="{action}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        f'<input type="hidden" name="next" value="{back}">'
        f'<button type="submit" {button}</form>'
    )


@register.simple_tag(takes_context=True)
def result_row(context, program, answers, online_row=False, beyond=False):
    """<li class="program-result">: a program nearby (with its distance), beyond the radius,
    or online (with the states it serves), its compact answers, shortlist and compare."""
    pk, facility, words = program.pk, program.facility, words_of(context)
    distance = getattr(program, "distance_miles", None)
    data = f' data-program-id="{pk}"'
    if online_row:
        data += ' data-online-reach="true"'
    elif distance is not None:
        data += f' data-distance-miles="{distance:.2f}"'
    if beyond:
        data += ' data-beyond-radius="true"'
    link = f"{facility.get_absolute_url()}#program-{pk}"
    heading = f'<h3 id="result-{pk}"><a href="{escape(link)}">{escape(program.name)}</a></h3>'
    if online_row:
        run_by = words.run_by % {
            "facility": facility.name,
            "city": facility.city,
            "state": facility.state,
        }
        format_words = escape(choice_words(words.language, "format", program.format))
        meta = (
            f'<p class="program-meta"><strong>{words.online_program}</strong> '
            f"({format_words}), {escape(run_by)} · "
            f"{words.serves_online} {escape(', '.join(program.online_states))}</p>"
        )
        if facility.phone:
            call = _("Call %(phone)s") % {"phone": facility.phone}
            meta += f'<p><a class="call" href="tel:{escape(facility.phone)}">{escape(call)}</a></p>'
    else:
        meta = escape(choice_words(words.language, "level_of_care", program.level_of_care))
        if program.accepting_new_clients:
            meta += " · " + words.accepting
        elif program.accepting_new_clients is False:
            meta += " · " + words.not_accepting
        meta = f'<p class="program-meta">{meta}</p>'
    compare = (
        f'<label class="compare-pick"><input type="checkbox" name="programs" value="{pk}" '
        f'form="compare-form" aria-describedby="result-{pk}"> {words.compare}</label>'
    )
    return mark_safe(
        f'<li class="program-result{" online-result" if online_row else ""}"{data}>'
        f"{heading}{meta}{compact_answers(context, answers)}"
        f'<div class="row-actions">{shortlist_button(context, program, True)}{compare}</div>'
        "</li>"
    )


@register.simple_tag(takes_context=True)
def result_list(context, rows, beyond=False):
    """<ol class="result-list">: the (program, answers) rows grouped by facility, in their
    order; each facility with its address, the distance of its first row and its phone."""
    words = words_of(context)
    groups = []
    for facility, group in groupby(rows, key=lambda row: row[0].facility):
        group = list(group)
        distance = getattr(group[0][0], "distance_miles", None)
        address = escape(facility.address_line)
        if distance is not None:
            miles = words.miles_away % {"miles": floatformat(distance, "1u")}
            address += f" · <strong>{escape(miles)}</strong>"
        call = ""
        if facility.phone:
            call_text = escape(words.call % {"phone": facility.phone})
            call = f'<p><a class="call" href="tel:{escape(facility.phone)}">{call_text}</a></p>'
        programs = "".join(
            result_row(context, program, answers, beyond=beyond) for program, answers in group
        )
        groups.append(
            '<li class="facility-result"><div class="facility-summary">'
            f'<h2><a href="{escape(facility.get_absolute_url())}">{escape(facility.name)}</a></h2>'
            f'<p class="address">{address}</p>{call}</div>'
            f'<ul class="program-list">{programs}</ul></li>'
        )
    return mark_safe(f'<ol class="result-list">{"".join(groups)}</ol>')
