"""Load directory records, the shape of our JSON export, into the database.

Every record is checked before anything is written; a batch with any bad record writes
nothing and reports each problem with where it is. Loading the same records again updates
the listings in place: facilities match on source and external id, or on name and address.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from facilities.models import (
    Accreditation,
    Condition,
    Facility,
    Language,
    Modality,
    PaymentOption,
    Philosophy,
    Population,
    Program,
    Session,
    TransitionSupport,
)
from facilities.states import US_STATES

FACILITY_VOCABULARIES = {
    "payment_options": PaymentOption,
    "languages": Language,
    "accreditations": Accreditation,
}
PROGRAM_VOCABULARIES = {
    "conditions": Condition,
    "populations": Population,
    "modalities": Modality,
    "philosophy": Philosophy,
    "transition_supports": TransitionSupport,
}
FACILITY_TEXT_FIELDS = ["street", "zip_code", "phone", "intake_phone", "website", "description"]
PROGRAM_TEXT_FIELDS = ["philosophy_statement", "description"]
WEEKDAYS = {day.name.lower(): day.value for day in Session.Weekday}


class BadValue(ValueError):
    pass


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    programs: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


class ImportFailed(Exception):
    def __init__(self, report):
        super().__init__(f"{len(report.errors)} bad record(s); nothing was imported")
        self.report = report


# --- Checking one value -----------------------------------------------------------------------


def text(value, name, *, required=False, max_length=None):
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise BadValue(f"{name} is missing")
    if max_length and len(value) > max_length:
        raise BadValue(f"{name} is longer than {max_length} characters")
    return value


def number(value, name, *, low, high):
    if value in (None, ""):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise BadValue(f"{name} {value!r} is not a number") from None
    if not low <= result <= high:
        raise BadValue(f"{name} {value!r} is outside {low} to {high}")
    return result


def whole_number(value, name, *, low, high):
    result = number(value, name, low=low, high=high)
    if result is None:
        return None
    if result != int(result):
        raise BadValue(f"{name} {value!r} is not a whole number")
    return int(result)


def choice(value, name, choices, *, default=None):
    value = text(value, name) or default
    if value not in choices:
        raise BadValue(f"{name} {value!r} is not one of {', '.join(choices)}")
    return value


def yes_no(value, name):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise BadValue(f"{name} {value!r} is not true or false")


def moment(value, name):
    if value in (None, ""):
        return None
    value = str(value).strip()
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise BadValue(f"{name} {value!r} is not a date (YYYY-MM-DD)")
        parsed = datetime.combine(day, time(12, 0))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def clock(value, name):
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise BadValue(f"{name} {value!r} is not a time (HH:MM)") from None


def slugs(value, name, known):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",")]
    values = [str(v).strip() for v in value if str(v).strip()]
    unknown = [v for v in values if v not in known]
    if unknown:
        raise BadValue(f"{name} has unknown value(s): {', '.join(unknown)}")
    return list(dict.fromkeys(values))


def state_codes(value, name):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    codes = [str(v).strip().upper() for v in value if str(v).strip()]
    unknown = [c for c in codes if c not in US_STATES]
    if unknown:
        raise BadValue(f"{name} has unknown state code(s): {', '.join(unknown)}")
    return list(dict.fromkeys(codes))


# --- Checking a record ------------------------------------------------------------------------


class Checker:
    """Checks records against the vocabularies, collecting every problem it finds."""

    def __init__(self):
        self.known = {
            name: set(model.objects.values_list("slug", flat=True))
            for name, model in {**FACILITY_VOCABULARIES, **PROGRAM_VOCABULARIES}.items()
        }

    def facility(self, record):
        """Return (clean facility values, [clean programs], [problems])."""
        problems = []

        def check(name, parse, *args, **kwargs):
            try:
                return parse(record.get(name), name, *args, **kwargs)
            except BadValue as problem:
                problems.append(str(problem))

        if not isinstance(record, dict):
            return None, [], ["is not an object with facility fields"]
        clean = {
            "name": check("name", text, required=True, max_length=200),
            "city": check("city", text, required=True, max_length=100),
            "state": check("state", choice, list(US_STATES)),
            "latitude": check("latitude", number, low=-90, high=90),
            "longitude": check("longitude", number, low=-180, high=180),
            "facility_type": check(
                "facility_type", choice, Facility.FacilityType.values, default="both"
            ),
            "status": check("status", choice, Facility.Status.values, default="published"),
            "wheelchair_accessible": check("wheelchair_accessible", yes_no),
            "last_verified_at": check("last_verified_at", moment),
            "external_id": check("external_id", text, max_length=100),
            "slug": check("slug", text, max_length=220),
            "geocode_precision": check(
                "geocode_precision",
                choice,
                Facility.GeocodePrecision.values + [""],
                default="",
            ),
        }
        for name in FACILITY_TEXT_FIELDS:
            clean[name] = check(name, text)
        if clean["state"] is not None:
            clean["state"] = clean["state"].upper()
        if (clean["latitude"] is None) != (clean["longitude"] is None):
            problems.append("latitude and longitude must be given together")
        if clean["latitude"] is not None and not clean["geocode_precision"]:
            clean["geocode_precision"] = Facility.GeocodePrecision.ADDRESS
        for name in FACILITY_VOCABULARIES:
            clean[name] = check(name, slugs, self.known[name])

        programs = []
        raw_programs = record.get("programs") or []
        if not isinstance(raw_programs, list):
            problems.append("programs is not a list")
            raw_programs = []
        for number_, raw in enumerate(raw_programs, start=1):
            program, program_problems = self.program(raw)
            programs.append(program)
            problems += [f"program {number_}: {problem}" for problem in program_problems]
        return clean, programs, problems

    def program(self, record):
        problems = []

        def check(name, parse, *args, **kwargs):
            try:
                return parse(record.get(name), name, *args, **kwargs)
            except BadValue as problem:
                problems.append(str(problem))

        if not isinstance(record, dict):
            return None, ["is not an object with program fields"]
        clean = {
            "name": check("name", text, required=True, max_length=200),
            "level_of_care": check(
                "level_of_care", choice, Program.LevelOfCare.values, default="iop"
            ),
            "focus": check("focus", choice, Program.Focus.values),
            "format": check("format", choice, Program.Format.values, default="in_person"),
            "age_min": check("age_min", whole_number, low=0, high=120),
            "age_max": check("age_max", whole_number, low=0, high=120),
            "duration_weeks_min": check("duration_weeks_min", whole_number, low=1, high=104),
            "duration_weeks_max": check("duration_weeks_max", whole_number, low=1, high=104),
            "accepting_new_clients": check("accepting_new_clients", yes_no),
            "serves_states": check("serves_states", state_codes),
        }
        for name in PROGRAM_TEXT_FIELDS:
            clean[name] = check(name, text)
        for low, high in (("age_min", "age_max"), ("duration_weeks_min", "duration_weeks_max")):
            if None not in (clean[low], clean[high]) and clean[low] > clean[high]:
                problems.append(f"{low} {clean[low]} is more than {high} {clean[high]}")
        for name in PROGRAM_VOCABULARIES:
            clean[name] = check(name, slugs, self.known[name])
        clean["schedule"] = self.schedule(record.get("schedule"), problems)
        return clean, problems

    def schedule(self, raw_sessions, problems):
        sessions = []
        for number_, raw in enumerate(raw_sessions or [], start=1):
            try:
                weekday = str(raw.get("weekday", "")).strip().lower()
                if weekday not in WEEKDAYS:
                    raise BadValue(f"weekday {raw.get('weekday')!r} is not a day of the week")
                start = clock(raw.get("start"), "start")
                end = clock(raw.get("end"), "end")
                if end <= start:
                    raise BadValue(f"ends at {end:%H:%M}, before it starts at {start:%H:%M}")
            except BadValue as problem:
                problems.append(f"session {number_}: {problem}")
            except AttributeError:
                problems.append(f"session {number_}: is not an object with weekday, start, end")
            else:
                sessions.append((WEEKDAYS[weekday], start, end))
        return sorted(sessions)


# --- Writing ----------------------------------------------------------------------------------


def import_directory(placed_records, *, source, dry_run=False, progress=None):
    """Check and load facility records; return an ImportReport or raise ImportFailed.

    `placed_records` yields (place, record) pairs, the place naming where the record stands
    in its file ("line 8", "index 3") for the report. With dry_run, everything is done and
    then rolled back, so the report counts exactly what would change.
    """
    report = ImportReport()
    checker = Checker()
    checked = []
    for place, record in placed_records:
        clean, programs, problems = checker.facility(record)
        report.errors += [f"{place}: {problem}" for problem in problems]
        if not problems:
            checked.append((clean, programs))
    if report.errors:
        raise ImportFailed(report)

    terms = {
        name: {term.slug: term for term in model.objects.all()}
        for name, model in {**FACILITY_VOCABULARIES, **PROGRAM_VOCABULARIES}.items()
    }
    with transaction.atomic():
        for clean, programs in progress(checked) if progress else checked:
            save_facility(clean, programs, source, terms, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def find_existing(clean, source):
    if clean["external_id"]:
        return Facility.objects.filter(source=source, external_id=clean["external_id"]).first()
    return Facility.objects.filter(
        source=source,
        name=clean["name"],
        street=clean["street"],
        city=clean["city"],
        state=clean["state"],
    ).first()


def save_facility(clean, programs, source, terms, report):
    facility = find_existing(clean, source)
    values = {k: v for k, v in clean.items() if k not in FACILITY_VOCABULARIES and k != "slug"}
    if facility is None:
        facility = Facility(source=source, slug=clean["slug"] or "")
        if facility.slug and Facility.objects.filter(slug=facility.slug).exists():
            facility.slug = ""  # taken by another listing: make a fresh one from the name
        report.created += 1
    elif facility_unchanged(facility, values, clean, programs):
        report.unchanged += 1
        report.programs += len(programs)
        return facility
    else:
        report.updated += 1
    for name, value in values.items():
        setattr(facility, name, value)
    with one_history_record(facility, reason=source):
        facility.save()
        for name in FACILITY_VOCABULARIES:
            getattr(facility, name).set([terms[name][slug] for slug in clean[name]])

    kept = []
    for program_values in programs:
        kept.append(save_program(facility, program_values, terms, source).pk)
        report.programs += 1
    facility.programs.exclude(pk__in=kept).delete()
    return facility


@contextmanager
def one_history_record(instance, reason):
    """One history row for everything an import changes on an object, not one per field:
    history is off while the fields and links are written, then the object is saved once."""
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving
    instance._change_reason = reason
    instance.save(update_fields=["updated_at"])


def save_program(facility, clean, terms, source):
    values = {
        k: v
        for k, v in clean.items()
        if k not in PROGRAM_VOCABULARIES and k not in ("schedule", "serves_states")
    }
    program = facility.programs.filter(name=clean["name"]).first() or Program(facility=facility)
    for name, value in values.items():
        setattr(program, name, value)
    with one_history_record(program, reason=source):
        program.save()
        for name in PROGRAM_VOCABULARIES:
            getattr(program, name).set([terms[name][slug] for slug in clean[name]])
    current = sorted(program.sessions.values_list("weekday", "start_time", "end_time"))
    if current != clean["schedule"]:
        program.sessions.all().delete()
        Session.objects.bulk_create(
            Session(program=program, weekday=day, start_time=start, end_time=end)
            for day, start, end in clean["schedule"]
        )
        program.refresh_schedule_facts()
    return program


def facility_unchanged(facility, values, clean, programs):
    """True when loading the record again would change nothing, so no history is written."""
    for name, value in values.items():
        if getattr(facility, name) != value:
            return False
    for name in FACILITY_VOCABULARIES:
        if set(getattr(facility, name).values_list("slug", flat=True)) != set(clean[name]):
            return False
    existing = {p.name: p for p in facility.programs.all()}
    if set(existing) != {p["name"] for p in programs}:
        return False
    for clean_program in programs:
        program = existing[clean_program["name"]]
        for name, value in clean_program.items():
            if name == "schedule":
                current = sorted(program.sessions.values_list("weekday", "start_time", "end_time"))
                if current != value:
                    return False
            elif name in PROGRAM_VOCABULARIES:
                current = set(getattr(program, name).values_list("slug", flat=True))
                if current != set(value):
                    return False
            elif name != "serves_states" and getattr(program, name) != value:
                return False
    return True
