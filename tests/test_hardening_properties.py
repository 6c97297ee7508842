"""Whatever a visitor puts in a search or API parameter, the answer is never a server error."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SEARCH_PARAMETERS = [
    "location", "radius", "age", "insurance", "focus", "condition", "population", "modality",
    "philosophy", "transition", "time_of_day", "format", "max_days_per_week", "max_weeks",
    "language", "accepting", "sort", "page", "online_page", "include_online", "page_size",
]  # fmt: skip
# Digits that are not ASCII (², ①, ٣, ５), signs, exponents, NUL and 10 kB values.
UNICODE_DIGITS = st.characters(categories=["Nd", "No"])
AWKWARD = st.one_of(
    st.text(UNICODE_DIGITS, min_size=1, max_size=6),
    st.tuples(st.sampled_from(["+", "-", "", "--", "+-"]), st.integers(-(10**30), 10**30)).map(
        lambda pair: f"{pair[0]}{pair[1]}"
    ),
    st.sampled_from(["1e3", "1E-2", "2.5", "1_000", " 25 ", "0x19", "inf", "NaN", "\x00", "2\x00"]),
    st.just("9" * 10_240),
    st.just("x" * 10_240),
    st.text(max_size=40),
)
QUERIES = st.lists(st.tuples(st.sampled_from(SEARCH_PARAMETERS), AWKWARD), min_size=1, max_size=5)
PATHS = st.sampled_from(["/search/", "/es/search/", "/api/v1/programs/", "/api/v1/facilities/"])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.django_db
@FUZZ
@given(path=PATHS, query=QUERIES)
def test_no_search_or_api_parameter_brings_a_server_error(path, query):
    response = Client().get(path, query)
    assert response.status_code < 500, (path, query)
    if path.startswith("/api/") and response.status_code >= 400:
        assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
@FUZZ
@given(ids=st.lists(AWKWARD, min_size=1, max_size=4))
def test_no_list_of_programs_brings_a_server_error_or_a_python_message(ids):
    for path in ("/compare/", "/shortlist/", "/shortlist/print/", "/shortlist/export.csv"):
        response = Client().get(path, {"programs": ",".join(ids)})
        assert response.status_code < 500 and b"invalid literal" not in response.content
