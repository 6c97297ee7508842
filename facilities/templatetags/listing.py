from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def verified_phrase(moment):
    """'Verified 3 months ago': the largest unit only, as a person would say it."""
    if moment is None:
        return "Not yet verified — check the details when you call"
    days = (timezone.now() - moment).days
    if days < 1:
        ago = "today"
    elif days < 14:
        ago = f"{days} day{'s' if days != 1 else ''} ago"
    elif days < 60:
        ago = f"{days // 7} weeks ago"
    elif days < 365:
        ago = f"{days // 30} months ago"
    elif days < 730:
        ago = "over a year ago"
    else:
        ago = f"over {days // 365} years ago"
    return f"Verified {ago}"


@register.filter
def is_stale(moment):
    return moment is None or (timezone.now() - moment).days >= 365
