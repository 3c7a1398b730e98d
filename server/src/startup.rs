//! Builds the application so that `main` and the tests start the very same
//! server: connect and migrate the database, load the catalog when empty (in
//! the background), mount the Leptos routes, static files and health routes.

use std::net::SocketAddr;

use anyhow::Context;
use app::{shell, App};
use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;
use catalog::db::Catalog;
use catalog::runs::Trigger;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{file_and_error_handler, generate_route_list, LeptosRoutes};
use pipeline::orchestrate::assets::{DATABASE, OFFLINE_ASSETS, PRETRAINED_REVIEWS};
use pipeline::orchestrate::{Orchestrator, Registry, RunRequest, Selection, TriggerError};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use app::ssr::admin::AdminInfo;
use app::ssr::live_index::LiveIndex;

use crate::admin::Admin;
use crate::config::Config;
use crate::indexing;
use crate::orchestration::{self, NextRun};
use crate::page_cache::PageCache;
use crate::rate_limit::RateLimiter;
use crate::sentiment::{self, LiveSentiment};
use crate::status::{CatalogLoad, Status};

/// State shared by the non-Leptos routes.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub catalog: Catalog,
    pub status: Status,
    pub index: LiveIndex,
    pub admin: Admin,
    pub admin_info: AdminInfo,
    pub sentiment: LiveSentiment,
    pub sentiment_limiter: RateLimiter,
    /// Per client on `/api/search` (`MARQUEE_SEARCH_RATE_LIMIT`); `None` when off.
    pub search_limiter: Option<RateLimiter>,
}

/// A bound, not yet serving, application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pub addr: SocketAddr,
    pub catalog: Catalog,
    pub status: Status,
    pub index: LiveIndex,
    pub orchestrator: Orchestrator,
    shutdown: CancellationToken,
}

/// Connects, migrates, binds `config.site_addr` and prepares the router. When
/// the catalog is empty and a source is configured, a `startup` run loads it.
pub async fn build(config: &Config) -> anyhow::Result<Application> {
    build_with(config, Registry::new()).await
}

/// Like [`build`], with `extra` assets added to the graph (tests use it to
/// register slow or failing assets).
pub async fn build_with(config: &Config, extra: Registry) -> anyhow::Result<Application> {
    let catalog = Catalog::connect_and_migrate(&config.database_url).await.context("preparing the database")?;
    let store = config.open_store().context("opening the object store (MARQUEE_OBJECT_STORE)")?;
    let media_store = store.clone();
    let status = Status::default();

    let mut conf = leptos::config::get_configuration(Some(&config.leptos_config.display().to_string()))
        .with_context(|| format!("reading {}", config.leptos_config.display()))?;
    conf.leptos_options.site_addr = config.site_addr;
    let leptos_options = conf.leptos_options;

    let listener = TcpListener::bind(config.site_addr)
        .await
        .with_context(|| format!("binding LEPTOS_SITE_ADDR {}", config.site_addr))?;
    let addr = listener.local_addr()?;

    let index = LiveIndex::default();
    let index_path = indexing::index_path(&config.data_dir);
    let movies = catalog.movie_count().await.context("counting movies")?;
    let saved = match indexing::load_saved(&index_path) {
        Ok(Some(i)) if i.len() as i64 == movies => Some(i),
        Ok(Some(i)) => {
            tracing::warn!(index_docs = i.len(), movies, "the saved index is stale: rebuilding it");
            None
        }
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "the saved search index is unusable: rebuilding it");
            status.unusable_files.write().await.push(format!("{e:#} (rebuilt from the catalog, never served)"));
            None
        }
    };
    // Empty, or a first load that never finished (killed after some batches):
    // load again, rather than serve a part of the catalog until the schedule runs.
    let never_loaded =
        movies == 0 || catalog.last_success(DATABASE, &None).await.context("reading the last database load")?.is_none();
    let needs_load = config.load_on_empty && never_loaded && config.catalog_source.is_some();

    // Orchestration: the graph, runs left behind by a dead process, the schedule.
    let live_sentiment = LiveSentiment::default();
    let model_path = sentiment::model_path(&config.data_dir);
    match sentiment::load_saved(&model_path) {
        Ok(Some(m)) => {
            tracing::info!(version = %m.version, "sentiment model loaded");
            live_sentiment.publish(m);
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "the saved sentiment model is unusable: retrain it");
            status
                .unusable_files
                .write()
                .await
                .push(format!("{e:#} (not served: retrain it with a sentiment_model run)"));
        }
    }
    let mut registry = orchestration::registry(config, index.clone(), live_sentiment.clone());
    for asset in extra.assets() {
        registry.register(asset.clone());
    }
    let orchestrator = orchestration::orchestrator(&catalog, &store, registry)?;
    let interrupted = orchestrator.recover_interrupted().await.context("recovering interrupted runs")?;
    if !interrupted.is_empty() {
        tracing::warn!(runs = ?interrupted, "runs interrupted by a previous stop were marked failed");
    }
    let shutdown = CancellationToken::new();
    let next_run = NextRun::default();
    match saved {
        Some(i) => index.publish(i),
        None if !needs_load && movies > 0 => {
            let (catalog, index, path) = (catalog.clone(), index.clone(), index_path.clone());
            tokio::spawn(async move {
                if let Err(e) = indexing::rebuild(&catalog, &path, &index).await {
                    tracing::error!(error = format!("{e:#}"), "building the search index failed");
                }
            });
        }
        None => {}
    }
    // The model is trained once, at the first start (or when its file is gone).
    let train_sentiment = config.sentiment_on_start
        && live_sentiment.get().is_none()
        && config.scraper.pretrained_reviews_source.is_some();
    if needs_load || (train_sentiment && movies > 0) {
        let mut assets: Vec<&str> = if needs_load { OFFLINE_ASSETS.to_vec() } else { Vec::new() };
        if train_sentiment {
            assets.extend([PRETRAINED_REVIEWS, orchestration::SENTIMENT_MODEL]);
        }
        start_initial_load(&orchestrator, &status, &assets).await;
    }
    orchestration::spawn_scheduler(orchestrator.clone(), config.schedule.clone(), next_run.clone(), shutdown.clone());

    let admin = Admin {
        sessions: Default::default(),
        throttle: Default::default(),
        orchestrator: orchestrator.clone(),
        catalog: catalog.clone(),
        user: config.admin_user.clone(),
        password_hash: config.admin_password_hash.clone(),
        cookie_secure: config.cookie_secure,
    };
    let admin_info = AdminInfo {
        nodes: orchestrator.nodes(),
        schedule: config.schedule.to_string(),
        next_run: next_run.0.clone(),
        password_from_config: config.admin_password_hash.is_some(),
    };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        catalog: catalog.clone(),
        status: status.clone(),
        index: index.clone(),
        admin,
        admin_info,
        sentiment: live_sentiment,
        // Prediction costs microseconds; the limit bounds abuse, not load.
        sentiment_limiter: RateLimiter::new(20.0, 40),
        search_limiter: config.search_rate_limit.map(|n| RateLimiter::new(f64::from(n), n.saturating_mul(2))),
    };
    // Thumbnails straight from the object store (outside the compression layer: JPEGs).
    let router = router(state)
        .nest_service("/media", crate::media::service(media_store))
        .layer(axum::middleware::from_fn_with_state(crate::limits::Limits::default(), crate::limits::enforce))
        .layer(axum::middleware::from_fn(crate::security::headers));
    Ok(Application { listener, router, addr, catalog, status, index, orchestrator, shutdown })
}

fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let catalog = state.catalog.clone();
    let index = state.index.clone();
    let options = state.leptos_options.clone();
    let admin_info = state.admin_info.clone();
    let admin = state.admin.clone();
    Router::new()
        .route("/health", get(crate::health::health))
        .route("/ready", get(crate::health::ready))
        .route("/metrics", get(crate::metrics::metrics))
        .merge(crate::rest::routes())
        .merge(crate::theme::routes())
        .merge(crate::admin::routes(admin.clone()))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(catalog.clone());
                provide_context(index.clone());
                provide_context(admin_info.clone());
            },
            move || shell(options.clone()),
        )
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(admin, crate::admin::guard))
        // Inside compression: the cache keeps pages as rendered, each hit gets a fresh nonce.
        .layer(axum::middleware::from_fn_with_state(PageCache::new(state.catalog.clone()), crate::page_cache::serve))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The start-up run of `assets` (the offline part of the graph for an empty
/// catalog, and the sentiment model when none is saved) through the
/// orchestrator, reflected in `/ready`.
async fn start_initial_load(orchestrator: &Orchestrator, status: &Status, assets: &[&str]) {
    tracing::info!(?assets, "starting a start-up run");
    // Only what needs no network: the site must come up on a machine that
    // cannot reach IMDb; the schedule and the admin scrape.
    let selection = Selection::Assets(assets.iter().map(|a| (*a).to_owned()).collect());
    let request = RunRequest { trigger: Trigger::Startup, selection, partition: None };
    let handle = match orchestrator.trigger(request).await {
        Ok(h) => h,
        Err(TriggerError::AlreadyRunning { run_id }) => {
            tracing::info!(?run_id, "another process is already running the pipeline");
            return;
        }
        Err(e) => {
            tracing::error!(error = %e, "the start-up run could not start");
            *status.catalog_load.write().await = CatalogLoad::Failed(e.to_string());
            return;
        }
    };
    *status.catalog_load.write().await = CatalogLoad::Running;
    let (orchestrator, status) = (orchestrator.clone(), status.clone());
    tokio::spawn(async move {
        let run_id = handle.run_id.clone();
        let outcome = handle.wait().await;
        let run = orchestrator.catalog().run(&run_id).await.ok().flatten();
        let next = match outcome {
            catalog::runs::RunStatus::Succeeded => {
                CatalogLoad::Succeeded(format!("run {run_id}: {} rows", run.map_or(0, |r| r.rows)))
            }
            other => CatalogLoad::Failed(format!(
                "run {run_id} {other}: {}",
                run.and_then(|r| r.error).unwrap_or_else(|| "see the run's log".into())
            )),
        };
        *status.catalog_load.write().await = next;
    });
}

impl Application {
    /// Serves until `shutdown` resolves, finishing requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!("listening on http://{}", self.addr);
        let (orchestrator, token) = (self.orchestrator.clone(), self.shutdown.clone());
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                shutdown.await;
                // Stop the schedule and cancel runs in flight: they end
                // "cancelled" and give the lease back.
                token.cancel();
                orchestrator.shutdown();
            })
            .await
            .context("serving HTTP")
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
