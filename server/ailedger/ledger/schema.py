"""The ledger's SQLite schema, as forward migrations.

Each migration runs once, in order, inside one transaction with the bump of
`meta.schema_version`. Never edit a released migration: add the next one.
"""

from __future__ import annotations

# PRAGMA application_id: "AILG". Marks the file as ours, so we never write into
# somebody else's SQLite database.
APPLICATION_ID = 0x41494C47

_APPEND_ONLY = """
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, 'ailedger: {table} are append-only'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, 'ailedger: {table} are append-only'); END;
"""

MIGRATIONS: list[str] = [
    # 1: events (the audit log), anchors, the regions projection, sync state.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE events (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (device, seq)
    );
    """
    + _APPEND_ONLY.format(table="events")
    + """
    CREATE TABLE anchors (
        rowid INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        source TEXT NOT NULL,
        signature TEXT,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX anchors_device ON anchors (device, rowid);
    """
    + _APPEND_ONLY.format(table="anchors")
    + """
    CREATE TABLE regions (
        region_id TEXT PRIMARY KEY,
        repo TEXT NOT NULL,
        path TEXT NOT NULL,
        start_line INTEGER NOT NULL,
        start_char INTEGER NOT NULL,
        end_line INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        ai_ranges TEXT NOT NULL,
        text_sha256 TEXT NOT NULL,
        ai_fraction REAL NOT NULL,
        status TEXT NOT NULL,
        kind TEXT NOT NULL,
        tool_name TEXT NOT NULL,
        tool_version TEXT,
        model_provider TEXT,
        model_id TEXT,
        model_version TEXT,
        accepted_by TEXT NOT NULL,
        accepted_at TEXT NOT NULL,
        accepted_event TEXT NOT NULL,
        reviews TEXT NOT NULL,
        reopened TEXT,
        updated_event TEXT NOT NULL
    );
    CREATE INDEX regions_file ON regions (repo, path);
    CREATE INDEX regions_status ON regions (status);
    CREATE TABLE sync_state (
        endpoint TEXT PRIMARY KEY,
        pushed_rowid INTEGER NOT NULL DEFAULT 0,
        pull_cursor TEXT,
        last_success TEXT,
        last_error TEXT
    );
    CREATE TABLE file_snapshots (
        repo TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        content TEXT NOT NULL,
        PRIMARY KEY (repo, path)
    );
    """,
    # 2: the repository policy version an acceptance was made under (responsibility).
    """
    ALTER TABLE regions ADD COLUMN policy_version TEXT;
    """,
    # 3: the commit that first held a region's text: from `commit` events (the
    # git hook), and a cache of what git history says where no hook saw it.
    # The cache is not chained: anyone can recompute it from the repository.
    """
    ALTER TABLE regions ADD COLUMN first_commit TEXT;
    ALTER TABLE regions ADD COLUMN first_commit_at TEXT;
    CREATE TABLE commit_cache (
        region_id TEXT NOT NULL,
        text_sha256 TEXT NOT NULL,
        commit_sha TEXT NOT NULL,
        committed_at TEXT NOT NULL,
        PRIMARY KEY (region_id, text_sha256)
    );
    """,
    # 4: the provider's contract an acceptance was made under, and why a region was reopened.
    """
    ALTER TABLE regions ADD COLUMN contract TEXT;
    ALTER TABLE regions ADD COLUMN reopen_reason TEXT;
    CREATE INDEX events_type ON events (type);
    """,
]

LATEST = len(MIGRATIONS)
