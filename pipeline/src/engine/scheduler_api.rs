//! The few calls the pipeline makes to a Ballista scheduler's REST API
//! (served on its gRPC port): how many executors it has, and cancelling a
//! session's jobs when their deadline passes.

use std::time::Duration;

use super::ClusterEngine;
use crate::Result;

const TIMEOUT: Duration = Duration::from_secs(5);

fn client(c: &ClusterEngine) -> Result<reqwest::Client> {
    reqwest::Client::builder().timeout(TIMEOUT).build().map_err(|e| c.error(format!("HTTP client: {e}")))
}

async fn get_json(c: &ClusterEngine, path: &str) -> Result<serde_json::Value> {
    let url = format!("http://{}{path}", c.address());
    let response = client(c)?.get(&url).send().await.map_err(|e| c.error(format!("GET {path}: {e}")))?;
    if !response.status().is_success() {
        return Err(c.error(format!("GET {path}: HTTP {}", response.status())));
    }
    let body = response.text().await.map_err(|e| c.error(format!("GET {path}: {e}")))?;
    serde_json::from_str(&body).map_err(|e| c.error(format!("GET {path}: not JSON: {e}")))
}

/// The executors registered with the scheduler.
pub(super) async fn executor_count(c: &ClusterEngine) -> Result<u32> {
    let executors = get_json(c, "/api/executors").await?;
    let n = executors.as_array().ok_or_else(|| c.error("GET /api/executors: not a list"))?.len();
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Cancels the queued and running jobs named `name`; returns how many.
pub(super) async fn cancel_jobs_named(c: &ClusterEngine, name: &str) -> Result<u32> {
    let jobs = get_json(c, "/api/jobs").await?;
    let http = client(c)?;
    let mut cancelled = 0;
    for job in jobs.as_array().into_iter().flatten() {
        let field = |k: &str| job.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        if field("job_name") != name || !matches!(field("status"), "Queued" | "Running") {
            continue;
        }
        let url = format!("http://{}/api/job/{}", c.address(), field("job_id"));
        match http.patch(&url).send().await {
            Ok(r) if r.status().is_success() => cancelled += 1,
            Ok(r) => tracing::warn!(job = field("job_id"), status = %r.status(), "cancelling a cluster job failed"),
            Err(e) => tracing::warn!(job = field("job_id"), %e, "cancelling a cluster job failed"),
        }
    }
    Ok(cancelled)
}
