//! `marquee cluster scheduler` and `marquee cluster executor`: the Ballista
//! processes of the pipeline's cluster engine, from this one binary (so our
//! UDFs and the asset store are registered on every process). They read no
//! site configuration: a worker machine needs the binary, the scheduler's
//! address and the object store's (`--store`, or `MARQUEE_OBJECT_STORE`
//! and `MARQUEE_S3_*` for S3).

use std::net::SocketAddr;

use anyhow::Context;
use clap::{Args, Subcommand};
use pipeline::engine::cluster::{run_executor, run_scheduler, ExecutorOptions, SchedulerOptions};
use pipeline::store::{AssetStore, S3Options};

#[derive(Subcommand)]
pub enum ClusterCommand {
    /// Run a Ballista scheduler (clients use `MARQUEE_ENGINE=ballista://HOST:PORT`).
    Scheduler {
        /// Where it listens (gRPC; its REST API is on the same port).
        #[arg(long, default_value = "127.0.0.1:50050")]
        bind: SocketAddr,
        /// The host name executors and clients reach it by (default: the bind address).
        #[arg(long)]
        external_host: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Run a Ballista executor that takes tasks from a scheduler.
    Executor {
        /// The scheduler, `HOST:PORT`.
        #[arg(long)]
        scheduler: String,
        /// The address its services bind to.
        #[arg(long, default_value = "127.0.0.1")]
        bind_host: String,
        /// The host name other executors fetch its shuffle output from (default: the bind address).
        #[arg(long)]
        external_host: Option<String>,
        /// Arrow Flight port (shuffle data); each executor on one host needs its own.
        #[arg(long, default_value_t = 50051)]
        flight_port: u16,
        /// gRPC port; each executor on one host needs its own.
        #[arg(long, default_value_t = 50052)]
        grpc_port: u16,
        /// Tasks at once (0: one per core).
        #[arg(long, default_value_t = 0)]
        vcores: usize,
        /// Memory for its tasks, e.g. `2G` (sorts and joins spill to disk beyond it;
        /// default: a share of the machine's memory).
        #[arg(long, value_parser = parse_bytes)]
        memory_pool: Option<u64>,
        /// Shuffle files and spills (default: a temporary directory).
        #[arg(long)]
        work_dir: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// The asset store every process of the cluster must share.
#[derive(Args)]
pub struct StoreArgs {
    /// The object store: a directory, `file:///…` or `s3://bucket/prefix`.
    #[arg(long = "store", env = "MARQUEE_OBJECT_STORE", default_value = "data/objects")]
    location: String,
    #[arg(long, env = "MARQUEE_S3_ENDPOINT", hide = true)]
    s3_endpoint: Option<String>,
    #[arg(long, env = "MARQUEE_S3_REGION", hide = true)]
    s3_region: Option<String>,
    #[arg(long, env = "MARQUEE_S3_ACCESS_KEY_ID", hide = true)]
    s3_access_key_id: Option<String>,
    #[arg(long, env = "MARQUEE_S3_SECRET_ACCESS_KEY", hide = true, hide_env_values = true)]
    s3_secret_access_key: Option<String>,
}

impl StoreArgs {
    fn open(&self) -> anyhow::Result<AssetStore> {
        let s3 = S3Options {
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            access_key_id: self.s3_access_key_id.clone(),
            secret_access_key: self.s3_secret_access_key.clone(),
        };
        AssetStore::open_with(&self.location, &s3)
            .with_context(|| format!("opening the object store {}", self.location))
    }
}

/// `2G`, `512M`, `64k` or a number of bytes.
fn parse_bytes(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'k' | 'K')) => (&s[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&s[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    let v: f64 = num.parse().map_err(|_| format!("`{s}` is not a size like 2G or 512M"))?;
    if !(v.is_finite() && v > 0.0) {
        return Err(format!("`{s}` is not a size above 0"));
    }
    Ok((v * mult as f64) as u64)
}

/// Runs a cluster process until it stops. Ballista plans recurse deeply:
/// its own binaries give their threads 32 MiB stacks, and so do we.
pub fn run(command: ClusterCommand) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 << 20)
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        match command {
            ClusterCommand::Scheduler { bind, external_host, store } => {
                run_scheduler(SchedulerOptions { bind, external_host, store: store.open()? }).await?
            }
            ClusterCommand::Executor {
                scheduler,
                bind_host,
                external_host,
                flight_port,
                grpc_port,
                vcores,
                memory_pool,
                work_dir,
                store,
            } => {
                let (host, port) = scheduler
                    .rsplit_once(':')
                    .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
                    .with_context(|| format!("--scheduler `{scheduler}`: expected HOST:PORT"))?;
                if flight_port == grpc_port {
                    anyhow::bail!("--flight-port and --grpc-port must differ (both are {flight_port})");
                }
                run_executor(ExecutorOptions {
                    scheduler_host: host,
                    scheduler_port: port,
                    bind_host,
                    external_host,
                    flight_port,
                    grpc_port,
                    vcores,
                    memory_pool,
                    work_dir,
                    store: store.open()?,
                })
                .await?
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("2G"), Ok(2 << 30));
        assert_eq!(parse_bytes("512m"), Ok(512 << 20));
        assert_eq!(parse_bytes("1.5k"), Ok(1536));
        assert_eq!(parse_bytes("100"), Ok(100));
        for bad in ["", "G", "-1G", "0", "twoG", "NaNG"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }
}
