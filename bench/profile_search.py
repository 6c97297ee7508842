"""Where a search's time goes: SQL by kind of statement, the slowest plans, and (with
pyinstrument installed) a Python profile of the page, the API and the zero-result page.

Run from the project folder, on a seeded bench database (see bench/search_latency.py):

    .venv/bin/python bench/profile_search.py [--searches 60] [--zero-searches 20]
        [--database-url URL] [--pyinstrument] [--server-time]

--pyinstrument needs `.venv/bin/pip install pyinstrument` (a profiling tool only, not a
project dependency); it writes /tmp/iop_profile_page.html, /tmp/iop_profile_api.html and
/tmp/iop_profile_zero.html and prints the top of each profile.

Prints, for the page, the API and the zero-result page (--zero-searches of them, found as
search_latency.py finds them; 0 leaves it out): the mean time per request, the mean time in SQL and
the number of statements, then the SQL time by kind of statement (the COUNT of the paginator,
the distance-ordered page of programs, each prefetch, the filter form's vocabularies...), the
slowest statements with their query plans. With --server-time, on PostgreSQL, each statement
is run again under EXPLAIN ANALYZE for the server's own planning and execution time by kind:
the work the database server does for a search, on the same cores as the web processes; on
SQLite each is run again through a bare cursor with every row read, as SQLite finds most rows
while they are read, after the `execute` the SQL column times. Not a test: it asserts nothing.
"""

import argparse
import re
import time
from collections import defaultdict

import workload

PAGE, API, ZERO = "search page", "API", "zero-result page"


class SqlLog:
    """Times every statement run while it is installed as a database execute wrapper."""

    def __init__(self):
        self.statements = []  # (kind, milliseconds, sql, params)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.statements.append((kind_of(sql), elapsed, sql, params))


def kind_of(sql):
    """A short name for what a statement does, from its shape."""
    table = re.search(r'FROM "(\w+)"', sql)
    table = table[1].removeprefix("facilities_") if table else "?"
    what = "COUNT" if "COUNT(" in sql[:40] else "SELECT"
    if " UNION ALL " in sql:
        return "SELECT the rows' vocabulary links (one statement)"
    if '"facilities_program"."latitude"' in sql:
        if '"facilities_onlinereach"' in sql:
            return f"{what} online programs beyond the radius"
        if '"latitude" BETWEEN' in sql:
            return f"{what} programs within the radius (box, then distance)"
        if "ORDER BY" in sql and ("COS(" in sql.upper() or "ASIN(" in sql.upper()):
            return f"{what} programs by distance, no box (nearest beyond the radius)"
    joined = re.search(r'INNER JOIN "facilities_(\w+?)" ON ', sql)
    if joined and " IN (" in sql and "_" in joined[1]:
        return f"prefetch {joined[1]}"
    if re.search(r'WHERE "facilities_\w+"\."\w+_id" IN \(', sql):
        return f"prefetch {table}"
    if "WHERE" not in sql:
        return f"{what} all rows of {table}"
    return f"{what} other {table}"


def shorten(sql, keep=400):
    """The statement without its column list, which says little and takes most room."""
    sql = re.sub(r"^SELECT .*? FROM ", "SELECT ... FROM ", sql, count=1)
    return sql if len(sql) <= keep else sql[:keep] + "..."


def explain(sql, params):
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    return "\n".join("    " + " ".join(str(cell) for cell in row) for row in rows)


class TemplateTimer:
    """Times every template rendered while installed: inclusive of the templates it includes
    and of any SQL a lazy value runs while rendering."""

    def __init__(self):
        self.by_name = defaultdict(float)

    def __enter__(self):
        from django.template.base import Template

        self.original = Template.render
        timer = self

        def render(template, context):
            started = time.perf_counter()
            try:
                return timer.original(template, context)
            finally:
                timer.by_name[template.name] += (time.perf_counter() - started) * 1000

        Template.render = render
        return self

    def __exit__(self, *exc):
        from django.template.base import Template

        Template.render = self.original


def measure(client, paths, log):
    """Per request: (total ms, SQL ms, statements); and SQL ms by kind over all requests."""
    from django.db import connection

    requests, by_kind = [], defaultdict(float)
    with connection.execute_wrapper(log), TemplateTimer() as templates:
        for path in paths:
            first = len(log.statements)
            started = time.perf_counter()
            client.get(path)
            total = (time.perf_counter() - started) * 1000
            mine = log.statements[first:]
            requests.append((total, sum(s[1] for s in mine), len(mine)))
            for kind, elapsed, _sql, _params in mine:
                by_kind[kind] += elapsed
    return requests, by_kind, templates.by_name


def report(label, requests, by_kind, templates, log):
    count = len(requests)
    total = sum(r[0] for r in requests) / count
    sql = sum(r[1] for r in requests) / count
    statements = sum(r[2] for r in requests) / count
    print(f"\n== {label}: {count} requests")
    print(
        f"mean {total:.1f} ms a request: SQL {sql:.1f} ms in {statements:.1f} statements "
        f"({sql / total:.0%}), Python (ORM, view, forms, template or serializer) "
        f"{total - sql:.1f} ms"
    )
    print(f"{'SQL by kind of statement':<56}{'ms/request':>11}{'share':>7}")
    for kind, elapsed in sorted(by_kind.items(), key=lambda item: -item[1])[:12]:
        print(f"{kind:<56}{elapsed / count:11.2f}{elapsed / count / total:7.0%}")
    if templates:
        print(f"\n{'templates (inclusive of what they include)':<56}{'ms/request':>11}{'share':>7}")
        for name, elapsed in sorted(templates.items(), key=lambda item: -item[1])[:10]:
            print(f"{name:<56}{elapsed / count:11.2f}{elapsed / count / total:7.0%}")
    examples = {}
    for kind, elapsed, sql, _params in log.statements:
        if elapsed > examples.get(kind, (0, ""))[0]:
            examples[kind] = (elapsed, sql)
    print("\nthe slowest statement of each of the three costliest kinds:")
    for kind, _elapsed in sorted(by_kind.items(), key=lambda item: -item[1])[:3]:
        elapsed, sql = examples[kind]
        print(f"  {kind} ({elapsed:.1f} ms): {shorten(sql)}")
    slowest = sorted(log.statements, key=lambda s: -s[1])[:2]
    for kind, elapsed, sql, params in slowest:
        print(f"\nslowest: {kind}, {elapsed:.1f} ms\n  {shorten(sql, 1200)}")
        print(f"  plan:\n{explain(sql, params)}")


def sqlite_time(log, count):
    """SQLite's whole work a request, by kind of statement: each statement the requests ran,
    run again through a bare cursor with every row read. SQLite finds most rows as they are
    read (fetchmany, after execute returns), so the SQL column above, the time in execute,
    leaves much of it out."""
    from django.db import connection

    work = defaultdict(float)
    with connection.cursor() as cursor:
        for kind, _elapsed, sql, params in log.statements:
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            work[kind] += (time.perf_counter() - started) * 1000
    print(f"\n{'SQLite, each statement run again, its rows read (ms/request)':<62}{'ms':>6}")
    for kind in sorted(work, key=lambda kind: -work[kind]):
        print(f"{kind:<62}{work[kind] / count:6.2f}")
    print(f"{'all statements':<62}{sum(work.values()) / count:6.2f}")


def server_time(log, count):
    """PostgreSQL's planning and execution ms a request, by kind of statement, from EXPLAIN
    (ANALYZE, SUMMARY) of each statement the requests ran. Parsing, the network and the
    rows' transfer are not in these figures; the client's time for each statement is."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return sqlite_time(log, count)
    planning, execution = defaultdict(float), defaultdict(float)
    with connection.cursor() as cursor:
        for kind, _elapsed, sql, params in log.statements:
            cursor.execute("EXPLAIN (ANALYZE, SUMMARY, TIMING OFF) " + sql, params)
            for (line,) in cursor.fetchall():
                if line.startswith("Planning Time:"):
                    planning[kind] += float(line.split()[2])
                elif line.startswith("Execution Time:"):
                    execution[kind] += float(line.split()[2])
    print(
        f"\n{'server time by kind of statement (ms/request)':<56}{'planning':>9}{'execution':>10}"
    )
    for kind in sorted(execution, key=lambda kind: -(planning[kind] + execution[kind])):
        print(f"{kind:<56}{planning[kind] / count:9.2f}{execution[kind] / count:10.2f}")
    total = (sum(planning.values()) + sum(execution.values())) / count
    print(
        f"{'all statements':<56}{sum(planning.values()) / count:9.2f}"
        f"{sum(execution.values()) / count:10.2f}   ({total:.1f} ms of a core a request)"
    )


def profile(client, paths, name):
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        for path in paths:
            client.get(path)
    output = f"/tmp/iop_profile_{name}.html"
    with open(output, "w", encoding="utf-8") as html:
        html.write(profiler.output_html())
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    print(f"\n== pyinstrument, {name} ({output}):")
    print("\n".join(text.splitlines()[:70]))
    flat = profiler.output_text(unicode=True, color=False, flat=True)
    print(f"\n== pyinstrument, {name}, the functions with the most time of their own:")
    print("\n".join(line for line in flat.splitlines()[:40] if line.strip()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7, help="seed of the searches")
    parser.add_argument(
        "--zero-searches",
        type=int,
        default=20,
        help="zero-result pages (three filters) to measure too, as search_latency.py finds them",
    )
    parser.add_argument("--database-url")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument(
        "--server-time",
        action="store_true",
        help="PostgreSQL: planning and execution; SQLite: each statement again, rows read",
    )
    args = parser.parse_args()

    workload.configure(workload.database_url(args.database_url), "testserver")
    workload.prepare()
    print(f"database: {workload.describe_database()}")
    print(f"machine: {workload.describe_machine()}")
    client = workload.WsgiClient()
    queries = [query for _name, query in workload.searches(args.searches, seed=args.seed)]
    zero_queries = []
    if args.zero_searches:
        zero_queries, _asked = workload.zero_result_searches(
            client, args.zero_searches, seed=args.seed + 2000
        )
    cases = [
        (PAGE, "page", ["/search/?" + q for q in queries]),
        (API, "api", ["/api/v1/programs/?" + q for q in queries]),
        (ZERO, "zero", ["/search/?" + q for q in zero_queries]),
    ]
    for label, _name, paths in cases:
        if not paths:
            continue
        for path in paths[:5]:  # warm-up
            client.get(path)
        log = SqlLog()
        requests, by_kind, templates = measure(client, paths, log)
        report(label, requests, by_kind, templates, log)
        if args.server_time:
            server_time(log, len(requests))
    if args.pyinstrument:
        for _label, name, paths in cases:
            if paths:
                profile(client, paths, name)


if __name__ == "__main__":
    main()
