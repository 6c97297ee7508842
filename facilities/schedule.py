"""The weekly schedule facts derived from a program's sessions.

Days a week, hours a week and time-of-day buckets come from here and nowhere else;
Program stores them for searching and `Program.refresh_schedule_facts()` keeps them in sync.
"""

from dataclasses import dataclass
from datetime import datetime, time

MORNING_BEFORE = time(12, 0)
EVENING_FROM = time(17, 0)
WEEKEND_DAYS = {5, 6}  # Saturday, Sunday

# ASAM level 2.1: the weekly hours below which a program is not intensive outpatient.
IOP_MIN_HOURS_ADULT = 9
IOP_MIN_HOURS_ADOLESCENT = 6
ADOLESCENT_MAX_AGE = 17


@dataclass(frozen=True)
class ScheduleFacts:
    days_per_week: int
    hours_per_week: float
    morning: bool
    afternoon: bool
    evening: bool
    weekend: bool

    @property
    def time_of_day(self):
        """The buckets in contract order: morning, afternoon, evening, weekend."""
        buckets = ("morning", "afternoon", "evening", "weekend")
        return [bucket for bucket in buckets if getattr(self, bucket)]


def session_hours(start, end):
    delta = datetime.combine(datetime.min, end) - datetime.combine(datetime.min, start)
    return delta.total_seconds() / 3600


def schedule_facts(sessions):
    """Facts of a week of sessions: objects (or dicts) with weekday, start_time, end_time."""
    weekdays = set()
    hours = 0.0
    starts = []
    for session in sessions:
        weekdays.add(session.weekday)
        hours += session_hours(session.start_time, session.end_time)
        starts.append(session.start_time)
    return ScheduleFacts(
        days_per_week=len(weekdays),
        hours_per_week=round(hours, 2),
        morning=any(start < MORNING_BEFORE for start in starts),
        afternoon=any(MORNING_BEFORE <= start < EVENING_FROM for start in starts),
        evening=any(start >= EVENING_FROM for start in starts),
        weekend=bool(weekdays & WEEKEND_DAYS),
    )


def iop_minimum_hours(age_max):
    """Weekly hours ASAM 2.1 asks for: fewer for a program that serves only adolescents."""
    if age_max is not None and age_max <= ADOLESCENT_MAX_AGE:
        return IOP_MIN_HOURS_ADOLESCENT
    return IOP_MIN_HOURS_ADULT
