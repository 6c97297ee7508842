"""Load directory records, the shape of our JSON export, into the database.

Every record is checked before anything is written; a batch with any bad record writes
nothing and reports each problem with where it is. Loading the same records again updates
the listings in place: facilities match on source and external id, or on name and address.
An existing listing changes only in what a record carries: a file without, say,
`last_verified_at` or `status` leaves a curator's verification or archiving alone.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from facilities import directory_version, phones
from facilities.models import (
    Facility,
    Program,
    Session,
    refresh_program_places,
    refresh_questions_answered,
)
from facilities.querysets import batches
from facilities.states import US_STATES
from facilities.vocabularies import relations_of, term_models_of
from facilities.zip_codes import check_zip_code

FACILITY_VOCABULARIES = term_models_of("Facility")
PROGRAM_VOCABULARIES = term_models_of("Program")
WEEKDAYS = {day.name.lower(): day.value for day in Session.Weekday}
SESSION_TEXT = re.compile(r"^(\S+)\s+(\S+?)\s*-\s*(\S+)$")  # "monday 18:00-21:00"
WEB_ADDRESS = URLValidator(schemes=["http", "https"])
SOURCES = re.compile(r"^(manual|suggestion|import:\S.*)$")
# Fields a blank value leaves as they are: a choice with a default, and the id listings
# are matched on, which a file without ids must never erase.
KEPT_WHEN_BLANK = {"external_id", "status", "facility_type", "level_of_care", "format"}
# Records and listings loaded and written together: a few queries a batch, not a listing.
BATCH_SIZE = 200


class BadValue(ValueError):
    pass


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    programs: int = 0  # programs in the file
    programs_removed: int = 0  # programs no longer in their facility's record
    skipped: int = 0  # rows a format leaves out (the locator's rows without IOP)
    unmapped_labels: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)
    # Values the import changed or left out, with their place: "index 3: website … left out".
    warnings: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    @property
    def unmapped_answers(self):
        """[(category, label, times seen)] of the answers a format could not map, in order."""
        return [(*key, count) for key, count in sorted(self.unmapped_labels.items())]

    @property
    def summary(self):
        removed = f", {self.programs_removed} removed" if self.programs_removed else ""
        return (
            f"{self.created} facilities added, {self.updated} updated, "
            f"{self.unchanged} unchanged; {self.programs} programs{removed}."
        )


class ImportFailed(Exception):
    def __init__(self, report):
        report.errors.sort(key=place_order)
        super().__init__(f"{len(report.errors)} problem(s) in the file; nothing was imported")
        self.report = report


def place_order(problem):
    """Problems in file order: by the number of their line or index."""
    match = re.search(r"\d+", problem)
    return int(match.group()) if match else 0


# --- Where a record stands in its file --------------------------------------------------------


@dataclass(frozen=True)
class Lines:
    """A record read from CSV rows: its first row's line, and the line of each program."""

    first: int
    programs: tuple = ()

    def __str__(self):
        return f"line {self.first}"

    def program(self, number):
        return f"line {self.programs[number - 1]}"


def located(place, program_number, problem):
    """'line 8: …' or 'index 3: program 2: …'; a CSV record knows each program's own line."""
    if program_number is not None:
        if isinstance(place, Lines):
            place = place.program(program_number)
        else:
            problem = f"program {program_number}: {problem}"
    return problem if place is None else f"{place}: {problem}"


# --- Checking one value -----------------------------------------------------------------------


def text(value, name, *, required=False, max_length=None):
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise BadValue(f"{name} is missing")
    if max_length and len(value) > max_length:
        raise BadValue(f"{name} is {len(value)} characters long, more than {max_length}")
    return value


def text_of(model):
    """text() held to the model field's max_length, the one place each length is set."""

    def parse(value, name, *, required=False):
        max_length = model._meta.get_field(name).max_length
        return text(value, name, required=required, max_length=max_length)

    return parse


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
    value = text(value, name).lower() or default
    if value is None:
        raise BadValue(f"{name} is missing")
    if value not in choices:
        raise BadValue(f"{name} {value!r} is not one of {', '.join(choices)}")
    return value


def state(value, name):
    code = text(value, name, required=True).upper()
    if code not in US_STATES:
        raise BadValue(f"{name} {value!r} is not a two-letter US state code")
    return code


def web_address(value, name):
    value = text_of(Facility)(value, name)
    if value:
        try:
            WEB_ADDRESS(value)
        except ValidationError:
            raise BadValue(f"{name} {value!r} is not a web address (http:// or https://)") from None
    return value


def phone_number(value, name):
    """The number in E.164 (phones.normalize); BadValue when it cannot be read."""
    value = text_of(Facility)(value, name)
    try:
        return phones.normalize(value)
    except ValidationError as error:
        raise BadValue(f"{name}: {error.messages[0]}") from None


def source_name(value, name):
    value = text_of(Facility)(value, name)
    if value and not SOURCES.match(value):
        raise BadValue(f"{name} {value!r} is not manual, suggestion or import:<name>")
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
    """Slugs from a list of slugs or of {"slug", "label"} terms (the API's and the export's
    shape), or from text separated by semicolons or commas (the CSV's)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    if not isinstance(value, list):
        raise BadValue(f"{name} is not a list")
    values = [str(v.get("slug", "") if isinstance(v, dict) else v).strip() for v in value]
    values = [v for v in values if v]
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


def session(raw):
    """(weekday, start, end) from {"weekday", "start", "end"} or "monday 18:00-21:00"."""
    if isinstance(raw, str):
        match = SESSION_TEXT.match(raw.strip())
        if not match:
            raise BadValue(f"{raw.strip()!r} is not a session like 'monday 18:00-21:00'")
        raw = dict(zip(("weekday", "start", "end"), match.groups(), strict=True))
    if not isinstance(raw, dict):
        raise BadValue("is not an object with weekday, start, end")
    weekday = str(raw.get("weekday", "")).strip().lower()
    if weekday not in WEEKDAYS:
        raise BadValue(f"weekday {raw.get('weekday')!r} is not a day of the week")
    start = clock(raw.get("start"), "start")
    end = clock(raw.get("end"), "end")
    if end <= start:
        raise BadValue(f"ends at {end:%H:%M}, before it starts at {start:%H:%M}")
    return WEEKDAYS[weekday], start, end


def range_problems(values):
    """The low ends that are above their high ends, e.g. an age_min over the age_max."""
    return [
        f"{low} {values[low]} is more than {high} {values[high]}"
        for low, high in (("age_min", "age_max"), ("duration_weeks_min", "duration_weeks_max"))
        if None not in (values[low], values[high]) and values[low] > values[high]
    ]


# --- Checking a record ------------------------------------------------------------------------


@dataclass
class CheckedFacility:
    place: object
    source: str  # the record's own source; blank for the import's
    slug: str
    values: dict  # model field -> value, defaults filled in for a new listing
    links: dict  # vocabulary field -> slugs
    given: frozenset  # what the record carries: only these change an existing listing

    def key(self):
        """What the record is matched on: source and external id, else name and address."""
        values = self.values
        if values["external_id"]:
            return (self.source, values["external_id"])
        return (self.source, values["name"], values["street"], values["city"], values["state"])


def listing_keys(facility):
    """The keys a stored facility answers to (see CheckedFacility.key)."""
    if facility.external_id:
        yield (facility.source, facility.external_id)
    yield (facility.source, facility.name, facility.street, facility.city, facility.state)


@dataclass
class CheckedProgram:
    values: dict
    links: dict
    schedule: list  # sorted (weekday, start, end)
    given: frozenset


def given_fields(record, known):
    return frozenset(
        name
        for name, value in record.items()
        if name in known and not (name in KEPT_WHEN_BLANK and value in (None, ""))
    )


class Checker:
    """Checks records against the vocabularies, collecting every problem it finds."""

    def __init__(self):
        self.warnings = []  # values changed on the way in, e.g. a phone number put in E.164
        self.known = {
            name: set(model.objects.values_list("slug", flat=True))
            for name, model in {**FACILITY_VOCABULARIES, **PROGRAM_VOCABULARIES}.items()
        }

    def facility(self, record, place=None):
        """Return (CheckedFacility, [CheckedProgram], [problems]) for a facility record.

        Problems start with the place when one is given: "line 8: latitude 'north-ish' is
        not a number".
        """
        problems = []

        def check(name, parse, *args, **kwargs):
            try:
                return parse(record.get(name), name, *args, **kwargs)
            except BadValue as problem:
                problems.append(located(place, None, str(problem)))

        if not isinstance(record, dict):
            return None, [], [located(place, None, "is not an object with facility fields")]
        facility_text = text_of(Facility)
        values = {
            "name": check("name", facility_text, required=True),
            "street": check("street", facility_text),
            "city": check("city", facility_text, required=True),
            "state": check("state", state),
            "zip_code": check("zip_code", facility_text),
            "latitude": check("latitude", number, low=-90, high=90),
            "longitude": check("longitude", number, low=-180, high=180),
            "geocode_precision": check(
                "geocode_precision",
                choice,
                Facility.GeocodePrecision.values + [""],
                default="",
            ),
            "phone": check("phone", phone_number),
            "intake_phone": check("intake_phone", phone_number),
            "website": check("website", web_address),
            "description": check("description", facility_text),
            "facility_type": check(
                "facility_type", choice, Facility.FacilityType.values, default="both"
            ),
            "wheelchair_accessible": check("wheelchair_accessible", yes_no),
            "last_verified_at": check("last_verified_at", moment),
            # New listings from a file are public unless the file says otherwise.
            "status": check("status", choice, Facility.Status.values, default="published"),
            "external_id": check("external_id", facility_text),
        }
        for name in ("phone", "intake_phone"):
            given = text(record.get(name), name)
            if values[name] and values[name] != given:
                change = f"{name} {given!r} stored as {values[name]}"
                self.warnings.append(located(place, None, change))
        if values["zip_code"] and values["state"]:
            try:
                check_zip_code(values["zip_code"], values["state"])
            except ValidationError as error:
                problems.append(located(place, None, f"zip_code: {error.messages[0]}"))
        if (record.get("latitude") in (None, "")) != (record.get("longitude") in (None, "")):
            problems.append(located(place, None, "latitude and longitude must be given together"))
        if values["latitude"] is not None and not values["geocode_precision"]:
            values["geocode_precision"] = Facility.GeocodePrecision.ADDRESS
        links = {name: check(name, slugs, self.known[name]) for name in FACILITY_VOCABULARIES}

        programs = []
        raw_programs = record.get("programs") or []
        if not isinstance(raw_programs, list):
            problems.append(located(place, None, "programs is not a list"))
            raw_programs = []
        names = set()
        for number_, raw in enumerate(raw_programs, start=1):
            program, program_problems = self.program(raw)
            # Programs are matched by name within their facility: two would become one.
            name = program and program.values["name"]
            if name in names:
                program_problems.append(f"another program of this facility is also named {name!r}")
            elif name:
                names.add(name)
            programs.append(program)
            problems += [located(place, number_, problem) for problem in program_problems]

        facility = CheckedFacility(
            place=place,
            source=check("source", source_name),
            slug=check("slug", facility_text),
            values=values,
            links=links,
            given=given_fields(record, {*values, *links, "programs"}),
        )
        return facility, programs, problems

    def program(self, record):
        """Return (CheckedProgram, [problems]) for one program of a facility record."""
        problems = []

        def check(name, parse, *args, **kwargs):
            try:
                return parse(record.get(name), name, *args, **kwargs)
            except BadValue as problem:
                problems.append(str(problem))

        if not isinstance(record, dict):
            return None, ["is not an object with program fields"]
        program_text = text_of(Program)
        values = {
            "name": check("name", program_text, required=True),
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
            "philosophy_statement": check("philosophy_statement", program_text),
            "description": check("description", program_text),
            # Stored as Program.save() writes it: codes separated by spaces.
            "serves_states": " ".join(check("serves_states", state_codes) or []),
        }
        problems += range_problems(values)
        links = {name: check(name, slugs, self.known[name]) for name in PROGRAM_VOCABULARIES}
        program = CheckedProgram(
            values=values,
            links=links,
            schedule=self.schedule(record.get("schedule"), problems),
            given=given_fields(record, {*values, *links, "schedule"}),
        )
        return program, problems

    def schedule(self, raw_sessions, problems):
        if raw_sessions in (None, ""):
            return []
        if isinstance(raw_sessions, str):
            raw_sessions = [part for part in raw_sessions.split(";") if part.strip()]
        if not isinstance(raw_sessions, list):
            problems.append("schedule is not a list of sessions")
            return []
        sessions = []
        for number_, raw in enumerate(raw_sessions, start=1):
            try:
                sessions.append(session(raw))
            except BadValue as problem:
                problems.append(f"session {number_}: {problem}")
        return sorted(sessions)


def duplicate_problems(checked):
    """Two records of one file that would land on the same listing."""
    problems = []
    first_place = {}
    for facility, _ in checked:
        key = facility.key()
        if key in first_place:
            same = "external_id" if facility.values["external_id"] else "name and address"
            problems.append(f"{facility.place}: the same facility ({same}) as {first_place[key]}")
        else:
            first_place[key] = facility.place
    return problems


# --- Writing ----------------------------------------------------------------------------------


def import_directory(
    placed_records, *, source, dry_run=False, progress=None, user=None, report=None
):
    """Check and load facility records; return an ImportReport or raise ImportFailed.

    `placed_records` yields (place, record) pairs, the place naming where the record stands
    in its file ("index 3", or Lines for CSV rows) for the report. `source` is where the
    listings come from unless a record names its own, and the reason written in their
    history; `user` is the curator who imported. `report` may bring what reading the file
    found (its problems are reported with the records' own). With dry_run, everything is
    done and then rolled back, so the report counts exactly what would change.
    """
    report = report if report is not None else ImportReport()
    checker = Checker()
    checked = []
    for place, record in placed_records:
        facility, programs, problems = checker.facility(record, place)
        report.errors += problems
        if not problems:
            facility.source = facility.source or source
            checked.append((facility, programs))
    report.errors += duplicate_problems(checked)
    report.warnings = sorted(report.warnings + checker.warnings, key=place_order)
    if report.errors:
        raise ImportFailed(report)

    with transaction.atomic():
        writer = DirectoryWriter(reason=source, user=user, report=report)
        for batch in batches(progress(checked) if progress else checked, BATCH_SIZE):
            writer.write(batch)
        if report.errors:  # found only against the stored listings, e.g. an age range
            raise ImportFailed(report)
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run and (report.created or report.updated):
        refresh_planner_statistics()
        directory_version.bump()  # the links and sessions went in without signals
    return report


def refresh_planner_statistics():
    """After a bulk load the database's row estimates are stale, and the search's plans with
    them (e.g. SQLite scanning every facility for online programs): recount now."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class StoredListings:
    """The listings a batch of records may update, loaded with everything compared."""

    def __init__(self, records):
        ids = {r.values["external_id"] for r in records if r.values["external_id"]}
        names = {r.values["name"] for r in records if not r.values["external_id"]}
        facilities = list(
            Facility.objects.filter(source__in={r.source for r in records})
            .filter(Q(external_id__in=ids) | Q(name__in=names))
            .prefetch_related(
                *FACILITY_VOCABULARIES,
                Prefetch("programs", Program.objects.prefetch_related(*PROGRAM_VOCABULARIES)),
            )
        )
        self.by_key = {}
        for facility in facilities:
            for key in listing_keys(facility):
                self.by_key.setdefault(key, facility)
        self.schedules = defaultdict(list)
        sessions = Session.objects.filter(program__facility__in=[f.pk for f in facilities])
        for program_id, *times in sessions.values_list(
            "program_id", "weekday", "start_time", "end_time"
        ):
            self.schedules[program_id].append(tuple(times))
        wanted = {r.slug for r in records if r.slug}
        self.taken_slugs = set(
            Facility.objects.filter(slug__in=wanted).values_list("slug", flat=True)
        )

    def match(self, record):
        return self.by_key.get(record.key())

    def schedule(self, program):
        return sorted(self.schedules[program.pk])


def changed_values(instance, values, given):
    return {
        name: value
        for name, value in values.items()
        if name in given and getattr(instance, name) != value
    }


def changed_links(instance, links, given):
    return {
        name: slugs_
        for name, slugs_ in links.items()
        if name in given and {t.slug for t in getattr(instance, name).all()} != set(slugs_)
    }


def save_for_batch(instance):
    """save() without what the batch writes at its end for all its rows at once: the
    history row, once links and sessions are written, and the online reach."""
    instance.skip_history_when_saving = True
    instance.online_reach_later = True
    try:
        instance.save()
    finally:
        del instance.skip_history_when_saving, instance.online_reach_later


class DirectoryWriter:
    """Writes checked records a batch at a time.

    A listing gets only the changes its record brings, and nothing when it already says the
    same. Links to vocabulary terms, new sessions and the history rows of a batch are written
    together at its end, one history row for each object that changed.
    """

    def __init__(self, *, reason, user, report):
        self.reason, self.user, self.report = reason, user, report
        self.terms = {
            name: {term.slug: term for term in model.objects.all()}
            for name, model in {**FACILITY_VOCABULARIES, **PROGRAM_VOCABULARIES}.items()
        }
        self.slugs_in_use = set()

    def write(self, batch):
        self.stored = StoredListings([facility for facility, _ in batch])
        self.pending = PendingWrites()
        for facility, programs in batch:
            self.save_facility(facility, programs)
        self.pending.write(reason=self.reason, user=self.user)

    def save_facility(self, record, programs):
        facility = self.stored.match(record)
        created = facility is None
        if created:
            facility = Facility(source=record.source, slug=self.free_slug(record.slug))
            changes = record.values
            links = {name: slugs_ for name, slugs_ in record.links.items() if slugs_}
        else:
            changes = changed_values(facility, record.values, record.given)
            links = changed_links(facility, record.links, record.given)
            moved = {"latitude", "longitude"} & set(changes)
            if moved and "geocode_precision" not in record.given:
                changes["geocode_precision"] = record.values["geocode_precision"]
            if "last_verified_at" in changes:
                changes["verified_by"] = None  # the curator did not verify the file's date
        if created or changes or links:
            for name, value in changes.items():
                setattr(facility, name, value)
            save_for_batch(facility)
            self.slugs_in_use.add(facility.slug)
            self.pending.set_links(facility, links, self.terms, created)
            self.pending.history[Facility, created].append(facility)
        programs_changed = self.save_programs(facility, record, programs, created)
        if created or changes or links or programs_changed:
            self.pending.saved_facilities.add(facility.pk)
        if created:
            self.report.created += 1
        elif changes or links or programs_changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def free_slug(self, wanted):
        """The record's slug if no other listing has it; else blank, for Facility.save()
        to make one from the name and city."""
        if wanted in self.stored.taken_slugs or wanted in self.slugs_in_use:
            return ""
        return wanted

    def save_programs(self, facility, record, programs, created):
        """Write the record's programs; True when any program changed."""
        if "programs" not in record.given:
            return False
        stored = {} if created else {program.name: program for program in facility.programs.all()}
        changed = False
        for number_, program in enumerate(programs, start=1):
            stored_program = stored.pop(program.values["name"], None)
            changed |= self.save_program(facility, stored_program, program, record, number_)
        # The record lists all of the facility's programs: the others have closed.
        for closed in stored.values():
            closed._change_reason, closed._history_user = self.reason, self.user
            closed.delete()
            self.report.programs_removed += 1
            changed = True
        self.report.programs += len(programs)
        return changed

    def save_program(self, facility, program, record, facility_record, number_):
        created = program is None
        if created:
            program = Program(facility=facility)
            changes = record.values
            links = {name: slugs_ for name, slugs_ in record.links.items() if slugs_}
            new_schedule = bool(record.schedule)
        else:
            changes = changed_values(program, record.values, record.given)
            links = changed_links(program, record.links, record.given)
            new_schedule = (
                "schedule" in record.given and self.stored.schedule(program) != record.schedule
            )
        if not (created or changes or links or new_schedule):
            return False
        for name, value in changes.items():
            setattr(program, name, value)
        problems = range_problems({name: getattr(program, name) for name in record.values})
        if problems:  # a partial record against what the listing already says
            self.report.errors += [
                located(facility_record.place, number_, f"{problem} (with the stored listing)")
                for problem in problems
            ]
            return True
        save_for_batch(program)
        self.pending.set_links(program, links, self.terms, created)
        if new_schedule:
            if not created:
                program.sessions.all().delete()
            self.pending.set_schedule(program, record.schedule)
        self.pending.history[Program, created].append(program)
        return True


class PendingWrites:
    """What a batch writes in bulk at its end: links, sessions, schedule facts, history."""

    def __init__(self):
        self.links = defaultdict(list)  # through model -> rows
        self.sessions = []
        self.new_schedules = []  # programs whose schedule facts must be worked out again
        self.history = defaultdict(list)  # (model, created) -> objects
        self.saved_facilities = set()  # ids of the facilities saved, or whose programs were

    def set_links(self, owner, links, terms, created):
        for name, slugs_ in links.items():
            field_ = type(owner)._meta.get_field(name)
            through = field_.remote_field.through
            owner_column = f"{field_.m2m_field_name()}_id"
            term_column = f"{field_.m2m_reverse_field_name()}_id"
            if not created:
                through.objects.filter(**{owner_column: owner.pk}).delete()
            self.links[through] += [
                through(**{owner_column: owner.pk, term_column: terms[name][slug].pk})
                for slug in slugs_
            ]

    def set_schedule(self, program, schedule):
        self.sessions += [
            Session(program=program, weekday=day, start_time=start, end_time=end)
            for day, start, end in schedule
        ]
        self.new_schedules.append(program)

    def write(self, *, reason, user):
        for through, rows in self.links.items():
            through.objects.bulk_create(rows)
        refresh_program_places(Program.objects.filter(facility__in=self.saved_facilities))
        sessions = Session.objects.bulk_create(self.sessions)
        prefetch_related_objects(self.new_schedules, "sessions")
        for program in self.new_schedules:
            program.refresh_schedule_facts()
        refresh_questions_answered(list(self.saved_facilities))
        write_history(Session, sessions, created=True, reason=reason, user=user)
        for (model, created), objects in self.history.items():
            write_history(model, objects, created=created, reason=reason, user=user)


def write_history(model, objects, *, created, reason, user):
    """One history row for each object, with its links as they now stand: what
    simple-history writes on save(), for a whole batch in a few queries."""
    if not objects:
        return
    history_model = model.history.model
    records = model.history.bulk_history_create(
        objects, update=not created, default_change_reason=reason, default_user=user
    )
    record_of = {record.id: record for record in records}
    for field_ in map(model._meta.get_field, relations_of(model.__name__)):
        through = field_.remote_field.through
        owner_column = f"{field_.m2m_field_name()}_id"
        link_history = getattr(history_model, field_.name).model
        columns = [column.attname for column in through._meta.fields]
        links = through.objects.filter(**{f"{owner_column}__in": list(record_of)})
        link_history.objects.bulk_create(
            link_history(
                history=record_of[getattr(link, owner_column)],
                **{name: getattr(link, name) for name in columns},
            )
            for link in links
        )
