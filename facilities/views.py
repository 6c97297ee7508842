from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from facilities.answers import answers_for, comparison_rows
from facilities.database_health import database_answers
from facilities.filters import ProgramFilter
from facilities.forms import parse_program_ids, published_programs
from facilities.models import Facility, Program
from facilities.querysets import linked, load_answers, load_programs
from facilities.rate_limits import GEOCODE_LIMIT, PAGE_LIMIT, SEARCH_LIMIT
from facilities.result_cards import by_facility, result_cards
from facilities.result_lists import COUNT_LIMIT
from facilities.search_cache import kept_search
from facilities.shortlist import typed_place

RESULTS_PER_PAGE = 12  # a page a person can take in on a phone; the API pages by 20
ONLINE_PER_PAGE = 5  # a section after the nearby results, with pages of its own
MIN_COMPARED, MAX_COMPARED = 2, 4

# /healthz answers within 2 s whatever the database does (the contract in DESIGN.md).
DATABASE_PROBE_SECONDS = 1.5


@PAGE_LIMIT
def home(request):
    filterset = ProgramFilter(queryset=Program.objects.none())
    return render(request, "home.html", {"form": filterset.form})


@SEARCH_LIMIT
@GEOCODE_LIMIT
@kept_search
def search(request):
    filterset = ProgramFilter(request.GET, queryset=Program.objects.published())
    context = {"filterset": filterset, "form": filterset.form}
    if filterset.is_valid():
        context.update(search_results(filterset))
    return render(request, "search.html", context)


def search_results(filterset):
    """The nearby programs, the online ones beyond the radius and, when nothing is near, the
    nearest farther away up to NEAREST_BEYOND_MILES (past it, the helpline and the online
    programs first); when few are near, the same search changed by one thing, counted. Cards
    grouped by facility, their answers loaded for all at once."""
    data = filterset.form.cleaned_data
    nearby = filterset.nearby_results()
    page, page_message = paginate(nearby, data.get("page"))
    rows = list(page)
    online_page, online_rows = None, []
    if filterset.shows_online_section:
        online = filterset.online_results()
        online_page, _ = paginate(online, data.get("online_page"), ONLINE_PER_PAGE)
        online_rows = list(online_page)
    beyond = []
    if not rows and filterset.place:
        beyond = filterset.nearest_beyond_radius()
    nothing_within_limit = bool(filterset.place) and not rows and not beyond
    load_answers(rows + online_rows + beyond)
    asked = {name: data[name] for name in filterset.asked}
    groups = by_facility(result_cards(rows or beyond, asked))
    return {
        "page": page,
        "page_message": page_message,
        "groups": groups if rows else [],
        "beyond_groups": [] if rows else groups,
        "nearby_exact": page.paginator.object_list.exact,
        "online_page": online_page,
        "online_exact": online_page is None or online_page.paginator.object_list.exact,
        "count_limit": COUNT_LIMIT,
        "online_count_limit": online_page.paginator.object_list.limit if online_page else None,
        "online": result_cards(online_rows, asked),
        "nearest_beyond_miles": settings.NEAREST_BEYOND_MILES,
        "nothing_within_limit": nothing_within_limit,
        "helpline": settings.HELPLINE if nothing_within_limit else None,
        "relaxations": filterset.relaxations(nearby.count(), reverse("search")),
        "place": filterset.place,
        "radius": filterset.radius,
        "online_first": filterset.online_first or nothing_within_limit,
        "chips": asked_chips(filterset, reverse("search")),
        "map_data": map_data(groups, filterset.place, filterset.radius),
    }


def asked_chips(filterset, path):
    """[(label, address at `path` of the same search without it)]: each value the visitor
    asked, removable on its own."""
    data = filterset.form.cleaned_data
    chips = []
    for name, value, label in filterset.asked_labels():
        asked = data[name]
        kept = [other for other in asked if other != value] if isinstance(asked, list) else []
        chips.append((label, f"{path}?{filterset.changed_query(name, kept)}"))
    return chips


def facility_marker(facility, number=None):
    return {
        "number": number,
        "name": facility.name,
        "lat": facility.latitude,
        "lng": facility.longitude,
        "url": facility.get_absolute_url(),
    }


def map_data(groups, place=None, radius=None):
    """The map's pins, numbered like the cards' facilities, with the place searched and
    its radius."""
    data = {
        "markers": [
            facility_marker(group.facility, group.number)
            for group in groups
            if group.facility.latitude is not None
        ],
        "place": None,
        "radius_miles": radius,
    }
    if place is not None:
        data["place"] = {"lat": place.latitude, "lng": place.longitude, "label": place.label}
    return data


def paginate(queryset, number, per_page=RESULTS_PER_PAGE):
    """(page, message): a page past the end shows the last page and says so."""
    paginator = Paginator(queryset, per_page)
    number = number or 1
    if number > paginator.num_pages:
        message = _(
            "There is no page %(number)s: the results end at page %(last)s. Here is the last page."
        ) % {"number": number, "last": paginator.num_pages}
        return paginator.page(paginator.num_pages), message
    return paginator.page(number), ""


@PAGE_LIMIT
def facility_detail(request, slug):
    [facility] = load_programs([get_object_or_404(Facility.objects.published(), slug=slug)])
    programs = linked(facility, "programs")
    return render(
        request,
        "facilities/facility_detail.html",
        {
            "facility": facility,
            "programs": [(program, answers_for(program)) for program in programs],
            "map_data": {"markers": [facility_marker(facility)], "place": None},
        },
    )


@PAGE_LIMIT
def checklist(request, slug, program_id):
    """A printable list of what is known about a program and what to ask when calling."""
    program = get_object_or_404(
        Program.objects.published().select_related("facility"), facility__slug=slug, pk=program_id
    )
    load_answers([program])
    answers = answers_for(program)
    return render(
        request,
        "facilities/checklist.html",
        {
            "program": program,
            "facility": program.facility,
            "known": [answer for answer in answers if answer.known],
            "to_ask": [answer for answer in answers if not answer.known],
        },
    )


@PAGE_LIMIT
@GEOCODE_LIMIT
def compare(request):
    """Two to four programs side by side, one row a question; distances when given a place."""
    context = {"location": request.GET.get("location", ""), "max_compared": MAX_COMPARED}
    try:
        ids = parse_program_ids(request.GET.getlist("programs"))
    except ValueError as bad_id:
        return compare_problem(request, context, str(bad_id))
    if len(ids) < MIN_COMPARED:
        return compare_problem(request, context, wrong_count_message(len(ids)))
    if len(ids) > MAX_COMPARED:
        # Say the limit and compare the first ones chosen, rather than nothing at all.
        context["limit_message"] = too_many_message(len(ids))
        ids = ids[:MAX_COMPARED]
    # A place not found: compare anyway, without distances, and say why they are missing.
    place, context["location_problem"] = typed_place(context["location"])
    programs = published_programs(ids, place)
    missing = [str(pk) for pk in ids if pk not in {program.pk for program in programs}]
    if missing:
        return compare_problem(
            request,
            context,
            ngettext(
                "We couldn't find program %(numbers)s. It may no longer be listed.",
                "We couldn't find programs %(numbers)s. They may no longer be listed.",
                len(missing),
            )
            % {"numbers": ", ".join(missing)},
        )
    context.update(comparison_rows(programs), place=place, programs=programs)
    return render(request, "compare.html", context)


def too_many_message(count):
    return _(
        "You can compare up to %(max)s programs at a time; %(count)s were chosen. "
        "Here are the first %(max)s."
    ) % {"max": MAX_COMPARED, "count": count}


def wrong_count_message(count):
    """Too few programs chosen to compare (too many are cut to the first ones)."""
    limits = {"min": MIN_COMPARED, "max": MAX_COMPARED}
    if count == 0:
        return _("Choose %(min)s to %(max)s programs to compare; none were chosen.") % limits
    return _("Choose %(min)s to %(max)s programs to compare; only one was chosen.") % limits


def compare_problem(request, context, message):
    context["problem"] = message
    return render(request, "compare.html", context, status=400)


def privacy(request):
    return render(request, "privacy.html")


def rate_limited(request, exception):
    """429 for a client over its rate limit: JSON on the API, a page elsewhere."""
    message = _("Too many requests from your connection. Please wait a minute and try again.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = "60"
    return response


# No rate limit: load balancers ask often, and a limit's counter would need the database.
def healthz(request):
    if not database_answers(DATABASE_PROBE_SECONDS):
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
