-- Orchestration: runs, materializations, their bounded logs, the run lease
-- and admin settings. Times are Unix milliseconds. `partition_key` is '' for
-- an unpartitioned materialization (so it can be part of the primary key).
CREATE TABLE pipeline_runs (
    id               TEXT PRIMARY KEY NOT NULL,
    trigger_kind     TEXT NOT NULL,
    status           TEXT NOT NULL,
    selection        TEXT NOT NULL DEFAULT '[]',   -- JSON array of asset names; [] = all
    partition_key    TEXT NOT NULL DEFAULT '',
    rerun_of         TEXT,
    holder           TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    error            TEXT
);
CREATE INDEX pipeline_runs_by_created ON pipeline_runs (created_at);
CREATE INDEX pipeline_runs_by_status ON pipeline_runs (status, created_at);

CREATE TABLE pipeline_materializations (
    run_id        TEXT NOT NULL,
    asset         TEXT NOT NULL,
    partition_key TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER,
    rows_written  INTEGER,
    bytes_written INTEGER,
    warnings      INTEGER NOT NULL DEFAULT 0,
    metadata      TEXT,
    error         TEXT,
    PRIMARY KEY (run_id, asset, partition_key)
);
CREATE INDEX pipeline_materializations_by_asset ON pipeline_materializations (asset, finished_at);

-- The last lines of each run's log (the orchestrator trims older ones).
CREATE TABLE pipeline_run_log (
    run_id  TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    at_ms   INTEGER NOT NULL,
    asset   TEXT,
    level   TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- One row: who may run the pipeline until when (renewed by a heartbeat).
CREATE TABLE pipeline_lease (
    name       TEXT PRIMARY KEY NOT NULL,
    holder     TEXT,
    run_id     TEXT,
    expires_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO pipeline_lease (name, holder, run_id, expires_at) VALUES ('pipeline', NULL, NULL, 0);

CREATE TABLE admin_settings (
    setting_key   TEXT PRIMARY KEY NOT NULL,
    setting_value TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
);
