"""How long ago a listing was checked, in the words a person would use."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def verified_phrase(moment):
    """'Verified 3 months ago': the largest unit only, as a person would say it."""
    if moment is None:
        return _("Not yet verified — check the details when you call")
    days = (timezone.now() - moment).days
    if days < 1:
        return _("Verified today")
    if days < 14:
        return ngettext("Verified %(count)s day ago", "Verified %(count)s days ago", days) % {
            "count": days
        }
    if days < 60:
        weeks = days // 7
        return ngettext("Verified %(count)s week ago", "Verified %(count)s weeks ago", weeks) % {
            "count": weeks
        }
    if days < 365:
        months = days // 30
        return ngettext("Verified %(count)s month ago", "Verified %(count)s months ago", months) % {
            "count": months
        }
    if days < 730:
        return _("Verified over a year ago")
    years = days // 365
    return ngettext(
        "Verified over %(count)s year ago", "Verified over %(count)s years ago", years
    ) % {"count": years}


# A listing not verified for this long (or never) may have changed: cards say so, curators
# are shown it.
STALE_AFTER = timedelta(days=365)


def stale_since():
    """The moment before which a verification is stale."""
    return timezone.now() - STALE_AFTER


def is_stale(moment):
    """Not verified in a year or more, or never: the details may have changed."""
    return moment is None or moment <= stale_since()
