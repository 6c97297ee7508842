from django.db import migrations

from facilities.models import refresh_questions_answered


def count(apps, schema_editor):
    Facility = apps.get_model("facilities", "Facility")
    Program = apps.get_model("facilities", "Program")
    refresh_questions_answered(
        Facility.objects.values("pk"), program_model=Program, facility_model=Facility
    )


class Migration(migrations.Migration):
    """Count the questions each program answers, which the admin's filter now reads. Going
    back drops the columns, so there is nothing to undo here."""

    dependencies = [("facilities", "0013_curation_fields")]

    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
