"""Turn a SAMHSA treatment-locator (FindTreatment.gov) JSON export into directory records.

Only facilities that list intensive outpatient treatment become listings, each with one IOP
program; the locator's answer labels become our vocabulary slugs through the tables below.
"""

import re
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from facilities.models import Facility
from facilities.vocabularies import relations_of
from facilities.zip_codes import check_zip_code

# --- The mapping: locator answer labels -> our vocabulary slugs --------------------------------
# Keyed by category code (a service's f2), then by answer label (one item of its f3). A label
# that is absent has no counterpart in our vocabularies and is left out on purpose; the report
# counts it. Slugs are those of shared/VOCABULARY.md.

PAYMENT = "payment_options"
LANGUAGE = "languages"
ACCREDITATION = "accreditations"
CONDITION = "conditions"
POPULATION = "populations"
MODALITY = "modalities"
TRANSITION = "transition_supports"

BUPRENORPHINE = [(MODALITY, "mat_buprenorphine"), (CONDITION, "opioid_use")]
METHADONE = [(MODALITY, "mat_methadone"), (CONDITION, "opioid_use")]
# Naltrexone treats alcohol use and opioid use alike, so it says nothing about the condition.
NALTREXONE = [(MODALITY, "mat_naltrexone")]
# Given only for alcohol use disorder.
ALCOHOL_MEDICATION = [(CONDITION, "alcohol_use")]
SLIDING_SCALE = [(PAYMENT, "sliding_scale")]
STATE_FUNDED = [(PAYMENT, "state_funded")]
STATE_LICENSE = [(ACCREDITATION, "state_license")]
TRAUMA = [(CONDITION, "trauma_ptsd")]
BEHAVIORAL_ADDICTION = [(CONDITION, "behavioral_addiction")]

LABEL_TERMS = {
    "PAY": {
        "Cash or self-payment": [(PAYMENT, "self_pay")],
        "IHS/Tribal/Urban (ITU) funds": [(PAYMENT, "ihs_tribal")],
        "Medicaid": [(PAYMENT, "medicaid")],
        "Medicare": [(PAYMENT, "medicare")],
        "Military insurance (e.g., TRICARE)": [(PAYMENT, "tricare")],
        "Military insurance (e.g. TRICARE)": [(PAYMENT, "tricare")],
        "Private health insurance": [(PAYMENT, "private_insurance")],
        "U.S. Department of VA funds": [(PAYMENT, "va")],
        # State money open to residents in general; the corrections, education and welfare
        # funds pay only for clients those agencies send, and federal or county money is not
        # the state's.
        "State-financed health insurance plan other than Medicaid": STATE_FUNDED,
        "Other State funds": STATE_FUNDED,
        "State mental health agency (or equivalent) funds": STATE_FUNDED,
    },
    # The locator has spelled this answer several ways over time.
    "PYAS": {
        "Sliding fee scale (fee is based on income and other factors)": SLIDING_SCALE,
        "Sliding fee scale (fee is based on income and other factors": SLIDING_SCALE,
        "Sliding fee scale": SLIDING_SCALE,
    },
    "LCA": {
        "The Joint Commission": [(ACCREDITATION, "joint_commission")],
        "Commission on Accreditation of Rehabilitation Facilities": [(ACCREDITATION, "carf")],
        "State department of health": STATE_LICENSE,
        "State mental health department": STATE_LICENSE,
        "State substance abuse agency": STATE_LICENSE,
        # Hospitals are licensed by the state health department or its equivalent.
        "Hospital licensing authority": STATE_LICENSE,
    },
    "OL": {
        "Spanish": [(LANGUAGE, "es")],
        # The locator's own language filter names; "Creole" is left out: it does not say which.
        "Arabic": [(LANGUAGE, "ar")],
        "Any Chinese Language": [(LANGUAGE, "zh")],
        "French": [(LANGUAGE, "fr")],
        "Haitian Creole": [(LANGUAGE, "ht")],
        "Korean": [(LANGUAGE, "ko")],
        "Russian": [(LANGUAGE, "ru")],
        "Tagalog": [(LANGUAGE, "tl")],
        "Vietnamese": [(LANGUAGE, "vi")],
    },
    # The survey behind this answer asks about services in sign language (ASL and the like).
    "SL": {"Services for the deaf and hard of hearing": [(LANGUAGE, "asl")]},
    "SG": {
        "Adolescents": [(POPULATION, "adolescents")],
        "Transitional age young adults": [(POPULATION, "young_adults")],
        "Seniors or older adults": [(POPULATION, "seniors")],
        "Veterans": [(POPULATION, "veterans")],
        "Lesbian, gay, bisexual, or transgender (LGBT) clients": [(POPULATION, "lgbtq")],
        "Pregnant/postpartum women": [(POPULATION, "pregnant_postpartum")],
        "Clients referred from the court/judicial system": [(POPULATION, "justice_involved")],
        "Adult women": [(POPULATION, "women")],
        "Adult men": [(POPULATION, "men")],
        "Persons with co-occurring mental and substance use disorders": [
            (CONDITION, "co_occurring_disorders")
        ],
        "Persons with eating disorders": [(CONDITION, "eating_disorder")],
        "Persons with post-traumatic stress disorder (PTSD)": TRAUMA,
        "Persons who have experienced trauma": TRAUMA,
        "Persons who have experienced sexual abuse": TRAUMA,
        "Persons who have experienced intimate partner violence, domestic violence": TRAUMA,
    },
    "TAP": {
        "12-step facilitation": [(MODALITY, "twelve_step_facilitation")],
        "Cognitive behavioral therapy": [(MODALITY, "cbt")],
        "Dialectical behavior therapy": [(MODALITY, "dbt")],
        "Motivational interviewing": [(MODALITY, "motivational_interviewing")],
        "Contingency management/motivational incentives": [(MODALITY, "contingency_management")],
        # The vouchers are contingency management.
        "Community reinforcement plus vouchers": [
            (MODALITY, "community_reinforcement"),
            (MODALITY, "contingency_management"),
        ],
        "Matrix Model": [(MODALITY, "matrix_model")],
        "Couples/family therapy": [(MODALITY, "family_therapy")],
        "Group therapy": [(MODALITY, "group_therapy")],
        "Individual psychotherapy": [(MODALITY, "individual_therapy")],
        "Psychotropic medication": [(MODALITY, "medication_management")],
        "Anger management": [(CONDITION, "anger")],
        "Integrated dual disorders treatment": [(CONDITION, "co_occurring_disorders")],
        "Trauma therapy": TRAUMA,
        "Trauma-related counseling": TRAUMA,
    },
    "EDU": {
        "Individual counseling offered": [(MODALITY, "individual_therapy")],
        "Group counseling offered": [(MODALITY, "group_therapy")],
        "Family counseling offered": [(MODALITY, "family_therapy")],
        "Marital/couples counseling offered": [(MODALITY, "family_therapy")],
    },
    "PHR": {
        "Buprenorphine (extended-release, injectable, for example, Sublocade®)": BUPRENORPHINE,
        "Buprenorphine with naloxone (Suboxone®)": BUPRENORPHINE,
        "Buprenorphine without naloxone": BUPRENORPHINE,
        "Methadone": METHADONE,
        "Naltrexone (oral)": NALTREXONE,
        "Extended-release, injectable Naltrexone (Vivitrol®)": NALTREXONE,
        "Acamprosate (Campral®)": ALCOHOL_MEDICATION,
        "Disulfiram (Antabuse®)": ALCOHOL_MEDICATION,
        "Medications for psychiatric disorders": [(MODALITY, "medication_management")],
    },
    # Detox, pain-management dosing and merely accepting clients on medication are not
    # medication for addiction treatment in the program, so those answers stay unmapped.
    "OT": {
        "Buprenorphine maintenance": BUPRENORPHINE,
        "Buprenorphine maintenance for predetermined time": BUPRENORPHINE,
        "Buprenorphine used in Treatment": BUPRENORPHINE,
        "Prescribes/administers buprenorphine": BUPRENORPHINE,
        "Methadone maintenance": METHADONE,
        "Methadone maintenance for predetermined time": METHADONE,
        "Naltrexone used in Treatment": NALTREXONE,
        "Prescribes/administers naltrexone": NALTREXONE,
        "Relapse prevention from naltrexone": NALTREXONE,
    },
    "OM": {
        "Methadone used in Treatment": METHADONE,
        "Buprenorphine used in Treatment": BUPRENORPHINE,
        "Naltrexone used in Treatment": NALTREXONE,
    },
    "OTHR": {
        "Treatment for gambling disorder": BEHAVIORAL_ADDICTION,
        "Treatment for internet use disorder": BEHAVIORAL_ADDICTION,
        "Treatment for non-substance use addiction disorder": BEHAVIORAL_ADDICTION,
    },
    "TRSRV": {
        "Aftercare/continuing care": [(TRANSITION, "continuing_care")],
        "Discharge Planning": [(TRANSITION, "aftercare_plan")],
    },
    "AS": {
        "Case management": [(TRANSITION, "case_management")],
        "Intensive case management": [(TRANSITION, "case_management")],
        "Consumer-run (peer-support) services": [(TRANSITION, "peer_recovery_support")],
    },
    "TC": {
        "Treatment for co-occurring serious mental health illness/serious emotional "
        "disturbance and substance use disorders": [(CONDITION, "co_occurring_disorders")],
    },
}

# AGE answers -> (youngest, oldest) in years, None for no bound. "Children/adolescents" gives
# no lower age, so it sets none. Age groups do not become populations: accepting an age is
# not running a track built for it (SG says that).
# The vocabularies the locator's answers map to (it has no philosophy): a record carries
# only these, so importing the locator again leaves the others as a curator set them.
MAPPED = {name for table in LABEL_TERMS.values() for pairs in table.values() for name, _ in pairs}
PROGRAM_VOCABULARIES = [name for name in relations_of("Program") if name in MAPPED]

AGE_RANGES = {
    "Children/adolescents": (None, 17),
    "Children/adolescents (17 and under)": (None, 17),
    "Children and adolescents (17 and under)": (None, 17),
    "Youth (under 18)": (None, 17),
    "Young adults": (18, 25),
    "Adults": (18, None),
    "Adults (18 and older)": (18, None),
    "Seniors (65 or older)": (65, None),
}

# SET answers. Every known one is listed, so that a renamed IOP label shows up in the report
# instead of quietly skipping every record.
IOP_SETTINGS = {"Intensive outpatient treatment"}
ONLINE_SETTINGS = {
    "Telemedicine/telehealth",
    "Computerized treatment/telemedicine",
    "Computerized treatment/telemedicine (including internet, web, mobile, and desktop programs)",
    "Telemedicine (including internet and mobile programs)",
}
OTHER_SETTINGS = {
    "Hospital inpatient",
    "Long-term residential",
    "Outpatient",
    "Outpatient day treatment or partial hospitalization",
    "Outpatient detoxification",
    "Outpatient methadone/buprenorphine or naltrexone treatment",
    "Partial hospitalization/day treatment",
    "Regular outpatient treatment",
    "Residential",
    "Residential detoxification",
    "Short-term residential",
}

# What the facility treats: typeFacility codes, and TC (type of care) answers.
TREATMENT_CODES = {"SA", "MH"}
CARE_TYPES = {
    "Substance use treatment": {"SA"},
    "Mental health treatment": {"MH"},
    "Detoxification": set(),
    "Treatment for co-occurring serious mental health illness/serious emotional "
    "disturbance and substance use disorders": {"SA", "MH"},
}
FACILITY_TYPES = {
    frozenset({"SA"}): "substance_use",
    frozenset({"MH"}): "mental_health",
    frozenset({"SA", "MH"}): "both",
}
# A program treating both is a co-occurring program; an SA program that merely has a group
# for co-occurring disorders keeps its focus and gets the condition.
PROGRAM_FOCUS = {
    frozenset({"SA"}): "substance_use",
    frozenset({"MH"}): "mental_health",
    frozenset({"SA", "MH"}): "co_occurring",
}

LABELS_BY_ROLE = {
    "SET": IOP_SETTINGS | ONLINE_SETTINGS | OTHER_SETTINGS,
    "AGE": set(AGE_RANGES),
    "TC": set(CARE_TYPES),
}
# Categories with nothing our directory holds: ownership, screening, smoking and tobacco,
# assessment, crisis and hospital services, detox, facility kind, genders accepted,
# exclusive services. Their answers are not counted as unmapped.
IGNORED_CATEGORIES = {
    "FOP",
    "SCR",
    "SMP",
    "TOBAC",
    "ASSES",
    "EMS",
    "HOSP",
    "DETOX",
    "FT",
    "GN",
    "EXCL",
}

PROGRAM_NAME = "Intensive outpatient program"
SITE_URL = URLValidator(schemes=["http", "https"])


# --- Reading the locator's rows ---------------------------------------------------------------


def findtreatment_records(data):
    """Return ([(place, directory record)], report extras) for a locator JSON export.

    Places are "index N", N the row's 0-based index. The extras are `skipped`, the number of
    rows without intensive outpatient treatment, `unmapped_labels`, a Counter of the
    (category code, label) answers the mapping does not cover, and `warnings`, the values
    left out because they cannot stand in a listing (a website that is not one, a ZIP code
    that does not exist), each with its place. Rows that are not objects are passed on as
    they are, so the import reports them.
    """
    rows = data.get("rows") if isinstance(data, dict) else data
    placed_records = []
    skipped = 0
    unmapped_labels = Counter()
    warnings = []
    for index, row in enumerate(rows or []):
        place = f"index {index}"
        if not isinstance(row, dict):
            placed_records.append((place, row))
            continue
        answers = answers_by_category(row)
        count_unmapped(row, answers, unmapped_labels)
        if IOP_SETTINGS & set(answers.get("SET", [])):
            record, left_out = directory_record(row, answers)
            placed_records.append((place, record))
            warnings += [f"{place}: {problem}" for problem in left_out]
        else:
            skipped += 1
    extras = {"skipped": skipped, "unmapped_labels": unmapped_labels, "warnings": warnings}
    return placed_records, extras


def answers_by_category(row):
    """{category code: [labels]} from the row's services; a code may come more than once."""
    answers = {}
    services = row.get("services")
    for service in services if isinstance(services, list) else []:
        if not isinstance(service, dict):
            continue
        code = str(service.get("f2") or service.get("f1") or "?").strip()
        for label in str(service.get("f3") or "").split(";"):
            # The locator pads some labels with double spaces ("naloxone  (Suboxone®)").
            label = " ".join(label.split())
            if label:
                answers.setdefault(code, []).append(label)
    return answers


def count_unmapped(row, answers, unmapped_labels):
    for code, labels in answers.items():
        if code in IGNORED_CATEGORIES:
            continue
        covered = LABEL_TERMS.get(code, {}).keys() | LABELS_BY_ROLE.get(code, set())
        unmapped_labels.update((code, label) for label in labels if label not in covered)
    for code in facility_type_codes(row):
        if code not in TREATMENT_CODES:
            unmapped_labels[("typeFacility", code)] += 1


def directory_record(row, answers):
    """(directory record, [values left out, in words]) for a locator row with IOP."""
    terms = vocabulary_terms(answers)
    treats = {code for code in facility_type_codes(row) if code in TREATMENT_CODES}
    for label in answers.get("TC", []):
        treats |= CARE_TYPES.get(label, set())
    treats = frozenset(treats)
    latitude = coordinate(row.get("latitude"))
    longitude = coordinate(row.get("longitude"))
    state = clean_text(row.get("state")).upper()
    online = bool(set(answers.get("SET", [])) & ONLINE_SETTINGS)
    age_min, age_max = age_range(answers.get("AGE", []))
    left_out = []
    website, problem = website_url(row.get("website"))
    if problem:
        left_out.append(problem)
    zip_, problem = zip_code(row.get("zip"), state)
    if problem:
        left_out.append(problem)
    program = {
        "name": PROGRAM_NAME,
        "level_of_care": "iop",
        # None when the row says nothing about what it treats: the import then reports it.
        "focus": PROGRAM_FOCUS.get(treats),
        # The locator lists an address, so online care comes alongside care in person.
        "format": "hybrid" if online else "in_person",
        # Clinicians are licensed by state: online care reaches the facility's own state.
        "serves_states": [state] if online and state else [],
        "age_min": age_min,
        "age_max": age_max,
        "schedule": [],
        **{name: terms[name] for name in PROGRAM_VOCABULARIES},
    }
    record = {
        "external_id": clean_text(row.get("frid")),
        "name": facility_name(row),
        "street": street_line(row),
        "city": clean_text(row.get("city")),
        "state": state,
        "zip_code": zip_,
        "phone": clean_text(row.get("phone")),
        "intake_phone": clean_text(row.get("intake1")),
        "website": website,
        "latitude": latitude,
        "longitude": longitude,
        "geocode_precision": "address" if latitude is not None and longitude is not None else "",
        "facility_type": FACILITY_TYPES.get(treats, "both"),
        "payment_options": terms[PAYMENT],
        # "Other languages" means other than English.
        "languages": ["en", *terms[LANGUAGE]],
        "accreditations": terms[ACCREDITATION],
        "programs": [program],
    }
    return record, left_out


def vocabulary_terms(answers):
    """{directory field: [slugs]} for every answer the mapping covers, in first-seen order."""
    terms = {name: {} for name in MAPPED}
    for code, labels in answers.items():
        table = LABEL_TERMS.get(code, {})
        for label in labels:
            for name, slug in table.get(label, []):
                terms[name][slug] = True
    return {name: list(slugs) for name, slugs in terms.items()}


def age_range(labels):
    """One range spanning every accepted age group; (None, None) when none is given."""
    ranges = [AGE_RANGES[label] for label in labels if label in AGE_RANGES]
    if not ranges:
        return None, None
    lows = [low for low, _ in ranges]
    highs = [high for _, high in ranges]
    age_min = None if None in lows else min(lows)
    age_max = None if None in highs else max(highs)
    return age_min, age_max


def facility_type_codes(row):
    # Seen: "SA", "MH"; combined values such as "SA,MH" are split into their codes.
    return set(re.findall(r"[A-Z]+", clean_text(row.get("typeFacility")).upper()))


def facility_name(row):
    name, branch = clean_text(row.get("name1")), clean_text(row.get("name2"))
    # name2 names the site or service ("Mohr Center"); it tells apart a provider's locations.
    if branch and branch.lower() not in name.lower():
        return f"{name} — {branch}" if name else branch
    return name


def street_line(row):
    parts = (clean_text(row.get("street1")), clean_text(row.get("street2")))
    return ", ".join(part for part in parts if part)


def clean_text(value):
    return " ".join(str(value).split()) if value is not None else ""


def coordinate(value):
    """The locator sends coordinates as strings. One that is not a number is passed on as it
    is, so the import reports it with its place instead of it vanishing here."""
    value = clean_text(value)
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return value


def zip_code(value, state):
    """(the five-digit ZIP, "") or ("", why it was left out): it must exist in the state."""
    raw = clean_text(value)
    if not raw:
        return "", ""
    match = re.match(r"\d{5}", raw)
    code = match.group(0) if match else raw
    try:
        check_zip_code(code, state)
    except ValidationError as error:
        return "", f"zip {raw!r} left out: {error.messages[0]}"
    return code, ""


def website_url(value):
    """(the site as a full URL, "") or ("", why it was left out); a bare host gets https://."""
    raw = clean_text(value)
    if not raw:
        return "", ""
    url = raw if "://" in raw else f"https://{raw}"
    try:
        SITE_URL(url)
    except ValidationError:
        return "", f"website {raw!r} left out: not a web address"
    if len(url) > Facility._meta.get_field("website").max_length:
        return "", f"website {raw!r} left out: longer than a listing's website may be"
    return url, ""
