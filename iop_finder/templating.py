"""The Jinja2 environment of the public pages.

The admin, the API's pages and its documentation stay on Django's template language; every
page a visitor reads is a Jinja2 template under templates/, with Django's translations,
addresses and static files, and the filters below.
"""

from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date, floatformat
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import json_script
from django.utils.translation import gettext
from jinja2 import Environment

from facilities import phones
from facilities.answers import NOT_LISTED, question_words
from facilities.freshness import is_stale, verified_phrase
from facilities.models import reversed_with


def url(view_name, *args):
    # A card's addresses (its program's shortlist button, its facility) take one argument:
    # the address around it is reversed once a language, not once a card.
    return reversed_with(view_name, args[0]) if len(args) == 1 else reverse(view_name, args=args)


def querystring(request, **changes):
    """The page's query string with `changes` made, as Django's {% querystring %} tag
    does: a value of None drops the parameter."""
    query = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return f"?{query.urlencode()}" if query else "?"


def with_query(path, pairs):
    """`path` with the (name, value) pairs as its query string."""
    return f"{path}?{urlencode(pairs)}" if pairs else path


def widget_attrs(bound_field):
    """A form field's widget attributes as Django's widget templates would write them:
    the widget's own, then required, aria-invalid and aria-describedby from the bound
    field, and the id; the message next to a wrong field is named as its description."""
    widget = bound_field.field.widget
    attrs = bound_field.build_widget_attrs(dict(widget.attrs), widget)
    attrs.setdefault("id", bound_field.auto_id)
    if bound_field.errors:
        attrs["aria-describedby"] = f"{bound_field.auto_id}_error"
    return attrs


def checkbox_choices(bound_field):
    """[(input id, value, label, ticked)] of a multiple-choice field, the ids numbered as
    Django's CheckboxSelectMultiple numbers them."""
    value = bound_field.value() or []
    chosen = {str(one) for one in ([value] if isinstance(value, str) else value)}
    prefix = bound_field.auto_id
    field = bound_field.field
    choices = field.listed_choices() if hasattr(field, "listed_choices") else field.choices
    return [
        (f"{prefix}_{index}", slug, label, str(slug) in chosen)
        for index, (slug, label) in enumerate(choices)
    ]


def chosen_count(bound_field):
    """How many values a filter field was given, each once: the number a folded group and
    the folded search show."""
    value = bound_field.value()
    if isinstance(value, list | tuple):
        return len({one for one in value if one})
    return 0 if value in (None, "", False, "false") else 1


def card_words():
    """The fixed words of a result card in the page's language."""
    return words_of_cards(translation.get_language())


@lru_cache(maxsize=8)
def words_of_cards(language):
    """card_words() for a language: looked up once, not once a card or a list."""
    return {
        "language": language,
        "compare": gettext("Compare"),
        "add": gettext("Add to shortlist"),
        "remove": gettext("✓ On your shortlist · Remove"),
        "stale": gettext("Not verified in over a year"),
        "asked": gettext("What you asked for"),
        "all_answers": gettext("All 8 answers"),
        "explained": gettext("Each term explained, on the program's page"),
        "not_listed": str(NOT_LISTED),
        "online_program": gettext("Online program"),
        "run_by": gettext("run by %(facility)s in %(city)s, %(state)s"),
        "call": gettext("Call %(phone)s"),
        "on_the_map": gettext("%(number)s on the map"),
        "miles_away": gettext("%(miles)s miles away"),
        "questions": question_words(language),
    }


def environment(**options):
    # Every {% trans %} block trimmed, as Django's {% blocktranslate trimmed %} wrote the
    # catalogue's entries: one line, single spaces.
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(
        translation.gettext,
        translation.ngettext,
        newstyle=True,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )
    env.globals.update(
        static=static,
        url=url,
        querystring=querystring,
        with_query=with_query,
        get_language=translation.get_language,
        settings=settings,
        widget_attrs=widget_attrs,
        chosen_count=chosen_count,
        card_words=card_words,
        checkbox_choices=checkbox_choices,
    )
    env.filters.update(
        date=date,
        floatformat=floatformat,
        intcomma=intcomma,
        json_script=json_script,
        verified_phrase=verified_phrase,
        is_stale=is_stale,
        phone=phones.national,
        tel=phones.tel_uri,
    )
    return env
