"""Searches a second under gunicorn on loopback, measured with wrk.

Run from the project folder, on a seeded bench database (see bench/search_latency.py):

    .venv/bin/python bench/http_load.py [--workers 3] [--connections 32] [--duration 30]
        [--urls 400] [--api-share 0] [--fresh-share 0] [--database-url URL] [--seed-count N]
        [--search-cache SECONDS] [--redis-url URL] [--fixed-path PATH]
        [--privacy-duration 10] [--ratios]

The issue's targets in one run, each search rate a share of the privacy page's rate:

    .venv/bin/python bench/http_load.py --ratios --workers 3 --duration 60

`--workers 2,3,4` measures each count of workers in turn. Needs wrk: when it is missing the
script says so and runs `apt-get install -y wrk`.

For each count of workers it starts gunicorn on 127.0.0.1 only (a free port; the project's
gunicorn.conf.py when there is one, with production-like settings: DEBUG=0, a bench secret,
ALLOWED_HOSTS=127.0.0.1, WhiteNoise static files, access log to a file), waits for /healthz,
warms up for 5 s, then runs wrk with the given connections for the given seconds (5 to 120)
over varied search URLs (bench/workload.py; bench/rotate_urls.lua rotates through them, sent
as through the HTTPS proxy), and stops gunicorn. The per-address rate limits are off
(RATELIMIT_ENABLE=0): every request comes from one address.

`--search-cache 300` turns on the cache of search answers (off by default, so every search
is worked out; with it, a URL asked again is answered from the cache, as repeated searches are
in production) and `--redis-url` shares it between the workers. `--fresh-share 0.25` makes a
quarter of the requests searches that nobody asked before (the rest repeat the `--urls`
searches), so the figure is of a cache that misses that often; the warm-up sends only the
repeated searches.

`--fixed-path /privacy/` sends that one page instead of searches: what the stack itself
serves at most on this machine (/healthz: Django's request and response alone; /privacy/:
a page of the site's templates with no query), the ceiling any search's figure sits under.

Around the searches, the privacy page alone is measured for `--privacy-duration` seconds
before and after them (0 leaves it out), each time in a gunicorn of its own with the same
settings; the mean of its two rates is the unit, and each search rate is printed as a share
of it. When the two differ by more than a quarter, the host's speed moved during the run and
the script says so. `--ratios` measures the searches twice between them: with the search
cache off (every search worked out), then with the cache in Redis (`--redis-url`, else
redis://127.0.0.1:6379/0; `--search-cache`, else 300 s) and `--fresh-share` (else 0.25) of
requests new. `--redis-url`, when given, is the cache of every gunicorn the run starts, the
privacy page's too, as in production.

Prints for each run requests a second, latency p50/p90/p99/max, the responses by status class,
the socket errors, the share of the privacy page's rate, and the target where there is one:
with the cache off, at least 12 % of the privacy page's rate; with the Redis cache and a
quarter of searches new, at least 300 a second; no error in either. Any response that is not
2xx or 3xx, and any socket error (a request still unanswered after --timeout seconds among
them), counts as an error. Not a test: it asserts nothing.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import workload

BENCH = Path(__file__).resolve().parent
WARM_UP_SECONDS = 5


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("wrk not found: installing it with `apt-get install -y wrk`", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, timeout=600)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is still missing; install it (apt-get install -y wrk) and rerun.")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_urls(path, count, api_share, seed, fresh_share=0.0, requests=0, fixed_path=None):
    """The URLs wrk sends, in order. With `fixed_path`, that path alone. With no fresh share:
    `count` searches, sent in turn again and again. With one: a list long enough for the
    whole run (`requests`), where each URL is, with that probability, a search asked nowhere
    else in the list, else one of the `count` searches the crowd repeats. The fresh ones are
    drawn from the clock, so that no earlier run (whose answers Redis may still keep) asked
    them."""
    from random import Random

    if fixed_path:
        path.write_text(fixed_path + "\n", encoding="utf-8")
        return
    rng = Random(seed)
    repeated = workload.searches(count, seed=seed)
    if fresh_share:
        fresh = iter(workload.searches(requests, seed=time.time_ns()))
        chosen = [next(fresh) if rng.random() < fresh_share else rng.choice(repeated)
                  for _ in range(requests)]  # fmt: skip
    else:
        chosen = repeated
    lines = []
    for _name, query in chosen:
        prefix = "/api/v1/programs/?" if rng.random() < api_share else "/search/?"
        lines.append(prefix + query)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def start_gunicorn(workers, port, environment, logs, tag):
    command = [sys.executable, "-m", "gunicorn"]
    if (workload.ROOT / "gunicorn.conf.py").exists():
        command += ["-c", str(workload.ROOT / "gunicorn.conf.py")]
    command += [
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--access-logfile", str(logs / f"access-{tag}.log"),
        "--error-logfile", str(logs / f"error-{tag}.log"),
        "iop_finder.wsgi:application",
    ]  # fmt: skip
    environment = environment | {"PYTHONPATH": str(workload.ROOT)}
    server = subprocess.Popen(
        command, cwd=workload.ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=None
    )
    deadline = time.monotonic() + 60
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers=workload.PROXY_HEADERS
    )
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start: see {logs}/error-{tag}.log")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop(server):
    """Stop the gunicorn this script started: TERM to its master, KILL if it lingers."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def wait_until_idle(port, timeout):
    """Wait until the requests of the warm-up still queued in gunicorn are answered: a sync
    worker finishes a request whose client has gone, so they would delay the measured run."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers=workload.PROXY_HEADERS
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except OSError:
            continue
        if time.monotonic() - started < 0.5:
            return


def run_wrk(port, connections, seconds, urls_file, threads, timeout):
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{timeout}s",
        "-s", str(BENCH / "rotate_urls.lua"), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    environment = {"URLS_FILE": str(urls_file), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    done = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=seconds + 60
    )
    if done.returncode != 0:
        raise SystemExit(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def parse(output):
    numbers = {}
    for tag in ("STATUS", "LATENCY_MS", "TOTAL"):
        line = re.search(rf"^{tag} (.*)$", output, re.M)[1]
        for key, value in re.findall(r"(\w+)=([\d.]+)", line):
            numbers[key] = float(value)
    numbers["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    numbers["socket_errors"] = sum(
        numbers[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    numbers["errors"] = numbers["4xx"] + numbers["5xx"] + numbers["socket_errors"]
    return numbers


class Phase(NamedTuple):
    label: str
    fixed_path: str | None  # one page sent again and again, else searches
    search_cache: int  # SEARCH_CACHE_SECONDS
    fresh_share: float
    seconds: int


def plan(args):
    """The phases of a run, in order. The privacy page is measured before the searches and
    after them: their mean is the unit of the searches' shares, and the two tell how much
    the host's speed moved meanwhile."""
    if args.fixed_path:
        fixed = Phase(f"{args.fixed_path} alone", args.fixed_path, args.search_cache, 0.0, 0)
        return [fixed._replace(seconds=args.duration)]
    searches = [Phase("searches", None, args.search_cache, args.fresh_share, args.duration)]
    if args.ratios:
        searches = [
            Phase("searches, cache off", None, 0, 0.0, args.duration),
            Phase(
                f"searches, cache, {args.fresh_share:.0%} new",
                None,
                args.search_cache,
                args.fresh_share,
                args.duration,
            ),
        ]
    if not args.privacy_duration:
        return searches
    privacy = Phase("privacy page", "/privacy/", 0, 0.0, args.privacy_duration)
    return [privacy, *searches, privacy._replace(label="privacy page, after")]


def measure(phase, workers, environment, logs, tag, args):
    """Start gunicorn for the phase, warm it up, run wrk, stop it; wrk's figures."""
    from django.db import connections

    port = free_port()
    warm_up_file, urls_file = logs / f"warm-up-{tag}.txt", logs / f"urls-{tag}.txt"
    write_urls(warm_up_file, args.urls, args.api_share, args.seed, fixed_path=phase.fixed_path)
    # Enough fresh URLs that none is sent twice, at up to 2,000 requests a second.
    requests = 2000 * phase.seconds if phase.fresh_share else 0
    write_urls(
        urls_file,
        args.urls,
        args.api_share,
        args.seed,
        phase.fresh_share,
        requests,
        phase.fixed_path,
    )
    connections.close_all()
    environment = environment | {"SEARCH_CACHE_SECONDS": str(phase.search_cache)}
    server = start_gunicorn(workers, port, environment, logs, tag)
    try:
        wrk = (args.wrk_threads, args.timeout)
        run_wrk(port, args.connections, WARM_UP_SECONDS, warm_up_file, *wrk)
        wait_until_idle(port, timeout=args.timeout * 2)
        return parse(run_wrk(port, args.connections, phase.seconds, urls_file, *wrk))
    finally:
        stop(server)


def ping_redis(url):
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=5).ping()
    except redis.RedisError as error:
        raise SystemExit(
            f"Redis at {url} does not answer ({error}): start it, or give --redis-url."
        ) from None


def verdict(phase, numbers, unit, redis):
    """(the search rate as a share of the privacy page's, the target and whether it is met):
    with every search worked out, at least 12 % of the privacy page's rate; with the Redis
    cache and a quarter of searches new, at least 300 a second; no error in either."""
    if phase.fixed_path:
        return "", ""
    share = f"{numbers['rps'] / unit:.1%}" if unit else ""
    if not phase.search_cache:
        if not unit:
            return share, ""
        target, met = ">= 12% of privacy", numbers["rps"] >= 0.12 * unit
    elif redis and phase.fresh_share == 0.25:
        target, met = ">= 300/s", numbers["rps"] >= 300
    else:
        return share, ""
    if numbers["errors"]:
        return share, f"{target}, 0 errors: no"
    return share, f"{target}: {'yes' if met else 'no'}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="3", help="a count, or several: 2,3,4")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=30, help="seconds, 5 to 120")
    parser.add_argument(
        "--privacy-duration",
        type=int,
        default=10,
        help="seconds of the privacy page before and after the searches, the unit of their "
        "shares (0: not measured)",
    )
    parser.add_argument(
        "--ratios",
        action="store_true",
        help="the searches twice, the cache off and then on in Redis with --fresh-share "
        "(0.25 unless given), between the privacy page's runs: the issue's targets",
    )
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument(
        "--timeout", type=int, default=30, help="seconds before wrk counts a request as lost"
    )
    parser.add_argument("--urls", type=int, default=400, help="distinct search URLs")
    parser.add_argument("--api-share", type=float, default=0.0, help="share of API URLs")
    parser.add_argument(
        "--fresh-share",
        type=float,
        help="share of requests that are searches asked only once (with --search-cache: "
        "answers worked out among kept ones); the rest repeat the --urls searches",
    )
    parser.add_argument("--seed", type=int, default=11, help="seed of the searches")
    parser.add_argument("--database-url")
    parser.add_argument("--seed-count", type=int, help="seed_synthetic --count N --clear first")
    parser.add_argument(
        "--search-cache",
        type=int,
        default=0,
        help="SEARCH_CACHE_SECONDS for gunicorn: 0 (every search worked out) or e.g. 300",
    )
    parser.add_argument("--redis-url", help="REDIS_URL for gunicorn: one cache for the workers")
    parser.add_argument(
        "--fixed-path", help="one page sent again and again instead of searches, e.g. /privacy/"
    )
    args = parser.parse_args()
    if args.fresh_share is None:
        args.fresh_share = 0.25 if args.ratios else 0.0
    if args.ratios:
        args.search_cache = args.search_cache or 300
        args.redis_url = args.redis_url or "redis://127.0.0.1:6379/0"
    if not 5 <= args.duration <= 120 or not 1 <= args.connections <= 256:
        raise SystemExit("--duration must be 5 to 120 seconds, --connections 1 to 256.")
    if args.privacy_duration and not 5 <= args.privacy_duration <= 120:
        raise SystemExit("--privacy-duration must be 0, or 5 to 120 seconds.")
    worker_counts = [int(count) for count in args.workers.split(",")]
    if not all(1 <= count <= 8 for count in worker_counts):
        raise SystemExit("--workers must be 1 to 8.")

    ensure_wrk()
    environment = workload.configure(workload.database_url(args.database_url), "127.0.0.1")
    if args.redis_url:
        ping_redis(args.redis_url)
        environment["REDIS_URL"] = args.redis_url
    seeded = workload.seed_directory(args.seed_count) if args.seed_count else None
    workload.prepare()
    database = workload.describe_database()
    logs = Path(tempfile.mkdtemp(prefix="iop_http_load_"))
    phases = plan(args)

    print(f"IOP Finder HTTP load, gunicorn + wrk · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"database: {database}")
    print(f"machine: {workload.describe_machine()}")
    if seeded is not None:
        print(f"seeded {args.seed_count:,} synthetic facilities in {seeded:.1f} s")
    fresh = f", {args.fresh_share:.0%} of requests searches asked once" if args.fresh_share else ""
    sent = f"{args.urls} search URLs ({args.api_share:.0%} API){fresh}"
    if args.ratios:
        sent = f"{args.urls} search URLs ({args.api_share:.0%} API)"
    if args.fixed_path:
        sent = f"{args.fixed_path} alone, not searches"
    print(
        f"{sent}, {args.connections} connections, {args.duration} s after a "
        f"{WARM_UP_SECONDS} s warm-up; logs in {logs}"
    )
    shared = "in Redis" if args.redis_url else "in each worker's memory"
    kept = "off: every search worked out"
    if args.ratios:
        kept = (
            f"off, then {args.search_cache} s {shared}: the {args.urls} URLs repeat, so their "
            f"answers are kept ones after the first, and {args.fresh_share:.0%} of requests "
            "are searches asked once, worked out"
        )
    elif args.search_cache:
        kept = f"{args.search_cache} s, {shared}; the {args.urls} URLs repeat, so their "
        kept += "answers are kept ones after the first"
        if args.fresh_share:
            kept += ", and the ones asked once are worked out"
    print(f"search cache: {kept}")
    if not args.fixed_path and args.privacy_duration:
        print(
            f"unit: the privacy page's rate ({args.privacy_duration} s before the searches "
            "and after them, the mean of the two); share: a search rate over it"
        )
    print(
        f"\n{'run':<30}{'workers':>7}{'req/s':>9}{'p50 ms':>8}{'p90':>7}{'p99':>7}{'max':>7}"
        f"{'2xx':>8}{'3xx':>5}{'4xx':>5}{'5xx':>5}{'socket':>7}{'errors':>7}{'share':>7}"
        "  target  (load avg)"
    )
    for workers in worker_counts:
        measured = []
        for index, phase in enumerate(phases):
            print(f"  measuring {phase.label}, {workers} workers ...", file=sys.stderr, flush=True)
            tag = f"{workers}-{index}"
            numbers = measure(phase, workers, environment, logs, tag, args)
            load = " ".join(f"{value:.1f}" for value in os.getloadavg())
            measured.append((phase, numbers, load))
        rates = [n["rps"] for phase, n, _ in measured if phase.fixed_path == "/privacy/"]
        unit = sum(rates) / len(rates) if rates and not args.fixed_path else None
        if unit and max(rates) > 1.25 * min(rates):
            print(
                f"the privacy page's rate moved from {rates[0]:.0f} to {rates[-1]:.0f} a second "
                "during the run: the host's speed changed, and the shares are uncertain by as "
                "much; run again when it is quieter",
                file=sys.stderr,
            )
        for phase, n, load in measured:
            share, target = verdict(phase, n, unit, args.redis_url)
            print(
                f"{phase.label:<30}{workers:>7}{n['rps']:>9.1f}{n['p50']:>8.1f}{n['p90']:>7.1f}"
                f"{n['p99']:>7.1f}{n['max']:>7.0f}{n['2xx']:>8.0f}{n['3xx']:>5.0f}"
                f"{n['4xx']:>5.0f}{n['5xx']:>5.0f}{n['socket_errors']:>7.0f}{n['errors']:>7.0f}"
                f"{share:>7}  {target}  ({load})",
                flush=True,
            )


if __name__ == "__main__":
    main()
