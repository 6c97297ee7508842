"""The whole directory as HSDS: a JSON array of fully nested services, each with its
organization and location, written a service at a time (`export_facilities --format hsds`).

The programs of published facilities, and of archived ones (their services `inactive`, so a
211 that took them before learns they closed); drafts are not public yet and stay out. A
facility without programs has no service to carry it.
"""

import json

from facilities.hsds.mapping import Mapper
from facilities.models import Facility, Program
from facilities.querysets import BY_NAME, in_chunks, load_answers

CHUNK = 500
EXPORTED_STATUSES = [Facility.Status.PUBLISHED, Facility.Status.ARCHIVED]


def exported_programs():
    return (
        Program.objects.filter(facility__status__in=EXPORTED_STATUSES)
        .select_related("facility")
        .order_by(*BY_NAME)
    )


def hsds_services(base_url=None, progress=None):
    """Each exported program as a full HSDS service, in a fixed number of queries a chunk.
    `progress(total)`, if given, makes a progress bar (tqdm's update() and close())."""
    programs = exported_programs()
    bar = progress(programs.count()) if progress else None
    mapper = Mapper(base_url=base_url)
    for chunk in in_chunks(programs, CHUNK):
        load_answers(chunk)
        for program in chunk:
            yield mapper.full_service(program)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()


def write_hsds(stream, base_url=None, progress=None):
    """[service, ...]: one service a line, the array's brackets on lines of their own."""
    stream.write("[")
    for number, service in enumerate(hsds_services(base_url, progress)):
        stream.write(",\n" if number else "\n")
        stream.write(json.dumps(service, ensure_ascii=False))
    stream.write("\n]\n")
