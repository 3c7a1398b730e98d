//! The object store holding raw and cleaned assets: a local directory by
//! default (`file:///…` or a plain path); S3 joins in production.

use std::path::Path;
use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use url::Url;

use crate::{PipelineError, Result};

/// The URL under which DataFusion sees the asset store.
pub const DATAFUSION_STORE_URL: &str = "marquee://assets/";

/// An opened asset store.
#[derive(Clone, Debug)]
pub struct AssetStore {
    inner: Arc<dyn ObjectStore>,
    /// Where it points, for messages (`file:///…/objects`).
    pub url: String,
}

impl AssetStore {
    /// Opens a store from `file:///abs/dir`, or a plain directory path.
    pub fn open(location: &str) -> Result<Self> {
        let bad = |reason: String| PipelineError::StoreConfig { url: location.to_owned(), reason };
        let dir = if let Some(rest) = location.strip_prefix("file://") {
            Url::parse(&format!("file://{rest}"))
                .ok()
                .and_then(|u| u.to_file_path().ok())
                .ok_or_else(|| bad("not an absolute file:// URL".into()))?
        } else if location.contains("://") {
            return Err(bad("only local directories (file://) are supported so far".into()));
        } else {
            Path::new(location).to_path_buf()
        };
        std::fs::create_dir_all(&dir).map_err(|e| bad(format!("cannot create {}: {e}", dir.display())))?;
        let dir = dir.canonicalize().map_err(|e| bad(e.to_string()))?;
        let fs = LocalFileSystem::new_with_prefix(&dir).map_err(|e| bad(e.to_string()))?;
        Ok(Self { inner: Arc::new(fs), url: format!("file://{}", dir.display()) })
    }

    pub fn object_store(&self) -> Arc<dyn ObjectStore> {
        self.inner.clone()
    }

    /// Writes `bytes` at `key` (atomically: the local store writes a temp file and renames).
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.inner.put(&Key::from(key), PutPayload::from(bytes)).await.map_err(|source| PipelineError::Store {
            op: "put",
            key: key.to_owned(),
            source,
        })?;
        Ok(())
    }

    /// True when `key` exists.
    pub async fn exists(&self, key: &str) -> Result<bool> {
        match self.inner.head(&Key::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(source) => Err(PipelineError::Store { op: "head", key: key.to_owned(), source }),
        }
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>> {
        let err = |source| PipelineError::Store { op: "get", key: key.to_owned(), source };
        let res = self.inner.get(&Key::from(key)).await.map_err(err)?;
        Ok(res.bytes().await.map_err(err)?.to_vec())
    }

    /// The URL of `key` as DataFusion reads it.
    pub fn datafusion_url(key: &str) -> String {
        format!("{DATAFUSION_STORE_URL}{}", key.trim_start_matches('/'))
    }
}
