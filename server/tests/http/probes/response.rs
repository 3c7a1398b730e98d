//! One answer to judge, whether reqwest received it or it was read raw off a
//! socket (requests no client would send).

use std::time::{Duration, Instant};

use reqwest::header::SET_COOKIE;
use serde_json::Value;

/// One answer, from reqwest or from a raw socket. `status` 0: no answer.
pub(super) struct Resp {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: String,
    pub(super) elapsed: Duration,
}

impl Resp {
    pub(super) fn none(why: String, elapsed: Duration) -> Self {
        Self { status: 0, headers: Vec::new(), body: why, elapsed }
    }

    pub(super) async fn from_reqwest(r: reqwest::Response, started: Instant) -> Self {
        let status = r.status().as_u16();
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let body = match r.bytes().await {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => format!("(body cut off: {e})"),
        };
        Self { status, headers, body, elapsed: started.elapsed() }
    }

    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub(super) fn location(&self) -> &str {
        self.header("location").unwrap_or_default()
    }

    pub(super) fn is_html(&self) -> bool {
        match self.header("content-type") {
            Some(ct) => ct.to_ascii_lowercase().contains("html"),
            // No type: a browser may sniff it as HTML.
            None => self.body.trim_start().starts_with('<'),
        }
    }

    pub(super) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub(super) fn session_cookie(&self) -> Option<String> {
        self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(SET_COOKIE.as_str())).find_map(|(_, v)| {
            v.strip_prefix("marquee_admin=").map(|r| r.split(';').next().unwrap_or_default().to_owned())
        })
    }

    pub(super) fn snippet(&self) -> String {
        self.body.chars().take(160).collect::<String>().replace('\n', " ")
    }
}

/// Status line, headers and (de-chunked) body of raw response bytes.
pub(super) fn parse_raw(buf: &[u8], elapsed: Duration) -> Resp {
    if buf.is_empty() {
        return Resp::none("closed without an answer".into(), elapsed);
    }
    let text = String::from_utf8_lossy(buf);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    Resp { status, headers, body, elapsed }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else { break };
        if n == 0 || rest.len() < n {
            out.push_str(&rest[..rest.len().min(n)]);
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}
