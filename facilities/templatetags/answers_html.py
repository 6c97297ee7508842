"""The compact answers of a result row, written in Python: a results page shows 30 rows of
eight answers, and the template language spends about a millisecond a row on them."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from facilities.answers import NOT_LISTED

register = template.Library()


def answer_html(answer):
    classes = "answer"
    if answer.matched:
        classes += " answer-matched"
    if not answer.known:
        classes += " answer-missing"
    badge = ""
    if answer.matched:
        badge = format_html(' <span class="match-badge">{}</span>', _("Matches your search"))
    if answer.known:
        labels = ", ".join(term.display_label for term in answer.terms)
        said = format_html_join(
            "", "<p>{}</p>", ((part,) for part in (answer.text, labels) if part)
        )
    else:
        said = format_html('<p class="not-listed">{}</p>', NOT_LISTED)
    notes = format_html_join("", '<p class="answer-note">{}</p>', ((n,) for n in answer.notes))
    return format_html(
        '<div class="{}"><dt>{}{}</dt><dd>{}{}</dd></div>',
        classes,
        answer.question.text,
        badge,
        said,
        notes,
    )


@register.simple_tag
def compact_answers(answers):
    """<dl class="answers answers-compact">: each question, whether the search asked it, and
    the answer's text and terms (labels only), or "Not listed — ask when you call"."""
    rows = "".join(answer_html(answer) for answer in answers)
    return mark_safe(f'<dl class="answers answers-compact">{rows}</dl>')
