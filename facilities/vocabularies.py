"""The vocabularies: each declared once here, with the field that links its terms to a
program or a facility, the search parameter that asks for it and how a search matches it.
The filters, the answers, the API, the importers, the exports, the admin, HSDS, the seeders
and the tests read this list. Adding a vocabulary takes its model, an entry here, a migration
and its rows in fixtures/vocabularies.json, which ship with `migrate` (see below); then its
place among the search's filters (filters.ProgramFilter, in the questions' order) and its
words as an HSDS taxonomy (hsds/taxonomies.py). tests/test_vocabulary_registry.py says
which is missing.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps as installed_apps
from django.utils.translation import gettext_lazy as _

from facilities import directory_version

# How a search matches the terms ticked in one vocabulary.
ALL = "all"  # every one of them
ANY = "any"  # one of them will do


@dataclass(frozen=True)
class Vocabulary:
    owner_name: str  # "Facility" or "Program": whose field holds the terms
    relation: str  # the owner's ManyToManyField to the terms
    parameter: str = ""  # the search parameter (HTML and API); "" for one that is not searched
    matches: str = ALL
    label: str = ""  # the search form's label

    def __deepcopy__(self, memo):
        return self  # an entry is a constant: every request's copy of a filter shares it

    @property
    def owner(self):
        return installed_apps.get_model("facilities", self.owner_name)

    @property
    def field(self):
        return self.owner._meta.get_field(self.relation)

    @property
    def model(self):
        """The model of the terms."""
        return self.field.related_model

    @property
    def of_facility(self):
        return self.owner_name == "Facility"


# In this order wherever several are listed: the facility's, then the program's.
VOCABULARIES = (
    Vocabulary("Facility", "payment_options", "insurance", ANY, _("Insurance or payment")),
    Vocabulary("Facility", "languages", "language", ANY, _("Language")),
    Vocabulary("Facility", "accreditations"),
    Vocabulary("Program", "conditions", "condition", ALL, _("Conditions treated")),
    Vocabulary("Program", "populations", "population", ALL, _("Groups served")),
    Vocabulary("Program", "modalities", "modality", ALL, _("Therapies offered")),
    Vocabulary("Program", "philosophy", "philosophy", ALL, _("Treatment philosophy")),
    Vocabulary("Program", "transition_supports", "transition", ALL, _("Support after the program")),
)
SEARCHED = {vocabulary.parameter: vocabulary for vocabulary in VOCABULARIES if vocabulary.parameter}
BY_RELATION = {vocabulary.relation: vocabulary for vocabulary in VOCABULARIES}


def relations_of(owner_name):
    """The names of a model's vocabulary fields ("Facility" or "Program"), in the list's order."""
    return tuple(v.relation for v in VOCABULARIES if v.owner_name == owner_name)


def term_models_of(owner_name):
    """{field name: the model of its terms} of a model's vocabularies, once the models are
    loaded."""
    return {v.relation: v.model for v in VOCABULARIES if v.owner_name == owner_name}


VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "vocabularies.json"


def read_vocabulary_file():
    return json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))


def add_missing_vocabulary_terms(apps=installed_apps):
    """Create every shipped term the database lacks; terms a curator edited stay as edited.

    Takes `apps` so a data migration can pass its historical registry.
    """
    created = 0
    for model_label, rows in read_vocabulary_file().items():
        model = apps.get_model(model_label)
        # A migration's model has the fields of its time: the Spanish texts came later.
        fields = {field.name for field in model._meta.fields}
        existing = set(model.objects.values_list("slug", flat=True))
        new_terms = [
            model(position=position, **{k: v for k, v in row.items() if k in fields})
            for position, row in enumerate(rows)
            if row["slug"] not in existing
        ]
        model.objects.bulk_create(new_terms)
        created += len(new_terms)
    if created:
        directory_version.bump()
    return created
