"""US states and territories by postal code, for validation and for plain-language names."""

import re

from django.core.exceptions import ValidationError

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
    "AS": "American Samoa", "MP": "Northern Mariana Islands",
}  # fmt: skip


def state_codes(text):
    """["CA", "NV"] from "ca, NV; nv" and the like: upper case, in order, without repeats."""
    return list(dict.fromkeys(code.upper() for code in re.findall(r"[A-Za-z]{2}", text or "")))


def validate_state_codes(text):
    unknown = [code for code in state_codes(text) if code not in US_STATES]
    if unknown or re.search(r"[A-Za-z]{3,}", text or ""):
        raise ValidationError(
            "Use two-letter state codes separated by spaces, e.g. CA NV AZ%s."
            % (f" ({', '.join(unknown)} is not a state code)" if unknown else "")
        )
