from django.db import migrations

from facilities.vocabularies import read_vocabulary_file

SPANISH_FIELDS = ("label_es", "explanation_es")


def add_spanish(apps, schema_editor):
    # Only where a curator has not written a Spanish text already.
    for model_label, rows in read_vocabulary_file().items():
        model = apps.get_model(model_label)
        for row in rows:
            for field in SPANISH_FIELDS:
                if row.get(field):
                    model.objects.filter(slug=row["slug"], **{field: ""}).update(
                        **{field: row[field]}
                    )


class Migration(migrations.Migration):
    dependencies = [("facilities", "0004_vocabulary_spanish")]

    # Reversing leaves the texts: the previous migration drops the columns anyway.
    operations = [migrations.RunPython(add_spanish, migrations.RunPython.noop)]
