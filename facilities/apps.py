from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = "Directory"

    def ready(self):
        from django.db.models.signals import post_migrate

        from facilities import signals  # noqa: F401
        from iop_finder import checks  # noqa: F401  (registers the deploy checks)
        from iop_finder.database_cache import create_rate_limit_table

        post_migrate.connect(create_rate_limit_table, sender=self)
