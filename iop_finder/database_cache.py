"""Django's database cache, with counters that several processes can share.

The rate limits count with `add` and `incr`. Django's database cache reads a value and
writes it back, so two gunicorn workers counting the same visitor at once both write the
same number and one request goes uncounted. Here each `add` and `incr` first writes to the
counter's row, which locks it (PostgreSQL) or the database (SQLite, waiting its busy
timeout rather than failing) until the new count is stored.
"""

from contextlib import contextmanager

from django.core.cache.backends import db
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db import connections, router, transaction


class DatabaseCache(db.DatabaseCache):
    @contextmanager
    def locked(self, key, version=None):
        database = router.db_for_write(self.cache_model_class)
        connection = connections[database]
        table = connection.ops.quote_name(self.cache_model_class._meta.db_table)
        stored_key = self.make_and_validate_key(key, version=version)
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET expires = expires WHERE cache_key = %s", [stored_key]
                )
            yield

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self.locked(key, version):
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self.locked(key, version):
            return super().incr(key, delta, version)


def create_rate_limit_table(using, **kwargs):
    """After every `migrate`: the rate limits' table, whether or not REDIS_URL is set now, so
    the counters have a place whenever it is not."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("createcachetable", settings.RATE_LIMIT_TABLE, database=using, verbosity=0)
