//! The `imdb_datasets` raw asset: IMDb's bulk files, from their public URL
//! (`https://datasets.imdbws.com/`) or a local directory, stored in the
//! object store as they are (gzipped TSV).
//!
//! Keys are dated and content-addressed:
//! `raw/imdb_datasets/date=YYYY-MM-DD/<file>-<digest>.tsv.gz`. A file whose
//! content is already stored (under any date) is not stored again; over
//! HTTP, the validators of the last fetch are sent back (`If-None-Match`,
//! `If-Modified-Since`), so an unchanged file is not even downloaded. Files
//! are streamed (the real principals file is ~700 MB): through a staging
//! key while their digest is computed, then renamed. Each file's header is
//! checked on its first bytes, before anything is published. A manifest of
//! the fetch (`raw/imdb_datasets/manifest/<time>.json`) records the keys
//! the catalog job reads.

use std::collections::BTreeMap;
use std::time::Duration;

use imdb_bulk::format::{check_header, first_line_gz};
use imdb_bulk::BulkFile;
use object_store::path::Path as Key;
use object_store::{ObjectStoreExt, WriteMultipart};
use tokio::io::AsyncReadExt;
use tokio_util::sync::CancellationToken;

use crate::progress::Progress;
use crate::store::AssetStore;
use crate::{PipelineError, Result};

/// Where the raw files live in the store.
pub const PREFIX: &str = "raw/imdb_datasets";
/// Where IMDb publishes them.
pub const DEFAULT_LOCATION: &str = "https://datasets.imdbws.com/";
/// The files the catalog uses.
pub const FILES: [BulkFile; 5] = BulkFile::ALL;

/// What the source is given (the orchestrator builds it from its `AssetContext`).
pub struct DatasetsContext<'a> {
    pub store: &'a AssetStore,
    pub progress: &'a dyn Progress,
    /// Checked between files; a cancelled fetch publishes no manifest.
    pub cancel: CancellationToken,
}

/// One file of a fetch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredDataset {
    /// `title.basics`.
    pub file: String,
    pub key: String,
    pub bytes: u64,
    /// FNV-1a 64 of the gzip bytes, as in every raw key.
    pub digest: String,
    /// False when the same content was already stored.
    pub written: bool,
    /// True when the server answered 304 (nothing downloaded).
    #[serde(default)]
    pub not_modified: bool,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
}

/// A fetch: which stored object holds each file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DatasetsManifest {
    pub fetched_at: String,
    pub location: String,
    /// By file stem (`title.basics`).
    pub files: BTreeMap<String, StoredDataset>,
}

impl DatasetsManifest {
    /// The key of `file`, if the manifest has it.
    pub fn key(&self, file: BulkFile) -> Option<&str> {
        self.files.get(file.stem()).map(|f| f.key.as_str())
    }
}

/// What the `imdb_datasets` asset did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DatasetsReport {
    pub location: String,
    pub files: Vec<StoredDataset>,
    /// Files stored by this fetch.
    pub written: u64,
    /// Files whose content was already stored (or not modified).
    pub unchanged: u64,
    /// Bytes of the five files.
    pub bytes: u64,
    /// The manifest written (empty when cancelled).
    pub manifest_key: String,
    pub cancelled: bool,
    pub duration_ms: u64,
}

/// Incremental FNV-1a 64, the digest of [`crate::sources::content_digest`].
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn update(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// A source of a file's bytes, chunk by chunk.
enum Body {
    Http(reqwest::Response),
    File(tokio::fs::File),
}

impl Body {
    async fn chunk(&mut self, buf: &mut Vec<u8>) -> std::result::Result<Option<bytes::Bytes>, String> {
        match self {
            Body::Http(r) => r.chunk().await.map_err(|e| e.to_string()),
            Body::File(f) => {
                buf.resize(1 << 20, 0);
                let n = f.read(buf).await.map_err(|e| e.to_string())?;
                Ok((n > 0).then(|| bytes::Bytes::copy_from_slice(&buf[..n])))
            }
        }
    }
}

fn is_http(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

/// The newest manifest in the store.
pub async fn latest_manifest(store: &AssetStore) -> Result<Option<DatasetsManifest>> {
    let prefix = format!("{PREFIX}/manifest");
    let newest = store
        .list(&prefix)
        .await?
        .into_iter()
        .filter(|o| o.location.as_ref().ends_with(".json"))
        .max_by(|a, b| a.location.as_ref().cmp(b.location.as_ref()));
    let Some(meta) = newest else { return Ok(None) };
    let key = meta.location.to_string();
    let bytes = store.get(&key).await?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| PipelineError::BadInput { key, reason: format!("not a datasets manifest: {e}") })
}

/// Fetches the five files from `location` (an http(s) base URL such as
/// [`DEFAULT_LOCATION`], or a directory holding `title.basics.tsv.gz` …) and
/// stores them; see the module documentation.
pub async fn fetch_imdb_datasets(ctx: &DatasetsContext<'_>, location: &str) -> Result<DatasetsReport> {
    let started = std::time::Instant::now();
    let previous = latest_manifest(ctx.store).await?;
    let mut existing: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for o in ctx.store.list(PREFIX).await? {
        let key = o.location.to_string();
        if let Some(name) = key.rsplit('/').next().and_then(|n| n.strip_suffix(".tsv.gz")) {
            if !key.contains("/.incoming/") {
                existing.insert(name.to_owned(), (key.clone(), o.size));
            }
        }
    }
    let client = reqwest::Client::builder()
        .user_agent(concat!("marquee/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| PipelineError::Source { source_ref: location.to_owned(), reason: e.to_string() })?;
    let mut report = DatasetsReport { location: location.to_owned(), ..Default::default() };
    ctx.progress.stage("imdb_datasets", Some(FILES.len() as u64));
    for (n, file) in FILES.into_iter().enumerate() {
        if ctx.cancel.is_cancelled() {
            report.cancelled = true;
            return Ok(report);
        }
        let prev = previous.as_ref().and_then(|m| m.files.get(file.stem()));
        let stored = fetch_one(ctx, &client, location, file, prev, &existing).await?;
        ctx.progress.note(&format!(
            "{}: {} bytes{}",
            stored.file,
            stored.bytes,
            if stored.not_modified {
                ", not modified"
            } else if stored.written {
                ""
            } else {
                ", unchanged"
            }
        ));
        if stored.written {
            report.written += 1;
        } else {
            report.unchanged += 1;
        }
        report.bytes += stored.bytes;
        report.files.push(stored);
        ctx.progress.advance(n as u64 + 1);
    }
    if ctx.cancel.is_cancelled() {
        report.cancelled = true;
        return Ok(report);
    }
    let now = chrono::Utc::now();
    let manifest = DatasetsManifest {
        fetched_at: now.to_rfc3339(),
        location: location.to_owned(),
        files: report.files.iter().map(|f| (f.file.clone(), f.clone())).collect(),
    };
    report.manifest_key = format!("{PREFIX}/manifest/{}.json", now.format("%Y%m%dT%H%M%S%.3fZ"));
    let json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    ctx.store.put(&report.manifest_key, json).await?;
    report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(report)
}

async fn fetch_one(
    ctx: &DatasetsContext<'_>,
    client: &reqwest::Client,
    location: &str,
    file: BulkFile,
    prev: Option<&StoredDataset>,
    existing: &BTreeMap<String, (String, u64)>,
) -> Result<StoredDataset> {
    let name = file.file_name();
    let source_ref = if is_http(location) {
        format!("{}/{name}", location.trim_end_matches('/'))
    } else {
        let dir = location.strip_prefix("file://").unwrap_or(location);
        std::path::Path::new(dir).join(&name).display().to_string()
    };
    let fail = |reason: String| PipelineError::Source { source_ref: source_ref.clone(), reason };
    let (mut body, etag, last_modified) = if is_http(location) {
        let mut req = client.get(&source_ref);
        // Validators only when the object they describe is still stored.
        let still_stored = prev.filter(|p| existing.values().any(|(k, _)| *k == p.key));
        if let Some(p) = still_stored {
            if let Some(etag) = &p.etag {
                req = req.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &p.last_modified {
                req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
            }
        }
        let resp = req.send().await.map_err(|e| fail(e.to_string()))?;
        if resp.status() == reqwest::StatusCode::NOT_MODIFIED {
            if let Some(p) = still_stored {
                return Ok(StoredDataset { written: false, not_modified: true, ..p.clone() });
            }
        }
        if !resp.status().is_success() {
            return Err(fail(format!("HTTP {}", resp.status())));
        }
        let header =
            |h: reqwest::header::HeaderName| resp.headers().get(h).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (etag, lm) = (header(reqwest::header::ETAG), header(reqwest::header::LAST_MODIFIED));
        (Body::Http(resp), etag, lm)
    } else {
        let f = tokio::fs::File::open(&source_ref).await.map_err(|e| fail(e.to_string()))?;
        (Body::File(f), None, None)
    };

    // Stream into a staging key while hashing; check the header on the way.
    let nonce = format!("{:016x}", rand_u64());
    let staging = format!("{PREFIX}/.incoming/{}-{nonce}.tsv.gz", file.stem());
    let store = ctx.store.object_store();
    let store_err = |op: &'static str, key: &str| {
        let key = key.to_owned();
        move |source| PipelineError::Store { op, key, source }
    };
    let upload = store.put_multipart(&Key::from(staging.as_str())).await.map_err(store_err("put", &staging))?;
    let mut writer = WriteMultipart::new(upload);
    let mut fnv = Fnv::new();
    let mut head: Vec<u8> = Vec::new();
    let mut header_checked = false;
    let mut bytes = 0u64;
    let mut buf = Vec::new();
    let streamed: std::result::Result<(), PipelineError> = async {
        while let Some(chunk) = body.chunk(&mut buf).await.map_err(&fail)? {
            if ctx.cancel.is_cancelled() {
                return Err(fail("cancelled".into()));
            }
            fnv.update(&chunk);
            bytes += chunk.len() as u64;
            if !header_checked {
                head.extend_from_slice(&chunk);
                if head.len() >= 64 * 1024 {
                    check_gz_header(file, &head, &source_ref)?;
                    header_checked = true;
                }
            }
            writer.wait_for_capacity(4).await.map_err(store_err("put", &staging))?;
            writer.put(chunk);
        }
        if !header_checked {
            check_gz_header(file, &head, &source_ref)?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = streamed {
        let _ = writer.abort().await;
        return Err(e);
    }
    writer.finish().await.map_err(store_err("put", &staging))?;

    let digest = fnv.hex();
    let stored_name = format!("{}-{digest}", file.stem());
    let (key, written) = match existing.get(&stored_name) {
        Some((key, _)) => {
            store.delete(&Key::from(staging.as_str())).await.map_err(store_err("delete", &staging))?;
            (key.clone(), false)
        }
        None => {
            let date = chrono::Utc::now().format("%Y-%m-%d");
            let key = format!("{PREFIX}/date={date}/{stored_name}.tsv.gz");
            store
                .rename(&Key::from(staging.as_str()), &Key::from(key.as_str()))
                .await
                .map_err(store_err("rename", &staging))?;
            (key, true)
        }
    };
    tracing::info!(file = %file, %key, bytes, written, "imdb dataset stored");
    Ok(StoredDataset {
        file: file.stem().to_owned(),
        key,
        bytes,
        digest,
        written,
        not_modified: false,
        etag,
        last_modified,
    })
}

fn check_gz_header(file: BulkFile, head: &[u8], source_ref: &str) -> Result<()> {
    let bad = |reason: String| PipelineError::BadInput { key: source_ref.to_owned(), reason };
    let line = first_line_gz(head).map_err(bad)?;
    check_header(file, &line).map_err(bad)
}

/// A random 64-bit number for staging names.
fn rand_u64() -> u64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        return t.as_nanos() as u64 ^ u64::from(std::process::id());
    }
    u64::from_le_bytes(b)
}
