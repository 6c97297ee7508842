"""In-process latency of the search page and the JSON API over a few hundred varied searches.

Run from the project folder:

    .venv/bin/python bench/search_latency.py [--searches 300] [--seed 7]
        [--database-url URL] [--seed-count N]

The database is --database-url, else DATABASE_URL, else sqlite:////tmp/iop_bench.sqlite3
(never the project's db.sqlite3). --seed-count N first migrates it and runs
`seed_synthetic --count N --clear`, so one command reproduces a figure, e.g.

    .venv/bin/python bench/search_latency.py --seed-count 25000
    .venv/bin/python bench/search_latency.py --seed-count 25000 \
        --database-url postgres://postgres@127.0.0.1:5432/iop_bench

Each search (see bench/workload.py: real ZIPs, radius 10-50 miles, common filter mixes) is
requested twice from the project's WSGI application as gunicorn calls it (workload.WsgiClient),
as GET /search/?... and GET /api/v1/programs/?...,
with DEBUG off, after a short untimed warm-up. Prints the date, the database vendor and
version, the facility and program counts, the seeding time if it seeded, the number of
errors, the results per search, then p50, p95, p99 and max in milliseconds for the page and
the API, overall and by filter mix. Not a test: it asserts nothing.
"""

import argparse
import json
import os
import time
from collections import defaultdict
from datetime import UTC, datetime

import workload


def timed_get(client, path):
    started = time.perf_counter()
    response = client.get(path)
    return (time.perf_counter() - started) * 1000, response


def summary(values):
    return [workload.percentile(values, f) for f in (0.5, 0.95, 0.99)] + [max(values)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7, help="seed of the searches")
    parser.add_argument("--database-url")
    parser.add_argument("--seed-count", type=int, help="seed_synthetic --count N --clear first")
    args = parser.parse_args()

    workload.configure(workload.database_url(args.database_url), "testserver")
    seeded = workload.seed_directory(args.seed_count) if args.seed_count else None
    workload.prepare()
    load_before = os.getloadavg()[0]
    client = workload.WsgiClient()
    for _name, query in workload.searches(10, seed=args.seed + 1000):  # warm-up, untimed
        client.get(f"/search/?{query}")
        client.get(f"/api/v1/programs/?{query}")

    page_ms, api_ms, counts, sizes = [], [], [], {"page": [], "API": []}
    by_mix = defaultdict(lambda: ([], []))
    errors = {"page": 0, "API": 0}
    for name, query in workload.searches(args.searches, seed=args.seed):
        page_time, page = timed_get(client, f"/search/?{query}")
        api_time, api = timed_get(client, f"/api/v1/programs/?{query}")
        errors["page"] += page.status_code != 200
        errors["API"] += api.status_code != 200
        if api.status_code == 200:
            counts.append(json.loads(api.content)["count"])
        sizes["page"].append(len(page.content) / 1024)
        sizes["API"].append(len(api.content) / 1024)
        page_ms.append(page_time)
        api_ms.append(api_time)
        by_mix[name][0].append(page_time)
        by_mix[name][1].append(api_time)

    print(f"IOP Finder search latency, in process · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"database: {workload.describe_database()}")
    print(f"machine: {workload.describe_machine()}")
    if seeded is not None:
        print(f"seeded {args.seed_count:,} synthetic facilities in {seeded:.1f} s")
    print(
        f"searches: {args.searches} (seed {args.seed}), each as the page and the API; "
        f"errors (not 200): page {errors['page']}, API {errors['API']}"
    )
    if counts:
        print(
            f"results per search: median {workload.percentile(counts, 0.5)}, "
            f"p95 {workload.percentile(counts, 0.95)}, none in {counts.count(0)}"
        )
    print(
        f"response size: page median {workload.percentile(sizes['page'], 0.5):.0f} KB, "
        f"API median {workload.percentile(sizes['API'], 0.5):.0f} KB"
    )
    print(
        f"1-minute load average, {os.cpu_count()} cores: {load_before:.1f} before the run, "
        f"{os.getloadavg()[0]:.1f} at the end (the run itself adds about 1)"
    )
    print(f"\n{'ms':<24}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}")
    for label, values in (("search page", page_ms), ("API", api_ms)):
        print(f"{label:<24}" + "".join(f"{v:8.1f}" for v in summary(values)))
    print(f"\n{'by filter mix (n)':<32}{'page p50':>9}{'p95':>7}{'API p50':>9}{'p95':>7}")
    for name, (page_times, api_times) in sorted(by_mix.items()):
        cells = [workload.percentile(page_times, 0.5), workload.percentile(page_times, 0.95)]
        cells += [workload.percentile(api_times, 0.5), workload.percentile(api_times, 0.95)]
        print(
            f"{name + f' ({len(page_times)})':<32}{cells[0]:9.1f}{cells[1]:7.1f}"
            f"{cells[2]:9.1f}{cells[3]:7.1f}"
        )


if __name__ == "__main__":
    main()
