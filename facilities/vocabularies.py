"""The vocabularies' rows ship in fixtures/vocabularies.json; this puts them in a database."""

import json
from pathlib import Path

from django.apps import apps as installed_apps

from facilities import directory_version

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
