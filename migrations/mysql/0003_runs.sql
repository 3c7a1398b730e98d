-- Orchestration: runs, materializations, their bounded logs, the run lease
-- and admin settings. Times are Unix milliseconds. `partition_key` is '' for
-- an unpartitioned materialization (so it can be part of the primary key).
CREATE TABLE pipeline_runs (
    id               VARCHAR(40)  NOT NULL PRIMARY KEY,
    trigger_kind     VARCHAR(16)  NOT NULL,
    status           VARCHAR(16)  NOT NULL,
    selection        VARCHAR(2048) NOT NULL DEFAULT '[]',
    partition_key    VARCHAR(128) NOT NULL DEFAULT '',
    rerun_of         VARCHAR(40),
    holder           VARCHAR(64)  NOT NULL,
    created_at       BIGINT NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    cancel_requested BIGINT NOT NULL DEFAULT 0,
    error            TEXT,
    INDEX pipeline_runs_by_created (created_at),
    INDEX pipeline_runs_by_status (status, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE pipeline_materializations (
    run_id        VARCHAR(40)  NOT NULL,
    asset         VARCHAR(64)  NOT NULL,
    partition_key VARCHAR(128) NOT NULL DEFAULT '',
    status        VARCHAR(16)  NOT NULL,
    started_at    BIGINT,
    finished_at   BIGINT,
    rows_written  BIGINT,
    bytes_written BIGINT,
    warnings      BIGINT NOT NULL DEFAULT 0,
    metadata      TEXT,
    error         TEXT,
    PRIMARY KEY (run_id, asset, partition_key),
    INDEX pipeline_materializations_by_asset (asset, finished_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE pipeline_run_log (
    run_id  VARCHAR(40) NOT NULL,
    seq     BIGINT NOT NULL,
    at_ms   BIGINT NOT NULL,
    asset   VARCHAR(64),
    level   VARCHAR(8) NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE pipeline_lease (
    name       VARCHAR(32) NOT NULL PRIMARY KEY,
    holder     VARCHAR(64),
    run_id     VARCHAR(40),
    expires_at BIGINT NOT NULL DEFAULT 0
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
INSERT INTO pipeline_lease (name, holder, run_id, expires_at) VALUES ('pipeline', NULL, NULL, 0);

CREATE TABLE admin_settings (
    setting_key   VARCHAR(64) NOT NULL PRIMARY KEY,
    setting_value TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
