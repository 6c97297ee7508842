from django.core.management.base import BaseCommand
from django.db.models import Q
from django.urls import reverse

from facilities.geocoding import offline_geocode, zip_place
from facilities.models import Facility

REASON = "geocode_missing"


def centroid(facility):
    """The centre of the facility's ZIP code, else of its city, offline; None if neither is
    known. A ZIP in another state than the facility's is a typo, not a place."""
    zip_code = facility.zip_code.strip()[:5]
    place = zip_place(zip_code) if zip_code.isdigit() and len(zip_code) == 5 else None
    if place is None or place.state != facility.state:
        place = offline_geocode(f"{facility.city}, {facility.state}")
    return place if place is not None and place.precision in ("zip", "city") else None


class Command(BaseCommand):
    help = (
        "Give coordinates to facilities that have none: the centre of their ZIP code "
        '(geocode precision "zip"), else of their city ("city"), from the offline centroids; '
        "no network. Each change is kept in the facility's history. Lists the facilities it "
        "could not place."
    )

    def handle(self, *args, **options):
        missing = Facility.objects.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
        placed, unplaced = {"zip": 0, "city": 0}, []
        for facility in missing.order_by("name", "pk"):
            place = centroid(facility)
            if place is None:
                unplaced.append(facility)
                continue
            facility.latitude, facility.longitude = place.latitude, place.longitude
            facility.geocode_precision = place.precision
            facility._change_reason = REASON
            facility.save(
                update_fields=["latitude", "longitude", "geocode_precision", "updated_at"]
            )
            placed[place.precision] += 1
        self.stdout.write(
            f"Placed {sum(placed.values())} facilities: {placed['zip']} at their ZIP code's "
            f"centre, {placed['city']} at their city's."
        )
        if unplaced:
            self.stdout.write(f"Could not place {len(unplaced)} (no known ZIP code or city):")
            for facility in unplaced:
                admin_url = reverse("admin:facilities_facility_change", args=[facility.pk])
                self.stdout.write(f"  {facility}: {admin_url}")
