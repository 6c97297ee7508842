"""What the two fictional directories draw alike: the demo directory that `load_demo` loads
(written by fixtures/build_demo_directory.py) and the large one `seed_synthetic` writes for
benchmarks. Plain tables and functions of a random generator, without Django, so the demo's
builder runs as a script."""

# Facility names: a stem, then a suffix by what the facility treats.
NAME_STEMS = (
    "Quiet Harbor", "Second Wind", "Juniper Hill", "Copper Lantern", "Kestrel Bay",
    "Amber Meadow", "Lark Street", "Thistledown", "Heron Point", "Tamarack Way",
    "Ironwood Bend", "Slateview", "Morning Tide", "Steady Current", "Open Gate", "Hearthstone",
    "Orchard Row", "Wayfinder", "Compass Rose", "Mooring Line", "Wren and Willow", "Marigold",
    "Driftwood", "Tidepool", "Alder Grove", "Bramblewood", "Clover Hill", "Sparrowhill",
    "Elmstead", "Millrace", "Yarrow", "Sweetgrass", "Heartwood", "Even Keel", "Steadfast",
    "Sunroom", "Front Porch", "Trailmarker", "Tidewater", "Kindling", "Bayleaf", "Wayside",
)  # fmt: skip

# The kinds of facility, as a description names them; each pays its own way (below).
ARCHETYPE_PHRASES = {
    "community": "a nonprofit community clinic",
    "private": "an independent outpatient treatment center",
    "group_practice": "a group practice of therapists and psychiatric clinicians",
    "hospital": "a hospital-affiliated outpatient clinic",
}
# The chance that a kind of facility takes each payment option, and how many named private
# carriers it lists (at least, at most).
PAYMENT_CHANCES = {
    "community": {"medicaid": 0.95, "state_funded": 0.6, "sliding_scale": 0.7,
                  "medicare": 0.35, "private_insurance": 0.3, "self_pay": 0.5},
    "private": {"private_insurance": 0.85, "self_pay": 0.95, "medicaid": 0.2,
                "tricare": 0.15, "medicare": 0.15},
    "group_practice": {"private_insurance": 0.7, "self_pay": 0.9, "sliding_scale": 0.3,
                       "medicare": 0.3, "medicaid": 0.25},
    "hospital": {"medicare": 0.9, "medicaid": 0.8, "private_insurance": 0.95,
                 "tricare": 0.3, "self_pay": 0.6},
}  # fmt: skip
NAMED_CARRIERS = {"community": (0, 1), "private": (2, 5), "group_practice": (1, 3),
                  "hospital": (2, 4)}  # fmt: skip


def pick_some(rng, options, low, high):
    """Between low and high of the options (fewer if there are not enough)."""
    return rng.sample(options, min(len(options), rng.randint(low, high)))


def payment_options(rng, archetype, carriers, programs):
    """The payment options a facility of this kind takes, drawn: its kind's usual ones, some
    of the named `carriers`, and what its programs' populations need (TRICARE and the VA for
    veterans, Medicare for seniors). Unordered, maybe repeated."""
    options = [slug for slug, chance in PAYMENT_CHANCES[archetype].items() if rng.random() < chance]
    options += pick_some(rng, tuple(carriers), *NAMED_CARRIERS[archetype])
    populations = {slug for program in programs for slug in program["populations"]}
    if "veterans" in populations:
        options += ["tricare", "va"]
    if "seniors" in populations:
        options.append("medicare")
    return options
