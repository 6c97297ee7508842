import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from facilities.hsds.export import write_hsds
from facilities.importers.files import EXPORTERS


class Command(BaseCommand):
    help = (
        "Write the whole directory, every facility whatever its status, to standard output "
        'as JSON ({"facilities": [...]}, the API\'s facility with its programs) or CSV (one '
        "row a program). import_facilities reads either back: export, then import into an "
        "empty database, gives the same directory. --format hsds writes Open Referral HSDS "
        "3.0 instead, for 211s and referral tools: a JSON array of full services, each with "
        "its organization and location, of the published and archived facilities."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted([*EXPORTERS, "hsds"]), default="json")
        parser.add_argument(
            "--base-url",
            help="With --format hsds: the site's address (https://…), so each service links "
            "to its program on the facility's page.",
        )

    def handle(self, *args, format="json", base_url=None, **options):
        self.stdout.ending = ""  # the exporters end their own lines
        if base_url and not base_url.startswith(("https://", "http://")):
            raise CommandError("--base-url: give the site's address, e.g. https://iopfinder.org")
        if format == "hsds":
            write_hsds(self.stdout, base_url=base_url, progress=self.progress_bar)
        else:
            EXPORTERS[format](self.stdout)

    def progress_bar(self, total):
        # On standard error, and only on a terminal: the export itself is standard output.
        return tqdm(
            total=total,
            desc="Exporting",
            unit=" services",
            file=sys.stderr,
            disable=not sys.stderr.isatty(),
        )
