import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.context_processors import DEMO_SOURCE
from facilities.importers.directory import ImportFailed, import_directory
from facilities.vocabularies import add_missing_vocabulary_terms

DEMO_FILE = Path(__file__).resolve().parents[3] / "fixtures" / "demo_directory.json"


class Command(BaseCommand):
    help = (
        "Load the vocabularies and the fictional demo directory from fixtures/. "
        "Running it again updates the demo listings in place; it never duplicates them."
    )

    def handle(self, *args, **options):
        add_missing_vocabulary_terms()
        records = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["facilities"]
        try:
            report = import_directory(
                ((f"index {i}", record) for i, record in enumerate(records)),
                source=DEMO_SOURCE,
            )
        except ImportFailed as failure:
            raise CommandError("\n".join(failure.report.errors)) from failure
        self.stdout.write(
            f"Demo directory: {report.created} facilities added, {report.updated} updated, "
            f"{report.unchanged} unchanged; {report.programs} programs."
        )
