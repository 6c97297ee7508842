from django.core.management.base import BaseCommand

from facilities.importers.files import EXPORTERS


class Command(BaseCommand):
    help = (
        "Write the whole directory, every facility whatever its status, to standard output "
        'as JSON ({"facilities": [...]}, the API\'s facility with its programs) or CSV (one '
        "row a program). import_facilities reads either back: export, then import into an "
        "empty database, gives the same directory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(EXPORTERS), default="json")

    def handle(self, *args, format="json", **options):
        self.stdout.ending = ""  # the exporters end their own lines
        EXPORTERS[format](self.stdout)
