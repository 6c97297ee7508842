import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from facilities.importers.directory import BadValue, ImportFailed
from facilities.importers.files import (
    FORMATS,
    check_source,
    decode,
    default_source,
    import_file,
    recognise_format,
)

# Files with fewer facilities go by too fast for a progress bar to help.
PROGRESS_FROM = 100


class Command(BaseCommand):
    help = (
        "Import facilities and their programs from a file: our CSV or JSON (the API's field "
        "names, lists of slugs; what export_facilities writes) or a FindTreatment.gov locator "
        "JSON export. All or nothing: a file with any bad record imports nothing and every "
        "problem is reported with its line (CSV) or index (JSON). Importing the same file "
        "again updates the listings, never duplicates them. The format comes from the file's "
        "content (a locator record by its fields) unless --format names it. Every value the "
        "import changed or left out (a phone number put in E.164, a website that is not one, "
        "an unknown ZIP code) is listed as a warning with its line or index."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file to import.")
        parser.add_argument(
            "--format",
            choices=list(FORMATS),
            help="; ".join(f"{name}: {label}" for name, label in FORMATS.items())
            + ". Default: recognised from the file's content.",
        )
        parser.add_argument(
            "--source",
            help="Where the listings come from, for records that do not name their own "
            "(an export names each listing's): import:<name>. Default: import:<file name "
            "without extension>, or import:findtreatment for that format.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and count what would change, writing nothing.",
        )

    def handle(self, *args, path, format=None, source=None, dry_run=False, **options):
        path = Path(path)
        try:
            text = decode(path.read_bytes())
            file_format = format or recognise_format(path.name, text)
            if file_format is None:
                raise CommandError(f"Cannot tell the format of {path.name}; use --format.")
            source = source or default_source(file_format, path.name)
            check_source(source)
            report = import_file(
                text,
                file_format=file_format,
                source=source,
                dry_run=dry_run,
                progress=self.progress_bar,
            )
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        except BadValue as problem:
            raise CommandError(f"--{problem}") from None
        except ImportFailed as failure:
            problems = "\n".join(failure.report.errors)
            raise CommandError(f"{failure} ({path.name}):\n{problems}") from None

        self.stdout.write(f"{path.name} ({file_format}, default source {source}): {report.summary}")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        if report.skipped:
            self.stdout.write(
                f"Skipped {report.skipped} rows without intensive outpatient treatment."
            )
        if report.unmapped_answers:
            self.stdout.write("Answers with no counterpart in our vocabularies (times seen):")
            for category, label, count in report.unmapped_answers:
                self.stdout.write(f"  {category}: {label} ({count})")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")

    def progress_bar(self, records):
        # On standard error, so the report on standard output stays clean for scripts.
        return tqdm(
            records,
            desc="Importing",
            unit=" facilities",
            file=sys.stderr,
            # None: only on a terminal, so logs and pipes get no bar.
            disable=True if len(records) < PROGRESS_FROM else None,
        )
