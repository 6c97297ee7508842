"""Visitors suggest corrections; curators review them in the admin before anything changes."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django_ratelimit.decorators import ratelimit

from facilities.forms import CorrectionForm
from facilities.models import Facility


def corrections_rate(group, request):
    return settings.RATELIMIT_CORRECTIONS


@ratelimit(key="ip", rate=corrections_rate, method="POST", group="corrections")
def suggest(request, slug):
    facility = get_object_or_404(Facility.objects.published(), slug=slug)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.is_spam:  # a bot gets the same thank-you page and leaves nothing behind
            correction = form.save(commit=False)
            correction.facility = facility
            correction.save()
        return redirect("suggest_thanks", slug=facility.slug)
    return render(request, "facilities/suggest.html", {"facility": facility, "form": form})


def thanks(request, slug):
    facility = get_object_or_404(Facility.objects.published(), slug=slug)
    return render(request, "facilities/suggest_thanks.html", {"facility": facility})
