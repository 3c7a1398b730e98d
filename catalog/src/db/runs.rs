//! Runs, materializations, run logs, the run lease and admin settings: the
//! single source of truth the orchestrator writes and the CLI, the admin
//! pages and `/metrics` read.
//!
//! The lease is one row (`pipeline_lease`) taken with a conditional `UPDATE`
//! (free, expired, or already ours), which is atomic on both backends; its
//! holder renews `expires_at` with a heartbeat, so a crashed process blocks
//! nobody for longer than one lease period.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Catalog, DbResult, QueryContext};
use crate::runs::{AssetOverview, LogLine, Materialization, RunFilter, RunStatus, RunSummary, Trigger};

/// The admin setting holding the password hash set by `marquee admin set-password`.
pub const ADMIN_PASSWORD_SETTING: &str = "admin_password_hash";

/// The one lease row's name.
const LEASE: &str = "pipeline";

/// Largest page of runs a listing returns.
pub const MAX_RUNS: u32 = 200;

/// A run about to start.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub id: String,
    pub trigger: Trigger,
    pub selection: Vec<String>,
    pub partition: Option<String>,
    pub rerun_of: Option<String>,
    /// The process that runs it (the lease holder).
    pub holder: String,
    pub created_at: i64,
    /// The (asset, partition) pairs it will materialize, in order.
    pub planned: Vec<(String, Option<String>)>,
}

/// What a finished materialization produced.
#[derive(Debug, Clone, Default)]
pub struct MaterializationOutcome {
    pub rows: Option<i64>,
    pub bytes: Option<i64>,
    pub warnings: i64,
    pub metadata: Option<String>,
    pub error: Option<String>,
}

/// The lease row as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub holder: Option<String>,
    pub run_id: Option<String>,
    pub expires_at: i64,
}

/// Per-asset figures for `/metrics`.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetMetrics {
    pub asset: String,
    pub status: RunStatus,
    pub count: i64,
    /// Latest `finished_at` among them.
    pub last_finished_at: Option<i64>,
}

fn part_key(p: &Option<String>) -> String {
    p.clone().unwrap_or_default()
}

fn part_opt(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Reads a text column. MySQL reports `TEXT` columns as `BLOB` through the
/// `Any` driver, so bytes are accepted too (the tables are utf8mb4).
fn opt_text(row: &AnyRow, col: &str) -> Result<Option<String>, sqlx::Error> {
    match row.try_get::<Option<String>, _>(col) {
        Ok(v) => Ok(v),
        Err(_) => Ok(row.try_get::<Option<Vec<u8>>, _>(col)?.map(|b| String::from_utf8_lossy(&b).into_owned())),
    }
}

fn status_of(row: &AnyRow, col: &str) -> Result<RunStatus, sqlx::Error> {
    let s: String = row.try_get(col)?;
    RunStatus::parse(&s).ok_or_else(|| sqlx::Error::Decode(format!("unknown status `{s}`").into()))
}

const RUN_COLUMNS: &str = "id, trigger_kind, status, selection, partition_key, rerun_of, created_at, \
    started_at, finished_at, error";

fn run_from_row(row: &AnyRow) -> Result<RunSummary, sqlx::Error> {
    let trigger: String = row.try_get("trigger_kind")?;
    let selection: String = row.try_get("selection")?;
    Ok(RunSummary {
        id: row.try_get("id")?,
        trigger: Trigger::parse(&trigger)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown trigger `{trigger}`").into()))?,
        status: status_of(row, "status")?,
        selection: serde_json::from_str(&selection).unwrap_or_default(),
        partition: part_opt(row.try_get("partition_key")?),
        rerun_of: row.try_get("rerun_of")?,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        error: opt_text(row, "error")?,
        rows: 0,
        warnings: 0,
    })
}

const MAT_COLUMNS: &str = "run_id, asset, partition_key, status, started_at, finished_at, rows_written, \
    bytes_written, warnings, metadata, error";

fn mat_from_row(row: &AnyRow) -> Result<Materialization, sqlx::Error> {
    Ok(Materialization {
        run_id: row.try_get("run_id")?,
        asset: row.try_get("asset")?,
        partition: part_opt(row.try_get("partition_key")?),
        status: status_of(row, "status")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        rows: row.try_get("rows_written")?,
        bytes: row.try_get("bytes_written")?,
        warnings: row.try_get("warnings")?,
        metadata: opt_text(row, "metadata")?,
        error: opt_text(row, "error")?,
    })
}

impl Catalog {
    // ---- runs ------------------------------------------------------------

    /// Records a new run (status `running`) and its planned materializations
    /// (status `queued`), in one transaction.
    pub async fn insert_run(&self, run: &NewRun) -> DbResult<()> {
        let mut tx = self.begin_write().await.ctx("begin insert run")?;
        sqlx::query(
            "INSERT INTO pipeline_runs (id, trigger_kind, status, selection, partition_key, rerun_of, holder, \
             created_at, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(run.id.clone())
        .bind(run.trigger.as_str())
        .bind(RunStatus::Running.as_str())
        .bind(serde_json::to_string(&run.selection).unwrap_or_else(|_| "[]".into()))
        .bind(part_key(&run.partition))
        .bind(run.rerun_of.clone())
        .bind(run.holder.clone())
        .bind(run.created_at)
        .bind(run.created_at)
        .execute(&mut *tx)
        .await
        .ctx("insert run")?;
        for (asset, partition) in &run.planned {
            sqlx::query(
                "INSERT INTO pipeline_materializations (run_id, asset, partition_key, status, warnings) \
                 VALUES (?, ?, ?, ?, 0)",
            )
            .bind(run.id.clone())
            .bind(asset.clone())
            .bind(part_key(partition))
            .bind(RunStatus::Queued.as_str())
            .execute(&mut *tx)
            .await
            .ctx("insert materialization")?;
        }
        tx.commit().await.ctx("commit insert run")?;
        Ok(())
    }

    /// Closes a run with its final status.
    pub async fn finish_run(&self, id: &str, status: RunStatus, error: Option<&str>, now: i64) -> DbResult<()> {
        // Guarded: a run already marked interrupted by another process stays so.
        sqlx::query(
            "UPDATE pipeline_runs SET status = ?, error = ?, finished_at = ? \
             WHERE id = ? AND status IN ('queued', 'running')",
        )
        .bind(status.as_str())
        .bind(error.map(str::to_owned))
        .bind(now)
        .bind(id.to_owned())
        .execute(&self.pool)
        .await
        .ctx("finish run")?;
        Ok(())
    }

    /// One run, with its totals.
    pub async fn run(&self, id: &str) -> DbResult<Option<RunSummary>> {
        let row = sqlx::query(&format!("SELECT {RUN_COLUMNS} FROM pipeline_runs WHERE id = ?"))
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .ctx("read run")?;
        let Some(row) = row else { return Ok(None) };
        let mut run = run_from_row(&row).ctx("read run")?;
        let mats = self.materializations(id).await?;
        run.rows = mats.iter().filter_map(|m| m.rows).sum();
        run.warnings = mats.iter().map(|m| m.warnings).sum();
        Ok(Some(run))
    }

    /// Recent runs, newest first, filtered.
    pub async fn runs(&self, filter: &RunFilter) -> DbResult<Vec<RunSummary>> {
        let mut sql = format!("SELECT {RUN_COLUMNS} FROM pipeline_runs r WHERE 1 = 1");
        if filter.status.is_some() {
            sql.push_str(" AND r.status = ?");
        }
        if filter.trigger.is_some() {
            sql.push_str(" AND r.trigger_kind = ?");
        }
        if filter.asset.is_some() {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM pipeline_materializations m WHERE m.run_id = r.id AND m.asset = ?)",
            );
        }
        sql.push_str(" ORDER BY r.created_at DESC, r.id DESC LIMIT ?");
        let mut q = sqlx::query(&sql);
        if let Some(s) = filter.status {
            q = q.bind(s.as_str());
        }
        if let Some(t) = filter.trigger {
            q = q.bind(t.as_str());
        }
        if let Some(a) = &filter.asset {
            q = q.bind(a.clone());
        }
        let limit = if filter.limit == 0 { 50 } else { filter.limit.min(MAX_RUNS) };
        let rows = q.bind(i64::from(limit)).fetch_all(&self.pool).await.ctx("list runs")?;
        let mut runs = rows.iter().map(run_from_row).collect::<Result<Vec<_>, _>>().ctx("list runs")?;
        if runs.is_empty() {
            return Ok(runs);
        }
        // Totals in one query (summed here: MySQL's SUM is a DECIMAL the Any driver cannot decode).
        let marks = vec!["?"; runs.len()].join(", ");
        let sql =
            format!("SELECT run_id, rows_written, warnings FROM pipeline_materializations WHERE run_id IN ({marks})");
        let mut q = sqlx::query(&sql);
        for r in &runs {
            q = q.bind(r.id.clone());
        }
        let totals = q.fetch_all(&self.pool).await.ctx("run totals")?;
        for row in totals {
            let id: String = row.try_get("run_id").ctx("run totals")?;
            let rows: Option<i64> = row.try_get("rows_written").ctx("run totals")?;
            let warnings: i64 = row.try_get("warnings").ctx("run totals")?;
            if let Some(r) = runs.iter_mut().find(|r| r.id == id) {
                r.rows += rows.unwrap_or(0);
                r.warnings += warnings;
            }
        }
        Ok(runs)
    }

    /// When the latest full run (the whole graph, not a re-run) was created:
    /// what the schedule's missed-run policy compares with.
    pub async fn last_full_run_created(&self) -> DbResult<Option<i64>> {
        let row = sqlx::query(
            "SELECT created_at FROM pipeline_runs WHERE selection = '[]' AND rerun_of IS NULL \
             ORDER BY created_at DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
        .ctx("last full run")?;
        row.map(|r| r.try_get::<i64, _>("created_at")).transpose().ctx("last full run")
    }

    /// Runs still marked queued or running, oldest first.
    pub async fn unfinished_runs(&self) -> DbResult<Vec<(RunSummary, String)>> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS}, holder FROM pipeline_runs WHERE status IN ('queued', 'running') ORDER BY created_at"
        ))
        .fetch_all(&self.pool)
        .await
        .ctx("unfinished runs")?;
        rows.iter()
            .map(|r| Ok((run_from_row(r)?, r.try_get::<String, _>("holder")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .ctx("unfinished runs")
    }

    /// Marks a run that will never finish (its process died) as failed, with
    /// its unfinished materializations, and says why.
    pub async fn mark_interrupted(&self, id: &str, reason: &str, now: i64) -> DbResult<()> {
        let mut tx = self.begin_write().await.ctx("begin mark interrupted")?;
        sqlx::query(
            "UPDATE pipeline_materializations SET status = 'failed', error = ?, finished_at = ? \
             WHERE run_id = ? AND status IN ('queued', 'running')",
        )
        .bind(reason.to_owned())
        .bind(now)
        .bind(id.to_owned())
        .execute(&mut *tx)
        .await
        .ctx("mark interrupted materializations")?;
        sqlx::query(
            "UPDATE pipeline_runs SET status = 'failed', error = ?, finished_at = ? \
             WHERE id = ? AND status IN ('queued', 'running')",
        )
        .bind(reason.to_owned())
        .bind(now)
        .bind(id.to_owned())
        .execute(&mut *tx)
        .await
        .ctx("mark interrupted run")?;
        tx.commit().await.ctx("commit mark interrupted")?;
        Ok(())
    }

    /// Asks the process running `id` to cancel it (seen by its heartbeat).
    /// False when the run is unknown or already finished.
    pub async fn request_cancel(&self, id: &str) -> DbResult<bool> {
        let r = sqlx::query(
            "UPDATE pipeline_runs SET cancel_requested = 1 WHERE id = ? AND status IN ('queued', 'running')",
        )
        .bind(id.to_owned())
        .execute(&self.pool)
        .await
        .ctx("request cancel")?;
        Ok(r.rows_affected() > 0 || self.cancel_requested(id).await?)
    }

    /// True when someone asked to cancel `id`.
    pub async fn cancel_requested(&self, id: &str) -> DbResult<bool> {
        let row =
            sqlx::query("SELECT cancel_requested FROM pipeline_runs WHERE id = ? AND status IN ('queued', 'running')")
                .bind(id.to_owned())
                .fetch_optional(&self.pool)
                .await
                .ctx("read cancel request")?;
        Ok(match row {
            Some(r) => r.try_get::<i64, _>("cancel_requested").ctx("read cancel request")? != 0,
            None => false,
        })
    }

    // ---- materializations -----------------------------------------------

    /// Marks a materialization running.
    pub async fn start_materialization(
        &self,
        run_id: &str,
        asset: &str,
        partition: &Option<String>,
        now: i64,
    ) -> DbResult<()> {
        sqlx::query(
            "UPDATE pipeline_materializations SET status = 'running', started_at = ? \
             WHERE run_id = ? AND asset = ? AND partition_key = ?",
        )
        .bind(now)
        .bind(run_id.to_owned())
        .bind(asset.to_owned())
        .bind(part_key(partition))
        .execute(&self.pool)
        .await
        .ctx("start materialization")?;
        Ok(())
    }

    /// Closes a materialization with its outcome.
    pub async fn finish_materialization(
        &self,
        run_id: &str,
        asset: &str,
        partition: &Option<String>,
        status: RunStatus,
        outcome: &MaterializationOutcome,
        now: i64,
    ) -> DbResult<()> {
        sqlx::query(
            "UPDATE pipeline_materializations SET status = ?, finished_at = ?, rows_written = ?, \
             bytes_written = ?, warnings = ?, metadata = ?, error = ? \
             WHERE run_id = ? AND asset = ? AND partition_key = ?",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(outcome.rows)
        .bind(outcome.bytes)
        .bind(outcome.warnings)
        .bind(outcome.metadata.clone())
        .bind(outcome.error.clone())
        .bind(run_id.to_owned())
        .bind(asset.to_owned())
        .bind(part_key(partition))
        .execute(&self.pool)
        .await
        .ctx("finish materialization")?;
        Ok(())
    }

    /// The materializations of a run, in the order they were planned to start.
    pub async fn materializations(&self, run_id: &str) -> DbResult<Vec<Materialization>> {
        let rows = sqlx::query(&format!(
            "SELECT {MAT_COLUMNS} FROM pipeline_materializations WHERE run_id = ? \
             ORDER BY started_at IS NULL, started_at, asset, partition_key"
        ))
        .bind(run_id.to_owned())
        .fetch_all(&self.pool)
        .await
        .ctx("read materializations")?;
        rows.iter().map(mat_from_row).collect::<Result<Vec<_>, _>>().ctx("read materializations")
    }

    /// The latest successful materialization of `asset` (any partition when
    /// `partition` is `None`): what its downstream assets read.
    pub async fn last_success(&self, asset: &str, partition: &Option<String>) -> DbResult<Option<Materialization>> {
        let mut sql =
            format!("SELECT {MAT_COLUMNS} FROM pipeline_materializations WHERE asset = ? AND status = 'succeeded'");
        if partition.is_some() {
            sql.push_str(" AND partition_key = ?");
        }
        sql.push_str(" ORDER BY finished_at DESC LIMIT 1");
        let mut q = sqlx::query(&sql).bind(asset.to_owned());
        if let Some(p) = partition {
            q = q.bind(p.clone());
        }
        let row = q.fetch_optional(&self.pool).await.ctx("last success")?;
        row.as_ref().map(mat_from_row).transpose().ctx("last success")
    }

    /// For each of `assets`: its latest finished materialization and the
    /// durations of up to `history` latest ones (oldest first).
    pub async fn asset_overview(
        &self,
        nodes: &[crate::runs::AssetNode],
        history: usize,
    ) -> DbResult<Vec<AssetOverview>> {
        if nodes.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; nodes.len()].join(", ");
        let sql = format!(
            "SELECT {MAT_COLUMNS} FROM ( \
               SELECT {MAT_COLUMNS}, ROW_NUMBER() OVER (PARTITION BY asset ORDER BY finished_at DESC) AS rn \
               FROM pipeline_materializations \
               WHERE asset IN ({marks}) AND finished_at IS NOT NULL AND status <> 'skipped' \
             ) ranked WHERE rn <= ? ORDER BY asset, finished_at DESC"
        );
        let mut q = sqlx::query(&sql);
        for n in nodes {
            q = q.bind(n.name.clone());
        }
        let rows = q.bind(history.max(1) as i64).fetch_all(&self.pool).await.ctx("asset overview")?;
        let mats = rows.iter().map(mat_from_row).collect::<Result<Vec<_>, _>>().ctx("asset overview")?;
        Ok(nodes
            .iter()
            .map(|n| {
                let mine: Vec<&Materialization> = mats.iter().filter(|m| m.asset == n.name).collect();
                AssetOverview {
                    node: n.clone(),
                    last: mine.first().map(|m| (*m).clone()),
                    recent_durations_ms: mine.iter().rev().filter_map(|m| m.duration_ms()).collect(),
                }
            })
            .collect())
    }

    /// Counts of runs by status (for `/metrics`).
    pub async fn run_counts(&self) -> DbResult<Vec<(RunStatus, i64)>> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM pipeline_runs GROUP BY status")
            .fetch_all(&self.pool)
            .await
            .ctx("count runs")?;
        rows.iter()
            .map(|r| Ok((status_of(r, "status")?, r.try_get::<i64, _>("n")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .ctx("count runs")
    }

    /// Materializations per asset and status, with the latest finish time (for `/metrics`).
    pub async fn asset_metrics(&self) -> DbResult<Vec<AssetMetrics>> {
        let rows = sqlx::query(
            "SELECT asset, status, COUNT(*) AS n, MAX(finished_at) AS last_finished \
             FROM pipeline_materializations GROUP BY asset, status ORDER BY asset, status",
        )
        .fetch_all(&self.pool)
        .await
        .ctx("asset metrics")?;
        rows.iter()
            .map(|r| {
                Ok(AssetMetrics {
                    asset: r.try_get("asset")?,
                    status: status_of(r, "status")?,
                    count: r.try_get("n")?,
                    last_finished_at: r.try_get("last_finished")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .ctx("asset metrics")
    }

    // ---- run log ----------------------------------------------------------

    /// Appends lines to a run's log, keeping only its last `keep` lines.
    pub async fn append_log(&self, run_id: &str, lines: &[LogLine], keep: i64) -> DbResult<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await.ctx("begin append log")?;
        for l in lines {
            sqlx::query(
                "INSERT INTO pipeline_run_log (run_id, seq, at_ms, asset, level, message) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(run_id.to_owned())
            .bind(l.seq)
            .bind(l.at)
            .bind(l.asset.clone())
            .bind(l.level.clone())
            .bind(l.message.clone())
            .execute(&mut *tx)
            .await
            .ctx("append log")?;
        }
        if let Some(last) = lines.last() {
            if last.seq > keep {
                sqlx::query("DELETE FROM pipeline_run_log WHERE run_id = ? AND seq <= ?")
                    .bind(run_id.to_owned())
                    .bind(last.seq - keep)
                    .execute(&mut *tx)
                    .await
                    .ctx("trim log")?;
            }
        }
        tx.commit().await.ctx("commit append log")?;
        Ok(())
    }

    /// A run's log lines after `after_seq`, oldest first.
    pub async fn run_log(&self, run_id: &str, after_seq: i64) -> DbResult<Vec<LogLine>> {
        let rows = sqlx::query(
            "SELECT seq, at_ms, asset, level, message FROM pipeline_run_log WHERE run_id = ? AND seq > ? ORDER BY seq",
        )
        .bind(run_id.to_owned())
        .bind(after_seq)
        .fetch_all(&self.pool)
        .await
        .ctx("read run log")?;
        rows.iter()
            .map(|r| {
                Ok(LogLine {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at_ms")?,
                    asset: r.try_get("asset")?,
                    level: r.try_get("level")?,
                    message: opt_text(r, "message")?.unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .ctx("read run log")
    }

    // ---- lease -------------------------------------------------------------

    /// Takes the run lease for `holder` and `run_id` until `now + ttl_ms` when
    /// it is free or expired. Atomic: of two triggers racing (in one process
    /// or two), one wins.
    pub async fn try_acquire_lease(&self, holder: &str, run_id: &str, now: i64, ttl_ms: i64) -> DbResult<bool> {
        let r = sqlx::query(
            "UPDATE pipeline_lease SET holder = ?, run_id = ?, expires_at = ? \
             WHERE name = ? AND (holder IS NULL OR expires_at < ?)",
        )
        .bind(holder.to_owned())
        .bind(run_id.to_owned())
        .bind(now + ttl_ms)
        .bind(LEASE)
        .bind(now)
        .execute(&self.pool)
        .await
        .ctx("acquire lease")?;
        Ok(r.rows_affected() == 1)
    }

    /// Takes the lease from `dead` (a holder known to be gone) for `holder`;
    /// false when `dead` no longer holds it (someone else was quicker).
    pub async fn take_over_lease(
        &self,
        dead: &str,
        holder: &str,
        run_id: &str,
        now: i64,
        ttl_ms: i64,
    ) -> DbResult<bool> {
        let r = sqlx::query(
            "UPDATE pipeline_lease SET holder = ?, run_id = ?, expires_at = ? WHERE name = ? AND holder = ?",
        )
        .bind(holder.to_owned())
        .bind(run_id.to_owned())
        .bind(now + ttl_ms)
        .bind(LEASE)
        .bind(dead.to_owned())
        .execute(&self.pool)
        .await
        .ctx("take over lease")?;
        Ok(r.rows_affected() == 1)
    }

    /// Extends `holder`'s lease; false when it is no longer theirs.
    pub async fn renew_lease(&self, holder: &str, now: i64, ttl_ms: i64) -> DbResult<bool> {
        let r = sqlx::query("UPDATE pipeline_lease SET expires_at = ? WHERE name = ? AND holder = ?")
            .bind(now + ttl_ms)
            .bind(LEASE)
            .bind(holder.to_owned())
            .execute(&self.pool)
            .await
            .ctx("renew lease")?;
        if r.rows_affected() == 1 {
            return Ok(true);
        }
        // MySQL counts changed rows, not matched ones: an unchanged value is 0.
        Ok(self.lease().await?.holder.as_deref() == Some(holder))
    }

    /// Gives the lease back (only if `holder` has it).
    pub async fn release_lease(&self, holder: &str) -> DbResult<()> {
        sqlx::query(
            "UPDATE pipeline_lease SET holder = NULL, run_id = NULL, expires_at = 0 WHERE name = ? AND holder = ?",
        )
        .bind(LEASE)
        .bind(holder.to_owned())
        .execute(&self.pool)
        .await
        .ctx("release lease")?;
        Ok(())
    }

    /// The lease as it stands.
    pub async fn lease(&self) -> DbResult<Lease> {
        let row = sqlx::query("SELECT holder, run_id, expires_at FROM pipeline_lease WHERE name = ?")
            .bind(LEASE)
            .fetch_optional(&self.pool)
            .await
            .ctx("read lease")?;
        match row {
            Some(r) => Ok(Lease {
                holder: r.try_get("holder").ctx("read lease")?,
                run_id: r.try_get("run_id").ctx("read lease")?,
                expires_at: r.try_get("expires_at").ctx("read lease")?,
            }),
            None => Ok(Lease { holder: None, run_id: None, expires_at: 0 }),
        }
    }

    // ---- admin settings ------------------------------------------------------

    /// A stored admin setting.
    pub async fn setting(&self, key: &str) -> DbResult<Option<String>> {
        let row = sqlx::query("SELECT setting_value FROM admin_settings WHERE setting_key = ?")
            .bind(key.to_owned())
            .fetch_optional(&self.pool)
            .await
            .ctx("read setting")?;
        row.map(|r| opt_text(&r, "setting_value").map(Option::unwrap_or_default)).transpose().ctx("read setting")
    }

    /// Stores an admin setting (replacing it).
    pub async fn set_setting(&self, key: &str, value: &str, now: i64) -> DbResult<()> {
        let mut tx = self.begin_write().await.ctx("begin set setting")?;
        sqlx::query("DELETE FROM admin_settings WHERE setting_key = ?")
            .bind(key.to_owned())
            .execute(&mut *tx)
            .await
            .ctx("set setting")?;
        sqlx::query("INSERT INTO admin_settings (setting_key, setting_value, updated_at) VALUES (?, ?, ?)")
            .bind(key.to_owned())
            .bind(value.to_owned())
            .bind(now)
            .execute(&mut *tx)
            .await
            .ctx("set setting")?;
        tx.commit().await.ctx("commit set setting")?;
        Ok(())
    }
}
