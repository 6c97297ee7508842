"""Phone numbers: parsed with phonenumbers (Google's libphonenumber), stored in E.164 with
any extension kept ("+13235550199;ext=123"), shown in national format, dialled as `tel:`.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers import PhoneNumberFormat

DEFAULT_REGION = "US"
EXTENSION = ";ext="
# The longest stored form a listing's phone fields hold (an E.164 number is at most 16).
MAX_STORED_LENGTH = 30


def parse(raw, region=DEFAULT_REGION):
    """The phonenumbers.PhoneNumber a text names, or raise ValidationError saying why not."""
    text = str(raw or "").strip()
    example = "e.g. 323-555-0199"
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            "“%(value)s” is not a phone number: give its digits with the area code, %(example)s.",
            code="invalid_phone",
            params={"value": text[:40], "example": example},
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "“%(value)s” is not a complete phone number: give it with the area code, %(example)s.",
            code="invalid_phone",
            params={"value": text[:40], "example": example},
        )
    return number


def stored_form(number):
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return f"{e164}{EXTENSION}{number.extension}" if number.extension else e164


def normalize(raw, region=DEFAULT_REGION):
    """The stored form of a phone number typed any usual way: "(323) 555-0199 x12" becomes
    "+13235550199;ext=12". Blank stays blank; "n/a" and the like raise ValidationError."""
    if not str(raw or "").strip():
        return ""
    stored = stored_form(parse(raw, region))
    if len(stored) > MAX_STORED_LENGTH:
        raise ValidationError(
            "“%(value)s” has a longer extension than a listing can hold.",
            code="invalid_phone",
            params={"value": str(raw).strip()[:40]},
        )
    return stored


def find(text, region=DEFAULT_REGION):
    """The stored form of the first phone number inside free text ("new # is 323-555-0199"),
    or "" when it holds none."""
    for match in phonenumbers.PhoneNumberMatcher(str(text or ""), region):
        stored = stored_form(match.number)
        if phonenumbers.is_valid_number(match.number) and len(stored) <= MAX_STORED_LENGTH:
            return stored
    return ""


def stored(value):
    """The PhoneNumber of a value in the stored form, or None for anything else (a raw value
    kept because it could not be parsed)."""
    if not str(value or "").startswith("+"):
        return None
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def national(value):
    """A stored number as people read it: "(323) 555-0199", "(323) 555-0199 ext. 123". A
    number outside the North American plan keeps its country code. A value not in the stored
    form comes back unchanged."""
    number = stored(value)
    if number is None:
        return value or ""
    if number.country_code == 1:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def tel_uri(value):
    """ "tel:+13235550199" (";ext=123" when it has one), or "" when the value cannot be dialled."""
    number = stored(value)
    if number is None:
        return ""
    return f"tel:{stored_form(number)}"


def normalize_listings(facilities, fields=("phone", "intake_phone")):
    """Rewrite the facilities' phone numbers in the stored form. A value that cannot be
    parsed is kept as it is and its listing flagged `needs_review`; returns those as
    [(facility, field, value)]. Takes a queryset, so a migration can pass its own model's."""
    unreadable = []
    for facility in facilities.only("pk", "name", *fields).iterator(chunk_size=2000):
        changed, flagged = {}, False
        for name in fields:
            value = getattr(facility, name)
            try:
                normalized = normalize(value)
            except ValidationError:
                unreadable.append((facility, name, value))
                flagged = True
                continue
            if normalized != value:
                changed[name] = normalized
        if changed or flagged:
            facilities.filter(pk=facility.pk).update(
                **changed, **({"needs_review": True} if flagged else {})
            )
    return unreadable
