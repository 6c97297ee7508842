"""The compact answers of a result row, written in Python: a results page shows 30 rows of
eight answers, and the template language spends about a millisecond a row on them. Text is
escaped with html.escape, as Django's escape does, without its checks for lazy strings."""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from facilities.answers import NOT_LISTED

register = template.Library()


def answer_html(answer, matches_text, not_listed_text):
    classes = "answer"
    if answer.matched:
        classes += " answer-matched"
    if not answer.known:
        classes += " answer-missing"
    badge = f' <span class="match-badge">{matches_text}</span>' if answer.matched else ""
    if answer.known:
        labels = ", ".join(term.display_label for term in answer.terms)
        said = "".join(f"<p>{escape(str(part))}</p>" for part in (answer.text, labels) if part)
    else:
        said = f'<p class="not-listed">{not_listed_text}</p>'
    notes = "".join(f'<p class="answer-note">{escape(str(note))}</p>' for note in answer.notes)
    question = escape(str(answer.question.text))
    return f'<div class="{classes}"><dt>{question}{badge}</dt><dd>{said}{notes}</dd></div>'


@register.simple_tag
def compact_answers(answers):
    """<dl class="answers answers-compact">: each question, whether the search asked it, and
    the answer's text and terms (labels only), or "Not listed — ask when you call"."""
    matches_text, not_listed_text = escape(_("Matches your search")), escape(str(NOT_LISTED))
    rows = "".join(answer_html(answer, matches_text, not_listed_text) for answer in answers)
    return mark_safe(f'<dl class="answers answers-compact">{rows}</dl>')
