//! The object store holding raw and cleaned assets: a local directory by
//! default (`file:///…` or a plain path), or S3 and S3-compatible services
//! (`s3://bucket/prefix`, with endpoint, region and credentials from
//! [`S3Options`]).

use std::path::Path;
use std::sync::Arc;

use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::prefix::PrefixStore;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutPayload};
use url::Url;

use crate::{PipelineError, Result};

/// A stream of an object's bytes.
pub type ByteStream = futures::stream::BoxStream<'static, std::result::Result<bytes::Bytes, object_store::Error>>;

/// The URL under which DataFusion sees the asset store.
pub const DATAFUSION_STORE_URL: &str = "marquee://assets/";

/// How to reach an S3 store. Every field is optional: unset ones fall back to
/// the usual `AWS_*` environment of the process.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct S3Options {
    /// `http://127.0.0.1:9000` for a local S3-compatible server; requests
    /// are then path-style (`endpoint/bucket/key`).
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

impl std::fmt::Debug for S3Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Options")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "***"))
            .finish()
    }
}

/// An opened asset store.
#[derive(Clone, Debug)]
pub struct AssetStore {
    inner: Arc<dyn ObjectStore>,
    /// Where it points, for messages (`file:///…/objects`, `s3://bucket/prefix`).
    pub url: String,
}

impl AssetStore {
    /// Opens a store from `file:///abs/dir` or a directory path (S3 with the
    /// environment's settings: see [`AssetStore::open_with`]).
    pub fn open(location: &str) -> Result<Self> {
        Self::open_with(location, &S3Options::default())
    }

    /// Opens a local directory, or `s3://bucket[/prefix]` with `s3`.
    pub fn open_with(location: &str, s3: &S3Options) -> Result<Self> {
        let bad = |reason: String| PipelineError::StoreConfig { url: location.to_owned(), reason };
        if let Some(rest) = location.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(bad("no bucket name".into()));
            }
            let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
            if let Some(endpoint) = &s3.endpoint {
                b = b
                    .with_endpoint(endpoint.trim_end_matches('/'))
                    .with_virtual_hosted_style_request(false)
                    .with_allow_http(endpoint.starts_with("http://"));
            }
            if let Some(region) = &s3.region {
                b = b.with_region(region);
            }
            if let (Some(k), Some(s)) = (&s3.access_key_id, &s3.secret_access_key) {
                b = b.with_access_key_id(k).with_secret_access_key(s);
            }
            let store = b.build().map_err(|e| bad(e.to_string()))?;
            let prefix = prefix.trim_matches('/');
            let inner: Arc<dyn ObjectStore> =
                if prefix.is_empty() { Arc::new(store) } else { Arc::new(PrefixStore::new(store, prefix)) };
            return Ok(Self { inner, url: format!("s3://{bucket}/{prefix}") });
        }
        let dir = if let Some(rest) = location.strip_prefix("file://") {
            Url::parse(&format!("file://{rest}"))
                .ok()
                .and_then(|u| u.to_file_path().ok())
                .ok_or_else(|| bad("not an absolute file:// URL".into()))?
        } else if location.contains("://") {
            return Err(bad("expected a directory, a file:// URL or s3://bucket/prefix".into()));
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

    /// Writes `bytes` at `key` (atomically: the local store writes a temp file
    /// and renames; S3 puts are atomic).
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.inner.put(&Key::from(key), PutPayload::from(bytes)).await.map_err(|source| {
            if crate::error::is_storage_full(&source) {
                PipelineError::StoreFull { url: self.url.clone(), key: key.to_owned(), source }
            } else {
                PipelineError::Store { op: "put", key: key.to_owned(), source }
            }
        })?;
        Ok(())
    }

    /// True when `key` exists.
    pub async fn exists(&self, key: &str) -> Result<bool> {
        Ok(self.head(key).await?.is_some())
    }

    /// The object's metadata, or `None` when there is no such object.
    pub async fn head(&self, key: &str) -> Result<Option<ObjectMeta>> {
        match self.inner.head(&Key::from(key)).await {
            Ok(m) => Ok(Some(m)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(source) => Err(PipelineError::Store { op: "head", key: key.to_owned(), source }),
        }
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>> {
        let err = |source| PipelineError::Store { op: "get", key: key.to_owned(), source };
        let res = self.inner.get(&Key::from(key)).await.map_err(err)?;
        Ok(res.bytes().await.map_err(err)?.to_vec())
    }

    /// The object at `key`, or `None` when there is no such object.
    pub async fn get_if_exists(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let err = |source| PipelineError::Store { op: "get", key: key.to_owned(), source };
        match self.inner.get(&Key::from(key)).await {
            Ok(res) => Ok(Some(res.bytes().await.map_err(err)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(source) => Err(err(source)),
        }
    }

    /// The object at `key` as a stream of chunks with its size, or `None`
    /// when there is no such object (for serving without buffering).
    pub async fn get_stream(&self, key: &str) -> Result<Option<(u64, ByteStream)>> {
        match self.inner.get(&Key::from(key)).await {
            Ok(res) => {
                let size = res.meta.size;
                Ok(Some((size, res.into_stream())))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(source) => Err(PipelineError::Store { op: "get", key: key.to_owned(), source }),
        }
    }

    /// The key of the newest object under `prefix` whose key ends with `suffix`.
    pub async fn newest(&self, prefix: &str, suffix: &str) -> Result<Option<String>> {
        let objects = self.list(prefix).await?;
        Ok(objects
            .into_iter()
            .filter(|o| o.location.as_ref().ends_with(suffix))
            .max_by_key(|o| o.last_modified)
            .map(|o| o.location.to_string()))
    }

    /// Every object under `prefix` (recursively), in no particular order.
    pub async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        let p = Key::from(prefix.trim_end_matches('/'));
        self.inner.list(Some(&p)).try_collect().await.map_err(|source| PipelineError::Store {
            op: "list",
            key: prefix.to_owned(),
            source,
        })
    }

    /// Removes `key` and anything under `key/` (a failed job's partial
    /// output). Best effort: what cannot be removed is logged.
    pub async fn delete_if_exists(&self, key: &str) {
        let mut keys = vec![key.to_owned()];
        if let Ok(under) = self.list(key).await {
            keys.extend(under.into_iter().map(|m| m.location.to_string()).filter(|k| k != key));
        }
        for k in keys {
            match self.inner.delete(&Key::from(k.as_str())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => tracing::warn!(key = %k, %e, "could not remove a failed job's output"),
            }
        }
    }

    /// The URL of `key` as DataFusion reads it.
    pub fn datafusion_url(key: &str) -> String {
        format!("{DATAFUSION_STORE_URL}{}", key.trim_start_matches('/'))
    }
}
