//! Sources: each fetches from the outside world and writes raw assets.

pub mod kaggle;

/// Reads `location` (a local path or an http(s) URL) into memory.
pub async fn fetch_bytes(location: &str) -> crate::Result<Vec<u8>> {
    let fail = |reason: String| crate::PipelineError::Source { source_ref: location.to_owned(), reason };
    if location.starts_with("http://") || location.starts_with("https://") {
        let client = reqwest::Client::builder()
            .user_agent(concat!("marquee/", env!("CARGO_PKG_VERSION")))
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let resp = client.get(location).send().await.map_err(|e| fail(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        Ok(resp.bytes().await.map_err(|e| fail(e.to_string()))?.to_vec())
    } else {
        let path = location.strip_prefix("file://").unwrap_or(location);
        tokio::fs::read(path).await.map_err(|e| fail(e.to_string()))
    }
}

/// FNV-1a 64 of `bytes` as 16 hex digits: names raw assets by content.
pub fn content_digest(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}
