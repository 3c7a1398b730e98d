//! The Content-Security-Policy of a rendered page: scripts only from our
//! origin or inline with this render's nonce (Leptos puts it on its hydration
//! and streaming scripts), WASM compiled with `'wasm-unsafe-eval'`, never framed.

use leptos::prelude::*;

/// The site's one policy. With the `nonce` of a rendered page, scripts may
/// run inline when they carry it and the WASM may compile; without one (JSON,
/// media, error responses) only our own script files may run. Styles allow
/// `'unsafe-inline'` for the per-film poster gradients in `style` attributes
/// (no script can run from a style).
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page's policy on the response being rendered.
pub fn set_content_security_policy() {
    let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    if let Ok(v) = http::HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_need_the_nonce_and_nothing_frames_us() {
        let p = content_security_policy(Some("abc123"));
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(p.contains("frame-ancestors 'none'"));
        let strict = content_security_policy(None);
        assert!(strict.contains("script-src 'self';") && strict.contains("frame-ancestors 'none'"));
        assert!(!p.contains("'unsafe-inline' 'unsafe-eval'") && !strict.contains("unsafe-eval"));
    }
}
