//! The Ballista processes, started from Marquee's own binary (`marquee
//! cluster scheduler`, `marquee cluster executor`): a worker needs nothing
//! installed but that binary and the asset store's address, as the old
//! team's computers joined the Spark master.
//!
//! Every process registers the same things a job's client does (a UDF
//! missing anywhere fails the job, see `shared/docs/ballista.md`):
//! - every Marquee UDF ([`crate::bulk::register_functions`]);
//! - the asset store under [`DATAFUSION_STORE_URL`], so the plans' `marquee://`
//!   paths resolve on every machine (a local directory for one machine, S3
//!   for several).
//!
//! Failure detection is tightened from Ballista's defaults (a 60 s
//! heartbeat, a 180 s timeout): executors beat every 5 s and are declared
//! dead after 15 s, so a killed executor's tasks are re-run within ~30 s.

use std::net::SocketAddr;
use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::utils::default_session_builder;
use ballista_core::RuntimeProducer;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};
use url::Url;

use crate::store::{AssetStore, DATAFUSION_STORE_URL};
use crate::{PipelineError, Result};

/// Seconds between an executor's heartbeats.
pub const HEARTBEAT_SECONDS: u64 = 5;
/// Seconds without a heartbeat after which the scheduler declares an executor dead.
pub const EXECUTOR_TIMEOUT_SECONDS: u64 = 15;

/// How to run a scheduler.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Where it listens (gRPC and its REST API share the port).
    pub bind: SocketAddr,
    /// The host name executors and clients use to reach it.
    pub external_host: Option<String>,
    pub store: AssetStore,
}

/// How to run an executor.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler's `host:port`.
    pub scheduler_host: String,
    pub scheduler_port: u16,
    /// The address its two services bind to.
    pub bind_host: String,
    /// The host name other executors use to fetch its shuffle output.
    pub external_host: Option<String>,
    /// Arrow Flight (shuffle data) and gRPC ports: distinct for each executor on one host.
    pub flight_port: u16,
    pub grpc_port: u16,
    /// Tasks run at once (0: the number of cores).
    pub vcores: usize,
    /// Memory pool in bytes, shared by its tasks (sorts and joins spill beyond it);
    /// `None`: a share of the machine's memory.
    pub memory_pool: Option<u64>,
    /// Shuffle files and spills (a temporary directory when `None`).
    pub work_dir: Option<String>,
    pub store: AssetStore,
}

fn store_url() -> Result<Url> {
    Url::parse(DATAFUSION_STORE_URL)
        .map_err(|e| PipelineError::StoreConfig { url: DATAFUSION_STORE_URL.into(), reason: e.to_string() })
}

fn cluster_error(address: impl Into<String>, reason: impl std::fmt::Display) -> PipelineError {
    PipelineError::Cluster { scheduler: address.into(), reason: reason.to_string() }
}

/// Runs a scheduler until the process stops.
pub async fn run_scheduler(options: SchedulerOptions) -> Result<()> {
    let address = options.bind.to_string();
    let url = store_url()?;
    let store = options.store.clone();
    let mut config = SchedulerConfig {
        bind_host: options.bind.ip().to_string(),
        bind_port: options.bind.port(),
        external_host: options.external_host.clone().unwrap_or_else(|| options.bind.ip().to_string()),
        executor_timeout_seconds: EXECUTOR_TIMEOUT_SECONDS,
        expire_dead_executor_interval_seconds: HEARTBEAT_SECONDS,
        no_executors_grace_period_seconds: EXECUTOR_TIMEOUT_SECONDS,
        ..SchedulerConfig::default()
    };
    config = config.with_override_session_builder(Arc::new(move |session_config: SessionConfig| {
        // Ballista's own session (its optimizer rules and functions), plus ours.
        let ctx = SessionContext::new_with_state(default_session_builder(session_config)?);
        ctx.register_object_store(&url, store.object_store());
        crate::bulk::register_functions(&ctx);
        Ok(ctx.state())
    }));
    let cluster = BallistaCluster::new_from_config(&config).await.map_err(|e| cluster_error(&address, e))?;
    tracing::info!(%address, store = %options.store.url, "Ballista scheduler starting");
    start_server(cluster, options.bind, Arc::new(config)).await.map_err(|e| cluster_error(&address, e))
}

/// Every Marquee UDF with DataFusion's and Ballista's own, for an executor.
pub fn function_registry() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    let ctx = SessionContext::new();
    crate::bulk::register_functions(&ctx);
    let state = ctx.state();
    for (name, udf) in state.scalar_functions() {
        registry.scalar_functions.entry(name.clone()).or_insert_with(|| udf.clone());
    }
    registry
}

/// Runs an executor until the process stops (or the scheduler tells it to).
pub async fn run_executor(options: ExecutorOptions) -> Result<()> {
    let scheduler = format!("{}:{}", options.scheduler_host, options.scheduler_port);
    let url = store_url()?;
    let store = options.store.clone();
    let work_dir = options.work_dir.clone();
    let runtime: RuntimeProducer = Arc::new(move |_config: &SessionConfig| {
        let mut builder = RuntimeEnvBuilder::new();
        if let Some(dir) = &work_dir {
            builder = builder.with_temp_file_path(dir.clone());
        }
        let runtime: RuntimeEnv = builder.build()?;
        runtime.register_object_store(&url, store.object_store());
        Ok(Arc::new(runtime))
    });
    let config = ExecutorProcessConfig {
        bind_host: options.bind_host.clone(),
        external_host: options.external_host.clone().or_else(|| Some(options.bind_host.clone())),
        port: options.flight_port,
        grpc_port: options.grpc_port,
        scheduler_host: options.scheduler_host.clone(),
        scheduler_port: options.scheduler_port,
        // Keep trying while the scheduler starts (a compose file starts both at once).
        scheduler_connect_timeout_seconds: 30,
        vcores: options.vcores,
        work_dir: options.work_dir.clone(),
        print_thread_info: false,
        executor_heartbeat_interval_seconds: HEARTBEAT_SECONDS,
        memory_pool_size: options.memory_pool,
        override_function_registry: Some(Arc::new(function_registry())),
        override_runtime_producer: Some(runtime),
        ..ExecutorProcessConfig::default()
    };
    tracing::info!(
        %scheduler, flight_port = options.flight_port, grpc_port = options.grpc_port, store = %options.store.url,
        "Ballista executor starting"
    );
    start_executor_process(Arc::new(config)).await.map_err(|e| cluster_error(scheduler, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executors_know_every_marquee_function() {
        let registry = function_registry();
        for name in ["mq_imdb_basics", "mq_imdb_principals", "mq_names_by_position", "mq_title_key", "mq_year"] {
            assert!(registry.scalar_functions.contains_key(name), "{name}");
        }
        // DataFusion's own are still there.
        assert!(registry.scalar_functions.contains_key("array_to_string"));
        assert!(registry.aggregate_functions.contains_key("string_agg"));
    }
}
