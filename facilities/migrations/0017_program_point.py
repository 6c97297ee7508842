import importlib

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# As 0016 did: the new index gets SQLite's statistics where the others have them.
recount_program_statistics = importlib.import_module(
    "facilities.migrations.0016_program_search_columns"
).recount_program_statistics


def copy_facility_points(apps, schema_editor):
    """Each program's copy of its facility's point, as refresh_program_places() writes it."""
    Facility = apps.get_model("facilities", "Facility")
    Program = apps.get_model("facilities", "Program")
    facility = Facility.objects.filter(pk=OuterRef("facility_id"))
    Program.objects.update(
        latitude=Subquery(facility.values("latitude")),
        longitude=Subquery(facility.values("longitude")),
    )


class Migration(migrations.Migration):
    """A program's copy of its facility's point, indexed with the columns a search tests: a
    circle's programs are read from that index, not facility by facility. The points are
    copied before the index is made, so it is built once, from full columns."""

    dependencies = [
        ("facilities", "0016_program_search_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="program",
            name="latitude",
            field=models.FloatField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="program",
            name="longitude",
            field=models.FloatField(editable=False, null=True),
        ),
        migrations.RunPython(copy_facility_points, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="program",
            index=models.Index(
                fields=[
                    "latitude",
                    "longitude",
                    "format",
                    "offers_morning",
                    "offers_afternoon",
                    "offers_evening",
                    "offers_weekend",
                    "age_min",
                    "age_max",
                    "accepting_new_clients",
                    "days_per_week",
                    "duration_weeks_min",
                    "duration_weeks_max",
                    "focus",
                ],
                name="program_point_search",
            ),
        ),
        migrations.RunPython(recount_program_statistics, migrations.RunPython.noop, elidable=True),
    ]
