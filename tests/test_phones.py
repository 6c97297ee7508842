"""Phone numbers: parsed, kept in E.164 with their extension, shown nationally, dialled."""

import pytest
from django.core.exceptions import ValidationError

from facilities import phones


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("323-555-0199", "+13235550199"),
        ("(323) 555-0199", "+13235550199"),
        ("+1 323 555 0199", "+13235550199"),
        ("(323) 555-0199 x123", "+13235550199;ext=123"),
        ("+13235550199;ext=123", "+13235550199;ext=123"),
        ("", ""),
    ],
)
def test_a_number_typed_any_usual_way_is_kept_in_e164(typed, stored):
    assert phones.normalize(typed) == stored


@pytest.mark.parametrize("typed", ["n/a", "call us", "555-0199"])
def test_what_is_not_a_whole_number_is_refused_with_a_clear_message(typed):
    with pytest.raises(ValidationError) as raised:
        phones.normalize(typed)
    assert "area code, e.g. 323-555-0199" in raised.value.messages[0]


def test_an_extension_too_long_for_a_listing_is_refused_not_stored_past_its_field():
    typed = "3235550199ext.1234567890123456"  # 30 characters, 33 once stored
    with pytest.raises(ValidationError) as raised:
        phones.normalize(typed)
    assert "longer extension than a listing can hold" in raised.value.messages[0]
    assert phones.find(f"call {typed}") == ""


def test_a_number_is_found_inside_free_text():
    assert phones.find("new # is 323-555-0199") == "+13235550199"


def test_free_text_without_a_number_finds_nothing():
    assert phones.find("they moved, no idea") == ""


def test_a_stored_number_reads_in_national_format_with_its_extension():
    assert phones.national("+13235550199;ext=123") == "(323) 555-0199 ext. 123"


def test_a_raw_value_reads_unchanged():
    assert phones.national("ask the front desk") == "ask the front desk"


def test_a_stored_number_dials_as_a_tel_uri():
    assert phones.tel_uri("+13235550199") == "tel:+13235550199"


def test_an_extension_is_dialled_too():
    assert phones.tel_uri("+13235550199;ext=123") == "tel:+13235550199;ext=123"


def test_a_raw_value_cannot_be_dialled():
    assert phones.tel_uri("new # is 323-555-0199") == ""
