import uuid

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, OuterRef, Subquery, URLField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from facilities import models, phones
from facilities.answers import QUESTIONS
from facilities.freshness import stale_since
from facilities.importers.directory import BadValue, ImportFailed
from facilities.importers.files import (
    FORMATS,
    check_source,
    decode,
    default_source,
    import_file,
    recognise_format,
)
from facilities.vocabularies import VOCABULARIES, relations_of


class VocabularyTermAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["label", "slug"]

    def get_readonly_fields(self, request, obj=None):
        # Slugs are the public contract: searches, links and imports use them.
        return ["slug"] if obj else []


admin.site.register([vocabulary.model for vocabulary in VOCABULARIES], VocabularyTermAdmin)


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
        year_ago = stale_since()
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


class CompletenessFilter(admin.SimpleListFilter):
    """Reads the counts stored by models.refresh_questions_answered: an indexed column."""

    title = "questions answered"
    parameter_name = "answered"
    incomplete = models.INCOMPLETE

    def lookups(self, request, model_admin):
        return [
            ("incomplete", "Some not listed"),
            ("complete", f"All {len(QUESTIONS)}"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "incomplete":
            return queryset.filter(self.incomplete)
        if self.value() == "complete":
            return queryset.filter(questions_answered=len(QUESTIONS))
        return queryset


class FacilityCompletenessFilter(CompletenessFilter):
    # A facility with an incomplete program, or with no program at all.
    incomplete = models.INCOMPLETE_FACILITY


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "contact data"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("needed", "Could not be read: needs review")]

    def queryset(self, request, queryset):
        if self.value() == "needed":
            return queryset.filter(needs_review=True)
        return queryset


class HistoryWithoutDeletedUsers(HistoricalRecordContextHelper):
    """A change from "no one" shows as "–": simple-history reads an empty foreign key as a
    deleted object ("Deleted user (pk=None)")."""

    def prepare_delta_change_value(self, change, value):
        if isinstance(value, DeletedObject) and value.pk is None:
            return "–"
        return super().prepare_delta_change_value(change, value)


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
    filter_horizontal = relations_of("Program")
    readonly_fields = ["days_per_week", "hours_per_week"]


def sentence(problem):
    return problem[:1].upper() + problem[1:] + "."


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="Our CSV or JSON (what export_facilities writes, the API's field names) or "
        "a FindTreatment.gov locator JSON export."
    )
    format = forms.ChoiceField(
        choices=[("", "Recognise it from the file's content")] + list(FORMATS.items()),
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
        try:
            text = decode(upload.read())
            file_format = self.cleaned_data.get("format") or recognise_format(upload.name, text)
            if file_format is None:
                raise ValidationError("Cannot tell the file's format from its content: choose one.")
            source = self.cleaned_data.get("source") or default_source(file_format, upload.name)
            check_source(source)
        except BadValue as problem:
            raise ValidationError(sentence(str(problem))) from None
        except ImportFailed as failure:
            raise ValidationError(sentence(failure.report.errors[0])) from None
        return {"name": upload.name, "format": file_format, "source": source, "text": text}


# The checked upload waits in the session between the dry run and the curator's go-ahead.
PENDING_IMPORT = "facility_import"


class VerifyForm(forms.Form):
    method = forms.ChoiceField(label="Verified through", choices=models.VerificationMethod.choices)


class VerifyActionForm(ActionForm):
    method = forms.ChoiceField(
        label="verified through",
        choices=[("", "—")] + models.VerificationMethod.choices,
        required=False,
    )


@admin.register(models.Facility)
class FacilityAdmin(ScheduleHistoryMixin, SimpleHistoryAdmin, nested_admin.NestedModelAdmin):
    formfield_overrides = {URLField: {"assume_scheme": "https"}}
    # Short columns, so the list fits beside its filters at 1280 px.
    list_display = [
        "name",
        "place",
        "status",
        "program_count",
        "lowest_completeness",
        "verified_on",
    ]
    list_filter = [
        "status",
        "state",
        VerifiedFilter,
        FacilityCompletenessFilter,
        NeedsReviewFilter,
        "facility_type",
        "source",
    ]
    search_fields = ["name", "city", "zip_code", "slug"]
    prepopulated_fields = {"slug": ["name", "city"]}
    filter_horizontal = relations_of("Facility")
    readonly_fields = ["created_at", "updated_at", "verified_by"]
    inlines = [ProgramInline]
    date_hierarchy = "last_verified_at"
    actions = ["mark_verified"]
    action_form = VerifyActionForm
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
        ("Contact", {"fields": ["phone", "intake_phone", "website", "needs_review"]}),
        (
            "Access",
            {"fields": [*relations_of("Facility"), "wheelchair_accessible"]},
        ),
        (
            "Source and verification",
            {
                "fields": [
                    "source",
                    "external_id",
                    ("last_verified_at", "verification_method"),
                    "verified_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # A subquery rather than Count(): the list's count then reads no program.
        programs = (
            models.Program.objects.filter(facility=OuterRef("pk"))
            .order_by()
            .values("facility")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return super().get_queryset(request).annotate(program_total=Subquery(programs))

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryWithoutDeletedUsers(self.model, historical_record)

    @admin.display(description="city", ordering="city")
    def place(self, facility):
        return f"{facility.city}, {facility.state}"

    @admin.display(description="programs", ordering="program_total")
    def program_count(self, facility):
        return facility.program_total or 0

    @admin.display(description="answered", ordering="questions_answered")
    def lowest_completeness(self, facility):
        """The least complete program's count: the listing is as complete as that."""
        if facility.questions_answered is None:
            return "no programs"
        return completeness(facility.questions_answered)

    @admin.display(description="verified", ordering="last_verified_at", empty_value="never")
    def verified_on(self, facility):
        verified = facility.last_verified_at
        return verified and timezone.localtime(verified).date().isoformat()

    def save_model(self, request, obj, form, change):
        # A verification date typed by hand is the curator's word, as the button's is.
        if "last_verified_at" in form.changed_data:
            obj.verified_by = request.user if obj.last_verified_at else None
            if obj.last_verified_at is None:
                obj.verification_method = ""
        super().save_model(request, obj, form, change)

    @admin.action(description="Mark verified today", permissions=["change"])
    def mark_verified(self, request, queryset):
        method = request.POST.get("method", "")
        if method not in models.VerificationMethod.values:
            self.message_user(
                request,
                "Choose how the listings were verified (beside the action), then run it again.",
                messages.ERROR,
            )
            return
        facilities = list(queryset)
        for facility in facilities:
            facility.mark_verified(request.user, method)
        self.message_user(request, f"{len(facilities)} listing(s) marked verified today.")

    def verify_view(self, request, object_id):
        """The change page's "Mark verified" button."""
        facility = self.get_object(request, unquote(object_id))  # None for "abc" too
        if facility is None:
            raise Http404("No such listing.")
        if not self.has_change_permission(request, facility):
            raise PermissionDenied
        form = VerifyForm(request.POST)
        if form.is_valid():
            facility.mark_verified(request.user, form.cleaned_data["method"])
            method = models.VerificationMethod(form.cleaned_data["method"]).label
            self.message_user(request, f"{facility.name} marked verified today ({method}).")
        else:
            self.message_user(request, "Choose how the listing was verified.", messages.ERROR)
        return redirect("admin:facilities_facility_change", facility.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "verify_form": VerifyForm(auto_id="verify_%s")}
        return super().change_view(request, object_id, form_url, extra_context)

    # --- Importing a file: upload, read the dry run's report, confirm -------------------------

    def get_urls(self):
        import_url = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="facilities_facility_import",
        )
        verify_url = path(
            "<path:object_id>/verify/",
            self.admin_site.admin_view(require_POST(self.verify_view)),
            name="facilities_facility_verify",
        )
        return [import_url, verify_url] + super().get_urls()

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
            request,
            "import_report.html",
            upload=upload,
            report=report,
            token=token,
            format_label=FORMATS[upload["format"]],
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
        "answered",
    ]
    list_filter = [
        "level_of_care",
        "focus",
        "format",
        CompletenessFilter,
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

    list_select_related = ["facility"]

    @admin.display(description="questions answered", ordering="questions_answered")
    def answered(self, program):
        return completeness(program.questions_answered)


class CorrectionReviewForm(forms.ModelForm):
    """A suggestion as the curator reviews it: the value to apply starts as what was read out
    of the visitor's words, and may be edited before accepting."""

    value_to_apply = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Applied to the listing on accepting, after the listing's own checks "
        "(a phone number is put in E.164). Edit it first if needed.",
    )
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("reject", "Reject")], required=False
    )

    class Meta:
        model = models.Correction
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["value_to_apply"].initial = self.instance.proposed_value
        if not (self.instance.pk and self.instance.applicable):
            del self.fields["value_to_apply"]

    def clean(self):
        decision = self.cleaned_data.get("decision")
        if decision and self.instance.status != models.Correction.Status.PENDING:
            raise ValidationError("This correction has already been reviewed.")
        if decision == "accept" and "value_to_apply" in self.fields:
            self.check_value(self.cleaned_data.get("value_to_apply", ""))
        return self.cleaned_data

    def check_value(self, value):
        """Run the listing's full validation on the edited value, storing nothing."""
        correction = self.instance
        facility = models.Facility.objects.get(pk=correction.facility_id)
        setattr(facility, correction.field, value.strip())
        try:
            facility.full_clean(exclude=["slug"])
        except ValidationError as error:
            problems = error.message_dict.get(correction.field) or [
                f"{name}: {' '.join(texts)}" for name, texts in error.message_dict.items()
            ]
            self.add_error("value_to_apply", problems)


@admin.register(models.Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """The queue of the public's suggestions: nothing changes a listing until accepted here."""

    form = CorrectionReviewForm
    # Short columns, so the suggestion shows beside the filters at 1280 px.
    list_display = [
        "facility_name",
        "about",
        "current_value_short",
        "suggestion_short",
        "status",
        "suggested_on",
    ]
    list_filter = ["status", "field"]
    list_select_related = ["facility"]
    search_fields = ["facility__name", "suggested_value"]
    # Pending first, newest first within each status.
    ordering = [
        Case(When(status=models.Correction.Status.PENDING, then=Value(0)), default=Value(1)).asc(),
        "-created_at",
    ]
    actions = ["accept", "reject"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "facility_link",
                    "field",
                    "listing_says",
                    "suggested_value",
                    "value_to_apply",
                    "contact_email",
                ]
            },
        ),
        (
            "Review",
            {"fields": ["status", "applied_value", "reviewed_at", "reviewed_by", "created_at"]},
        ),
    ]
    readonly_fields = [
        "facility_link",
        "field",
        "listing_says",
        "suggested_value",
        "contact_email",
        "status",
        "applied_value",
        "reviewed_at",
        "reviewed_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False  # suggestions come from the public form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.applicable and obj.status == obj.Status.PENDING:
            return fieldsets
        # Reviewed, or about something else: nothing to edit.
        first = [name for name in fieldsets[0][1]["fields"] if name != "value_to_apply"]
        return [(None, {"fields": first}), fieldsets[1]]

    @admin.display(description="facility")
    def facility_link(self, correction):
        return correction.facility

    @admin.display(description="the listing says")
    def listing_says(self, correction):
        if not correction.applicable:
            return "—"
        value = correction.current_value
        if correction.field in models.PHONE_FIELDS:
            value = phones.national(value)
        return value or "(blank)"

    @admin.display(description="facility", ordering="facility__name")
    def facility_name(self, correction):
        return Truncator(correction.facility.name).chars(32)

    @admin.display(description="about", ordering="field")
    def about(self, correction):
        return correction.get_field_display()

    @admin.display(description="now says")
    def current_value_short(self, correction):
        return Truncator(self.listing_says(correction)).chars(24)

    @admin.display(description="suggestion", ordering="suggested_value")
    def suggestion_short(self, correction):
        return Truncator(correction.suggested_value).chars(48)

    @admin.display(description="suggested", ordering="created_at")
    def suggested_on(self, correction):
        return timezone.localtime(correction.created_at).date().isoformat()

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if decision == "accept":
            with transaction.atomic():
                obj.accept(request.user, form.cleaned_data.get("value_to_apply"))
            self.message_user(request, self.accepted_message(obj))
        elif decision == "reject":
            obj.reject(request.user)

    def save_related(self, request, form, formsets, change):
        pass  # a correction has no related objects to save

    def log_change(self, request, obj, message):
        decision = request.POST.get("decision")
        message = [{"changed": {"fields": [f"decision: {decision}"]}}] if decision else message
        return super().log_change(request, obj, message)

    def accepted_message(self, correction):
        if correction.applicable:
            return f"Applied to {correction.facility.name}: {correction.applied_value!r}."
        return (
            "Accepted. It is about something else (programs, schedule, insurance…): apply it "
            "to the listing by hand."
        )

    @admin.action(description="Accept as suggested (apply to the listing)", permissions=["change"])
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
                url = reverse("admin:facilities_correction_change", args=[correction.pk])
                self.message_user(
                    request,
                    f"Correction #{correction.pk} to {correction.facility.name} was not applied "
                    f"({problems}). Open it ({url}) to edit the value, or reject it.",
                    messages.ERROR,
                )
            else:
                accepted += 1
                by_hand += not correction.applicable
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
