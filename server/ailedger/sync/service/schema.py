"""The service's schema and its migrations, numbered: each database records
the version it is at (`schema_version`) and a start applies what is missing.

On PostgreSQL the migrations run inside one transaction holding an advisory
lock, so when several replicas start together exactly one applies them and
the others wait, then find the schema current. SQL is written once for both
backends (the few differences are spelled out below).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple


class RegionColumns(NamedTuple):
    """A row of the regions table, in the order storage writes it (a tuple: COPY takes it as it is)."""

    region_id: str
    org: str
    repo: str
    path: str
    status: str
    accepted_by: str
    tool: str
    model: str | None  # provider/id
    model_name: str  # provider/id@version, as people read it
    accepted_at: str
    accepted_ts: str  # the stamps in one sortable form (storage.stamp)
    first_review_ts: str | None
    first_approval_ts: str | None
    review_hours: float | None
    model_provider: str | None  # the parts an incident's scope names (scope.py), each compared exactly
    model_id: str | None
    model_version: str | None
    tool_version: str | None
    row: str  # the projection's row, whole, as JSON


REGION_COLUMNS = RegionColumns._fields
AWAITING_SQL = "status IN ('unreviewed', 'changed-after-review', 'reopened')"  # projection.REVIEW_CODES
# Acceptances the policy in force did not approve (incidents.py). A constant, not a parameter: PostgreSQL's
# partial index events_unapproved matches it only so.
UNAPPROVED_SQL = "type = 'acceptance' AND body LIKE '%\"unapproved\":\"%'"

# 1: the tables as the first service created them (IF NOT EXISTS: a database
# from before schema_version existed is at 1 already).
V1 = """
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, user_email TEXT NOT NULL, role TEXT NOT NULL,
    org TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (cursor BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, device TEXT NOT NULL,
    seq BIGINT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,
    org TEXT NOT NULL, repo TEXT, received_at TEXT NOT NULL, UNIQUE (device, seq));
CREATE INDEX IF NOT EXISTS events_repo ON events (org, repo, cursor);
CREATE TABLE IF NOT EXISTS devices (device TEXT PRIMARY KEY, org TEXT NOT NULL, owner TEXT NOT NULL,
    seq BIGINT NOT NULL, hash TEXT NOT NULL, event_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS region_repos (region_id TEXT PRIMARY KEY, repo TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, body_sha TEXT NOT NULL, status INTEGER NOT NULL,
    response TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS regions (region_id TEXT PRIMARY KEY, org TEXT NOT NULL, repo TEXT NOT NULL,
    path TEXT NOT NULL, status TEXT NOT NULL, accepted_by TEXT NOT NULL, tool TEXT NOT NULL, model TEXT,
    accepted_at TEXT NOT NULL, row TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS regions_org ON regions (org, repo, status);
CREATE TABLE IF NOT EXISTS region_events (region_id TEXT NOT NULL, event_id TEXT NOT NULL,
    PRIMARY KEY (region_id, event_id));
CREATE TABLE IF NOT EXISTS alerts (id SERIAL_ID, org TEXT NOT NULL, device TEXT NOT NULL,
    event_id TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL);
"""

# 2: pull cursors in commit order (the clock), columns and indexes for every
# listing filter and keyset paging, facets for the dashboard's choices.
V2 = """
CREATE TABLE clock (id INTEGER PRIMARY KEY, cursor BIGINT NOT NULL);
INSERT INTO clock SELECT 1, COALESCE(MAX(cursor), 0) FROM events;
ALTER TABLE regions ADD COLUMN model_name TEXT;
ALTER TABLE regions ADD COLUMN accepted_ts TEXT;
ALTER TABLE regions ADD COLUMN first_review_ts TEXT;
ALTER TABLE regions ADD COLUMN first_approval_ts TEXT;
ALTER TABLE regions ADD COLUMN review_hours DOUBLE PRECISION;
DROP INDEX regions_org;
CREATE INDEX regions_page ON regions (org, accepted_ts, region_id);
CREATE INDEX regions_awaiting ON regions (org, accepted_ts, region_id) WHERE AWAITING;
CREATE INDEX regions_repo ON regions (org, repo, accepted_ts, region_id);
CREATE INDEX regions_path ON regions (org, path, accepted_ts, region_id);
CREATE INDEX regions_author ON regions (org, accepted_by, accepted_ts, region_id);
CREATE INDEX regions_tool ON regions (org, tool, accepted_ts, region_id);
CREATE INDEX regions_model ON regions (org, model, accepted_ts, region_id);
CREATE INDEX regions_model_name ON regions (org, model_name, accepted_ts, region_id);
CREATE INDEX regions_status ON regions (org, status, accepted_ts, region_id);
CREATE TABLE region_facets (org TEXT NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (org, facet, value));
CREATE INDEX alerts_org ON alerts (org, id);
CREATE TABLE region_counts (org TEXT NOT NULL, status TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (org, status));
INSERT INTO region_counts SELECT org, status, COUNT(*) FROM regions GROUP BY org, status;
CREATE TABLE region_rollup (org TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL, status TEXT NOT NULL,
    day TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (org, dim, value, status, day));
CREATE TABLE region_review_minutes (org TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL,
    minutes BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (org, dim, value, minutes));
CREATE TABLE region_daily (org TEXT NOT NULL, day TEXT NOT NULL, approval_day TEXT NOT NULL, n BIGINT NOT NULL,
    PRIMARY KEY (org, day, approval_day));
""".replace("AWAITING", AWAITING_SQL)


def _version_2(t: Any) -> None:
    """PostgreSQL compares the indexed text columns byte by byte (COLLATE "C":
    a locale's rules made inserting a region cost twice as much, and order by
    these ids and RFC 3339 stamps is byte order anyway). Then rows stored
    before version 2 get the new columns, from the row itself."""
    import orjson

    if t.postgres:
        for table, columns in (("regions", ("region_id", "org", "repo", "path", "status", "accepted_by", "tool",
                                            "model", "model_name", "accepted_ts")),
                               ("events", ("id", "device", "org", "repo")), ("devices", ("device",))):
            t.x(f"ALTER TABLE {table} " + ", ".join(f'ALTER COLUMN {c} TYPE TEXT COLLATE "C"' for c in columns))

    from . import rollup
    from .storage import region_fields

    pairs = []
    for org, row in t.rows("SELECT org, row FROM regions"):
        values = region_fields(org, orjson.loads(row))
        pairs.append((None, values))
        t.x("UPDATE regions SET model_name = ?, accepted_ts = ?, first_review_ts = ?, first_approval_ts = ?,"
            " review_hours = ? WHERE region_id = ?", (values.model_name, values.accepted_ts, values.first_review_ts,
                                                      values.first_approval_ts, values.review_hours, values.region_id))
        for facet, value in rollup.facets(values):
            t.x("INSERT INTO region_facets VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (org, facet, value))
    rollup.write(t, rollup.deltas(pairs))


# 3: a record of the months exported and dropped (both backends); on
# PostgreSQL the events table becomes partitioned by month (see partitions.py).
V3 = """
CREATE TABLE dropped_months (month TEXT PRIMARY KEY, events BIGINT NOT NULL, last_cursor BIGINT NOT NULL,
    export TEXT NOT NULL, at TEXT NOT NULL);
"""

EVENTS_PARTITIONED = """
CREATE TABLE events_partitioned (cursor BIGINT NOT NULL, id TEXT COLLATE "C" NOT NULL,
    device TEXT COLLATE "C" NOT NULL, seq BIGINT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
    type TEXT NOT NULL, body TEXT NOT NULL, org TEXT COLLATE "C" NOT NULL, repo TEXT COLLATE "C",
    received_at TEXT COLLATE "C" NOT NULL, PRIMARY KEY (cursor, received_at)) PARTITION BY RANGE (received_at);
CREATE TABLE events_default PARTITION OF events_partitioned DEFAULT;
CREATE TABLE event_ids (id TEXT COLLATE "C" PRIMARY KEY, device TEXT COLLATE "C" NOT NULL, seq BIGINT NOT NULL,
    hash TEXT NOT NULL, UNIQUE (device, seq))
"""


def _version_3(t: Any) -> None:
    """PostgreSQL: the events move into a table partitioned by month (one
    partition per month they were received in, made before the copy so none
    land in the default), their ids into `event_ids`; then it takes the name."""
    if not t.postgres:
        return
    from . import partitions

    for statement in EVENTS_PARTITIONED.split(";"):
        t.x(statement)
    for (month,) in t.rows("SELECT DISTINCT substr(received_at, 1, 7) FROM events"):
        if partitions.MONTH.match(partitions.name(month)):  # anything else stays in the default
            t.x(partitions.create_sql(month, "events_partitioned"))
    t.x("INSERT INTO events_partitioned SELECT * FROM events")
    t.x("INSERT INTO event_ids SELECT id, device, seq, hash FROM events")
    t.x("DROP TABLE events")
    t.x("ALTER TABLE events_partitioned RENAME TO events")
    t.x("CREATE INDEX events_repo ON events (org, repo, cursor)")
    t.x("CREATE INDEX events_id ON events (id)")
    t.x("CREATE INDEX events_device ON events (device, seq)")  # exports read each chain in order


# 4: less to write per region. The awaiting list pages through regions_status
# (one ordered scan per awaiting status, merged), so its partial index goes;
# region_counts repeats region_rollup's organisation-wide cells (dimension ''),
# which every count now reads, so it goes too: one hot row fewer per push.
# On PostgreSQL the unapproved acceptances get a partial index (_version_4).
V4 = """
DROP INDEX regions_awaiting;
DROP TABLE region_counts;
"""


def _version_4(t: Any) -> None:
    """PostgreSQL: the unapproved acceptances (incidents.py) in a small partial
    index, so /incidents counts and pages them without reading every event."""
    if t.postgres:  # no parameters: psycopg would read the pattern's % as placeholders
        t.conn.execute(f"CREATE INDEX events_unapproved ON events (org, cursor) WHERE {UNAPPROVED_SQL}")


# 5: no SQL of its own (_version_5).
def _version_5(t: Any) -> None:
    """PostgreSQL finds an event by id through event_ids (the trail joins it),
    so the events' own index by id goes: one index entry fewer per event."""
    if t.postgres:
        t.x("DROP INDEX IF EXISTS events_id")


# 6: the parts of a model and a tool an incident's scope names, as columns, so
# that its regions are found and counted in SQL, exactly (scope.py).
V6 = """
ALTER TABLE regions ADD COLUMN model_provider TEXT;
ALTER TABLE regions ADD COLUMN model_id TEXT;
ALTER TABLE regions ADD COLUMN model_version TEXT;
ALTER TABLE regions ADD COLUMN tool_version TEXT
"""
SCOPE_PARTS = ("model_provider", "model_id", "model_version", "tool_version")


def _version_6(t: Any) -> None:
    """The new columns from each region's row; on PostgreSQL they and
    `accepted_at` (which `since` compares as text) compare byte by byte."""
    if t.postgres:
        t.x("UPDATE regions SET " + ", ".join(f"{c} = row::json->>'{c}'" for c in SCOPE_PARTS))
        t.x("ALTER TABLE regions " + ", ".join(f'ALTER COLUMN {c} TYPE TEXT COLLATE "C"'
                                               for c in ("accepted_at", *SCOPE_PARTS)))
        t.x("ANALYZE regions")  # the planner knows the new columns from the first incident on
    else:
        t.x("UPDATE regions SET " + ", ".join(f"{c} = json_extract(row, '$.{c}')" for c in SCOPE_PARTS))


def event_tables(t: Any) -> list[str]:
    """PostgreSQL: `events` and each of its partitions (months and the default)."""
    return ["events", *(r[0] for r in t.rows("SELECT c.relname FROM pg_inherits i JOIN pg_class c"
                                             " ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass"))]


# 7: no SQL of its own (_version_7).
def _version_7(t: Any) -> None:
    """PostgreSQL: event bodies compress with lz4 rather than the default
    pglz. A body carrying a prompt or an agent's whole edit passes the 2 kB
    at which PostgreSQL compresses it: at 4 kB pglz took 67 us a row to
    store, lz4 21 (a COPY of 20,000 here; lz4 keeps a half more bytes).
    New rows only, nothing rewritten. The parent's setting reaches months
    made later, not those there now, so each is set too; a server built
    without lz4 keeps its default."""
    if not t.postgres:
        return
    import psycopg

    try:
        with t.conn.transaction():  # a savepoint: without lz4 the rest of the migration still commits
            for table in event_tables(t):
                t.x(f'ALTER TABLE "{table}" ALTER COLUMN body SET COMPRESSION lz4')
    except psycopg.errors.FeatureNotSupported:
        pass


MIGRATIONS: list[tuple[str, Callable[[Any], None] | None]] = [(V1, None), (V2, _version_2), (V3, _version_3),
                                                               (V4, _version_4), ("", _version_5), (V6, _version_6),
                                                               ("", _version_7)]
VERSION = len(MIGRATIONS)


def _apply(t: Any, postgres: bool) -> int:
    t.x("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = t.x("SELECT version FROM schema_version").fetchone()
    at = row[0] if row else 0
    for script, step in MIGRATIONS[at:]:
        script = script.replace("SERIAL_ID", "BIGSERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY")
        for statement in script.split(";"):
            if statement.strip():
                t.x(statement)
        if step:
            step(t)
    if row is None:
        t.x("INSERT INTO schema_version VALUES (?)", (VERSION,))
    elif at != VERSION:
        t.x("UPDATE schema_version SET version = ?", (VERSION,))
    return VERSION - at


def migrate_sqlite(conn: Any) -> int:
    from .storage import Tx

    conn.execute("BEGIN IMMEDIATE")
    try:
        applied = _apply(Tx(conn, postgres=False), postgres=False)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return applied


def migrate_postgres(conn: Any) -> int:
    """In one transaction under an advisory lock named for this schema: replicas
    starting together apply each migration exactly once."""
    from .storage import Tx

    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('ailedger-migrate:' || current_schema()))")
        return _apply(Tx(conn, postgres=True), postgres=True)
