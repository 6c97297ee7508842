"""The CSV layout of programs: one row a program, the API's field names, the facility's fields
as `facility.<name>`, lists as "; "-separated slugs, the schedule as "monday 18:00-21:00".

Every cell a spreadsheet would read as a formula carries a leading `'` (formula_safe), which
the CSV import removes (without_formula_guard), so a file reads back exactly as written.
"""

import csv
import io
import re

from facilities.serializers import FACILITY_FIELDS, ProgramSerializer

LIST_SEPARATOR = "; "
PROGRAM_COLUMNS = [
    name  # `answers` and `reach` belong to a search, not to the listing
    for name in ProgramSerializer.Meta.fields
    if name not in ("answers", "facility", "reach")
]
FACILITY_COLUMNS = [f"facility.{name}" for name in FACILITY_FIELDS]
COLUMNS = PROGRAM_COLUMNS + FACILITY_COLUMNS


# What a spreadsheet takes for the start of a formula (OWASP's list), after any quotes of our
# own: a text that already starts with quotes before one gets one more, so that the import's
# removing exactly one quote gives back every text, "'=x" included.
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
GUARDED_FORMULA_START = re.compile(r"'+[=+\-@\t\r]")


def formula_safe(text):
    """The text with a leading ' when a spreadsheet would run it: "=HYPERLINK(...)", "+1 310..."."""
    return f"'{text}" if FORMULA_START.match(text) else text


def without_formula_guard(text):
    """The text formula_safe() was given: its added leading ' removed, and nothing else."""
    return text[1:] if GUARDED_FORMULA_START.match(text) else text


def cell(value):
    """A value of the API's data as the text of a CSV cell, safe to open in a spreadsheet."""
    return formula_safe(cell_text(value))


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(cell_text(item) for item in value)
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
    """The CSV text of programs loaded with querysets.load_answers()."""
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=COLUMNS)
    writer.writeheader()
    for item in ProgramSerializer(programs, many=True, context=context or {}).data:
        writer.writerow(program_row(item))
    return output.getvalue()
