"""Our listings as HSDS 3.0 objects.

A facility is an organization with one physical location (its address, point, phones,
languages and wheelchair access); each of its programs is a service delivered at that
location (a service_at_location). A program's weekly sessions are its schedules, its
vocabularies' terms and its facility's are its attributes, and its facility's payment options
are also its funding (public payers) and cost options (self-pay, sliding scale) where they fit.

The objects are plain dicts, as the API writes them and the export streams them; fields
without a value are left out rather than written empty. Read programs with their facility
and load_answers() (facilities.querysets) first: mapping then runs no query.
"""

from collections import defaultdict
from datetime import UTC, datetime

from django.utils import translation
from django.utils.dates import WEEKDAYS_ABBR

from facilities.answers import age_words, clock, duration_words
from facilities.hsds.ids import hsds_id
from facilities.hsds.taxonomies import VOCABULARIES
from facilities.hsds.timezones import offset_text, state_zone, utc_offset
from facilities.models import Facility
from facilities.querysets import linked
from facilities.states import US_STATES

BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ATTENDING = {
    "in_person": "In person at the facility",
    "telehealth": "Online (telehealth)",
    "hybrid": "In person at the facility or online (hybrid)",
}
# Payment options that fit HSDS's other fields: public money that pays for the care
# (funding), and prices a person pays themselves (cost options).
FUNDING_SLUGS = {"medicaid", "medicare", "tricare", "va", "state_funded", "ihs_tribal"}
COST_OPTION_SLUGS = {"self_pay", "sliding_scale"}
# Our language slugs are ISO 639-1 codes, but for American Sign Language (ISO 639-3: ase).
LANGUAGE_CODES = {"asl": "ase"}
SOURCE_IDENTIFIERS = {"import:findtreatment": "SAMHSA FindTreatment.gov facility id (frid)"}


def without_empty(values):
    """The dict without the fields that have no value (None, "" or an empty list)."""
    return {key: value for key, value in values.items() if value not in (None, "", [])}


def moment_text(moment):
    """An aware datetime as RFC 3339, in UTC: 2025-11-03T15:30:12.345678Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def sentence_list(words):
    words = list(words)
    if len(words) < 3:
        return " and ".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


class Mapper:
    """Writes HSDS objects. `base_url` ("https://iopfinder.org") makes a service's `url`
    (its program on the facility's page), left out without one; `moment` is when the UTC
    offsets of the schedules are taken (now unless given)."""

    def __init__(self, base_url=None, moment=None):
        self.base_url = base_url.rstrip("/") if base_url else None
        self.moment = moment or datetime.now(UTC)
        self.offsets = {}

    # --- Ids ----------------------------------------------------------------------------------

    @staticmethod
    def organization_id(facility_id):
        return hsds_id("organization", facility_id)

    @staticmethod
    def location_id(facility_id):
        return hsds_id("location", facility_id)

    @staticmethod
    def service_id(program_id):
        return hsds_id("service", program_id)

    @staticmethod
    def service_at_location_id(program_id):
        return hsds_id("service_at_location", program_id)

    # --- Organizations and locations -----------------------------------------------------------

    def organization(self, facility):
        """The organization's own fields (an item of /organizations)."""
        with translation.override("en"):
            kind = str(facility.get_facility_type_display()).lower()
        description = facility.description or (
            f"{facility.name} offers outpatient treatment for {kind} in "
            f"{facility.city}, {facility.state}."
        )
        return without_empty(
            {
                "id": self.organization_id(facility.pk),
                "name": facility.name,
                "description": description,
                "website": facility.website,
            }
        )

    def full_organization(self, facility, services=None):
        """The organization with its location and identifiers, and `services` if given."""
        organization = self.organization(facility)
        identifiers = []
        if facility.external_id:
            scheme = SOURCE_IDENTIFIERS.get(facility.source)
            identifiers.append(
                {
                    "id": hsds_id("organization_identifier", facility.pk),
                    "organization_id": organization["id"],
                    "identifier_type": scheme or f"{facility.source.removeprefix('import:')} id",
                    "identifier": facility.external_id,
                }
            )
        organization["locations"] = [self.full_location(facility)]
        organization.update(without_empty({"organization_identifiers": identifiers}))
        if services is not None:
            organization["services"] = services
        return organization

    def location(self, facility):
        """The location's own fields (as a list item nests it)."""
        return without_empty(
            {
                "id": self.location_id(facility.pk),
                "location_type": "physical",
                "organization_id": self.organization_id(facility.pk),
                "name": facility.name,
                "latitude": facility.latitude,
                "longitude": facility.longitude,
            }
        )

    def full_location(self, facility):
        location = self.location(facility)
        location_id = location["id"]
        address = {
            "id": hsds_id("address", facility.pk),
            "location_id": location_id,
            "address_1": facility.street,
            "city": facility.city,
            "state_province": facility.state,
            "postal_code": facility.zip_code,
            "country": "US",
            "address_type": "physical",
        }
        accessibility = []
        if facility.wheelchair_accessible is not None:
            accessibility.append(
                {
                    "id": hsds_id("accessibility", facility.pk, "wheelchair"),
                    "location_id": location_id,
                    "description": "Wheelchair accessible"
                    if facility.wheelchair_accessible
                    else "Not wheelchair accessible",
                }
            )
        location.update(
            without_empty(
                {
                    "languages": self.languages(facility, "location", location_id),
                    "addresses": [address],
                    "accessibility": accessibility,
                    "phones": self.phones(facility, "location", location_id),
                }
            )
        )
        return location

    def phones(self, facility, owner, owner_id):
        numbers = [("main", facility.phone, "Main line"), ("intake", facility.intake_phone, "")]
        return [
            without_empty(
                {
                    "id": hsds_id("phone", owner, owner_id, name),
                    f"{owner}_id": owner_id,
                    "number": number,
                    "type": "voice",
                    "description": description or "Intake (admissions) line",
                }
            )
            for name, number, description in numbers
            if number
        ]

    def languages(self, facility, owner, owner_id):
        return [
            without_empty(
                {
                    "id": hsds_id("language", owner, owner_id, language.slug),
                    f"{owner}_id": owner_id,
                    "name": language.label,
                    "code": LANGUAGE_CODES.get(language.slug, language.slug)
                    if len(language.slug) in (2, 3)
                    else "",
                }
            )
            for language in linked(facility, "languages")
        ]

    # --- Services -----------------------------------------------------------------------------

    def minimal_service(self, program):
        """What /services?minimal=true lists: the id and the last change (with the name and
        status a service must have)."""
        return {
            "id": self.service_id(program.pk),
            "name": program.name,
            "status": self.status(program.facility),
            "last_modified": self.last_modified(program),
        }

    @staticmethod
    def status(facility):
        return "inactive" if facility.status == Facility.Status.ARCHIVED else "active"

    @staticmethod
    def last_modified(program):
        return moment_text(max(program.updated_at, program.facility.updated_at))

    def service(self, program):
        """The service's own fields and its organization's (an item of /services)."""
        facility = program.facility
        service = self.service_fields(program)
        service["organization"] = self.organization(facility)
        return service

    def service_fields(self, program):
        facility = program.facility
        with translation.override("en"):
            level = str(program.get_level_of_care_display())
            focus = str(program.get_focus_display()).lower()
            duration = duration_words("en", program.duration_weeks_min, program.duration_weeks_max)
            ages = age_words("en", program.age_min, program.age_max)
        parts = [program.description or f"{level} for {focus}."]
        if duration:
            parts.append(f"Length: {duration[0].lower()}{duration[1:]}.")
        if program.philosophy_statement:
            parts.append(f"Philosophy: {program.philosophy_statement}")
        payment = [term.label for term in linked(facility, "payment_options")]
        accreditations = [term.label for term in linked(facility, "accreditations")]
        populations = [term.label for term in linked(program, "populations")]
        eligibility = [f"{ages}." if ages else "", ""]
        if populations:
            eligibility[1] = f"Designed for: {', '.join(populations)}."
        verified = facility.last_verified_at
        return without_empty(
            {
                "id": self.service_id(program.pk),
                "organization_id": self.organization_id(facility.pk),
                "name": program.name,
                "description": "\n\n".join(parts),
                "url": self.page_url(program),
                "status": self.status(facility),
                "application_process": self.application_process(program),
                "fees_description": f"Accepts {sentence_list(payment)}." if payment else "",
                "accreditations": "; ".join(accreditations),
                "eligibility_description": " ".join(filter(None, eligibility)),
                "minimum_age": program.age_min,
                "maximum_age": program.age_max,
                "assured_date": verified.astimezone(UTC).date().isoformat() if verified else None,
                "alert": "Not accepting new clients at the moment."
                if program.accepting_new_clients is False
                else "",
                "last_modified": self.last_modified(program),
            }
        )

    def page_url(self, program):
        if not self.base_url:
            return None
        with translation.override("en"):
            path = program.facility.get_absolute_url()
        return f"{self.base_url}{path}#program-{program.pk}"

    @staticmethod
    def application_process(program):
        facility = program.facility
        number = facility.intake_phone or facility.phone
        steps = []
        if program.accepting_new_clients:
            steps.append("Accepting new clients.")
        if number:
            steps.append(f"Call {number} to ask about starting.")
        elif facility.website:
            steps.append("Contact the facility through its website to ask about starting.")
        return " ".join(steps)

    def full_service(self, program, organization=True, locations=True):
        """The fully nested service (/services/{id}, the export): its organization with its
        location, unless `organization` is False (inside an organization), and its
        service_at_location with the location, unless `locations` is False (inside one)."""
        facility = program.facility
        service = self.service_fields(program)
        service_id = service["id"]
        nested = {
            "phones": self.phones(facility, "service", service_id),
            "schedules": self.schedules(program, service_id),
            "service_areas": self.service_areas(program, service_id),
            "languages": self.languages(facility, "service", service_id),
        }
        if locations:
            nested["service_at_locations"] = [self.service_at_location(program, full=True)]
        if organization:
            service["organization"] = self.full_organization(facility)
        payment = linked(facility, "payment_options")
        nested["funding"] = [
            {
                "id": hsds_id("funding", service_id, term.slug),
                "service_id": service_id,
                "source": term.label,
            }
            for term in payment
            if term.slug in FUNDING_SLUGS
        ]
        nested["cost_options"] = [
            {
                "id": hsds_id("cost_option", service_id, term.slug),
                "service_id": service_id,
                "option": term.label,
                "currency": "USD",
                "amount_description": term.explanation,
            }
            for term in payment
            if term.slug in COST_OPTION_SLUGS
        ]
        nested["attributes"] = self.attributes(program, service_id)
        service.update(without_empty(nested))
        return service

    def schedules(self, program, service_id):
        """The weekly sessions, those at the same times together: one schedule for "MO,WE,TH
        18:00-21:00"."""
        zone = state_zone(program.facility.state)
        if zone not in self.offsets:
            self.offsets[zone] = utc_offset(zone, self.moment)
        offset = self.offsets[zone]
        days_at = defaultdict(list)
        for session in linked(program, "sessions"):
            days_at[session.start_time, session.end_time].append(session.weekday)
        schedules = []
        with translation.override("en"):
            for (start, end), days in days_at.items():
                days = sorted(set(days))
                names = ", ".join(str(WEEKDAYS_ABBR[day]) for day in days)
                words = f"{names} {clock(start)}–{clock(end)}"
                schedules.append(
                    {
                        "id": hsds_id("schedule", service_id, f"{start:%H%M}", f"{end:%H%M}"),
                        "service_id": service_id,
                        "freq": "WEEKLY",
                        "interval": 1,
                        "wkst": "MO",
                        "byday": ",".join(BYDAY[day] for day in days),
                        "opens_at": f"{start:%H:%M}{offset_text(offset)}",
                        "closes_at": f"{end:%H:%M}{offset_text(offset)}",
                        "timezone": offset,
                        "description": words,
                        "attending_type": ATTENDING.get(program.format, ""),
                        "notes": f"Local time at the facility ({zone.name}); the offset is "
                        "the one in force when this was written.",
                    }
                )
        return schedules

    @staticmethod
    def service_areas(program, service_id):
        """For a telehealth or hybrid program, the states whose residents it may treat."""
        return [
            {
                "id": hsds_id("service_area", service_id, state),
                "service_id": service_id,
                "name": US_STATES.get(state, state),
                "description": f"Online sessions for people in {US_STATES.get(state, state)}.",
            }
            for state in program.online_states
        ]

    def attributes(self, program, service_id):
        """Every term of every vocabulary the program (or its facility) has."""
        attributes = []
        for vocabulary in VOCABULARIES:
            for term in vocabulary.terms_of(program):
                attributes.append(
                    {
                        "id": hsds_id("attribute", service_id, vocabulary.key, term.slug),
                        "link_id": service_id,
                        "link_entity": "service",
                        "taxonomy_term_id": term.id,
                        "taxonomy_term": self.taxonomy_term(term, detail=False),
                    }
                )
        return attributes

    # --- Services at locations ----------------------------------------------------------------

    def service_at_location(self, program, full=False):
        """The program at its facility. Its own fields only, inside a service; as an item of
        /service_at_locations with the service and location (`full`: nested fully)."""
        return {
            "id": self.service_at_location_id(program.pk),
            "service_id": self.service_id(program.pk),
            "location_id": self.location_id(program.facility_id),
            **({"location": self.full_location(program.facility)} if full else {}),
        }

    def service_at_location_item(self, program, full=False):
        item = self.service_at_location(program, full=full)
        if full:
            item["service"] = self.full_service(program, locations=False)
        else:
            item["service"] = self.service(program)
            item["location"] = self.location(program.facility)
        return item

    # --- Taxonomies ---------------------------------------------------------------------------

    @staticmethod
    def taxonomy(vocabulary):
        return {"id": vocabulary.id, "name": vocabulary.name, "description": vocabulary.description}

    def taxonomy_term(self, term, detail=True):
        vocabulary = term.vocabulary
        parent = vocabulary.term_id(term.parent_slug) if term.parent_slug else None
        return without_empty(
            {
                "id": term.id,
                "code": term.slug,
                "name": term.label,
                "description": term.explanation,
                "parent_id": parent,
                "taxonomy": vocabulary.name,
                "taxonomy_id": vocabulary.id,
                "language": "en",
                "taxonomy_detail": self.taxonomy(vocabulary) if detail else None,
            }
        )
