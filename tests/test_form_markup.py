"""The search form's inputs and selects, written in Python, are Django's own markup: the same
attributes in the same order, the chosen option selected, the field's error announced."""

import re

import pytest
from django.http import QueryDict
from facilities.templatetags.search_form import checkboxes, widget_html

from facilities.filters import ProgramFilter
from facilities.models import Program


def bound_form(query):
    filterset = ProgramFilter(QueryDict(query), queryset=Program.objects.none())
    filterset.is_valid()
    return filterset.form


def between_tags(html):
    """Markup without the line breaks Django's templates leave between tags."""
    return re.sub(r">\s+<", "><", str(html).strip())


@pytest.mark.parametrize(
    "query",
    [
        "",
        "location=90230&radius=10&sort=name&age=30",
        "location=Culver+City%2C+CA&radius=100&sort=verified",
        'location=nowhere+"quoted"+<b>&radius=7&sort=bad&age=-4',
    ],
)
@pytest.mark.parametrize("name", ["location", "radius", "sort", "age"])
def test_a_field_is_marked_up_as_djangos_widget_marks_it_up(db, query, name):
    field = bound_form(query)[name]
    assert between_tags(widget_html(field)) == between_tags(field.as_widget())


def test_a_wrong_field_says_so_to_assistive_technology(db):
    form = bound_form("location=nowhere&sort=bad")
    for name in ("location", "sort"):
        markup = widget_html(form[name])
        assert 'aria-invalid="true"' in markup
        assert f'aria-describedby="id_{name}_error"' in markup
    assert "aria-invalid" not in widget_html(form["radius"])


def test_the_radius_asked_is_the_one_selected(db):
    markup = widget_html(bound_form("location=90230&radius=50")["radius"])
    assert re.findall(r"<option [^>]*selected[^>]*>([^<]+)", markup) == ["50 miles"]


def test_the_place_typed_comes_back_escaped(db):
    markup = widget_html(bound_form('location=<script>"x"</script>')["location"])
    assert 'value="&lt;script&gt;&quot;x&quot;&lt;/script&gt;"' in markup


def test_other_widgets_are_left_to_django(db):
    field = bound_form("insurance=medicaid")["insurance"]  # checkboxes: a tag of their own
    assert widget_html(field) == str(field)
    assert 'value="medicaid" id="id_insurance_' in checkboxes(field)


def test_a_distance_the_select_does_not_offer_is_offered_and_selected(client, db):
    page = client.get("/search/", {"location": "90230", "radius": 7}).content.decode()
    select = re.search(r'<select name="radius".*?</select>', page, re.S)[0]
    assert re.findall(r'<option value="(\d+)"', select) == ["5", "7", "10", "25", "50", "100"]
    assert '<option value="7" selected>7 miles</option>' in select
    assert "within 7 miles of Culver City" in page
    usual = client.get("/search/", {"location": "90230", "radius": 10}).content.decode()
    assert 'value="7"' not in re.search(r'<select name="radius".*?</select>', usual, re.S)[0]
