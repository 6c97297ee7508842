from django.db import migrations

from facilities.phones import normalize_listings


def normalize_phones(apps, schema_editor):
    Facility = apps.get_model("facilities", "Facility")
    unreadable = normalize_listings(Facility.objects.all())
    if unreadable:
        # Printed with migrate's own output; `normalize_phones` lists them again at any time.
        print(f"\n  {len(unreadable)} phone number(s) could not be read; kept as they were,")
        print("  their listings flagged for review:")
        for facility, field, value in unreadable:
            print(f"    facility {facility.pk} ({facility.name}): {field} {value!r}")


class Migration(migrations.Migration):
    """Phone numbers in E.164 (+13235550199, ;ext=123 kept). Not undone on the way back:
    the numbers stay the same numbers, only their spelling changed, and every older form
    is still read."""

    dependencies = [("facilities", "0014_questions_answered_counts")]

    operations = [migrations.RunPython(normalize_phones, migrations.RunPython.noop)]
