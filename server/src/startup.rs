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
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{file_and_error_handler, generate_route_list, LeptosRoutes};
use pipeline::store::AssetStore;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use app::ssr::live_index::LiveIndex;

use crate::config::Config;
use crate::indexing;
use crate::status::{CatalogLoad, Status};

/// State shared by the non-Leptos routes.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub catalog: Catalog,
    pub status: Status,
    pub index: LiveIndex,
}

/// A bound, not yet serving, application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pub addr: SocketAddr,
    pub catalog: Catalog,
    pub status: Status,
    pub index: LiveIndex,
}

/// Connects, migrates, binds `config.site_addr` and prepares the router. When
/// the catalog is empty and a source is configured, a background task loads it.
pub async fn build(config: &Config) -> anyhow::Result<Application> {
    let catalog = Catalog::connect_and_migrate(&config.database_url).await.context("preparing the database")?;
    let store = AssetStore::open(&config.object_store).context("opening the object store (MARQUEE_OBJECT_STORE)")?;
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
            None
        }
    };
    let needs_load = config.load_on_empty && movies == 0 && config.catalog_source.is_some();
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
    if needs_load {
        if let Some(source) = config.catalog_source.clone() {
            spawn_initial_load(catalog.clone(), store, source, status.clone(), index.clone(), index_path).await;
        }
    }

    let state = AppState {
        leptos_options: leptos_options.clone(),
        catalog: catalog.clone(),
        status: status.clone(),
        index: index.clone(),
    };
    let router = router(state);
    Ok(Application { listener, router, addr, catalog, status, index })
}

fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let catalog = state.catalog.clone();
    let index = state.index.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/health", get(crate::health::health))
        .route("/ready", get(crate::health::ready))
        .merge(crate::rest::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(catalog.clone());
                provide_context(index.clone());
            },
            move || shell(options.clone()),
        )
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn spawn_initial_load(
    catalog: Catalog,
    store: AssetStore,
    source: String,
    status: Status,
    index: LiveIndex,
    index_path: std::path::PathBuf,
) {
    *status.catalog_load.write().await = CatalogLoad::Running;
    tokio::spawn(async move {
        tracing::info!(%source, "catalog is empty: loading it");
        let outcome = pipeline::run_catalog(&catalog, &store, &source, &pipeline::NoProgress).await;
        let next = match outcome {
            Ok(r) => {
                let msg = format!("{} movies loaded, {} rows rejected", r.load.loaded(), r.load.rejected.len());
                tracing::info!("initial catalog load finished: {msg}");
                match indexing::rebuild(&catalog, &index_path, &index).await {
                    Ok(_) => CatalogLoad::Succeeded(msg),
                    Err(e) => CatalogLoad::Failed(format!("building the search index: {e:#}")),
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "initial catalog load failed");
                CatalogLoad::Failed(e.to_string())
            }
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
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
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
