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
    #[error("the raw file `{key}` is not a usable Kaggle catalog CSV: {reason}")]
    BadInput { key: String, reason: String },
    #[error("cleaning job `{job}` failed: {source}")]
    DataFusion {
        job: &'static str,
        #[source]
        source: datafusion::error::DataFusionError,
    },
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
