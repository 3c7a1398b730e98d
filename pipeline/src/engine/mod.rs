//! Where the pipeline's DataFusion plans run: embedded in this process (the
//! default) or on an Apache Ballista cluster (`ballista://host:port`), as the
//! old project ran its cleaning on a Spark cluster.
//!
//! A job builds its [`SessionState`] (config, memory pool, spill directory)
//! and asks its [`Engine`] for a context; the plans it then builds are the
//! same on either. On a cluster:
//! - the scheduler must answer before anything is planned, or the job fails
//!   naming its address ([`PipelineError::Cluster`]): there is no silent
//!   fallback to the embedded engine;
//! - each job has a deadline ([`Engine::within_deadline`]): Ballista can
//!   hang when an executor dies at the wrong moment (`shared/docs/ballista.md`),
//!   so a job past it is cancelled on the scheduler and fails cleanly;
//! - the processes are started from our own binary ([`cluster`]), so every
//!   Marquee UDF and the asset store are registered on the scheduler and on
//!   each executor.

pub mod cluster;
mod scheduler_api;

use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use ballista_core::extension::SessionStateExt;
use datafusion::execution::SessionState;
use datafusion::prelude::SessionContext;

use crate::store::AssetStore;
use crate::{PipelineError, Result};

/// How long a cluster job may run before it is cancelled and failed.
pub const DEFAULT_JOB_DEADLINE: Duration = Duration::from_secs(60 * 60);
/// How long the scheduler has to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A Ballista scheduler's address and how jobs run on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterEngine {
    pub host: String,
    pub port: u16,
    /// A job running longer is cancelled and its run fails.
    pub deadline: Duration,
}

impl ClusterEngine {
    /// `host:port` (`[v6]:port` for an IPv6 address).
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn error(&self, reason: impl Into<String>) -> PipelineError {
        PipelineError::Cluster { scheduler: self.address(), reason: reason.into() }
    }
}

/// Where DataFusion plans run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Engine {
    /// In this process.
    #[default]
    Embedded,
    /// On the Ballista cluster whose scheduler is at this address.
    Ballista(ClusterEngine),
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Engine::Embedded => f.write_str("embedded"),
            Engine::Ballista(c) => write!(f, "ballista://{}", c.address()),
        }
    }
}

impl FromStr for Engine {
    type Err = String;

    /// `embedded`, or `ballista://HOST:PORT` (`df://HOST:PORT`, Ballista's own
    /// spelling, is accepted too).
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("embedded") {
            return Ok(Engine::Embedded);
        }
        let rest = s
            .strip_prefix("ballista://")
            .or_else(|| s.strip_prefix("df://"))
            .ok_or("expected `embedded` or `ballista://HOST:PORT`")?
            .trim_end_matches('/');
        let (host, port) = rest.rsplit_once(':').ok_or("no port: expected `ballista://HOST:PORT`")?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(['/', '@', '?', ' ']) {
            return Err(format!("`{host}` is not a host name"));
        }
        let port: u16 = port.parse().map_err(|_| format!("`{port}` is not a port"))?;
        if port == 0 {
            return Err("port 0 is not a scheduler's port".into());
        }
        Ok(Engine::Ballista(ClusterEngine { host: host.to_owned(), port, deadline: DEFAULT_JOB_DEADLINE }))
    }
}

/// Which engine ran a job, for reports and the admin page.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EngineRun {
    /// `embedded` or `ballista://host:port`.
    pub engine: String,
    /// On a cluster: the executors registered with the scheduler when the job
    /// ended (Ballista does not report which executor ran each task).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executors: Option<u32>,
}

impl Engine {
    /// Sets a cluster job's deadline (no effect embedded).
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        if let Engine::Ballista(c) = &mut self {
            c.deadline = deadline;
        }
        self
    }

    /// A context over `state` that runs its plans on this engine. On a
    /// cluster, fails when the scheduler does not accept a connection.
    pub async fn session(&self, state: SessionState) -> Result<SessionContext> {
        match self {
            Engine::Embedded => Ok(SessionContext::new_with_state(state)),
            Engine::Ballista(c) => {
                let address = c.address();
                match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(&address)).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return Err(c.error(format!("cannot connect to the scheduler: {e}"))),
                    Err(_) => return Err(c.error(format!("the scheduler did not answer within {CONNECT_TIMEOUT:?}"))),
                }
                let mut state = state
                    .upgrade_for_ballista(format!("http://{address}"))
                    .map_err(|e| c.error(format!("cannot set up a cluster session: {e}")))?;
                let options = state.config_mut().options_mut();
                options
                    .set(ballista_core::config::BALLISTA_JOB_NAME, &job_name())
                    .map_err(|e| c.error(format!("cannot name the session's jobs: {e}")))?;
                // Ballista 55's adaptive planner re-plans some of the cleaning
                // job's queries without end (its log: "stages to be cancelled
                // but its not implemented"); the static planner runs them.
                options
                    .set(ballista_core::config::BALLISTA_ADAPTIVE_PLANNER_ENABLED, "false")
                    .map_err(|e| c.error(format!("cannot configure the session: {e}")))?;
                Ok(SessionContext::new_with_state(state))
            }
        }
    }

    /// Runs `job` (every plan of which runs on a context from
    /// [`Engine::session`]); on a cluster, cancels `ctx`'s jobs and fails
    /// when the deadline passes.
    pub async fn within_deadline<T>(&self, ctx: &SessionContext, job: impl Future<Output = Result<T>>) -> Result<T> {
        let Engine::Ballista(c) = self else { return job.await };
        match tokio::time::timeout(c.deadline, job).await {
            Ok(result) => result.map_err(|e| match e {
                PipelineError::DataFusion { job, source } => {
                    c.error(format!("cleaning job `{job}` failed on the cluster: {source}"))
                }
                other => other,
            }),
            Err(_) => {
                let name = session_job_name(ctx);
                let cancelled = match &name {
                    Some(name) => scheduler_api::cancel_jobs_named(c, name).await.unwrap_or_default(),
                    None => 0,
                };
                Err(c.error(format!(
                    "the job did not finish within {:?} (an executor may have died; {cancelled} job(s) cancelled \
                     on the scheduler); nothing was published",
                    c.deadline
                )))
            }
        }
    }

    /// Runs `job` (whose output is `output_key`) within the deadline and says
    /// where it ran; on failure removes `output_key`, a partial write, so
    /// nothing is published.
    pub async fn run_job<T>(
        &self,
        ctx: &SessionContext,
        store: &AssetStore,
        output_key: &str,
        job: impl Future<Output = Result<T>>,
    ) -> Result<(T, EngineRun)> {
        match self.within_deadline(ctx, job).await {
            Ok(value) => Ok((value, self.run_info().await)),
            Err(e) => {
                store.delete_if_exists(output_key).await;
                Err(e)
            }
        }
    }

    /// What to record of this engine after a job ran on it.
    pub async fn run_info(&self) -> EngineRun {
        match self {
            Engine::Embedded => EngineRun { engine: self.to_string(), executors: None },
            Engine::Ballista(c) => {
                let executors = scheduler_api::executor_count(c).await.map_err(|e| tracing::warn!(%e)).ok();
                EngineRun { engine: self.to_string(), executors }
            }
        }
    }

    /// The executors registered with the scheduler (`None` embedded).
    pub async fn executors(&self) -> Result<Option<u32>> {
        match self {
            Engine::Embedded => Ok(None),
            Engine::Ballista(c) => scheduler_api::executor_count(c).await.map(Some),
        }
    }
}

/// A name unique to one session, so its jobs can be found on the scheduler.
fn job_name() -> String {
    let mut bytes = [0u8; 6];
    let _ = getrandom::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("marquee-{hex}")
}

fn session_job_name(ctx: &SessionContext) -> Option<String> {
    let state = ctx.state();
    let entries = state.config().options().entries();
    entries.into_iter().find(|e| e.key == ballista_core::config::BALLISTA_JOB_NAME).and_then(|e| e.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_engines() {
        assert_eq!("embedded".parse::<Engine>(), Ok(Engine::Embedded));
        assert_eq!(" Embedded ".parse::<Engine>(), Ok(Engine::Embedded));
        let Ok(Engine::Ballista(c)) = "ballista://10.0.0.5:50050".parse::<Engine>() else { panic!("not parsed") };
        assert_eq!((c.host.as_str(), c.port, c.deadline), ("10.0.0.5", 50050, DEFAULT_JOB_DEADLINE));
        assert_eq!("df://sched:7/".parse::<Engine>().map(|e| e.to_string()), Ok("ballista://sched:7".into()));
        assert_eq!(
            "ballista://[::1]:50050".parse::<Engine>().map(|e| e.to_string()),
            Ok("ballista://[::1]:50050".into())
        );
    }

    #[test]
    fn rejects_what_is_not_an_engine() {
        for bad in [
            "",
            "spark://x:1",
            "ballista://host",
            "ballista://:50050",
            "ballista://h:0",
            "ballista://h:99999",
            "ballista://u@h:1",
        ] {
            assert!(bad.parse::<Engine>().is_err(), "{bad}");
        }
    }

    #[test]
    fn deadline_applies_to_clusters_only() {
        let d = Duration::from_secs(5);
        assert_eq!(Engine::Embedded.with_deadline(d), Engine::Embedded);
        let Engine::Ballista(c) = "ballista://h:1".parse::<Engine>().unwrap().with_deadline(d) else { panic!() };
        assert_eq!(c.deadline, d);
    }

    #[tokio::test]
    async fn an_unreachable_scheduler_fails_naming_its_address() {
        // A port nothing listens on: bind one, then free it.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let engine: Engine = format!("ballista://127.0.0.1:{port}").parse().unwrap();
        let Err(err) = engine.session(SessionContext::new().state()).await else { panic!("no scheduler is there") };
        let err = err.to_string();
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
        assert!(err.contains("cannot connect"), "{err}");
        assert!(err.contains("not fall back"), "{err}");
    }
}
