"""seed_synthetic: a large fictional directory for benchmarks, written in bulk.

The listings vary the way the demo directory does (tracks of care, schedules, formats,
payment, vocabulary links), but every value is drawn here from one seeded random generator,
so `--count N --seed S` writes the same rows every time.
"""

import math
import time
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from functools import cache
from itertools import accumulate
from random import Random

import zipcodes
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.text import slugify

from facilities import directory_version, fake_directories, phones
from facilities.fake_directories import ARCHETYPE_PHRASES, NAME_STEMS, PAYMENT_CHANCES, pick_some
from facilities.geocoding import has_point
from facilities.importers.directory import refresh_planner_statistics
from facilities.models import (
    Correction,
    Facility,
    OnlineReach,
    PaymentOption,
    Program,
    Session,
    refresh_program_places,
    refresh_questions_answered,
)
from facilities.schedule import schedule_facts
from facilities.states import US_STATES
from facilities.vocabularies import term_models_of

SOURCE = "import:synthetic"
CHUNK = 1000  # facilities generated and written together; bounds memory at any count

FACILITY_TERMS = term_models_of("Facility")
FACILITY_LINKED = {*FACILITY_TERMS, "programs"}  # drawn with a facility, written apart
PROGRAM_TERMS = term_models_of("Program")

# --- Where facilities go --------------------------------------------------------------------

# A county with this many ZIP codes or fewer counts as rural: more telehealth, more equine.
RURAL_COUNTY_ZIPS = 12
# A listing's area code where its ZIP has none the phone numbers' rules accept.
TOLL_FREE = "800"


@dataclass(frozen=True)
class ZipSite:
    zip_code: str
    city: str
    state: str
    latitude: float
    longitude: float
    area_codes: tuple[str, ...]
    rural: bool


@cache
def zip_sites():
    """Street-delivery ZIPs of the states, and cumulative weights favouring populous places.

    The package has no population figures; the number of ZIPs in a ZIP's county stands in
    for it (Los Angeles County has hundreds, a ranch county a handful), so each ZIP is
    weighted by its county's count and metro counties get most of the listings.
    """
    located = [row for row in zipcodes.list_all() if row["state"] in US_STATES and has_point(row)]
    county_zips = Counter((row["state"], row["county"]) for row in located)
    sites, weights = [], []
    for row in sorted(located, key=lambda row: row["zip_code"]):
        if row["zip_code_type"] != "STANDARD" or not row["active"]:
            continue
        county_size = county_zips[row["state"], row["county"]]
        sites.append(
            ZipSite(
                zip_code=row["zip_code"],
                city=row["city"].title(),
                state=row["state"],
                latitude=float(row["lat"]),
                longitude=float(row["long"]),
                area_codes=tuple(row["area_codes"]),
                rural=county_size <= RURAL_COUNTY_ZIPS,
            )
        )
        weights.append(county_size)
    return sites, list(accumulate(weights))


@cache
def dialable(area_code):
    """Whether a number of this area code in the range kept for fiction (555-01xx) is one a
    phone could dial: the stored form of a listing's number is E.164."""
    try:
        phones.parse(f"({area_code}) 555-0150")
    except ValidationError:
        return False
    return True


@cache
def nearest_states():
    """{state: its three nearest other states}, by the mean of their ZIP centroids."""
    points = {}
    for site in zip_sites()[0]:
        points.setdefault(site.state, []).append((site.latitude, site.longitude))
    centres = {
        state: (sum(p[0] for p in pairs) / len(pairs), sum(p[1] for p in pairs) / len(pairs))
        for state, pairs in points.items()
    }

    def distance(a, b):
        (lat1, lng1), (lat2, lng2) = centres[a], centres[b]
        return (lat1 - lat2) ** 2 + ((lng1 - lng2) * math.cos(math.radians(lat1))) ** 2

    nearest = {}
    for state in centres:
        others = sorted((other for other in centres if other != state), key=str)
        nearest[state] = tuple(sorted(others, key=lambda other: distance(state, other))[:3])
    return nearest


# --- Tracks of care ---------------------------------------------------------------------------


class Weighted:
    """Options drawn with fixed relative weights; the cumulative weights are summed once,
    which random.choices would redo at every draw."""

    def __init__(self, weights):
        self.options = tuple(weights)
        self.cumulative = tuple(accumulate(weights.values()))

    def draw(self, rng):
        return self.options[bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class Track:
    names: tuple[str, ...]
    focus: str
    ages: str  # adolescent / young_adult / adult / senior
    slots: tuple[str, ...]  # parts of the day its sessions may start
    conditions: tuple[str, ...]  # always listed
    extra_conditions: tuple[str, ...]  # some of these too
    populations: tuple[str, ...]
    extra_populations: tuple[str, ...]
    modalities: tuple[str, ...]
    extra_modalities: tuple[str, ...]
    weight: float
    recovery: bool = False  # a substance use approach: abstinence, 12-step or harm reduction


DAY = ("morning", "afternoon")
ANY = ("morning", "afternoon", "evening")
TRACKS = (
    Track(("Adult Evening IOP", "Evening Recovery IOP"), "substance_use", "adult", ("evening",),
          ("alcohol_use",), ("opioid_use", "stimulant_use", "cannabis_use", "behavioral_addiction"),
          ("adults",), ("men", "women", "lgbtq", "professionals", "justice_involved"),
          ("group_therapy", "individual_therapy"),
          ("cbt", "motivational_interviewing", "met", "community_reinforcement", "mindfulness",
           "mat_naltrexone", "family_therapy"), 6, recovery=True),
    Track(("Adult Day IOP", "Morning Recovery IOP"), "substance_use", "adult", DAY,
          ("alcohol_use",), ("opioid_use", "stimulant_use", "cannabis_use"),
          ("adults",), ("men", "women", "seniors", "justice_involved"),
          ("group_therapy", "individual_therapy"),
          ("cbt", "motivational_interviewing", "therapeutic_community", "art_therapy",
           "mat_naltrexone"), 4, recovery=True),
    Track(("Opioid Recovery IOP", "Medication-Supported Recovery IOP"), "substance_use",
          "adult", ANY, ("opioid_use",), ("alcohol_use", "stimulant_use"),
          ("adults",), ("pregnant_postpartum", "justice_involved", "young_adults"),
          ("mat_buprenorphine", "medication_management", "group_therapy"),
          ("mat_naltrexone", "mat_methadone", "contingency_management", "cbt"), 4,
          recovery=True),
    Track(("Stimulant Recovery IOP", "Matrix Model IOP"), "substance_use", "adult",
          ("afternoon", "evening"), ("stimulant_use",), ("alcohol_use", "cannabis_use"),
          ("adults",), ("lgbtq", "men"), ("matrix_model", "contingency_management"),
          ("cbt", "community_reinforcement", "group_therapy"), 1.5, recovery=True),
    Track(("Teen After-School IOP", "Adolescent Recovery IOP"), "substance_use", "adolescent",
          ("after_school",), ("cannabis_use",), ("alcohol_use", "anxiety", "depression"),
          ("adolescents",), (), ("family_therapy", "group_therapy"),
          ("cbt", "met", "contingency_management", "individual_therapy"), 2, recovery=True),
    Track(("Weekend Recovery IOP",), "substance_use", "adult", ("weekend",),
          ("alcohol_use",), ("opioid_use", "cannabis_use"), ("adults",),
          ("professionals", "first_responders"), ("group_therapy",),
          ("cbt", "individual_therapy", "mindfulness", "smart_recovery"), 1.5, recovery=True),
    Track(("Dual Diagnosis IOP", "Co-Occurring Disorders IOP"), "co_occurring", "adult", ANY,
          ("co_occurring_disorders",),
          ("alcohol_use", "opioid_use", "depression", "anxiety", "trauma_ptsd", "bipolar"),
          ("adults",), ("young_adults", "lgbtq", "women", "men"),
          ("medication_management", "group_therapy", "individual_therapy"),
          ("cbt", "dbt", "motivational_interviewing", "emdr", "mindfulness"), 5, recovery=True),
    Track(("Veterans IOP", "First Responder IOP"), "co_occurring", "adult", ("morning", "evening"),
          ("trauma_ptsd",), ("alcohol_use", "anger", "grief", "co_occurring_disorders"),
          ("veterans",), ("first_responders", "adults"), ("group_therapy", "cbt"),
          ("emdr", "medication_management", "yoga", "family_therapy"), 1.5, recovery=True),
    Track(("Mind-Body Recovery IOP",), "co_occurring", "adult", DAY,
          ("co_occurring_disorders",), ("alcohol_use", "anxiety", "trauma_ptsd"), ("adults",),
          ("women", "veterans"), ("yoga", "mindfulness", "group_therapy"),
          ("equine_therapy", "art_therapy", "cbt"), 1, recovery=True),
    Track(("Adult Mental Health IOP", "Depression and Anxiety IOP"), "mental_health", "adult",
          DAY, ("depression", "anxiety"), ("trauma_ptsd", "bipolar", "grief", "anger"),
          ("adults",), ("seniors", "lgbtq", "women"), ("cbt", "group_therapy"),
          ("dbt", "mindfulness", "medication_management", "art_therapy", "yoga"), 6),
    Track(("Evening Mental Health IOP",), "mental_health", "adult", ("evening",),
          ("depression", "anxiety"), ("trauma_ptsd", "bipolar", "self_harm"), ("adults",),
          ("lgbtq", "professionals"), ("cbt", "group_therapy"),
          ("dbt", "mindfulness", "individual_therapy"), 4),
    Track(("DBT Skills IOP",), "mental_health", "adult", ANY, ("self_harm",),
          ("depression", "bipolar", "trauma_ptsd", "anger"), ("adults",),
          ("young_adults", "lgbtq"), ("dbt", "group_therapy", "individual_therapy"),
          ("mindfulness", "medication_management"), 2),
    Track(("Teen Mental Health IOP", "Adolescent After-School IOP"), "mental_health",
          "adolescent", ("after_school",), ("depression", "anxiety"),
          ("self_harm", "trauma_ptsd", "grief"), ("adolescents",), ("lgbtq",),
          ("family_therapy", "group_therapy"), ("cbt", "dbt", "art_therapy"), 3),
    Track(("Young Adult IOP",), "mental_health", "young_adult", ANY, ("depression", "anxiety"),
          ("self_harm", "bipolar", "cannabis_use"), ("young_adults",), ("lgbtq",),
          ("cbt", "group_therapy"), ("dbt", "individual_therapy", "mindfulness"), 2),
    Track(("Older Adult IOP",), "mental_health", "senior", DAY, ("depression", "grief"),
          ("anxiety",), ("seniors",), ("veterans",), ("group_therapy", "medication_management"),
          ("cbt", "mindfulness", "art_therapy"), 1.5),
    Track(("Perinatal Mental Health IOP",), "mental_health", "adult", DAY,
          ("postpartum", "depression"), ("anxiety", "trauma_ptsd"), ("pregnant_postpartum",),
          ("women",), ("cbt", "group_therapy"), ("individual_therapy", "family_therapy"), 1),
    Track(("Interventional Psychiatry IOP",), "mental_health", "adult", ("morning",),
          ("depression",), ("anxiety", "bipolar"), ("adults",), ("seniors",),
          ("medication_management", "tms"), ("ketamine", "group_therapy"), 1),
    Track(("Eating Disorder IOP",), "eating_disorders", "adult", ("afternoon", "evening"),
          ("eating_disorder",), ("anxiety", "depression"), ("adults",),
          ("women", "young_adults"), ("cbt", "group_therapy"), ("dbt", "family_therapy"), 1.5),
    Track(("Teen Eating Disorder IOP",), "eating_disorders", "adolescent", ("after_school",),
          ("eating_disorder",), ("anxiety",), ("adolescents",), (),
          ("family_therapy", "group_therapy"), ("cbt", "dbt"), 1),
)  # fmt: skip
MAIN_TRACKS = Weighted({track: track.weight for track in TRACKS})
ADULT_AGES = Weighted({(18, None): 70, (18, 64): 18, (21, None): 8, (None, None): 4})
DAYS_A_WEEK = Weighted({3: 50, 4: 30, 5: 20})
FORMATS = Weighted({"in_person": 75, "hybrid": 14, "telehealth": 11})
RURAL_FORMATS = Weighted({"in_person": 55, "hybrid": 25, "telehealth": 20})
RECOVERY_APPROACHES = Weighted({"harm_reduction": 35, "abstinence": 30, "twelve_step": 35})
ACCEPTING = Weighted({True: 86, False: 8, None: 6})
EXTRA_PROGRAMS = Weighted({0: 55, 1: 30, 2: 15})
EXTRA_KINDS = Weighted({"track": 50, "php": 20, "op": 30})
WHEELCHAIR = Weighted({True: 70, False: 10, None: 20})

SLOT_STARTS = {
    "morning": (clock(9), clock(9), clock(9, 30), clock(8, 30)),
    "afternoon": (clock(13), clock(14), clock(12, 30)),
    "evening": (clock(17, 30), clock(18), clock(18)),
    "after_school": (clock(15, 30), clock(16)),
}
WEEKDAY_PATTERNS = {
    3: ((0, 2, 4), (1, 2, 3), (0, 1, 3), (0, 2, 3)),
    4: ((0, 1, 2, 3), (0, 1, 3, 4)),
    5: ((0, 1, 2, 3, 4),),
}
PHILOSOPHY_SENTENCES = {
    "harm_reduction": "Every step toward safer use counts.",
    "abstinence_based": "The goal is full abstinence from alcohol and non-prescribed drugs.",
    "twelve_step_based": "Groups draw on the Twelve Steps.",
    "trauma_informed": "Clients set the pace when painful experiences come up.",
    "family_centered": "Families are partners in care.",
    "holistic": "Therapy is paired with movement and mindfulness.",
    "evidence_based": "We use approaches with strong research support.",
    "faith_based": "Pastoral care is offered to those who want it.",
}

# --- Facility wording -------------------------------------------------------------------------

NAME_SUFFIXES = {
    "substance_use": ("Recovery Center", "Addiction Services", "Outpatient Recovery"),
    "mental_health": ("Counseling Center", "Behavioral Health", "Wellness Center",
                      "Therapy Group"),
    "both": ("Behavioral Health", "Integrated Care", "Health and Recovery", "Treatment Center"),
}  # fmt: skip
STREETS = (
    "Main St", "Oak St", "Park Ave", "Center St", "Commerce Dr", "Professional Pkwy",
    "Medical Center Dr", "Maple Ave", "Lincoln Ave", "Washington St", "Executive Dr",
    "Broadway", "Market St", "Church St", "Elm St", "College Ave", "Highland Ave",
)  # fmt: skip
ARCHETYPES = Weighted({"community": 35, "private": 30, "group_practice": 20, "hospital": 15})
# Where Spanish-speaking staff are most common; elsewhere a smaller chance.
SPANISH_STATES = {"CA", "TX", "FL", "NM", "AZ", "NV", "NY", "NJ", "IL", "CO", "PR"}


def sessions(days, start, hours):
    end_minutes = start.hour * 60 + start.minute + round(hours * 60)
    end = clock(end_minutes // 60, end_minutes % 60)
    return [(day, start, end) for day in days]


class DirectoryMaker:
    """Draws facilities, their programs, sessions and vocabulary links from one generator."""

    def __init__(self, rng, terms, carriers, verified_as_of):
        self.rng = rng
        self.terms = terms  # {field: {slug: id}}
        self.carriers = carriers
        self.verified_as_of = verified_as_of

    # --- Programs -----------------------------------------------------------------------------

    def ages(self, band):
        rng = self.rng
        if band == "adolescent":
            return rng.choice(((12, 17), (13, 17), (14, 17)))
        if band == "young_adult":
            return rng.choice(((18, 25), (18, 26)))
        if band == "senior":
            return rng.choice(((55, None), (60, None), (65, None)))
        return ADULT_AGES.draw(rng)

    def duration(self, band):
        rng = self.rng
        if rng.random() < 0.05:
            return None, None
        if band == "adolescent":
            return rng.choice(((8, 12), (10, 12), (12, 16), (6, 10)))
        return rng.choice(((4, 6), (6, 8), (6, 10), (8, 12), (10, 12), (12, 16), (12, 12)))

    def schedule(self, track):
        rng = self.rng
        if track.slots == ("weekend",):
            # Friday evening and both weekend mornings.
            return sessions((4,), clock(18), 3) + sessions((5, 6), clock(9), 4)
        slot = rng.choice(track.slots)
        start = rng.choice(SLOT_STARTS[slot])
        if slot == "after_school":
            return sessions(rng.choice(WEEKDAY_PATTERNS[rng.choice((3, 4))]), start, 3)
        day_count = DAYS_A_WEEK.draw(rng)
        days = rng.choice(WEEKDAY_PATTERNS[day_count])
        if slot == "evening" or day_count == 5:
            hours = rng.choice((3, 3, 3.5))
        else:
            hours = rng.choice((3, 3, 3.5, 4))
        if rng.random() < 0.04:
            hours = 2  # fewer hours than ASAM 2.1 asks: the site shows a note
        schedule = sessions(days, start, hours)
        if day_count < 5 and rng.random() < 0.12:
            # The last weekday swapped for a Saturday morning, for people who work weekdays.
            schedule[-1] = sessions((5,), rng.choice((clock(9), clock(10))), hours)[0]
        return schedule

    def program_format(self, rural):
        return (RURAL_FORMATS if rural else FORMATS).draw(self.rng)

    def serves_states(self, program_format, state):
        if program_format == "in_person" or self.rng.random() < 0.5:
            return ""  # blank: only the facility's state
        # Clinicians licensed next door most often: one or two of the nearest states.
        others = pick_some(self.rng, nearest_states()[state], 1, 2)
        return " ".join(sorted({state, *others}))

    def philosophy(self, track, modalities, conditions):
        rng = self.rng
        tags = ["evidence_based"] if rng.random() < 0.75 else []
        if track.recovery:
            approach = RECOVERY_APPROACHES.draw(rng)
            tags.append("harm_reduction" if approach == "harm_reduction" else "abstinence_based")
            if approach == "twelve_step":
                tags.append("twelve_step_based")
                modalities.append("twelve_step_facilitation")
            elif approach == "abstinence" and rng.random() < 0.4:
                modalities.append("smart_recovery")
        if rng.random() < (0.8 if "trauma_ptsd" in conditions else 0.35):
            tags.append("trauma_informed")
        if "family_therapy" in modalities and rng.random() < 0.6:
            tags.append("family_centered")
        body_and_mind = {"yoga", "mindfulness", "art_therapy", "equine_therapy"}
        if body_and_mind & set(modalities) and rng.random() < 0.6:
            tags.append("holistic")
        if rng.random() < 0.07:
            tags.append("faith_based")
        if rng.random() < 0.05:
            return []  # not listed
        return tags or ["evidence_based"]

    def program(self, track, state, rural):
        rng = self.rng
        age_min, age_max = self.ages(track.ages)
        weeks_min, weeks_max = self.duration(track.ages)
        program_format = self.program_format(rural)
        conditions = list(track.conditions) + pick_some(rng, track.extra_conditions, 0, 2)
        populations = list(track.populations)
        if track.extra_populations and rng.random() < 0.4:
            populations.append(rng.choice(track.extra_populations))
        modalities = list(track.modalities) + pick_some(rng, track.extra_modalities, 1, 3)
        if rural and rng.random() < 0.1:
            modalities.append("equine_therapy")  # horses need land
        if "opioid_use" in conditions and rng.random() < 0.8:
            modalities.append(rng.choice(("mat_buprenorphine", "mat_naltrexone")))
        philosophy = self.philosophy(track, modalities, conditions)
        transitions = list(self.terms["transition_supports"])
        if not track.recovery or track.ages == "adolescent":
            transitions.remove("sober_living_referral")
        statement = " ".join(PHILOSOPHY_SENTENCES[tag] for tag in philosophy[:2])
        return {
            "name": rng.choice(track.names),
            "level_of_care": "iop",
            "focus": track.focus,
            "age_min": age_min,
            "age_max": age_max,
            "duration_weeks_min": weeks_min,
            "duration_weeks_max": weeks_max,
            "format": program_format,
            "serves_states": self.serves_states(program_format, state),
            "philosophy_statement": statement if rng.random() < 0.85 else "",
            "accepting_new_clients": ACCEPTING.draw(rng),
            "description": f"Synthetic listing: a {track.names[0]} for benchmarks.",
            "schedule": self.schedule(track),
            "conditions": conditions,
            "populations": populations,
            "modalities": modalities,
            "philosophy": philosophy,
            "transition_supports": pick_some(rng, transitions, 2, 4),
        }

    def step_program(self, main, level):
        """A partial hospitalization or outpatient group on the main program's profile."""
        rng = self.rng
        program = dict(main)
        for_teens = main["age_max"] == 17
        if level == "php":
            program |= {
                "name": "Partial Hospitalization Program",
                "level_of_care": "php",
                "duration_weeks_min": 4,
                "duration_weeks_max": rng.choice((4, 6)),
                "format": "in_person",
                "serves_states": "",
                "modalities": main["modalities"] + ["medication_management"],
                "transition_supports": ["aftercare_plan", "step_down_from_higher_care"],
                "schedule": sessions(WEEKDAY_PATTERNS[5][0], rng.choice(SLOT_STARTS["morning"]), 6),
            }
        else:
            days = rng.choice(((1,), (0, 3), (2,)))
            start = clock(16) if for_teens else rng.choice((clock(12), clock(18)))
            program |= {
                "name": "Outpatient Continuing Care Group",
                "level_of_care": "op",
                "duration_weeks_min": rng.choice((8, 12)),
                "duration_weeks_max": 16,
                "format": rng.choice(("in_person", "hybrid")),
                "modalities": ["group_therapy", "individual_therapy"],
                "transition_supports": ["aftercare_plan", "alumni_group", "continuing_care"],
                "schedule": sessions(days, start, 1.5),
            }
        program["accepting_new_clients"] = rng.random() < 0.9
        return program

    def programs(self, state, rural):
        rng = self.rng
        main_track = MAIN_TRACKS.draw(rng)
        programs = [self.program(main_track, state, rural)]
        for _ in range(EXTRA_PROGRAMS.draw(rng)):
            kind = EXTRA_KINDS.draw(rng)
            if kind == "track":
                # Another age group, e.g. an adult evening IOP and a teen after-school one.
                others = [track for track in TRACKS if track.ages != main_track.ages]
                programs.append(self.program(rng.choice(others), state, rural))
            elif all(program["level_of_care"] != kind for program in programs):
                programs.append(self.step_program(programs[0], kind))
        return programs

    # --- Facilities ---------------------------------------------------------------------------

    def facility(self, number, site):
        rng = self.rng
        programs = self.programs(site.state, site.rural)
        foci = {program["focus"] for program in programs}
        if foci <= {"substance_use"}:
            facility_type = "substance_use"
        elif foci <= {"mental_health", "eating_disorders"}:
            facility_type = "mental_health"
        else:
            facility_type = "both"
        archetype = ARCHETYPES.draw(rng)
        name = f"{rng.choice(NAME_STEMS)} {rng.choice(NAME_SUFFIXES[facility_type])}"
        slug = f"{slugify(f'{name} {site.city}')[:200]}-syn{number}"
        area_code = rng.choice(site.area_codes) if site.area_codes else TOLL_FREE
        area_code = area_code if dialable(area_code) else TOLL_FREE
        street = f"{rng.randint(10, 9899)} {rng.choice(STREETS)}"
        if rng.random() < 0.4:
            street += f" Suite {rng.choice((100, 110, 200, 210, 305, 400))}"
        days_ago = rng.randint(0, 730)
        verified = None if rng.random() < 0.1 else self.verified_as_of - timedelta(days_ago)
        return {
            "name": name,
            "slug": slug,
            "street": street,
            "city": site.city,
            "state": site.state,
            "zip_code": site.zip_code,
            "latitude": site.latitude,
            "longitude": site.longitude,
            "geocode_precision": "zip",
            # Stored as a curator's save stores a number (E.164), in the range kept for fiction.
            "phone": f"+1{area_code}55501{rng.randint(0, 99):02d}",
            "intake_phone": f"+1{area_code}55501{rng.randint(0, 99):02d}"
            if rng.random() < 0.3
            else "",
            "website": f"https://{slugify(name)}.example.org/{slugify(site.city)}/",
            "description": f"{name} is {ARCHETYPE_PHRASES[archetype]} in {site.city}, "
            f"{site.state}. Synthetic listing for benchmarks.",
            "facility_type": facility_type,
            "wheelchair_accessible": WHEELCHAIR.draw(rng),
            "source": SOURCE,
            "external_id": f"synthetic-{number:07d}",
            "last_verified_at": verified,
            "status": Facility.Status.PUBLISHED,
            "payment_options": self.payment_options(archetype, programs),
            "languages": self.languages(site.state),
            "accreditations": self.accreditations(archetype),
            "programs": programs,
        }

    def payment_options(self, archetype, programs):
        rng = self.rng
        options = fake_directories.payment_options(rng, archetype, self.carriers, programs)
        if rng.random() < 0.01:
            options.append("ihs_tribal")
        return options

    def languages(self, state):
        rng = self.rng
        languages = ["en"]
        if rng.random() < (0.6 if state in SPANISH_STATES else 0.2):
            languages.append("es")
        others = [slug for slug in self.terms["languages"] if slug not in ("en", "es")]
        if rng.random() < 0.15:
            languages.append(rng.choice(others))
        return languages

    def accreditations(self, archetype):
        rng = self.rng
        accreditations = ["state_license"] if rng.random() < 0.9 else []
        if archetype == "hospital" or rng.random() < 0.3:
            accreditations.append("joint_commission")
        elif rng.random() < 0.45:
            accreditations.append("carf")
        if archetype == "community" and rng.random() < 0.3:
            accreditations.append("coa")
        if archetype == "private" and rng.random() < 0.3:
            accreditations.append("naatp")
        return accreditations


# --- Writing ----------------------------------------------------------------------------------


def through_model(model, field_name):
    """The M2M's through model and its two id columns: (through, owner column, term column)."""
    field = model._meta.get_field(field_name)
    return (
        field.remote_field.through,
        f"{field.m2m_field_name()}_id",
        f"{field.m2m_reverse_field_name()}_id",
    )


class DirectoryWriter:
    """Writes drawn facilities with bulk inserts only: no save(), no signals, no history."""

    def __init__(self, terms):
        self.terms = terms
        self.counts = Counter()
        self.throughs = {name: through_model(Facility, name) for name in FACILITY_TERMS} | {
            name: through_model(Program, name) for name in PROGRAM_TERMS
        }

    def write(self, drawn):
        facilities = [
            Facility(**{k: v for k, v in record.items() if k not in FACILITY_LINKED})
            for record in drawn
        ]
        Facility.objects.bulk_create(facilities, batch_size=CHUNK)
        links = {field: [] for field in self.throughs}
        programs, schedules, program_records = [], [], []
        for facility, record in zip(facilities, drawn, strict=True):
            self.add_links(links, FACILITY_TERMS, facility.pk, record)
            for program_record in record["programs"]:
                program, sessions = self.program(facility.pk, program_record)
                programs.append(program)
                schedules.append(sessions)
                program_records.append(program_record)
        Program.objects.bulk_create(programs, batch_size=CHUNK)
        all_sessions = []
        for program, sessions, record in zip(programs, schedules, program_records, strict=True):
            for session in sessions:
                session.program_id = program.pk
            all_sessions += sessions
            self.add_links(links, PROGRAM_TERMS, program.pk, record)
        Session.objects.bulk_create(all_sessions, batch_size=CHUNK * 4)
        # Each program's point and the states it reaches online, as a curator's save writes them.
        refresh_program_places(Program.objects.filter(pk__range=(programs[0].pk, programs[-1].pk)))
        for field, rows in links.items():
            self.insert_links(field, rows)
            self.counts["links"] += len(rows)
        refresh_questions_answered([facility.pk for facility in facilities])
        self.counts["facilities"] += len(facilities)
        self.counts["programs"] += len(programs)
        self.counts["sessions"] += len(all_sessions)

    def add_links(self, links, fields, owner_id, record):
        for field in fields:
            term_ids = self.terms[field]
            # A set: a drawn list may name a term twice (medicare by archetype and by seniors).
            links[field] += [(owner_id, term_ids[slug]) for slug in sorted(set(record[field]))]

    def insert_links(self, field, rows):
        """Insert (owner id, term id) rows into the M2M's table, many to a statement.

        Measured: bulk_create of through-model instances costs about 24 µs a row (instance,
        then per-field preparation in the SQL compiler), this about 5; links are three rows
        in four of a synthetic directory, and this keeps 25,000 facilities under a minute.
        """
        through, owner_column, term_column = self.throughs[field]
        quote = connection.ops.quote_name
        # SQLite takes at most 999 parameters a statement; PostgreSQL has no such limit.
        per_statement = (connection.features.max_query_params or 10000) // 2
        with connection.cursor() as cursor:
            for first in range(0, len(rows), per_statement):
                batch = rows[first : first + per_statement]
                cursor.execute(
                    f"INSERT INTO {quote(through._meta.db_table)} "
                    f"({quote(owner_column)}, {quote(term_column)}) VALUES "
                    + ", ".join(["(%s, %s)"] * len(batch)),
                    [value for row in batch for value in row],
                )

    @staticmethod
    def program(facility_id, record):
        """The unsaved program and its sessions; the stored schedule facts are set here,
        from the same function the signals use, since bulk_create sends no signals."""
        sessions = [Session(weekday=d, start_time=s, end_time=e) for d, s, e in record["schedule"]]
        facts = schedule_facts(sessions)
        fields = {k: v for k, v in record.items() if k not in PROGRAM_TERMS and k != "schedule"}
        program = Program(
            facility_id=facility_id,
            days_per_week=facts.days_per_week,
            hours_per_week=facts.hours_per_week,
            offers_morning=facts.morning,
            offers_afternoon=facts.afternoon,
            offers_evening=facts.evening,
            offers_weekend=facts.weekend,
            **fields,
        )
        return program, sessions


def clear_synthetic():
    """Delete the synthetic listings with set-based DELETEs.

    QuerySet.delete() would load every row to send delete signals, writing a history row
    for each and recomputing a program's schedule facts for each session removed; these
    listings were written without either, so they are removed without either.
    """
    facilities = Facility.objects.filter(source=SOURCE)
    programs = Program.objects.filter(facility__source=SOURCE)
    for field in PROGRAM_TERMS:
        through, owner_column, _ = through_model(Program, field)
        delete_rows(through.objects.filter(**{f"{owner_column}__in": programs.values("pk")}))
    for field in FACILITY_TERMS:
        through, owner_column, _ = through_model(Facility, field)
        delete_rows(through.objects.filter(**{f"{owner_column}__in": facilities.values("pk")}))
    Correction.objects.filter(facility__source=SOURCE).delete()
    delete_rows(OnlineReach.objects.filter(program__in=programs.values("pk")))
    removed = delete_rows(Session.objects.filter(program__facility__source=SOURCE))
    delete_rows(programs)
    return delete_rows(facilities), removed


def delete_rows(queryset):
    """DELETE the queryset's rows in one statement, without signals or cascades (what points
    at them is deleted first); the number deleted."""
    model = queryset.model
    quote = connection.ops.quote_name
    ids, params = queryset.values("pk").query.sql_with_params()
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({ids})", params)
        return cursor.rowcount


def load_terms():
    """{field: {slug: id}} for every vocabulary; the slugs come from the database."""
    return {
        field: dict(model.objects.order_by("position", "slug").values_list("slug", "id"))
        for field, model in (FACILITY_TERMS | PROGRAM_TERMS).items()
    }


def slugs_named_here():
    named = {
        "conditions": set(),
        "populations": set(),
        "modalities": {"twelve_step_facilitation", "smart_recovery", "equine_therapy"},
    }
    for track in TRACKS:
        named["conditions"] |= {*track.conditions, *track.extra_conditions}
        named["populations"] |= {*track.populations, *track.extra_populations}
        named["modalities"] |= {*track.modalities, *track.extra_modalities}
    named["philosophy"] = set(PHILOSOPHY_SENTENCES)
    named["payment_options"] = {s for chances in PAYMENT_CHANCES.values() for s in chances}
    named["payment_options"] |= {"va", "ihs_tribal"}
    named["transition_supports"] = {"aftercare_plan", "alumni_group", "continuing_care"}
    named["transition_supports"] |= {"step_down_from_higher_care", "sober_living_referral"}
    named["languages"] = {"en", "es"}
    named["accreditations"] = {"state_license", "joint_commission", "carf", "coa", "naatp"}
    return named


class Command(BaseCommand):
    help = (
        "Write a synthetic directory of COUNT fictional, published facilities (source "
        f"{SOURCE}) on real US ZIP centroids, weighted towards populous counties, each with "
        "one to three programs, their weekly sessions and vocabulary links, for benchmarks. "
        "The same --count and --seed write the same rows (verification dates count back "
        "from today). Rows are written with bulk inserts: no save(), no signals and no "
        "history rows; each program's schedule facts are computed from its sessions here. "
        "--clear first removes earlier synthetic rows the same way."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="Facilities to write.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--clear", action="store_true", help=f"Delete earlier {SOURCE} listings first."
        )

    def handle(self, *args, count, seed, clear, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        started = time.perf_counter()
        terms = load_terms()
        missing = {
            field: sorted(slugs - set(terms[field]))
            for field, slugs in slugs_named_here().items()
            if slugs - set(terms[field])
        }
        if missing:
            raise CommandError(f"Vocabulary terms missing (run migrate?): {missing}")
        carriers = list(
            PaymentOption.objects.filter(is_private_carrier=True)
            .order_by("position", "slug")
            .values_list("slug", flat=True)
        )
        today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
        rng = Random(seed)
        maker = DirectoryMaker(rng, terms, carriers, today)
        writer = DirectoryWriter(terms)
        sites, cumulative = zip_sites()
        with transaction.atomic():
            directory_version.bump()  # bulk writes send no signals
            if clear:
                removed, _ = clear_synthetic()
                self.stdout.write(
                    f"Removed {removed} earlier synthetic facilities "
                    f"in {time.perf_counter() - started:.1f} s."
                )
            elif existing := Facility.objects.filter(source=SOURCE).count():
                raise CommandError(
                    f"{existing} synthetic facilities exist already; add --clear to replace them."
                )
            chosen = rng.choices(sites, cum_weights=cumulative, k=count)
            for first in range(0, count, CHUNK):
                drawn = [
                    maker.facility(number, site)
                    for number, site in enumerate(chosen[first : first + CHUNK], start=first + 1)
                ]
                writer.write(drawn)
                if options["verbosity"] > 1:
                    self.stdout.write(f"  {first + len(drawn)} facilities written")
            committing = time.perf_counter()
        # PostgreSQL checks the foreign keys of every row written or removed at the commit.
        commit = time.perf_counter() - committing
        refresh_planner_statistics()
        seconds = time.perf_counter() - started
        counts = writer.counts
        self.stdout.write(
            f"Synthetic directory (seed {seed}): {counts['facilities']} facilities, "
            f"{counts['programs']} programs, {counts['sessions']} sessions, "
            f"{counts['links']} vocabulary links in {seconds:.1f} s "
            f"(of which the commit {commit:.1f} s)."
        )
