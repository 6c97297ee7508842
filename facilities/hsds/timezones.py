"""The time zone of a facility, from its state: HSDS schedules give their times with the UTC
offset in force.

The directory stores no time zone: a session's times are the local time at the facility
(Session.start_time). A state's zone is the one most of its people live in (Texas: Central,
not El Paso's Mountain; Florida: Eastern, not the Panhandle's Central). The offset is worked
out by the United States' daylight saving rule (since 2007: from the second Sunday of March
at 2 am to the first Sunday of November at 2 am), so no time zone database is needed on the
server; tests check it against the IANA database where one is installed.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Zone:
    name: str  # the IANA name, for people and for tools that read it
    standard: int  # hours from UTC in winter
    daylight_saving: bool


EASTERN = Zone("America/New_York", -5, True)
CENTRAL = Zone("America/Chicago", -6, True)
MOUNTAIN = Zone("America/Denver", -7, True)
PACIFIC = Zone("America/Los_Angeles", -8, True)


def each(codes, zone):
    return dict.fromkeys(codes.split(), zone)


STATE_ZONES = {
    **each("CT DE DC FL GA ME MD MA NH NJ NY NC OH PA RI SC VT VA WV", EASTERN),
    "IN": Zone("America/Indiana/Indianapolis", -5, True),
    "KY": Zone("America/Kentucky/Louisville", -5, True),
    "MI": Zone("America/Detroit", -5, True),
    **each("AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI", CENTRAL),
    **each("CO MT NM UT WY", MOUNTAIN),
    "ID": Zone("America/Boise", -7, True),
    "AZ": Zone("America/Phoenix", -7, False),
    **each("CA NV OR WA", PACIFIC),
    "AK": Zone("America/Anchorage", -9, True),
    "HI": Zone("Pacific/Honolulu", -10, False),
    "PR": Zone("America/Puerto_Rico", -4, False),
    "VI": Zone("America/St_Thomas", -4, False),
    "GU": Zone("Pacific/Guam", 10, False),
    "MP": Zone("Pacific/Saipan", 10, False),
    "AS": Zone("Pacific/Pago_Pago", -11, False),
}


def state_zone(state):
    """The zone of a two-letter state code; Eastern for one we do not know."""
    return STATE_ZONES.get((state or "").upper(), EASTERN)


def nth_sunday(year, month, n):
    first = datetime(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def utc_offset(zone, moment=None):
    """Hours from UTC in the zone at the moment (now unless given; an aware datetime)."""
    moment = datetime.now(UTC) if moment is None else moment
    if not zone.daylight_saving:
        return zone.standard
    standard_time = moment.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=zone.standard)
    year = standard_time.year
    starts = nth_sunday(year, 3, 2) + timedelta(hours=2)  # 2 am standard time
    ends = nth_sunday(year, 11, 1) + timedelta(hours=1)  # 2 am daylight time
    return zone.standard + 1 if starts <= standard_time < ends else zone.standard


def offset_text(hours):
    """-7 -> "-07:00", as HSDS puts the offset after a time: "18:00-07:00"."""
    return f"{'-' if hours < 0 else '+'}{abs(hours):02d}:00"
