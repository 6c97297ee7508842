from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from facilities.answers import answers_for
from facilities.filters import ProgramFilter
from facilities.models import Facility, Program

RESULTS_PER_PAGE = 20


def home(request):
    filterset = ProgramFilter(queryset=Program.objects.none())
    return render(request, "home.html", {"form": filterset.form})


def search(request):
    filterset = ProgramFilter(request.GET, queryset=Program.objects.published())
    context = {"filterset": filterset, "form": filterset.form}
    if filterset.is_valid():
        paginator = Paginator(filterset.qs.with_answers(), RESULTS_PER_PAGE)
        page_number = filterset.form.cleaned_data.get("page") or 1
        if page_number > paginator.num_pages:
            context["page_message"] = (
                f"There is no page {page_number}: the results end at page "
                f"{paginator.num_pages}. Here is the last page."
            )
            page_number = paginator.num_pages
        page = paginator.page(page_number)
        asked = filterset.asked
        context.update(
            page=page,
            results=[(program, answers_for(program, asked)) for program in page],
            place=filterset.place,
            radius=filterset.radius,
        )
        if paginator.count == 0 and filterset.place:
            context["beyond_radius"] = [
                (program, answers_for(program, asked))
                for program in filterset.nearest_beyond_radius()
            ]
    return render(request, "search.html", context)


def facility_detail(request, slug):
    facility = get_object_or_404(
        Facility.objects.published().prefetch_related(
            "payment_options", "languages", "accreditations"
        ),
        slug=slug,
    )
    programs = facility.programs.with_answers().order_by("name")
    return render(
        request,
        "facilities/facility_detail.html",
        {
            "facility": facility,
            "programs": [(program, answers_for(program)) for program in programs],
        },
    )


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
