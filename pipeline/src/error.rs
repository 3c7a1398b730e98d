/// Errors of the pipeline, each saying what step failed and on what.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("cannot read the source `{source_ref}`: {reason}")]
    Source { source_ref: String, reason: String },
    #[error("object store `{url}` is not usable: {reason}")]
    StoreConfig { url: String, reason: String },
    #[error("object store operation `{op}` on `{key}` failed: {source}")]
    Store {
        op: &'static str,
        key: String,
        #[source]
        source: object_store::Error,
    },
    #[error("the object store `{url}` is full: writing `{key}` failed and nothing was stored under it ({source})")]
    StoreFull {
        url: String,
        key: String,
        #[source]
        source: object_store::Error,
    },
    #[error("the raw file `{key}` is not a usable Kaggle catalog CSV: {reason}")]
    BadInput { key: String, reason: String },
    #[error("cleaning job `{job}` failed: {source}")]
    DataFusion {
        job: &'static str,
        #[source]
        source: datafusion::error::DataFusionError,
    },
    #[error("the Ballista cluster at `{scheduler}` is not usable: {reason} (the pipeline does not fall back to the embedded engine)")]
    Cluster { scheduler: String, reason: String },
    #[error(transparent)]
    Db(#[from] catalog::db::DbError),
}

pub type Result<T, E = PipelineError> = std::result::Result<T, E>;

pub(crate) trait DfContext<T> {
    fn job(self, job: &'static str) -> Result<T>;
}

impl<T> DfContext<T> for std::result::Result<T, datafusion::error::DataFusionError> {
    fn job(self, job: &'static str) -> Result<T> {
        self.map_err(|source| PipelineError::DataFusion { job, source })
    }
}

/// True when `e` (or one of its causes) is a disk that is full.
pub(crate) fn is_storage_full(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::StorageFull || io.raw_os_error() == Some(28) {
                return true;
            }
        }
        cause = c.source();
    }
    false
}
