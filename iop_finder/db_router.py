"""Reads go to the read replica when one is configured; writes, and migrations, to the primary."""


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # Counters in the database cache (rate limits) are read where they are written.
        if model._meta.app_label == "django_cache":
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
