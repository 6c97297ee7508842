"""Compare: only the questions where programs differ are marked, and too many programs chosen
are cut to the first ones with a word about the limit."""

import re

import pytest
from django.utils import translation

from facilities.answers import comparison_rows
from facilities.forms import published_programs
from tests.conftest import make_facility, make_program
from tests.test_shortlist import rendered_context


@pytest.fixture
def english_afterwards():
    """A request to /es/ leaves Spanish active in this thread; the next test starts in English."""
    yield
    translation.deactivate()


def program_columns(response):
    return [int(i) for i in re.findall(r'data-program-id="(\d+)"', response.content.decode())]


@pytest.fixture
def compare_context(monkeypatch):
    return rendered_context(monkeypatch, "facilities.views")


@pytest.fixture
def five_programs(db):
    return [
        make_program(
            make_facility(f"Center {number}", payment_options=["medicaid"]),
            f"IOP {number}",
            age_min=18,
            duration_weeks_max=8 + number,
        )
        for number in range(5)
    ]


def rows_by_question(programs):
    return {row.question.key: row for row in comparison_rows(programs)["rows"]}


def test_only_the_questions_answered_differently_are_marked(five_programs):
    rows = rows_by_question(published_programs([program.pk for program in five_programs[:3]]))
    assert rows["duration"].differs
    assert not rows["insurance"].differs and not rows["age"].differs


def test_a_question_no_program_answers_is_not_marked(five_programs):
    rows = rows_by_question(published_programs([program.pk for program in five_programs[:2]]))
    assert not rows["modalities"].answers[0].known and not rows["modalities"].differs


def test_a_question_one_program_answers_and_another_leaves_out_is_marked(db):
    listed = make_program(make_facility("Listed Center"), "Listed IOP", modalities=["cbt"])
    silent = make_program(make_facility("Silent Center"), "Silent IOP")
    assert rows_by_question(published_programs([listed.pk, silent.pk]))["modalities"].differs


def test_the_page_counts_the_rows_that_differ(client, five_programs, compare_context):
    ids = ",".join(str(program.pk) for program in five_programs[:3])
    client.get("/compare/", {"programs": ids})
    rows = compare_context["rows"]
    assert compare_context["differing_count"] == sum(row.differs for row in rows) == 1
    assert len(rows) == 8


def test_more_than_four_programs_compares_the_first_four(client, five_programs, compare_context):
    ids = ",".join(str(program.pk) for program in five_programs)
    response = client.get("/compare/", {"programs": ids})
    assert response.status_code == 200
    assert program_columns(response) == [program.pk for program in five_programs[:4]]
    assert compare_context["limit_message"] == (
        "You can compare up to 4 programs at a time; 5 were chosen. Here are the first 4."
    )


def test_four_programs_or_fewer_carry_no_limit_message(client, five_programs, compare_context):
    ids = ",".join(str(program.pk) for program in five_programs[:4])
    client.get("/compare/", {"programs": ids})
    assert "limit_message" not in compare_context and compare_context["max_compared"] == 4


def test_a_place_not_found_compares_without_distances_and_says_why(
    client, five_programs, compare_context
):
    ids = ",".join(str(program.pk) for program in five_programs[:2])
    response = client.get("/compare/", {"programs": ids, "location": "Nowhere, ZZ"})
    assert response.status_code == 200 and compare_context["place"] is None
    assert compare_context["location_problem"].startswith("We couldn't find that place.")


def test_the_limit_is_said_in_spanish_on_the_spanish_page(
    client, five_programs, compare_context, english_afterwards
):
    ids = ",".join(str(program.pk) for program in five_programs)
    client.get("/es/compare/", {"programs": ids})
    assert compare_context["limit_message"].startswith("Puede comparar hasta 4 programas")
