"""The admin home page's counts of what waits for a curator, each linking to its list."""

from django import template
from django.urls import reverse

from facilities.freshness import stale_since
from facilities.models import INCOMPLETE_FACILITY, Correction, Facility

register = template.Library()


@register.simple_tag(takes_context=True)
def curation_counts(context):
    """[(label, count, url of the filtered list)]; empty for a user who may not see them."""
    user = context["request"].user
    if not user.has_perm("facilities.view_facility"):
        return []
    facilities = reverse("admin:facilities_facility_changelist")
    corrections = reverse("admin:facilities_correction_changelist")
    stale = Facility.objects.filter(last_verified_at__lt=stale_since()).count()
    never = Facility.objects.filter(last_verified_at__isnull=True).count()
    return [
        (
            "corrections waiting",
            Correction.objects.filter(status=Correction.Status.PENDING).count(),
            f"{corrections}?status__exact=pending",
        ),
        ("listings not verified in 12 months", stale, f"{facilities}?verified=over_year"),
        ("listings never verified", never, f"{facilities}?verified=never"),
        (
            "incomplete listings",
            Facility.objects.filter(INCOMPLETE_FACILITY).count(),
            f"{facilities}?answered=incomplete",
        ),
    ]
