"""The visitor's shortlist: program ids in a signed cookie in their own browser.

No account and nothing stored on the server: the list lives only where the visitor is, and a
link with ?programs=1,2,3 carries it to someone else.
"""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_cookie

from facilities import geocoding
from facilities.answers import answers_for
from facilities.csv_format import programs_csv
from facilities.forms import MAX_LISTED_PROGRAMS, parse_program_ids, published_programs
from facilities.models import Program
from facilities.rate_limits import GEOCODE_LIMIT, PAGE_LIMIT
from facilities.referral_sheet import qr_code_svg, referral_entries

COOKIE = "shortlist"
COOKIE_SALT = "iop-finder.shortlist"
COOKIE_DAYS = 180


def saved_ids(request):
    try:
        return parse_program_ids([request.get_signed_cookie(COOKIE, "", salt=COOKIE_SALT)])
    except ValueError:
        return []


def save_ids(request, response, ids):
    response.set_signed_cookie(
        COOKIE,
        ",".join(str(pk) for pk in ids[:MAX_LISTED_PROGRAMS]),
        salt=COOKIE_SALT,
        max_age=COOKIE_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def private(view):
    """The pages of a visitor's own list: kept by no shared cache, and never by the browser
    for someone else who opens it later on the same computer."""
    return vary_on_cookie(cache_control(private=True, no_store=True)(view))


def listed_programs(request, place=None):
    """(programs, shared): the list a ?programs= link names, else the visitor's own; with
    `distance_miles` from the place when one is given."""
    if "programs" in request.GET:
        try:
            ids = parse_program_ids(request.GET.getlist("programs"))
        except ValueError:
            ids = []
        return published_programs(ids, place), True
    return published_programs(saved_ids(request), place), False


def typed_place(text):
    """(place, problem): the Place a visitor typed, or None with what to tell them when it
    cannot be found; (None, "") when nothing was typed."""
    if not text.strip():
        return None, ""
    try:
        return geocoding.geocode(text), ""
    except geocoding.PlaceNotFound as not_found:
        return None, str(not_found)


def back_to(request, default, program_id):
    """The page the visitor pressed the button on (this site's only), at the program's row."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = default
    return f"{target.split('#')[0]}#program-{program_id}"


def wants_json(request):
    """A press of the button handled in place by the page's script, rather than a form."""
    return request.headers.get("X-Requested-With") == "fetch" or "application/json" in (
        request.headers.get("Accept", "")
    )


def changed(request, ids, program_id, message):
    """The answer to an add or a remove: JSON for the page's script, else back to the page."""
    if wants_json(request):
        on_shortlist = program_id in ids
        response = JsonResponse(
            {
                "program_id": program_id,
                "on_shortlist": on_shortlist,
                "count": len(ids),
                "message": message,
                # What the button does when pressed again.
                "toggle_url": reverse(
                    "shortlist_remove" if on_shortlist else "shortlist_add", args=[program_id]
                ),
            }
        )
    else:
        response = redirect(back_to(request, reverse("shortlist"), program_id))
    return save_ids(request, response, ids)


def count_words(count):
    return ngettext(
        "%(count)s program on your shortlist.", "%(count)s programs on your shortlist.", count
    ) % {"count": count}


def share_link(request, programs):
    ids = ",".join(str(program.pk) for program in programs)
    return request.build_absolute_uri(f"{reverse('shortlist')}?programs={ids}")


@PAGE_LIMIT
@private
def shortlist(request):
    programs, shared = listed_programs(request)
    return render(
        request,
        "shortlist/shortlist.html",
        {
            "programs": [(program, answers_for(program)) for program in programs],
            "program_ids": ",".join(str(program.pk) for program in programs),
            "shared": shared,
            "share_link": share_link(request, programs) if programs else "",
        },
    )


@PAGE_LIMIT
@private
@require_POST
def add(request, program_id):
    if not Program.objects.published().filter(pk=program_id).exists():
        raise Http404("No such program")
    ids = saved_ids(request)
    if program_id in ids:
        message = _("Already on your shortlist.")
    elif len(ids) >= MAX_LISTED_PROGRAMS:
        message = _(
            "Your shortlist is full: it holds %(max)s programs. Remove one to add another."
        ) % {"max": MAX_LISTED_PROGRAMS}
    else:
        ids.append(program_id)
        message = _("Added. %(count)s") % {"count": count_words(len(ids))}
    return changed(request, ids, program_id, message)


@PAGE_LIMIT
@private
@require_POST
def remove(request, program_id):
    ids = [pk for pk in saved_ids(request) if pk != program_id]
    message = _("Removed. %(count)s") % {"count": count_words(len(ids))}
    return changed(request, ids, program_id, message)


@PAGE_LIMIT
@require_POST
def keep(request):
    """Add the programs of a shared list to the visitor's own."""
    try:
        shared = parse_program_ids(request.POST.getlist("programs"))
    except ValueError:
        shared = []
    ids = saved_ids(request)
    ids += [program.pk for program in published_programs(shared) if program.pk not in ids]
    return save_ids(request, redirect("shortlist"), ids)


@PAGE_LIMIT
@GEOCODE_LIMIT
@private
def referral_sheet(request):
    """The list to print and hand over: each program's facts a referral needs, distances from
    a place the clinician types, and the link and QR code that reopen the list."""
    location = request.GET.get("location", "")
    place, location_problem = typed_place(location)
    programs, shared = listed_programs(request, place)
    link = share_link(request, programs) if programs else ""
    return render(
        request,
        "shortlist/referral_sheet.html",
        {
            "entries": referral_entries(programs),
            "program_ids": ",".join(str(program.pk) for program in programs),
            "shared": shared,
            "location": location,
            "place": place,
            "location_problem": location_problem,
            "share_link": link,
            "qr_svg": qr_code_svg(link) if link else "",
            "prepared_at": timezone.now(),
        },
    )


@PAGE_LIMIT
@private
def export_csv(request):
    programs, shared = listed_programs(request)
    response = HttpResponse(
        programs_csv(programs, {"request": request}), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="iop-shortlist.csv"'
    return response
