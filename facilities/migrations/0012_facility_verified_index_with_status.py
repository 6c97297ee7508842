from django.conf import settings
from django.db import migrations

import facilities.models


def recount_sqlite_statistics(apps, schema_editor):
    """SQLite plans from the statistics its last ANALYZE kept (imports and seed_synthetic run
    one). An index added since has none, and SQLite then takes it for very selective: with
    this one it read every published facility for a page of twenty programs by their ids.
    Recount the facilities' indexes, where statistics are kept at all."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return  # PostgreSQL's statistics are the columns', which an index on them shares
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute('ANALYZE "facilities_facility"')


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0011_facility_name_index_with_status"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="facility",
            index=facilities.models.NullsLastIndex(
                fields=["status", "-last_verified_at", "name", "id"],
                name="facilities__status_5019d6_idx",
            ),
        ),
        migrations.RunPython(recount_sqlite_statistics, migrations.RunPython.noop, elidable=True),
    ]
