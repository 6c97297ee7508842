import uuid

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, URLField, Value, When
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from facilities import models
from facilities.answers import QUESTIONS
from facilities.importers.directory import BadValue, ImportFailed
from facilities.importers.files import (
    FORMATS,
    check_source,
    decode,
    default_source,
    guess_format,
    import_file,
)
from facilities.querysets import PROGRAM_ANSWER_RELATIONS


@admin.register(
    models.PaymentOption,
    models.Condition,
    models.Population,
    models.Modality,
    models.Philosophy,
    models.TransitionSupport,
    models.Language,
    models.Accreditation,
)
class VocabularyTermAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["label", "slug"]

    def get_readonly_fields(self, request, obj=None):
        # Slugs are the public contract: searches, links and imports use them.
        return ["slug"] if obj else []


class VerifiedFilter(admin.SimpleListFilter):
    title = "last verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [
            ("within_year", "Within the last year"),
            ("over_year", "Over a year ago"),
            ("never", "Never"),
        ]

    def queryset(self, request, queryset):
        year_ago = timezone.now() - timezone.timedelta(days=365)
        if self.value() == "within_year":
            return queryset.filter(last_verified_at__gte=year_ago)
        if self.value() == "over_year":
            return queryset.filter(last_verified_at__lt=year_ago)
        if self.value() == "never":
            return queryset.filter(last_verified_at__isnull=True)
        return queryset


# --- Completeness: how many of the questions to ask a listing answers --------------------------


def completeness(count):
    return f"{count}/{len(QUESTIONS)}"


def incomplete_program_ids():
    """Programs leaving a question unanswered, as facilities.answers reads them."""
    programs = models.Program.objects.with_answers()
    return [program.pk for program in programs if program.answered_count < len(QUESTIONS)]


class CompletenessFilter(admin.SimpleListFilter):
    title = "questions answered"
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [
            ("incomplete", "Some not listed"),
            ("complete", f"All {len(QUESTIONS)}"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "incomplete":
            return queryset.filter(self.incomplete())
        if self.value() == "complete":
            return queryset.exclude(self.incomplete())
        return queryset


class ProgramCompletenessFilter(CompletenessFilter):
    def incomplete(self):
        return Q(pk__in=incomplete_program_ids())


class FacilityCompletenessFilter(CompletenessFilter):
    def incomplete(self):
        """A facility with an incomplete program, or with no program at all."""
        incomplete_programs = models.Program.objects.filter(pk__in=incomplete_program_ids())
        return Q(pk__in=incomplete_programs.values("facility")) | ~Exists(
            models.Program.objects.filter(facility=OuterRef("pk"))
        )


# --- History of schedules ---------------------------------------------------------------------


class ScheduleHistoryMixin:
    """Sessions have no admin page of their own, so a change to them is written into their
    program's history, where a curator looks for it."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            if formset.model is models.Session and formset.has_changed():
                program = models.Program.objects.filter(pk=formset.instance.pk).first()
                if program is not None:  # else deleted along with its sessions
                    program._change_reason = "Schedule changed"
                    program._history_user = request.user
                    program.save()


class SessionInline(nested_admin.NestedTabularInline):
    model = models.Session
    extra = 0


class ProgramInline(nested_admin.NestedStackedInline):
    model = models.Program
    extra = 0
    inlines = [SessionInline]
    show_change_link = True
    filter_horizontal = [
        "conditions",
        "populations",
        "modalities",
        "philosophy",
        "transition_supports",
    ]
    readonly_fields = ["days_per_week", "hours_per_week"]


def sentence(problem):
    return problem[:1].upper() + problem[1:] + "."


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="Our CSV or JSON (what export_facilities writes, the API's field names) or "
        "a FindTreatment.gov locator JSON export."
    )
    format = forms.ChoiceField(
        choices=[("", "From the file's extension")] + [(name, name) for name in FORMATS],
        required=False,
    )
    source = forms.CharField(
        required=False,
        help_text="Where the listings come from, for records that do not name their own. "
        "Default: import:<file name>, or import:findtreatment for a locator export.",
    )

    def clean(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return self.cleaned_data
        file_format = self.cleaned_data.get("format") or guess_format(upload.name)
        if file_format is None:
            raise ValidationError("Cannot tell the format from the file's name: choose one.")
        source = self.cleaned_data.get("source") or default_source(file_format, upload.name)
        try:
            check_source(source)
            text = decode(upload.read())
        except BadValue as problem:
            raise ValidationError(sentence(str(problem))) from None
        except ImportFailed as failure:
            raise ValidationError(sentence(failure.report.errors[0])) from None
        return {"name": upload.name, "format": file_format, "source": source, "text": text}


# The checked upload waits in the session between the dry run and the curator's go-ahead.
PENDING_IMPORT = "facility_import"


@admin.register(models.Facility)
class FacilityAdmin(ScheduleHistoryMixin, SimpleHistoryAdmin, nested_admin.NestedModelAdmin):
    formfield_overrides = {URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "city",
        "state",
        "status",
        "program_count",
        "lowest_completeness",
        "last_verified_at",
    ]
    list_filter = [
        "status",
        "state",
        VerifiedFilter,
        FacilityCompletenessFilter,
        "facility_type",
        "source",
    ]
    search_fields = ["name", "city", "zip_code", "slug"]
    prepopulated_fields = {"slug": ["name", "city"]}
    filter_horizontal = ["payment_options", "languages", "accreditations"]
    readonly_fields = ["created_at", "updated_at", "verified_by"]
    inlines = [ProgramInline]
    date_hierarchy = "last_verified_at"
    actions = ["mark_verified"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "facility_type", "description"]}),
        (
            "Address",
            {
                "fields": [
                    "street",
                    "city",
                    "state",
                    "zip_code",
                    ("latitude", "longitude"),
                    "geocode_precision",
                ]
            },
        ),
        ("Contact", {"fields": ["phone", "intake_phone", "website"]}),
        (
            "Access",
            {"fields": ["payment_options", "languages", "accreditations", "wheelchair_accessible"]},
        ),
        (
            "Source and verification",
            {
                "fields": [
                    "source",
                    "external_id",
                    "last_verified_at",
                    "verified_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # What the completeness column reads, loaded for the whole page at once.
        programs = models.Program.objects.prefetch_related(*PROGRAM_ANSWER_RELATIONS)
        return (
            super()
            .get_queryset(request)
            .annotate(program_total=Count("programs"))
            .prefetch_related("payment_options", Prefetch("programs", programs))
        )

    @admin.display(description="programs", ordering="program_total")
    def program_count(self, facility):
        return facility.program_total

    @admin.display(description="questions answered")
    def lowest_completeness(self, facility):
        """The least complete program's count: the listing is as complete as that."""
        counts = [program.answered_count for program in facility.programs.all()]
        return completeness(min(counts)) if counts else "no programs"

    @admin.action(description="Mark verified today", permissions=["change"])
    def mark_verified(self, request, queryset):
        now = timezone.now()
        facilities = list(queryset.prefetch_related(None))
        for facility in facilities:
            facility.last_verified_at, facility.verified_by = now, request.user
            facility._change_reason = "Marked verified"
            facility._history_user = request.user
            facility.save(update_fields=["last_verified_at", "verified_by", "updated_at"])
        self.message_user(request, f"{len(facilities)} listing(s) marked verified today.")

    # --- Importing a file: upload, read the dry run's report, confirm -------------------------

    def get_urls(self):
        import_url = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="facilities_facility_import",
        )
        return [import_url] + super().get_urls()

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self.confirm_import(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        if not form.is_valid():
            return self.render_import(request, "import_form.html", form=form)
        upload = form.cleaned_data
        try:
            report = import_file(
                upload["text"],
                file_format=upload["format"],
                source=upload["source"],
                dry_run=True,
            )
        except ImportFailed as failure:
            report = failure.report
        token = uuid.uuid4().hex
        if report.ok:
            request.session[PENDING_IMPORT] = {**upload, "token": token}
        return self.render_import(
            request, "import_report.html", upload=upload, report=report, token=token
        )

    def confirm_import(self, request):
        upload = request.session.get(PENDING_IMPORT)
        if not upload or upload["token"] != request.POST["token"]:
            messages.error(request, "That upload is no longer waiting: upload the file again.")
            return redirect("admin:facilities_facility_import")
        del request.session[PENDING_IMPORT]
        try:
            report = import_file(
                upload["text"],
                file_format=upload["format"],
                source=upload["source"],
                user=request.user,
            )
        except ImportFailed as failure:  # the directory changed since the dry run
            return self.render_import(
                request, "import_report.html", upload=upload, report=failure.report
            )
        messages.success(request, f"Imported {upload['name']}: {report.summary}")
        return redirect("admin:facilities_facility_changelist")

    def render_import(self, request, template, **context):
        return TemplateResponse(
            request,
            f"admin/facilities/facility/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Import facilities",
                **context,
            },
        )


class ProgramSessionInline(admin.TabularInline):
    model = models.Session
    extra = 0


@admin.register(models.Program)
class ProgramAdmin(ScheduleHistoryMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "facility",
        "level_of_care",
        "focus",
        "format",
        "days_per_week",
        "hours_per_week",
        "questions_answered",
    ]
    list_filter = [
        "level_of_care",
        "focus",
        "format",
        ProgramCompletenessFilter,
        "facility__state",
    ]
    search_fields = ["name", "facility__name", "facility__city"]
    autocomplete_fields = ["facility"]
    readonly_fields = [
        "days_per_week",
        "hours_per_week",
        "offers_morning",
        "offers_afternoon",
        "offers_evening",
        "offers_weekend",
    ]
    filter_horizontal = ProgramInline.filter_horizontal
    inlines = [ProgramSessionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_answers()

    @admin.display(description="questions answered")
    def questions_answered(self, program):
        return completeness(program.answered_count)


@admin.register(models.Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """The queue of the public's suggestions: nothing changes a listing until accepted here."""

    list_display = [
        "facility",
        "field",
        "current_value",
        "suggested_value",
        "status",
        "created_at",
    ]
    list_filter = ["status", "field"]
    list_select_related = ["facility"]
    search_fields = ["facility__name", "suggested_value"]
    raw_id_fields = ["facility"]
    # Pending first, newest first within each status.
    ordering = [
        Case(When(status=models.Correction.Status.PENDING, then=Value(0)), default=Value(1)).asc(),
        "-created_at",
    ]
    actions = ["accept", "reject"]

    def get_readonly_fields(self, request, obj=None):
        # The status changes through the actions, which apply what they accept.
        return ["status", "reviewed_at", "reviewed_by", "created_at"] if obj else []

    @admin.display(description="the listing says")
    def current_value(self, correction):
        if correction.field not in correction.APPLICABLE_FIELDS:
            return "—"
        return getattr(correction.facility, correction.field) or "(blank)"

    @admin.action(description="Accept (apply to the listing)", permissions=["change"])
    def accept(self, request, queryset):
        accepted, by_hand = 0, 0
        for correction in self.pending(request, queryset):
            try:
                with transaction.atomic():
                    correction.accept(request.user)
            except ValidationError as error:
                problems = "; ".join(
                    f"{name}: {' '.join(texts)}" for name, texts in error.message_dict.items()
                )
                self.message_user(
                    request,
                    f"Correction #{correction.pk} to {correction.facility.name} was not applied "
                    f"({problems}). Edit the suggestion or reject it.",
                    messages.ERROR,
                )
            else:
                accepted += 1
                by_hand += correction.field not in correction.APPLICABLE_FIELDS
        if accepted:
            self.message_user(request, f"{accepted} correction(s) accepted.")
        if by_hand:
            self.message_user(
                request,
                f"{by_hand} of them are about something else (programs, schedule, insurance…): "
                "apply those to the listing by hand.",
                messages.WARNING,
            )

    @admin.action(description="Reject", permissions=["change"])
    def reject(self, request, queryset):
        corrections = self.pending(request, queryset)
        for correction in corrections:
            correction.reject(request.user)
        if corrections:
            self.message_user(request, f"{len(corrections)} correction(s) rejected.")

    def pending(self, request, queryset):
        reviewed = queryset.exclude(status=models.Correction.Status.PENDING).count()
        if reviewed:
            self.message_user(
                request,
                f"{reviewed} already reviewed correction(s) left as they were.",
                messages.WARNING,
            )
        return list(queryset.filter(status=models.Correction.Status.PENDING))
