"""The CSV layout of programs: one row a program, the API's field names, the facility's fields
as `facility.<name>`, lists as "; "-separated slugs, the schedule as "monday 18:00-21:00"."""

import csv
import io

from facilities.serializers import FACILITY_FIELDS, ProgramSerializer

LIST_SEPARATOR = "; "
PROGRAM_COLUMNS = [
    name  # `answers` and `reach` belong to a search, not to the listing
    for name in ProgramSerializer.Meta.fields
    if name not in ("answers", "facility", "reach")
]
FACILITY_COLUMNS = [f"facility.{name}" for name in FACILITY_FIELDS]
COLUMNS = PROGRAM_COLUMNS + FACILITY_COLUMNS


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(cell(item) for item in value)
    if isinstance(value, dict):
        if "slug" in value:
            return value["slug"]
        if "weekday" in value:
            return f"{value['weekday']} {value['start']}-{value['end']}"
    return str(value)


def program_row(item):
    """A CSV row (dict of column -> text) from a serialized program (ProgramSerializer data)."""
    row = {name: cell(item.get(name)) for name in PROGRAM_COLUMNS}
    facility = item.get("facility") or {}
    row.update({f"facility.{name}": cell(facility.get(name)) for name in FACILITY_FIELDS})
    return row


def programs_csv(programs, context=None):
    """The CSV text of programs loaded with ProgramQuerySet.with_answers()."""
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=COLUMNS)
    writer.writeheader()
    for item in ProgramSerializer(programs, many=True, context=context or {}).data:
        writer.writerow(program_row(item))
    return output.getvalue()
