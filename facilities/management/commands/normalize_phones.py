from django.core.management.base import BaseCommand

from facilities.models import Facility
from facilities.phones import normalize_listings


class Command(BaseCommand):
    help = (
        "Rewrite every listing's phone numbers in E.164 (+13235550199;ext=123) and list those "
        "that cannot be read. An unreadable value is kept as it is and its listing flagged "
        "for review (the admin's 'needs review' filter); nothing is lost."
    )

    def handle(self, *args, **options):
        unreadable = normalize_listings(Facility.objects.all())
        for facility, field, value in unreadable:
            self.stdout.write(f"facility {facility.pk} ({facility.name}): {field} {value!r}")
        self.stdout.write(
            f"{len(unreadable)} phone number(s) could not be read; their listings are flagged "
            "for review."
            if unreadable
            else "Every phone number is in E.164."
        )
