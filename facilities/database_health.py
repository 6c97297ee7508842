"""Whether the database answers, asked from a thread of its own so that the health check
can answer in time even when the database accepts connections and then says nothing."""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as NoAnswerYet

from django.db import DatabaseError, connections

# One thread: while the database hangs, the probe stuck waiting on it is the only one.
probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database-probe")


def select_one():
    connection = connections["default"]  # this thread's own
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False
    finally:
        connection.close()  # no request ends in this thread to close it


def database_answers(seconds):
    """True when the database answers `SELECT 1` within `seconds`."""
    probe = probes.submit(select_one)
    try:
        return probe.result(timeout=seconds)
    except NoAnswerYet:
        probe.cancel()  # still queued behind a stuck probe: never run it
        return False
