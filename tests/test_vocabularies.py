import re
from pathlib import Path

import pytest

from facilities.models import (
    Accreditation,
    Condition,
    Language,
    Modality,
    PaymentOption,
    Philosophy,
    Population,
    TransitionSupport,
)
from facilities.vocabularies import add_missing_vocabulary_terms

VOCABULARY_MD = Path(__file__).resolve().parents[2] / "shared" / "VOCABULARY.md"
SECTIONS = {
    "payment": PaymentOption,
    "condition": Condition,
    "population": Population,
    "modality": Modality,
    "philosophy": Philosophy,
    "transition": TransitionSupport,
    "language": Language,
    "accreditation": Accreditation,
}


def contract_slugs(section):
    """The backticked slugs of one paragraph of VOCABULARY.md, as the contract states them."""
    text = VOCABULARY_MD.read_text()
    paragraph = re.search(rf"^{section} \(.*?(?=\n\n)", text, re.M | re.S)
    if paragraph is None:
        paragraph = re.search(rf"^{section}:.*?(?=\n\n)", text, re.M | re.S)
    slugs = re.findall(r"`([a-z0-9_]+)`", paragraph.group(0))
    return {slug for slug in slugs if slug != f"{section}="}


@pytest.mark.skipif(not VOCABULARY_MD.exists(), reason="shared/VOCABULARY.md is beside the repo")
@pytest.mark.parametrize("section", SECTIONS)
def test_every_contract_slug_is_in_the_database_after_migrate(db, section):
    stored = set(SECTIONS[section].objects.values_list("slug", flat=True))
    assert contract_slugs(section) <= stored


@pytest.mark.parametrize("model", SECTIONS.values())
def test_every_term_has_a_label_and_a_plain_explanation(db, model):
    missing = model.objects.filter(label="") | model.objects.filter(explanation="")
    assert model.objects.count() > 0 and not missing.exists()


def test_named_carriers_are_private_insurance(db):
    carriers = set(
        PaymentOption.objects.filter(is_private_carrier=True).values_list("slug", flat=True)
    )
    assert carriers == {"aetna", "anthem", "bcbs", "cigna", "humana", "kaiser", "optum"}


def test_adding_missing_terms_keeps_a_curators_edits(db):
    term = Modality.objects.get(slug="dbt")
    term.label = "DBT skills"
    term.save()
    Modality.objects.filter(slug="emdr").delete()
    assert add_missing_vocabulary_terms() == 1
    assert Modality.objects.get(slug="dbt").label == "DBT skills"
