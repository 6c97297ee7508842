"""The directory's files, both ways: reading an import file into directory records, and
writing the directory out in the same shapes (the export).

Formats: `json` ({"facilities": [FacilitySerializer data]}, the export and the demo file),
`csv` (facilities/csv_format.py's layout, one row a program) and `findtreatment` (a SAMHSA
locator JSON export). Our JSON and CSV use the API's field names; lists hold slugs.
"""

import csv
import io
import json
from pathlib import PurePath

from rest_framework import serializers

from facilities.csv_format import COLUMNS, cell, program_row, without_formula_guard
from facilities.importers.directory import (
    ImportFailed,
    ImportReport,
    Lines,
    import_directory,
    source_name,
)
from facilities.importers.findtreatment import findtreatment_records
from facilities.models import Facility
from facilities.querysets import in_chunks, load_programs
from facilities.serializers import FacilityProgramSerializer, FacilitySerializer
from facilities.states import state_codes

FORMATS = {
    "csv": "Our CSV (what export_facilities writes, one row a program)",
    "json": "Our JSON (what export_facilities writes, the API's field names)",
    "findtreatment": "A SAMHSA treatment locator (FindTreatment.gov) JSON export",
}
FINDTREATMENT_SOURCE = "import:findtreatment"
# Fields every locator record carries and no record of ours does.
LOCATOR_FIELDS = {"frid", "name1"}


# --- Import -----------------------------------------------------------------------------------


def recognise_format(filename, text):
    """The format of a file, recognised from its content: JSON whose records carry the
    locator's fields (frid, name1) is a FindTreatment.gov export, other JSON ours; text
    that is not JSON is CSV when its name or its header says so. None when unknown."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if data is not None:
        records = data.get("rows") or data.get("facilities") if isinstance(data, dict) else data
        first = records[0] if isinstance(records, list) and records else None
        if isinstance(first, dict) and first.keys() >= LOCATOR_FIELDS:
            return "findtreatment"
        if isinstance(data, dict) and "rows" in data and "facilities" not in data:
            return "findtreatment"
        return "json"
    header = text.lstrip().partition("\n")[0]
    if PurePath(filename).suffix.lower() == ".csv" or "facility.name" in header:
        return "csv"
    if PurePath(filename).suffix.lower() == ".json":
        return "json"  # the import then says where the JSON is broken
    return None


def default_source(file_format, filename):
    if file_format == "findtreatment":
        return FINDTREATMENT_SOURCE
    name = f"import:{PurePath(filename).stem}"
    return name[: Facility._meta.get_field("source").max_length]


def check_source(value):
    """Raise BadValue unless the value is manual, suggestion or import:<name>."""
    return source_name(value, "source")


def decode(content):
    """The text of an uploaded file: UTF-8, with or without the byte-order mark Excel adds."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(
            ImportReport(errors=[f"the file is not UTF-8 text (byte {error.start})"])
        ) from None


def import_file(text, *, file_format, source, dry_run=False, progress=None, user=None):
    """Read a file's text in one of FORMATS and import it (see import_directory)."""
    report = ImportReport()
    if file_format == "csv":
        placed_records, report.errors = csv_records(text)
    elif file_format == "json":
        placed_records = json_records(parse_json(text))
    elif file_format == "findtreatment":
        placed_records, extras = findtreatment_records(locator_rows(parse_json(text)))
        report.skipped, report.unmapped_labels = extras["skipped"], extras["unmapped_labels"]
        report.warnings = extras["warnings"]
    else:
        raise ValueError(f"unknown format {file_format!r}")
    return import_directory(
        placed_records,
        source=source,
        dry_run=dry_run,
        progress=progress,
        user=user,
        report=report,
    )


def failed(problem):
    return ImportFailed(ImportReport(errors=[problem]))


def parse_json(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise failed(f"line {error.lineno}: not valid JSON ({error.msg})") from None


def json_records(data):
    """[("index N", record)] from {"facilities": [...]} or a bare list of facilities."""
    facilities = data.get("facilities") if isinstance(data, dict) else data
    if not isinstance(facilities, list):
        locator = isinstance(data, dict) and "rows" in data
        hint = " (a FindTreatment.gov export? use the findtreatment format)" if locator else ""
        raise failed(f'the file has no "facilities" list{hint}')
    return [(f"index {index}", record) for index, record in enumerate(facilities)]


def locator_rows(data):
    if not (isinstance(data, list) or isinstance(data, dict) and "rows" in data):
        raise failed('the file has no "rows" list, as a FindTreatment.gov export has')
    return data


# The CSV's columns the import reads: the export's, less the figures worked out from the rest.
DERIVED_COLUMNS = {
    "id",
    "distance_miles",
    "days_per_week",
    "hours_per_week",
    "time_of_day",
    "below_iop_minimum",
    "facility.id",
    "facility.url",
}
PROGRAM_KEYS = [name for name in COLUMNS if "." not in name and name not in DERIVED_COLUMNS]


def csv_records(text):
    """([(Lines, facility record)], [problems]) from CSV rows, one row a program.

    Rows are grouped into facilities by facility.source and facility.external_id, else by
    name and address; the facility's columns must agree on every row of it. A row whose
    program columns are all empty is a facility without programs.
    """
    rows = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(rows, [])]
    known = set(export_columns())
    unknown = [name for name in header if name not in known]
    if unknown:
        raise failed(f"line 1: unknown column(s): {', '.join(unknown)}")
    if "facility.name" not in header:
        raise failed("line 1: there is no facility.name column")
    program_keys = [name for name in header if name in PROGRAM_KEYS]
    facility_keys = [
        name.removeprefix("facility.")
        for name in header
        if name.startswith("facility.") and name not in DERIVED_COLUMNS
    ]

    groups = {}  # facility key -> [first line, facility values, programs, program lines]
    problems = []
    last_line = rows.line_num
    for cells in rows:
        line, last_line = last_line + 1, rows.line_num
        if not any(value.strip() for value in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"line {line}: has {len(cells)} cells, the header {len(header)}")
            continue
        # The quote the export adds before a would-be formula is not part of the value.
        row = dict(zip(header, map(without_formula_guard, cells), strict=True))
        facility = {name: row[f"facility.{name}"] for name in facility_keys}
        program = {name: row[name] for name in program_keys}
        group = groups.setdefault(facility_key(facility), [line, facility, [], []])
        first_line, first_facility, programs, program_lines = group
        for name, value in facility.items():
            if value != first_facility[name]:
                problems.append(
                    f"line {line}: facility.{name} {value!r} differs from line {first_line}'s "
                    f"{first_facility[name]!r} for the same facility"
                )
        if any(value.strip() for value in program.values()):
            programs.append(program)
            program_lines.append(line)

    placed_records = []
    for first_line, facility, programs, program_lines in groups.values():
        record = dict(facility)
        if program_keys:
            record["programs"] = programs
        placed_records.append((Lines(first_line, tuple(program_lines)), record))
    return placed_records, problems


def facility_key(facility):
    source = facility.get("source", "").strip()
    if facility.get("external_id", "").strip():
        return (source, facility["external_id"].strip())
    address = ("name", "street", "city", "state")
    return (source, *(facility.get(name, "").strip() for name in address))


# --- Export -----------------------------------------------------------------------------------

# What re-importing needs beyond the API's facility: where a listing came from, its id there,
# whether it is public, and how exact its point is.
EXPORT_FIELDS = ["description", "status", "source", "external_id", "geocode_precision"]


class ExportProgramSerializer(FacilityProgramSerializer):
    # The states as listed: the API's serves_states fills in the facility's state for an
    # online program that lists none, which re-importing would then store.
    serves_states = serializers.SerializerMethodField()

    class Meta(FacilityProgramSerializer.Meta):
        # Answers are sentences made from the other fields, and reach belongs to a search.
        fields = [
            name
            for name in FacilityProgramSerializer.Meta.fields
            if name not in ("answers", "reach")
        ]

    def get_serves_states(self, program):
        return state_codes(program.serves_states)


class ExportFacilitySerializer(FacilitySerializer):
    programs = ExportProgramSerializer(many=True, read_only=True)

    class Meta(FacilitySerializer.Meta):
        fields = FacilitySerializer.Meta.fields + [
            name for name in EXPORT_FIELDS if name not in FacilitySerializer.Meta.fields
        ]


def export_columns():
    extra = [f"facility.{name}" for name in EXPORT_FIELDS]
    return COLUMNS + [name for name in extra if name not in COLUMNS]


def exported_facilities():
    """Every facility, whatever its status, with what the export shows, in a fixed number of
    queries a chunk."""
    facilities = Facility.objects.order_by("name", "pk")
    for chunk in in_chunks(facilities, 500):
        for facility in load_programs(chunk):
            yield ExportFacilitySerializer(facility).data


def write_json(stream):
    """{"facilities": [...]}, written a facility at a time."""
    stream.write('{"facilities": [')
    for number, facility in enumerate(exported_facilities()):
        stream.write(",\n" if number else "\n")
        stream.write(json.dumps(facility, ensure_ascii=False, indent=2))
    stream.write("\n]}\n")


def write_csv(stream):
    """One row a program, plus one row with empty program columns for a facility without any."""
    writer = csv.DictWriter(stream, fieldnames=export_columns())
    writer.writeheader()
    for facility in exported_facilities():
        extra = {f"facility.{name}": cell(facility.get(name)) for name in EXPORT_FIELDS}
        for program in facility["programs"] or [{}]:
            writer.writerow({**program_row({**program, "facility": facility}), **extra})


EXPORTERS = {"json": write_json, "csv": write_csv}
