"""The visitor's shortlist: program ids in a signed cookie in their own browser.

No account and nothing stored on the server: the list lives only where the visitor is, and a
link with ?programs=1,2,3 carries it to someone else.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from facilities.answers import answers_for
from facilities.csv_format import programs_csv
from facilities.forms import MAX_LISTED_PROGRAMS, parse_program_ids, published_programs
from facilities.models import Program
from facilities.rate_limits import GEOCODE_LIMIT, PAGE_LIMIT

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


def listed_programs(request):
    """(programs, shared): the list a ?programs= link names, else the visitor's own."""
    if "programs" in request.GET:
        try:
            ids = parse_program_ids(request.GET.getlist("programs"))
        except ValueError:
            ids = []
        return published_programs(ids), True
    return published_programs(saved_ids(request)), False


def back_to(request, default):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def share_link(request, programs):
    ids = ",".join(str(program.pk) for program in programs)
    return request.build_absolute_uri(f"{reverse('shortlist')}?programs={ids}")


@PAGE_LIMIT
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
@require_POST
def add(request, program_id):
    if not Program.objects.published().filter(pk=program_id).exists():
        raise Http404("No such program")
    ids = saved_ids(request)
    if program_id not in ids:
        ids.append(program_id)
    return save_ids(request, redirect(back_to(request, reverse("shortlist"))), ids)


@PAGE_LIMIT
@require_POST
def remove(request, program_id):
    ids = [pk for pk in saved_ids(request) if pk != program_id]
    return save_ids(request, redirect(back_to(request, reverse("shortlist"))), ids)


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
def referral_sheet(request):
    programs, shared = listed_programs(request)
    return render(
        request,
        "shortlist/referral_sheet.html",
        {
            "programs": [(program, answers_for(program)) for program in programs],
            "prepared_at": timezone.now(),
        },
    )


@PAGE_LIMIT
def export_csv(request):
    programs, shared = listed_programs(request)
    response = HttpResponse(
        programs_csv(programs, {"request": request}), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="iop-shortlist.csv"'
    return response
