"""Every vocabulary in facilities.vocabularies is searched, exported, imported and shown: adding
one takes its model, its entry, a migration and its rows in fixtures/vocabularies.json."""

import csv
import html
import io
import json

import pytest
from django.core.management import call_command

from facilities.filters import ProgramFilter
from facilities.models import Facility, Program, VocabularyTerm
from facilities.vocabularies import SEARCHED, VOCABULARIES
from tests.conftest import make_facility, make_program

BY_NAME = {vocabulary.relation: vocabulary for vocabulary in VOCABULARIES}


def vocabulary_fields(model):
    return {
        field.name
        for field in model._meta.many_to_many
        if issubclass(field.related_model, VocabularyTerm)
    }


def test_every_vocabulary_field_of_the_models_is_registered():
    registered = {(v.owner, v.relation) for v in VOCABULARIES}
    declared = {(model, name) for model in (Facility, Program) for name in vocabulary_fields(model)}
    assert registered == declared


def test_every_searched_vocabulary_has_its_filter():
    for parameter, vocabulary in SEARCHED.items():
        assert ProgramFilter.base_filters[parameter].vocabulary is vocabulary


def test_every_vocabulary_is_an_hsds_taxonomy():
    from facilities.hsds.taxonomies import VOCABULARIES as TAXONOMIES

    assert {taxonomy.stored for taxonomy in TAXONOMIES if taxonomy.choices is None} == set(
        VOCABULARIES
    )


def listed_with(vocabulary, name="With the term"):
    """A published program whose vocabulary (its facility's, for a facility's) holds the
    vocabulary's first term, and that term."""
    term = vocabulary.model.objects.first()
    links = {vocabulary.relation: [term.slug]}
    if vocabulary.of_facility:
        program = make_program(make_facility(f"{name} Center", **links), name)
    else:
        program = make_program(make_facility(f"{name} Center"), name, **links)
    return program, term


def links_of(program, vocabulary):
    owner = program.facility if vocabulary.of_facility else program
    return set(getattr(owner, vocabulary.relation).values_list("slug", flat=True))


@pytest.mark.parametrize("parameter", list(SEARCHED))
def test_a_vocabulary_search_finds_only_the_programs_with_the_term(client, db, parameter):
    vocabulary = SEARCHED[parameter]
    program, term = listed_with(vocabulary)
    without = {vocabulary.relation: []}
    if vocabulary.of_facility:
        make_program(make_facility("Without Center", **without), "Without the term")
    else:
        make_program(make_facility("Without Center"), "Without the term", **without)
    found = client.get("/api/v1/programs/", {parameter: term.slug}).json()["results"]
    assert [item["id"] for item in found] == [program.pk]


@pytest.mark.parametrize("relation", list(BY_NAME))
def test_a_vocabulary_is_exported_in_csv_and_json(db, relation):
    vocabulary = BY_NAME[relation]
    listed_with(vocabulary)
    term = vocabulary.model.objects.first()
    column = f"facility.{relation}" if vocabulary.of_facility else relation
    out = io.StringIO()
    call_command("export_facilities", "--format", "csv", stdout=out)
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert term.slug in row[column].split("; ")
    out = io.StringIO()
    call_command("export_facilities", "--format", "json", stdout=out)
    [facility] = json.loads(out.getvalue())["facilities"]
    owner = facility if vocabulary.of_facility else facility["programs"][0]
    assert {"slug": term.slug, "label": term.label} in owner[relation]


@pytest.mark.parametrize("relation", list(BY_NAME))
def test_a_vocabulary_comes_back_from_its_export(db, tmp_path, relation):
    vocabulary = BY_NAME[relation]
    program, term = listed_with(vocabulary)
    exported = tmp_path / "directory.json"
    with exported.open("w", encoding="utf-8") as stream:
        call_command("export_facilities", "--format", "json", stdout=stream)
    owner = program.facility if vocabulary.of_facility else program
    getattr(owner, vocabulary.relation).clear()
    call_command("import_facilities", str(exported), "--format", "json", stdout=io.StringIO())
    assert links_of(Program.objects.get(), vocabulary) == {term.slug}


@pytest.mark.parametrize("relation", list(BY_NAME))
def test_a_vocabulary_term_is_shown_on_the_facility_page(client, db, relation):
    program, term = listed_with(BY_NAME[relation])
    page = client.get(program.facility.get_absolute_url()).content.decode()
    assert html.escape(term.label) in page
