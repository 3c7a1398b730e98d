//! Just enough of an HTML tokenizer to see what a browser would make active:
//! tags and attributes outside raw-text elements, where a `<script>` ends at
//! the first `</script` whatever it sits in.

pub struct Tag {
    /// Where its `<` is in the page.
    pub at: usize,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
}

const RAW_TEXT: [&str; 6] = ["script", "style", "title", "textarea", "xmp", "noscript"];
const URL_ATTRS: [&str; 9] =
    ["href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "ping"];
const DANGEROUS: [&str; 7] = ["iframe", "frame", "frameset", "object", "embed", "base", "applet"];

pub fn tags(html: &str) -> Vec<Tag> {
    let lower = html.to_ascii_lowercase();
    let b = html.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if lower[i..].starts_with("<!--") {
            i = lower[i + 4..].find("-->").map_or(n, |e| i + 4 + e + 3);
            continue;
        }
        let mut j = i + 1;
        if j < n && matches!(b[j], b'/' | b'!' | b'?') {
            i = lower[j..].find('>').map_or(n, |e| j + e + 1);
            continue;
        }
        let start = j;
        while j < n && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'-' | b':')) {
            j += 1;
        }
        if j == start || !b[start].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let name = lower[start..j].to_owned();
        let mut attrs = Vec::new();
        loop {
            while j < n && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= n || b[j] == b'>' {
                j += 1;
                break;
            }
            let s = j;
            j += 1; // a name may start with `=`
            while j < n && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
                j += 1;
            }
            let attr = lower[s..j].to_owned();
            while j < n && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = "";
            if j < n && b[j] == b'=' {
                j += 1;
                while j < n && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < n && matches!(b[j], b'"' | b'\'') {
                    let q = b[j] as char;
                    let vs = j + 1;
                    let ve = html[vs..].find(q).map_or(n, |e| vs + e);
                    value = &html[vs..ve];
                    j = ve + 1;
                } else {
                    let vs = j;
                    while j < n && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = &html[vs..j];
                }
            }
            attrs.push((attr, decode(value)));
        }
        let j = j.min(n);
        let mut text = String::new();
        if RAW_TEXT.contains(&name.as_str()) {
            let end = lower[j..].find(&format!("</{name}")).map_or(n, |e| j + e);
            text = html[j..end].to_owned();
            i = end;
        } else {
            i = j;
        }
        out.push(Tag { at: start - 1, name, attrs, text });
    }
    out
}

/// What in `html` a browser would run: scripts without the page's nonce,
/// event handlers, `javascript:` URLs, frames and `<base>`.
pub fn active_content(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for t in tags(html) {
        // What precedes the tag, as evidence of where it landed.
        let mut from = t.at.saturating_sub(50);
        while !html.is_char_boundary(from) {
            from += 1;
        }
        let before = &html[from..t.at];
        let show =
            |a: &str, v: &str| format!("…{before}<{} {a}=\"{}\">", t.name, v.chars().take(60).collect::<String>());
        if t.name == "script" && !t.attrs.iter().any(|(a, _)| a == "nonce") {
            found.push(format!(
                "a <script> without the nonce: …{before}<script>{}",
                t.text.chars().take(60).collect::<String>()
            ));
        }
        if DANGEROUS.contains(&t.name.as_str()) {
            found.push(format!("an injected …{before}<{}>", t.name));
        }
        for (a, v) in &t.attrs {
            let compact: String =
                v.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
            let script_url = ["javascript:", "vbscript:", "data:text/html"].iter().any(|s| compact.starts_with(s));
            if a.starts_with("on") && compact.contains("alert") {
                found.push(format!("an event handler {}", show(a, v)));
            } else if URL_ATTRS.contains(&a.as_str()) && script_url {
                found.push(format!("a script URL {}", show(a, v)));
            } else if a == "srcdoc" && (compact.contains("<script") || compact.contains("onerror")) {
                found.push(format!("script in srcdoc {}", show(a, v)));
            } else if a == "style" && (compact.contains("javascript:") || compact.contains("expression(")) {
                found.push(format!("script in a style {}", show(a, v)));
            } else if t.name == "meta" && a == "content" && compact.contains("url=javascript:") {
                found.push(format!("a refresh to a script URL {}", show(a, v)));
            }
        }
    }
    found
}

/// Character references a browser decodes in text and attributes.
pub fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..].find(|c: char| !c.is_ascii_alphanumeric() && c != '#').map_or(rest.len(), |e| e + 1);
        let name = &rest[1..end];
        let c = match name {
            "quot" => Some('"'),
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            "colon" => Some(':'),
            "Tab" => Some('\t'),
            "NewLine" => Some('\n'),
            n if n.starts_with("#x") || n.starts_with("#X") => {
                u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32)
            }
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = rest[end..].strip_prefix(';').unwrap_or(&rest[end..]);
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
