import django.db.models.deletion
from django.db import migrations, models


def recount_program_statistics(apps, schema_editor):
    """As 0012 did for the facilities: where SQLite keeps statistics, the new index gets its
    own (one without any is taken for very selective), and the table SQLite rebuilt to drop
    the facility's index gets back those it lost."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute('ANALYZE "facilities_program"')


class Migration(migrations.Migration):
    """The columns a search tests of a program, indexed after its facility: the index
    replaces the facility's own (it finds a facility's programs as well), created first so
    that no moment is without one."""

    dependencies = [
        ("facilities", "0015_phones_in_e164"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="program",
            index=models.Index(
                fields=[
                    "facility",
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
                name="program_search_columns",
            ),
        ),
        migrations.AlterField(
            model_name="program",
            name="facility",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="programs",
                to="facilities.facility",
            ),
        ),
        migrations.RunPython(recount_program_statistics, migrations.RunPython.noop, elidable=True),
    ]
