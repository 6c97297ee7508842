"""Visitors suggest corrections; nothing changes until a curator accepts."""

import pytest
from django.core.exceptions import ValidationError

from facilities.models import Correction, web_address_in


def suggest(client, facility, **fields):
    data = {"field": "phone", "suggested_value": "(310) 555-0199", "contact_email": ""}
    data.update(fields)
    return client.post(f"/facilities/{facility.slug}/suggest/", data)


def test_the_suggestion_form_asks_what_is_wrong_and_what_it_should_say(client, facility):
    page = client.get(f"/facilities/{facility.slug}/suggest/").content.decode()
    assert "What is wrong or missing?" in page and "What should it say?" in page


def test_a_suggestion_is_kept_pending_and_thanked(client, facility):
    response = suggest(client, facility)
    assert response["Location"] == f"/facilities/{facility.slug}/suggest/thanks/"
    assert Correction.objects.get().status == Correction.Status.PENDING


def test_a_suggestion_does_not_change_the_listing(client, facility):
    suggest(client, facility, field="name", suggested_value="Something Else Entirely")
    facility.refresh_from_db()
    assert facility.name == "Harbor Light Counseling"


def test_the_thank_you_page_says_a_curator_will_check_it(client, facility):
    page = client.get(f"/facilities/{facility.slug}/suggest/thanks/").content
    assert b"The listing changes only if they confirm it" in page


def test_a_filled_honeypot_stores_nothing(client, facility):
    response = suggest(client, facility, homepage="http://spam.example.com")
    assert response.status_code == 302 and not Correction.objects.exists()


def test_an_overlong_suggestion_is_refused_with_a_message(client, facility):
    response = suggest(client, facility, suggested_value="x" * 2001)
    assert response.status_code == 200 and not Correction.objects.exists()
    assert b"Please keep it under 2,000 characters." in response.content


def test_an_empty_suggestion_is_refused_with_a_message(client, facility):
    response = suggest(client, facility, suggested_value="   ")
    assert (
        b"Tell us what it should say." in response.content
        or b"This field is required." in response.content
    )
    assert not Correction.objects.exists()


def test_accepting_applies_the_change_and_records_the_curator(db, facility, admin_user):
    correction = Correction.objects.create(
        facility=facility, field="phone", suggested_value="(310) 555-0199"
    )
    correction.accept(admin_user)
    facility.refresh_from_db()
    latest = facility.history.first()
    assert facility.phone == "+13105550199" and correction.reviewed_by == admin_user
    assert latest.history_user == admin_user and "correction" in latest.history_change_reason


def test_rejecting_leaves_the_listing_as_it_was(db, facility, admin_user):
    correction = Correction.objects.create(
        facility=facility, field="phone", suggested_value="(310) 555-0199"
    )
    correction.reject(admin_user)
    facility.refresh_from_db()
    assert facility.phone == "(310) 555-0100" and correction.status == Correction.Status.REJECTED


def test_accepting_a_value_that_cannot_stand_raises_and_changes_nothing(db, facility, admin_user):
    correction = Correction.objects.create(
        facility=facility, field="website", suggested_value="not a url"
    )
    with pytest.raises(ValidationError):
        correction.accept(admin_user)
    facility.refresh_from_db()
    correction.refresh_from_db()
    assert facility.website == "" and correction.status == Correction.Status.PENDING


def test_draft_facilities_take_no_suggestions(client, db):
    from facilities.models import Facility
    from tests.conftest import make_facility

    draft = make_facility(status=Facility.Status.DRAFT)
    assert client.get(f"/facilities/{draft.slug}/suggest/").status_code == 404


# --- Contact data checked, suggestions parsed --------------------------------------------------


def test_a_phone_number_in_free_text_is_applied_in_e164(db, facility, admin_user):
    correction = Correction.objects.create(
        facility=facility, field="phone", suggested_value="new # is 323-555-0199"
    )
    correction.accept(admin_user)
    facility.refresh_from_db()
    assert facility.phone == "+13235550199"


def test_the_accepted_number_is_dialled_from_the_public_page(client, facility, admin_user):
    correction = Correction.objects.create(
        facility=facility, field="phone", suggested_value="new # is 323-555-0199"
    )
    correction.accept(admin_user)
    page = client.get(facility.get_absolute_url()).content.decode()
    assert 'href="tel:+13235550199"' in page


def test_the_accepted_value_may_be_edited_by_the_curator(db, facility, admin_user):
    correction = Correction.objects.create(
        facility=facility, field="name", suggested_value="Harbor Light Recovery (renamed 2024)"
    )
    correction.accept(admin_user, value="Harbor Light Recovery")
    facility.refresh_from_db()
    assert (facility.name, correction.applied_value) == ("Harbor Light Recovery",) * 2


def test_a_phone_suggestion_longer_than_the_field_is_accepted(client, facility):
    note = "323-555-0199 (the intake line, ask for the evening program's coordinator)"
    response = suggest(client, facility, suggested_value=note)
    assert response.status_code == 302 and Correction.objects.get().suggested_value == note


def test_a_phone_suggestion_without_a_number_is_refused_with_a_message(client, facility):
    response = suggest(client, facility, suggested_value="n/a")
    assert b"Give the phone number with its area code" in response.content
    assert not Correction.objects.exists()


def test_a_website_suggestion_without_an_address_is_refused(client, facility):
    response = suggest(client, facility, field="website", suggested_value="they closed")
    assert b"Give the web address" in response.content


@pytest.mark.parametrize("text", ["they closed", "Dr.Smith closed it", "see Main St.Next door"])
def test_words_with_a_dot_are_not_taken_for_a_web_address(text):
    assert web_address_in(text) == ""


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("new site: harborlight.org/iop.", "https://harborlight.org/iop"),
        ("WWW.Harbor.org", "https://WWW.Harbor.org"),
        ("HTTPS://harbor.org/x", "HTTPS://harbor.org/x"),
    ],
)
def test_a_web_address_is_found_in_free_text(text, address):
    assert web_address_in(text) == address


def test_a_suggestion_longer_than_the_field_and_a_note_is_refused(client, facility):
    response = suggest(client, facility, field="name", suggested_value="x" * 401)
    assert b"Please keep it under 400 characters." in response.content


def test_the_form_asks_for_a_phone_number_with_a_phone_input(client, facility):
    page = client.get(f"/facilities/{facility.slug}/suggest/?field=phone").content.decode()
    assert 'type="tel"' in page and 'name="suggested_value"' in page


def test_the_form_asks_for_a_website_with_a_url_input(client, facility):
    page = client.get(f"/facilities/{facility.slug}/suggest/?field=website").content.decode()
    assert 'type="url"' in page


def test_n_a_accepted_as_a_phone_raises_and_changes_nothing(db, facility, admin_user):
    correction = Correction.objects.create(facility=facility, field="phone", suggested_value="n/a")
    with pytest.raises(ValidationError) as raised:
        correction.accept(admin_user)
    facility.refresh_from_db()
    assert "not a phone number" in raised.value.message_dict["phone"][0]
    assert facility.phone == "(310) 555-0100"
