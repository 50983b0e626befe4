"""The audit service at organisation scale, on the machine's PostgreSQL, in one run:

1. Ingest: devices push at once to 2 replicas (`ailedger serve --database-url`,
   half the devices each), beside the floor: a plain COPY of the same event
   rows into a table shaped like `events` (same columns, keys and indexes),
   interleaved: after each round of pushes, that round's rows, into a table
   that grows as `events` does, so both meet the machine in the same
   minutes (its speed here moves by half within the hour); and, to show how
   much of the gap is the projection's own writes, a COPY of every row the
   pushes stored (events, event_ids, regions).
2. Queries with 1,000,000 regions (seeded with generate_series, not through
   the API): /v1/regions first page, a filtered page, a later page by
   cursor, and the dashboard's home page (p50 and p99 of repeated requests).
3. Incidents: three `incident-open` pushes over the 1,000,000 regions, each
   naming a model and a tool over the last day (the time of one push).
4. Memory: each replica's RSS as its tables grow (after each ingest round,
   the 1M-region seed and the incidents): flat means it does not hold the tables.

    .venv/bin/python bench/service_scale.py [--devices 8] [--events 20000] [--regions 1000000] [--schema S]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from helpers import acceptance_payload  # noqa: E402
from helpers_service import postgres_schema  # noqa: E402

from ailedger.ledger.ids import new_id  # noqa: E402
from ailedger.ledger.store import Ledger  # noqa: E402
from ailedger.sync.client import Endpoint, push  # noqa: E402
from ailedger.sync.service.app import COOKIE  # noqa: E402
from ailedger.sync.service.local import start_many  # noqa: E402
from ailedger.sync.service.schema import AWAITING_SQL  # noqa: E402

SCHEMA = "bench_scale"
STORED = ("events", "event_ids", "regions")  # the tables a push of acceptances writes a row per event to


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fill(ledger: Ledger, device: int, first: int, count: int) -> None:
    """Acceptances shaped as the editors record them: a fresh ULID region id and
    the time of acceptance each (ids and times grow together, as they do when a
    team works), spread over a few repositories and files."""
    for k in range(first, first + count, 5000):
        batch = range(k, min(first + count, k + 5000))
        ledger.append_many([("acceptance", acceptance_payload(
            i, regionId=new_id(), acceptedAt=_stamp(datetime.now(timezone.utc)), user=f"dev{device}@example.com",
            repo=f"git.example.com/acme/repo{(device + i) % 5}", path=f"src/m{i % 40}.py")) for i in batch],
            actor=f"dev{device}@example.com")


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of a process, or of the whole machine (pid None)."""
    ticks = os.sysconf("SC_CLK_TCK")
    if pid is None:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        return (sum(map(int, fields)) - int(fields[3]) - int(fields[4])) / ticks  # all but idle and iowait
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / ticks


def postgres_cpu() -> float:
    """CPU time of every PostgreSQL process on this machine (backends, WAL writer, autovacuum...)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(entry.name))
            except OSError:  # the process ended while we looked
                continue
    return total


class Floor:
    """The target's floor, beside ingest round by round: the events a round
    stored (as stored, in cursor order) COPYed on one connection into a table
    shaped like `events` (same columns, keys and indexes) that keeps them, so
    it grows as `events` does and meets the machine in the same minutes."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute("DROP TABLE IF EXISTS floor_events")
        self.conn.execute("CREATE TABLE floor_events (LIKE events INCLUDING ALL)")
        self.after, self.rows, self.seconds, self.cpu = 0, 0, 0.0, 0.0

    def copy_round(self) -> None:
        rows = self.conn.execute("SELECT * FROM events WHERE cursor > %s ORDER BY cursor", (self.after,)).fetchall()
        began, cpu_before = time.perf_counter(), cpu_seconds(os.getpid()) + postgres_cpu()
        with self.conn.cursor() as cur, cur.copy("COPY floor_events FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self.seconds += time.perf_counter() - began
        self.cpu += cpu_seconds(os.getpid()) + postgres_cpu() - cpu_before
        self.rows += len(rows)
        self.after = rows[-1][0] if rows else self.after

    def rate(self) -> float:
        return self.rows / self.seconds

    def close(self) -> None:
        self.conn.execute("DROP TABLE floor_events")
        self.conn.close()


def ingest(services, ledgers, tokens, per_device: int, rounds: int,  # type: ignore[no-untyped-def]
           rss: list[tuple[str, list[float]]], cpu: dict[str, float], floor: Floor) -> float:
    """Each round: every ledger gets its share of new events (not timed), then
    all devices push at once (timed; batches of 1,000), then the floor COPYs
    what they stored. Returns events/s, and adds to `cpu` where the CPU went
    while pushing: this process (the pushing clients), the replicas,
    PostgreSQL's processes, and the rest of the machine."""
    per_round = per_device // rounds
    elapsed = 0.0
    for r in range(rounds):
        for d, ledger in enumerate(ledgers):
            fill(ledger, d, r * per_round, per_round)
        errors: list[BaseException] = []

        def run(d: int) -> None:
            try:
                with Ledger(ledgers[d].path) as ledger:
                    push(ledger, Endpoint(services[d % len(services)].url, tokens[d]), batch=1000)
            except BaseException as err:  # noqa: BLE001 - reported below
                errors.append(err)

        threads = [threading.Thread(target=run, args=(d,)) for d in range(len(ledgers))]
        before = (cpu_seconds(os.getpid()), sum(cpu_seconds(s.proc.pid) for s in services), postgres_cpu(),
                  cpu_seconds())
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed += time.perf_counter() - began
        client, replicas, postgres, machine = (cpu_seconds(os.getpid()) - before[0],
                                               sum(cpu_seconds(s.proc.pid) for s in services) - before[1],
                                               postgres_cpu() - before[2], cpu_seconds() - before[3])
        cpu["clients"] = cpu.get("clients", 0.0) + client
        cpu["replicas"] = cpu.get("replicas", 0.0) + replicas
        cpu["postgres"] = cpu.get("postgres", 0.0) + postgres
        cpu["rest"] = cpu.get("rest", 0.0) + machine - client - replicas - postgres
        assert not errors, errors
        floor.copy_round()
        rss.append((f"after {(r + 1) * per_round * len(ledgers):,} events", [rss_mb(s.proc.pid) for s in services]))
    return per_round * rounds * len(ledgers) / elapsed


def copy_floor(url: str, count: int, tables: tuple[str, ...]) -> tuple[float, float]:
    """The first `count` rows of each table, as ingest stored them, COPYed into
    tables shaped like them (same columns, keys and indexes), one after the
    other on one connection: events/s (`count` over the time, median of three)
    and the CPU an event took (this process and PostgreSQL's, in seconds)."""
    import psycopg

    cpu, rates = 0.0, []
    with psycopg.connect(url, autocommit=True) as conn:
        rows = {}
        for table in tables:
            conn.execute(f"DROP TABLE IF EXISTS floor_{table}")
            conn.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
            order = " ORDER BY cursor" if table == "events" else ""
            rows[table] = conn.execute(f"SELECT * FROM {table}{order} LIMIT %s", (count,)).fetchall()
        for _ in range(3):  # the median of three: one COPY can meet a checkpoint or the autovacuum
            for table in tables:
                conn.execute(f"TRUNCATE floor_{table}")
            began, cpu_before = time.perf_counter(), cpu_seconds(os.getpid()) + postgres_cpu()
            for table in tables:
                with conn.cursor() as cur, cur.copy(f"COPY floor_{table} FROM STDIN") as copy:
                    for row in rows[table]:
                        copy.write_row(row)
            rates.append(count / (time.perf_counter() - began))
            cpu += cpu_seconds(os.getpid()) + postgres_cpu() - cpu_before
        for table in tables:
            conn.execute(f"DROP TABLE floor_{table}")
    return statistics.median(rates), cpu / (3 * count)


SEED = """
INSERT INTO regions (region_id, org, repo, path, status, accepted_by, tool, model, model_name, accepted_at,
                     accepted_ts, first_review_ts, first_approval_ts, review_hours, model_provider, model_id, row)
SELECT 'S' || lpad(i::text, 8, '0'), 'default', repo, path, status, author, tool, 'openai/' || model,
       'openai/' || model, ts, ts, rv, CASE WHEN status = 'reviewed' THEN rv END, hours, 'openai', model,
       json_build_object('region_id', 'S' || lpad(i::text, 8, '0'), 'repo', repo, 'path', path,
         'start_line', i %% 400, 'start_char', 0, 'end_line', i %% 400 + 1, 'end_char', 0,
         'ai_ranges', '[]', 'text_sha256', md5(i::text), 'ai_fraction', 1.0, 'status', status, 'kind', 'inline',
         'tool_name', tool, 'tool_version', NULL, 'model_provider', 'openai', 'model_id', model,
         'model_version', NULL, 'accepted_by', author, 'accepted_at', ts, 'accepted_event', 'E' || i,
         'reviews', CASE WHEN rv IS NULL THEN '[]' ELSE json_build_array(json_build_object('eventId', 'R' || i,
           'reviewer', 'lead@example.com', 'verdict', CASE WHEN status = 'rejected' THEN 'rejected' ELSE 'approved' END,
           'note', NULL, 'textSha256', md5(i::text), 'at', rv, 'policy', NULL))::text END,
         'reopened', NULL, 'updated_event', 'E' || i, 'policy_version', NULL)::text
FROM (SELECT i, 'git.example.com/acme/repo' || (i %% 50) AS repo, 'src/m' || (i %% 500) || '.py' AS path,
             (ARRAY['unreviewed', 'reviewed', 'reviewed', 'rejected', 'changed-after-review', 'ended'])[i %% 6 + 1]
               AS status,
             'dev' || (i %% 300) || '@example.com' AS author, (ARRAY['copilot', 'cursor', 'claude-code'])[i %% 3 + 1] AS tool,
             (ARRAY['gpt-4.1', 'o3', 'gpt-5'])[i %% 7 %% 3 + 1] AS model,
             to_char((now() - make_interval(secs => i * 7.7)) AT TIME ZONE 'UTC',
                     'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts,
             CASE WHEN i %% 6 IN (1, 2, 3, 4) THEN to_char((now() - make_interval(secs => i * 7.7 - 3600 * (1 + i %% 40)))
               AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END AS rv,
             CASE WHEN i %% 6 IN (1, 2, 3, 4) THEN 1.0 + i %% 40 END AS hours
      FROM generate_series(%s::integer, %s::integer) AS i) AS g
"""


def seed_regions(url: str, count: int) -> float:
    import psycopg

    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        for k in range(0, count, 200_000):
            conn.execute(SEED, (k, min(count, k + 200_000) - 1))
        for facet, column in (("repo", "repo"), ("author", "accepted_by"), ("tool", "tool"), ("model", "model_name")):
            conn.execute(f"INSERT INTO region_facets SELECT DISTINCT org, '{facet}', {column} FROM regions"
                         " ON CONFLICT DO NOTHING")
        # The counts the service keeps at ingest (rollup.py), for the seeded regions.
        conn.execute(f"""INSERT INTO region_rollup SELECT org, d.dim, d.value, status,
            CASE WHEN {AWAITING_SQL} THEN substr(accepted_ts, 1, 10) ELSE '' END AS day, COUNT(*)
            FROM regions CROSS JOIN LATERAL (VALUES ('', ''), ('tool', tool), ('model', model_name),
                 ('author', accepted_by), ('repo', repo)) AS d (dim, value)
            WHERE region_id LIKE 'S%%' GROUP BY 1, 2, 3, 4, 5
            ON CONFLICT (org, dim, value, status, day) DO UPDATE SET n = region_rollup.n + excluded.n""")
        conn.execute("""INSERT INTO region_review_minutes SELECT org, d.dim, d.value, round(review_hours * 60), COUNT(*)
            FROM regions CROSS JOIN LATERAL (VALUES ('', ''), ('tool', tool), ('model', model_name),
                 ('author', accepted_by), ('repo', repo)) AS d (dim, value)
            WHERE region_id LIKE 'S%%' AND status <> 'ended' AND review_hours IS NOT NULL GROUP BY 1, 2, 3, 4
            ON CONFLICT (org, dim, value, minutes) DO UPDATE SET n = region_review_minutes.n + excluded.n""")
        conn.execute("""INSERT INTO region_daily SELECT org, substr(accepted_ts, 1, 10),
            COALESCE(substr(first_approval_ts, 1, 10), ''), COUNT(*) FROM regions WHERE region_id LIKE 'S%%'
            GROUP BY 1, 2, 3 ON CONFLICT (org, day, approval_day) DO UPDATE SET n = region_daily.n + excluded.n""")
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


def incident_pushes(base: str, token: str, work: Path, url: str) -> tuple[float, int]:
    """Three `incident-open` pushes, each naming a model and a tool over the last day (the candidates come
    from SQL, so a push reads what its scope names, not the organisation's regions): the median time of
    one push, and how many regions each reopened (the median)."""
    since = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%d")
    times, hits = [], []
    with Ledger(work / "lead.db") as lead:
        for n, (model, tool) in enumerate((("gpt-5", "cursor"), ("o3", "copilot"), ("gpt-4.1", "claude-code"))):
            scope = {"model": {"provider": "openai", "id": model}, "tool": {"name": tool}, "since": since}
            opened = _stamp(datetime.now(timezone.utc))
            lead.append_many([("incident-open", {"incidentId": f"BENCH-{n}", "scope": scope, "reason": "bench",
                                                 "openedBy": "lead@example.com", "openedAt": opened})],
                             actor="lead@example.com")
            began = time.perf_counter()
            push(lead, Endpoint(base, token))
            times.append((time.perf_counter() - began) * 1000)
            hits.append(reopened_by(url, lead.recent(1)[0].id))
    return statistics.median(times), int(statistics.median(hits))


def reopened_by(url: str, event_id: str) -> int:
    """Regions whose row names this event as what reopened them (the seed's reviews have ids that sort
    after any ULID, so a reopened seeded region may still read as reviewed: its status is no count)."""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT COUNT(*) FROM regions WHERE row LIKE %s",
                            (f'%"reopened":"{event_id}"%',)).fetchone()[0]


def timed(get, count: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(count):
        began = time.perf_counter()
        response = get()
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.text[:300]
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=8)
    parser.add_argument("--events", type=int, default=20_000, help="events per device")
    parser.add_argument("--regions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100, help="requests per query figure")
    parser.add_argument("--schema", default=SCHEMA, help="PostgreSQL schema to use (dropped and made anew)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ailedger-scale-"))
    url = postgres_schema(args.schema)
    ledgers = [Ledger(work / f"dev{d}.db") for d in range(args.devices)]
    services = start_many(2, work / "service", url)
    tokens = [services[0].token(f"dev{d}@example.com") for d in range(args.devices)]
    rows, rss = [], [("at start", [rss_mb(s.proc.pid) for s in services])]
    try:
        print("... ingest", file=sys.stderr, flush=True)
        cpu: dict[str, float] = {}
        interleaved = Floor(url)
        rate = ingest(services, ledgers, tokens, args.events, 4, rss, cpu, interleaved)
        total = args.devices * args.events
        assert interleaved.rows == total, (interleaved.rows, total)
        floor, floor_cpu = interleaved.rate(), interleaved.cpu / total
        interleaved.close()
        print(f"    CPU while pushing ({os.cpu_count()} CPUs): pushing clients {cpu['clients']:.1f} s, "
              f"replicas {cpu['replicas']:.1f} s, "
              f"PostgreSQL {cpu['postgres']:.1f} s, the rest of the machine {cpu['rest']:.1f} s; "
              f"{total / rate:.1f} s wall", file=sys.stderr)
        rows.append((f"ingest {total:,} events, {args.devices} devices, 2 replicas", f"{rate:,.0f} ev/s",
                     f"COPY {floor:,.0f} rows/s", f">= 15,000; floor/{floor / rate:.1f}",
                     rate >= 15_000 and floor / rate <= 3))
        # Not the target's floor: what the events' floor leaves out is the projection's own rows (a region and
        # its eight indexes an acceptance, its id in event_ids), here COPYed too, to show how much of the gap
        # is those writes and how much the service's work around them.
        stored, _ = copy_floor(url, total, STORED)
        rows.append((f"  COPY of every row a push stores ({', '.join(STORED)})", f"{stored:,.0f} ev/s", "",
                     f"ingest at floor/{stored / rate:.1f}", True))
        # Where the events/s come from on this machine: every process shares its CPUs, so the rate is at most
        # CPUs / CPU per event. The floor is one COPY stream (one core at most); ingest spreads over all.
        service = (cpu["replicas"] + cpu["postgres"]) / total
        spent = sum(cpu.values()) / total
        rows.append(("  CPU per event: replicas + PostgreSQL (+ clients)",
                     f"{service * 1e6:.0f} us ({spent * 1e6:.0f})",
                     f"COPY {floor_cpu * 1e6:.1f} us/row", f"ceiling {(os.cpu_count() or 1) / spent:,.0f} ev/s", True))

        print(f"... seeding {args.regions:,} regions with generate_series", file=sys.stderr, flush=True)
        seconds = seed_regions(url, args.regions)
        print(f"    seeded in {seconds:.0f} s", file=sys.stderr)
        rss.append((f"after seeding {args.regions:,} regions", [rss_mb(s.proc.pid) for s in services]))
        lead = services[0].token("lead@example.com", role="lead")
        client = httpx.Client(headers={"authorization": f"Bearer {lead}"}, timeout=60)
        base = services[0].url
        first = client.get(f"{base}/v1/regions").json()
        assert first["total"] >= args.regions, first["total"]
        figures = {
            "/v1/regions first page (100)": lambda: client.get(f"{base}/v1/regions"),
            "/v1/regions repo + author filter": lambda: client.get(f"{base}/v1/regions", params={
                "repo": "git.example.com/acme/repo7", "author": "dev7@example.com"}),
            "/v1/regions status filter, later page": lambda: client.get(f"{base}/v1/regions", params={
                "status": "unreviewed", "cursor": first["next"]}),
            "/v1/regions limit 1000": lambda: client.get(f"{base}/v1/regions", params={"limit": 1000}),
        }
        for name, get in figures.items():
            p50, p99 = timed(get, args.requests)
            rows.append((name, f"p50 {p50:.0f} ms", f"p99 {p99:.0f} ms", "p50 <= 100, p99 <= 500",
                         p50 <= 100 and p99 <= 500))
        dash = httpx.Client(cookies={COOKIE: lead}, timeout=60)
        p50, p99 = timed(lambda: dash.get(f"{base}/"), max(10, args.requests // 5))
        rows.append((f"dashboard home, {args.regions:,} regions", f"p50 {p50:.0f} ms", f"p99 {p99:.0f} ms",
                     "<= 500 ms", p99 <= 500))
        p50, p99 = timed(lambda: dash.get(f"{base}/", params={"repo": "git.example.com/acme/repo7"}),
                         max(10, args.requests // 5))
        rows.append(("dashboard filtered by one repository", f"p50 {p50:.0f} ms", f"p99 {p99:.0f} ms", "-", True))
        rss.append(("after the queries", [rss_mb(s.proc.pid) for s in services]))
        ms, hits = incident_pushes(services[0].url, lead, work, url)
        rows.append((f"incident-open push, {args.regions:,} regions", f"median {ms:.0f} ms", f"reopens {hits:,}",
                     "-", True))
        p50, p99 = timed(lambda: dash.get(f"{base}/incidents"), max(5, args.requests // 10))
        rows.append(("/incidents: the three, counted in SQL", f"p50 {p50:.0f} ms", f"p99 {p99:.0f} ms", "-", True))
        rss.append(("after three incidents", [rss_mb(s.proc.pid) for s in services]))
    finally:
        for s in services:
            s.stop()
    growth = max(max(r[1]) for r in rss[1:]) - min(min(r[1]) for r in rss[1:])
    rows.append(("replica RSS while the tables grow", " -> ".join(f"{max(r[1]):.0f}" for r in rss) + " MB", "",
                 "flat (< 60 MB growth)", growth < 60))
    for label, values in rss:
        print(f"    RSS {label}: {', '.join(f'{v:.0f} MB' for v in values)}", file=sys.stderr)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'figure':>16}  {'beside':>22}  {'target':>24}  ok")
    for name, figure, beside, target, ok in rows:
        print(f"{name:<{width}}  {figure:>16}  {beside:>22}  {target:>24}  {'yes' if ok else 'NO'}")
    return 0 if all(r[4] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
