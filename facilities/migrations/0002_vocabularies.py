from django.db import migrations

from facilities.vocabularies import add_missing_vocabulary_terms, read_vocabulary_file


def add_terms(apps, schema_editor):
    add_missing_vocabulary_terms(apps)


def remove_terms(apps, schema_editor):
    for model_label, rows in read_vocabulary_file().items():
        apps.get_model(model_label).objects.filter(slug__in=[r["slug"] for r in rows]).delete()


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial")]

    operations = [migrations.RunPython(add_terms, remove_terms)]
