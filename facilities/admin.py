import nested_admin
from django.contrib import admin
from django.db.models import Count, URLField
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from facilities import models


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


@admin.register(models.Facility)
class FacilityAdmin(SimpleHistoryAdmin, nested_admin.NestedModelAdmin):
    formfield_overrides = {URLField: {"assume_scheme": "https"}}
    list_display = ["name", "city", "state", "status", "program_count", "last_verified_at"]
    list_filter = ["status", "state", VerifiedFilter, "facility_type", "source"]
    search_fields = ["name", "city", "zip_code", "slug"]
    prepopulated_fields = {"slug": ["name", "city"]}
    filter_horizontal = ["payment_options", "languages", "accreditations"]
    readonly_fields = ["created_at", "updated_at", "verified_by"]
    inlines = [ProgramInline]
    date_hierarchy = "last_verified_at"
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
        return super().get_queryset(request).annotate(program_total=Count("programs"))

    @admin.display(description="programs", ordering="program_total")
    def program_count(self, facility):
        return facility.program_total


class ProgramSessionInline(admin.TabularInline):
    model = models.Session
    extra = 0


@admin.register(models.Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "facility",
        "level_of_care",
        "focus",
        "format",
        "days_per_week",
        "hours_per_week",
    ]
    list_filter = ["level_of_care", "focus", "format", "facility__state"]
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


@admin.register(models.Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["facility", "field", "status", "created_at"]
    list_filter = ["status", "field"]
    search_fields = ["facility__name", "suggested_value"]
    raw_id_fields = ["facility"]
