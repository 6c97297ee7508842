from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = "Directory"

    def ready(self):
        from facilities import signals  # noqa: F401
