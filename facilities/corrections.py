"""Visitors suggest corrections; curators review them in the admin before anything changes."""

from django.shortcuts import get_object_or_404, redirect, render

from facilities.forms import CorrectionForm
from facilities.models import Facility
from facilities.rate_limits import CORRECTIONS_LIMIT, PAGE_LIMIT


@PAGE_LIMIT
@CORRECTIONS_LIMIT
def suggest(request, slug):
    facility = get_object_or_404(Facility.objects.published(), slug=slug)
    # ?field=phone asks for a phone number (the listing's page links each field so).
    form = CorrectionForm(request.POST or None, initial={"field": request.GET.get("field")})
    if request.method == "POST" and form.is_valid():
        if not form.is_spam:  # a bot gets the same thank-you page and leaves nothing behind
            correction = form.save(commit=False)
            correction.facility = facility
            correction.save()
        return redirect("suggest_thanks", slug=facility.slug)
    return render(request, "facilities/suggest.html", {"facility": facility, "form": form})


@PAGE_LIMIT
def thanks(request, slug):
    facility = get_object_or_404(Facility.objects.published(), slug=slug)
    return render(request, "facilities/suggest_thanks.html", {"facility": facility})
