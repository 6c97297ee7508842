"""Visitors suggest corrections; nothing changes until a curator accepts."""

import pytest
from django.core.exceptions import ValidationError

from facilities.models import Correction


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
    assert facility.phone == "(310) 555-0199" and correction.reviewed_by == admin_user
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
