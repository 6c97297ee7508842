"""Every string of the public templates is in the Spanish catalogue, so /es/ never falls
back to English in the middle of a page."""

import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines

TEMPLATES = Path(settings.BASE_DIR) / "templates"
CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.mo"


def template_strings():
    """(template, message id or (context, id) or (singular, plural)) for each translatable
    string of each public template, as Jinja2's own extractor finds them."""
    environment = engines["jinja2"].env
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text()
        for _line, function, message in environment.extract_translations(source):
            found.append((str(path.relative_to(TEMPLATES)), function, message))
    return found


def catalogue():
    with open(CATALOG, "rb") as compiled:
        return gettext.GNUTranslations(compiled)._catalog


def is_translated(function, message, entries):
    # A call with keyword arguments comes as a tuple: the strings first, then None for each.
    if function in ("gettext", "_"):
        return bool(entries.get(message[0] if isinstance(message, tuple) else message))
    if function == "ngettext":
        return bool(entries.get((message[0], 0)))
    if function == "pgettext":
        return bool(entries.get(f"{message[0]}\x04{message[1]}"))
    return False


def test_the_public_templates_are_read_for_strings():
    assert len(template_strings()) > 100


@pytest.mark.parametrize(
    "template, function, message",
    template_strings(),
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_every_template_string_has_its_spanish(template, function, message):
    assert is_translated(function, message, catalogue()), f"{template}: {message!r}"
