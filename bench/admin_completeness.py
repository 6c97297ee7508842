"""The admin's facility list with the "questions answered: some not listed" filter, timed.

    .venv/bin/python bench/admin_completeness.py [--rounds 20] [--database-url URL]
        [--seed-count N]

The database is --database-url, else DATABASE_URL, else sqlite:////tmp/iop_bench.sqlite3
(never the project's db.sqlite3). --seed-count N first migrates it and runs `seed_synthetic
--count N --clear`, e.g. `--seed-count 250000`. A superuser made for the run (and removed
after it) opens /admin/facilities/facility/?answered=incomplete, the list a curator opens
from the admin's home page, and the same list unfiltered, in turn, after an untimed warm-up;
each line gives p50, p95 and max in milliseconds. The target: under a second at 250,000
facilities (issue 25). Not a test: it asserts nothing.
"""

import argparse
import time

import workload

LIST = "/admin/facilities/facility/"
CASES = {
    "incomplete listings (?answered=incomplete)": f"{LIST}?answered=incomplete",
    "every listing (no filter)": LIST,
    "incomplete, second page": f"{LIST}?answered=incomplete&p=1",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--seed-count", type=int, help="seed_synthetic --count N --clear first")
    args = parser.parse_args()

    workload.configure(workload.database_url(args.database_url), "testserver")
    if args.seed_count:
        seconds = workload.seed_directory(args.seed_count)
        print(f"seeded {args.seed_count:,} facilities in {seconds:.0f} s")
    workload.prepare()

    from django.contrib.auth import get_user_model
    from django.test import Client

    from facilities.models import INCOMPLETE_FACILITY, Facility

    print(workload.describe_machine())
    print(workload.describe_database())
    incomplete = Facility.objects.filter(INCOMPLETE_FACILITY).count()
    print(f"incomplete listings: {incomplete:,} of {Facility.objects.count():,}")

    curator = get_user_model().objects.create_superuser("bench-curator", password=None)
    try:
        client = Client()
        client.force_login(curator)
        timings = {name: [] for name in CASES}
        for path in CASES.values():  # warm-up, untimed
            get(client, path)
        for _ in range(args.rounds):
            for name, path in CASES.items():
                started = time.perf_counter()
                get(client, path)
                timings[name].append((time.perf_counter() - started) * 1000)
    finally:
        curator.delete()
    for name, values in timings.items():
        p50 = workload.percentile(values, 0.5)
        p95 = workload.percentile(values, 0.95)
        print(f"{name:45} p50 {p50:7.1f}  p95 {p95:7.1f}  max {max(values):7.1f} ms")


def get(client, path):
    response = client.get(path, secure=True, headers=workload.PROXY_HEADERS)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return response


if __name__ == "__main__":
    main()
