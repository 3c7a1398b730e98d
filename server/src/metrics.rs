//! `GET /metrics`: Prometheus text exposition, read from the runs tables
//! (the same rows the admin page and the CLI show) and the live index.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use catalog::runs::RunStatus;

use crate::startup::AppState;

/// Escapes a label value (`\`, `"` and newlines).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let catalog = &state.catalog;
    let (runs, assets, lease) = match (catalog.run_counts().await, catalog.asset_metrics().await, catalog.lease().await)
    {
        (Ok(r), Ok(a), Ok(l)) => (r, a, l),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            tracing::error!(error = %e, "reading metrics failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable\n").into_response();
        }
    };
    let durations = catalog.asset_overview(&state.admin.orchestrator.nodes(), 1).await.unwrap_or_default();
    let mut out = String::new();
    out.push_str("# HELP marquee_pipeline_runs Pipeline runs recorded, by status.\n");
    out.push_str("# TYPE marquee_pipeline_runs gauge\n");
    for s in [RunStatus::Queued, RunStatus::Running, RunStatus::Succeeded, RunStatus::Failed, RunStatus::Cancelled] {
        let n = runs.iter().find(|(st, _)| *st == s).map_or(0, |(_, n)| *n);
        out.push_str(&format!("marquee_pipeline_runs{{status=\"{s}\"}} {n}\n"));
    }
    out.push_str("# HELP marquee_asset_materializations Materializations recorded, by asset and status.\n");
    out.push_str("# TYPE marquee_asset_materializations gauge\n");
    for a in &assets {
        out.push_str(&format!(
            "marquee_asset_materializations{{asset=\"{}\",status=\"{}\"}} {}\n",
            label(&a.asset),
            a.status,
            a.count
        ));
    }
    out.push_str(
        "# HELP marquee_asset_last_success_timestamp_seconds When each asset last materialized successfully.\n",
    );
    out.push_str("# TYPE marquee_asset_last_success_timestamp_seconds gauge\n");
    for a in assets.iter().filter(|a| a.status == RunStatus::Succeeded) {
        if let Some(t) = a.last_finished_at {
            out.push_str(&format!(
                "marquee_asset_last_success_timestamp_seconds{{asset=\"{}\"}} {:.3}\n",
                label(&a.asset),
                t as f64 / 1000.0
            ));
        }
    }
    out.push_str("# HELP marquee_asset_last_duration_seconds How long each asset's latest materialization took.\n");
    out.push_str("# TYPE marquee_asset_last_duration_seconds gauge\n");
    for o in &durations {
        if let Some(ms) = o.last.as_ref().and_then(|m| m.duration_ms()) {
            out.push_str(&format!(
                "marquee_asset_last_duration_seconds{{asset=\"{}\",status=\"{}\"}} {:.3}\n",
                label(&o.node.name),
                o.last.as_ref().map(|m| m.status.as_str()).unwrap_or_default(),
                ms as f64 / 1000.0
            ));
        }
    }
    let held = lease.holder.is_some() && lease.expires_at >= pipeline::orchestrate::now_ms();
    out.push_str("# HELP marquee_pipeline_lease_held 1 while a process holds the run lease.\n");
    out.push_str("# TYPE marquee_pipeline_lease_held gauge\n");
    out.push_str(&format!("marquee_pipeline_lease_held {}\n", u8::from(held)));
    out.push_str("# HELP marquee_search_index_documents Documents in the live search index.\n");
    out.push_str("# TYPE marquee_search_index_documents gauge\n");
    out.push_str(&format!("marquee_search_index_documents {}\n", state.index.current().map_or(0, |i| i.len())));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response()
}
