//! The admin pages' server functions: read-only views of the runs table
//! (GET, under `/api/admin/`, which the server's guard refuses without a
//! session), and the login form's CSRF token (under `/api/login/`).
//!
//! State-changing actions (trigger, cancel, re-run, login, logout) are plain
//! HTML form posts to the server's `/admin/...` handlers, which check the
//! session's CSRF token and the request's origin.

use catalog::runs::{AssetNode, AssetOverview, LogLine, Materialization, RunSummary};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// `/admin`: the assets, the schedule, the latest runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewData {
    pub user: String,
    pub csrf: String,
    pub now: i64,
    pub assets: Vec<AssetOverview>,
    pub schedule: String,
    pub next_run: Option<i64>,
    pub running: Option<RunSummary>,
    pub recent: Vec<RunSummary>,
}

/// `/admin/runs`: the run history, filtered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunsData {
    pub csrf: String,
    pub now: i64,
    pub runs: Vec<RunSummary>,
    pub assets: Vec<String>,
}

/// `/admin/runs/:id`: one run, its materializations and its log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunData {
    pub csrf: String,
    pub now: i64,
    pub run: RunSummary,
    pub materializations: Vec<Materialization>,
    pub log: Vec<LogLine>,
    pub nodes: Vec<AssetNode>,
}

/// `/admin/login`: the form's token, and whether a password is set at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginData {
    pub csrf: String,
    pub configured: bool,
    pub signed_in: bool,
}

#[cfg(feature = "ssr")]
mod server {
    use leptos::prelude::*;

    use crate::ssr::admin::{AdminInfo, AdminSession};

    /// The request's admin session, signed in, else a 401.
    pub fn require_admin() -> Result<(String, String), ServerFnError> {
        let session = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<AdminSession>().cloned());
        match session {
            Some(AdminSession { user: Some(user), csrf }) => Ok((user, csrf)),
            _ => {
                if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                    resp.set_status(http::StatusCode::UNAUTHORIZED);
                }
                Err(ServerFnError::new("Sign in as the admin first."))
            }
        }
    }

    pub fn session() -> Option<AdminSession> {
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<AdminSession>().cloned())
    }

    pub fn info() -> Result<AdminInfo, ServerFnError> {
        use_context::<AdminInfo>().ok_or_else(|| ServerFnError::new("the orchestrator is not configured"))
    }

    pub fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default()
    }
}

/// The admin overview.
#[server(prefix = "/api/admin", endpoint = "overview", input = GetUrl, output = crate::api::codec::Json)]
pub async fn admin_overview() -> Result<OverviewData, ServerFnError> {
    use catalog::runs::{RunFilter, RunStatus};
    let (user, csrf) = server::require_admin()?;
    let info = server::info()?;
    let catalog = super::catalog()?;
    let assets = catalog.asset_overview(&info.nodes, 20).await.map_err(|e| super::unavailable("asset overview", e))?;
    let running = catalog
        .runs(&RunFilter { status: Some(RunStatus::Running), limit: 1, ..Default::default() })
        .await
        .map_err(|e| super::unavailable("running run", e))?
        .into_iter()
        .next();
    let recent = catalog
        .runs(&RunFilter { limit: 8, ..Default::default() })
        .await
        .map_err(|e| super::unavailable("recent runs", e))?;
    Ok(OverviewData {
        user,
        csrf,
        now: server::now(),
        assets,
        schedule: info.schedule.clone(),
        next_run: info.next_run(),
        running,
        recent,
    })
}

/// The run history; unknown filter values are ignored.
#[server(prefix = "/api/admin", endpoint = "runs", input = GetUrl, output = crate::api::codec::Json)]
pub async fn admin_runs(
    status: Option<String>,
    asset: Option<String>,
    trigger: Option<String>,
) -> Result<RunsData, ServerFnError> {
    use catalog::runs::{RunFilter, RunStatus, Trigger};
    let (_, csrf) = server::require_admin()?;
    let info = server::info()?;
    let names: Vec<String> = info.nodes.iter().map(|n| n.name.clone()).collect();
    let filter = RunFilter {
        status: status.as_deref().and_then(RunStatus::parse),
        asset: asset.filter(|a| names.contains(a)),
        trigger: trigger.as_deref().and_then(Trigger::parse),
        limit: 100,
    };
    let runs = super::catalog()?.runs(&filter).await.map_err(|e| super::unavailable("runs", e))?;
    Ok(RunsData { csrf, now: server::now(), runs, assets: names })
}

/// One run, or `None` for an unknown id.
#[server(prefix = "/api/admin", endpoint = "run", input = GetUrl, output = crate::api::codec::Json)]
pub async fn admin_run(id: String) -> Result<Option<RunData>, ServerFnError> {
    let (_, csrf) = server::require_admin()?;
    let info = server::info()?;
    let catalog = super::catalog()?;
    let id = id.trim();
    if id.is_empty() || id.len() > 40 {
        return Ok(None);
    }
    let Some(run) = catalog.run(id).await.map_err(|e| super::unavailable("run", e))? else { return Ok(None) };
    let materializations = catalog.materializations(id).await.map_err(|e| super::unavailable("materializations", e))?;
    let log = catalog.run_log(id, 0).await.map_err(|e| super::unavailable("run log", e))?;
    Ok(Some(RunData { csrf, now: server::now(), run, materializations, log, nodes: info.nodes.clone() }))
}

/// The login form's CSRF token (the server's guard gives every visitor of
/// the login page an anonymous session for it).
#[server(prefix = "/api/login", endpoint = "form", input = GetUrl, output = crate::api::codec::Json)]
pub async fn login_form() -> Result<LoginData, ServerFnError> {
    let session = server::session().ok_or_else(|| ServerFnError::new("No session: reload the page."))?;
    let info = server::info()?;
    let configured = info.password_from_config
        || super::catalog()?
            .setting(catalog::db::ADMIN_PASSWORD_SETTING)
            .await
            .map_err(|e| super::unavailable("admin settings", e))?
            .is_some();
    Ok(LoginData { csrf: session.csrf, configured, signed_in: session.user.is_some() })
}
