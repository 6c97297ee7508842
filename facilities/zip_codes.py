"""ZIP codes checked against the offline ZIP data (the `zipcodes` package): a ZIP must exist
and lie in the listing's state."""

import re
from functools import cache

import zipcodes
from django.core.exceptions import ValidationError

ZIP_FORMAT = re.compile(r"^(\d{5})(?:-\d{4})?$")


@cache
def zip_states():
    """{five-digit ZIP: its state}, read once: zipcodes.matching() reads the whole list."""
    return {row["zip_code"]: row["state"] for row in zipcodes.list_all()}


def check_zip_code(value, state):
    """Raise ValidationError unless a ZIP (or ZIP+4) exists and lies in the state."""
    match = ZIP_FORMAT.match(value)
    if match is None:
        raise ValidationError(
            "“%(value)s” is not a ZIP code (five digits, e.g. 90230).",
            code="invalid_zip",
            params={"value": value[:20]},
        )
    zip_state = zip_states().get(match.group(1))
    if zip_state is None:
        raise ValidationError(
            "ZIP code %(value)s does not exist.", code="unknown_zip", params={"value": value}
        )
    if state and zip_state != state:
        raise ValidationError(
            "ZIP code %(value)s is in %(zip_state)s, not %(state)s.",
            code="zip_in_other_state",
            params={"value": value, "zip_state": zip_state, "state": state},
        )
