//! Just enough HTML: finding `<script>` blocks and tags by string search, decoding the entities
//! IMDb uses, turning review HTML into plain text, and finding `/title/tt…/` links.
//!
//! Every scan is linear in the input and works on `&str` with byte offsets that are always at
//! ASCII characters, so slicing never splits a UTF-8 sequence and nothing here can panic.

/// One `<script …>…</script>` block: its opening tag's attributes and its raw body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Script<'a> {
    /// The text between `<script` and the closing `>` of the opening tag.
    pub attrs: &'a str,
    /// The text up to `</script` (or to the end of the input when the page is truncated).
    pub body: &'a str,
}

impl<'a> Script<'a> {
    /// The value of attribute `name` (ASCII case-insensitive), entity-decoded.
    pub fn attr(&self, name: &str) -> Option<String> {
        attr_value(self.attrs, name)
    }
}

/// Finds `needle` (ASCII, matched case-insensitively) in `haystack` from byte `from`.
///
/// Candidates are found with `str::find` on the needle's first character (memchr in the
/// standard library, fast even in unoptimised test builds); every needle used here starts with
/// `<`, which has no case.
pub(crate) fn find_ci(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let n = needle.as_bytes();
    let first = *n.first()?;
    let mut pos = from;
    loop {
        let rest = haystack.get(pos..)?;
        let i = if first.is_ascii_alphabetic() {
            let (lo, hi) = (first.to_ascii_lowercase() as char, first.to_ascii_uppercase() as char);
            rest.find([lo, hi])?
        } else {
            rest.find(first as char)?
        };
        let at = pos + i;
        let candidate = haystack.as_bytes().get(at..at + n.len())?;
        if candidate.eq_ignore_ascii_case(n) {
            return Some(at);
        }
        pos = at + 1;
    }
}

/// Byte offset of the `>` that ends a tag whose attributes start at `from`, skipping quoted
/// attribute values. `None` when the input ends first.
fn tag_end(html: &str, from: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate().skip(from) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            // A quote only opens a value right after `=` (possibly spaced); elsewhere it is text.
            None if (b == b'"' || b == b'\'') && preceded_by_equals(bytes, from, i) => quote = Some(b),
            None if b == b'>' => return Some(i),
            None => {}
        }
    }
    None
}

fn preceded_by_equals(bytes: &[u8], start: usize, i: usize) -> bool {
    bytes[start..i].iter().rev().find(|b| !b.is_ascii_whitespace()) == Some(&b'=')
}

/// Every `<script>` block of the page, in document order. A truncated last block runs to the end
/// of the input; an opening tag cut before its `>` ends the scan.
pub(crate) fn scripts(html: &str) -> Vec<Script<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(start) = find_ci(html, "<script", pos) {
        let attrs_start = start + "<script".len();
        match html.as_bytes().get(attrs_start) {
            Some(b) if b.is_ascii_whitespace() || *b == b'>' || *b == b'/' => {}
            // `<scripts>` or similar: not a script tag.
            Some(_) => {
                pos = attrs_start;
                continue;
            }
            None => break,
        }
        let Some(gt) = tag_end(html, attrs_start) else { break };
        let body_start = gt + 1;
        let attrs = &html[attrs_start..gt];
        match find_ci(html, "</script", body_start) {
            Some(end) => {
                out.push(Script { attrs, body: &html[body_start..end] });
                pos = end + "</script".len();
            }
            None => {
                out.push(Script { attrs, body: &html[body_start..] });
                break;
            }
        }
    }
    out
}

/// The body of `<script id="__NEXT_DATA__">`, if the page has one.
pub(crate) fn next_data(html: &str) -> Option<&str> {
    scripts(html).into_iter().find(|s| s.attr("id").as_deref() == Some("__NEXT_DATA__")).map(|s| s.body)
}

/// The bodies of every `<script type="application/ld+json">`.
pub(crate) fn json_ld(html: &str) -> Vec<&str> {
    scripts(html)
        .into_iter()
        .filter(|s| s.attr("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")))
        .map(|s| s.body)
        .collect()
}

/// Parses the attribute `name` out of a tag's attribute text (`id="x" type='y' defer z=w`).
pub(crate) fn attr_value(attrs: &str, name: &str) -> Option<String> {
    let bytes = attrs.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let key = &attrs[name_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = None;
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let q = bytes[i];
                let v_start = i + 1;
                let v_end = bytes[v_start..].iter().position(|&b| b == q).map_or(bytes.len(), |p| v_start + p);
                value = Some(&attrs[v_start..v_end]);
                i = (v_end + 1).min(bytes.len());
            } else {
                let v_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                value = Some(&attrs[v_start..i]);
            }
        }
        if key.is_empty() && value.is_none() {
            // A stray character (`=` with no name): skip it so the loop always advances.
            i += 1;
            continue;
        }
        if key.eq_ignore_ascii_case(name) {
            return Some(decode_entities(value.unwrap_or("")));
        }
    }
    None
}

/// The opening tags `<tag …>` of the page, as `(offset of '<', attribute text)`.
pub(crate) fn open_tags<'a>(html: &'a str, tag: &str) -> Vec<(usize, &'a str)> {
    let open = format!("<{tag}");
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(start) = find_ci(html, &open, pos) {
        let attrs_start = start + open.len();
        match html.as_bytes().get(attrs_start) {
            Some(b) if b.is_ascii_whitespace() || *b == b'>' || *b == b'/' => {}
            Some(_) => {
                pos = attrs_start;
                continue;
            }
            None => break,
        }
        let Some(gt) = tag_end(html, attrs_start) else { break };
        out.push((start, &html[attrs_start..gt]));
        pos = gt + 1;
    }
    out
}

/// Whether a class attribute value lists `class` among its space-separated names.
pub(crate) fn has_class(class_attr: &str, class: &str) -> bool {
    class_attr.split_ascii_whitespace().any(|c| c == class)
}

/// Whether `s` is an IMDb title id: `tt` followed by digits.
pub fn is_title_id(s: &str) -> bool {
    s.len() > 2 && s.len() <= 16 && s.starts_with("tt") && s.as_bytes()[2..].iter().all(u8::is_ascii_digit)
}

/// Every `/title/ttNNN` link target in `html[from..to]`, as ids, in order (not deduplicated).
pub(crate) fn title_links(html: &str, from: usize, to: usize) -> Vec<String> {
    let to = to.min(html.len());
    let mut out = Vec::new();
    let mut pos = from;
    while pos < to {
        let Some(i) = html[..to].get(pos..).and_then(|s| s.find("/title/tt")).map(|i| pos + i) else { break };
        let id_start = i + "/title/".len();
        let digits = html.as_bytes()[id_start + 2..to].iter().take_while(|b| b.is_ascii_digit()).count();
        let id = &html[id_start..id_start + 2 + digits];
        if is_title_id(id) {
            out.push(id.to_string());
        }
        pos = id_start + 2 + digits;
    }
    out
}

/// Decodes the entities IMDb puts in its text: `&amp; &lt; &gt; &quot; &apos; &nbsp;` and
/// numeric references `&#NNN;` / `&#xHH;`. Anything else (unknown names, invalid code points,
/// a missing `;`) is left as written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_one(rest) {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
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

/// Decodes the entity at the start of `s` (which starts with `&`): the character and the bytes
/// consumed.
fn decode_one(s: &str) -> Option<(char, usize)> {
    // The longest entity accepted is `&#x10FFFF;` (10 bytes) / `&#1114111;` (10 bytes).
    let window = &s.as_bytes()[..s.len().min(12)];
    let semi = window.iter().position(|&b| b == b';')?;
    let name = std::str::from_utf8(&window[1..semi]).ok()?;
    let ch = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) if !hex.is_empty() && hex.len() <= 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()?
                }
                Some(_) => return None,
                None if !num.is_empty() && num.len() <= 7 && num.bytes().all(|b| b.is_ascii_digit()) => {
                    num.parse::<u32>().ok()?
                }
                None => return None,
            };
            if code == 0 {
                return None;
            }
            char::from_u32(code)?
        }
    };
    Some((ch, semi + 1))
}

/// Escapes text for HTML content and attribute values (`& < > " '`).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Turns a fragment of HTML (a review body) into plain text.
///
/// * `<br>`, `<br/>`, `<br />` become a newline; `<p>` / `</p>` a paragraph break; `<div>`,
///   `<li>` and their ends a line break; every other tag and `<!-- comments -->` are dropped.
/// * Entities are decoded (after the tags are gone, so `&lt;b&gt;` stays the text `<b>`).
/// * Whitespace is tidied: newlines already in the text are kept as line breaks (IMDb's text is
///   typed by users), runs of spaces, tabs and no-break spaces inside a line become one space,
///   lines are trimmed, at most one blank line separates paragraphs, and the whole is trimmed.
pub fn html_to_text(html: &str) -> String {
    let mut raw = String::with_capacity(html.len());
    let bytes = html.as_bytes();
    let mut text_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        if !(next.is_ascii_alphabetic() || next == b'/' || next == b'!' || next == b'?') {
            // A lone `<` is text.
            i += 1;
            continue;
        }
        raw.push_str(&decode_entities(&html[text_start..i]));
        if html[i..].starts_with("<!--") {
            i = html[i + 4..].find("-->").map_or(bytes.len(), |p| i + 4 + p + 3);
            text_start = i;
            continue;
        }
        let Some(gt) = tag_end(html, i + 1) else {
            // An unterminated tag at the end of a truncated fragment: drop it.
            text_start = bytes.len();
            break;
        };
        let inner = &html[i + 1..gt];
        let inner = inner.strip_prefix('/').unwrap_or(inner);
        let name_len = inner.bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
        let name = inner[..name_len].to_ascii_lowercase();
        match name.as_str() {
            "br" => raw.push('\n'),
            "p" => raw.push_str("\n\n"),
            "div" | "li" | "ul" | "ol" | "blockquote" => raw.push('\n'),
            _ => {}
        }
        i = gt + 1;
        text_start = i;
    }
    if text_start < bytes.len() {
        raw.push_str(&decode_entities(&html[text_start..]));
    }
    tidy_whitespace(&raw)
}

/// Collapses spaces inside lines, trims lines, keeps at most one blank line in a row, trims.
pub(crate) fn tidy_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_run = 0usize;
    let mut wrote_any = false;
    for line in s.split('\n') {
        let tidy = line.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
        if tidy.is_empty() {
            blank_run += 1;
            continue;
        }
        if wrote_any {
            out.push('\n');
            if blank_run > 0 {
                out.push('\n');
            }
        }
        out.push_str(&tidy);
        wrote_any = true;
        blank_run = 0;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_named_and_numeric() {
        assert_eq!(decode_entities("Sam &amp; Cat"), "Sam & Cat");
        assert_eq!(decode_entities("&lt;b&gt; &quot;q&quot; it&apos;s it&#39;s"), "<b> \"q\" it's it's");
        assert_eq!(decode_entities("&#233;t&#xE9; &#X263A; &#128512;"), "été ☺ 😀");
        assert_eq!(decode_entities("a&nbsp;b"), "a\u{a0}b");
    }

    #[test]
    fn entities_malformed_are_left_alone() {
        assert_eq!(decode_entities("AT&T & co"), "AT&T & co");
        assert_eq!(decode_entities("&amp"), "&amp");
        assert_eq!(
            decode_entities("&bogus; &#; &#x; &#xZZ; &#0; &#xD800; &#x110000; &#99999999999;"),
            "&bogus; &#; &#x; &#xZZ; &#0; &#xD800; &#x110000; &#99999999999;"
        );
        assert_eq!(decode_entities("&&amp;&"), "&&&");
        assert_eq!(decode_entities("é&amp;é"), "é&é");
        assert_eq!(decode_entities("&é;"), "&é;");
        assert_eq!(decode_entities("&#x1F600"), "&#x1F600");
    }

    #[test]
    fn review_html_to_text() {
        let html = "I saw it&#39;s   great.<br/><br/>Then\tI <b>really</b> liked it.<br>Line two<br />&lt;not a tag&gt; &amp; more";
        assert_eq!(html_to_text(html), "I saw it's great.\n\nThen I really liked it.\nLine two\n<not a tag> & more");
        assert_eq!(html_to_text("  <p>One</p><p>Two</p>  "), "One\n\nTwo");
        assert_eq!(html_to_text("a<br><br><br><br>b"), "a\n\nb");
        assert_eq!(html_to_text("x <!-- hidden <br> --> y"), "x y");
        assert_eq!(html_to_text("1 < 2 and 3 <4"), "1 < 2 and 3 <4");
        assert_eq!(html_to_text("cut <a href=\"/x"), "cut");
        assert_eq!(html_to_text("<a href=\"a>b\">link</a>"), "link");
        assert_eq!(html_to_text("line one\n   line two  \n\n\n\nline three"), "line one\nline two\n\nline three");
        assert_eq!(html_to_text("no&nbsp;break"), "no break");
        assert_eq!(html_to_text(""), "");
        assert_eq!(html_to_text("<br>"), "");
    }

    #[test]
    fn scripts_found_by_attributes_in_any_order() {
        let html = r#"<html><script src="a.js"></script><SCRIPT type='application/json' id=__NEXT_DATA__>{"a":1}</SCRIPT>
            <script type="application/ld+json">{"b":2}</script><scripts>no</scripts><script data-x="a>b" id="y">z</script>"#;
        assert_eq!(next_data(html), Some(r#"{"a":1}"#));
        assert_eq!(json_ld(html), vec![r#"{"b":2}"#]);
        let all = scripts(html);
        assert_eq!(all.len(), 4);
        assert_eq!(all[3].attr("id").as_deref(), Some("y"));
        assert_eq!(all[3].body, "z");
    }

    #[test]
    fn truncated_scripts() {
        assert_eq!(next_data(r#"<script id="__NEXT_DATA__">{"a":"#), Some(r#"{"a":"#));
        assert_eq!(next_data(r#"<script id="__NEXT_DATA__""#), None);
        assert_eq!(next_data("<script"), None);
        assert_eq!(next_data("<script id=\"__NEXT"), None);
        assert!(scripts(&"<script ".repeat(10_000)).is_empty());
        assert_eq!(scripts(&"<script>".repeat(1000)).len(), 1);
    }

    #[test]
    fn attributes() {
        assert_eq!(attr_value(r#" id="a" class='b c' defer x=y"#, "class").as_deref(), Some("b c"));
        assert_eq!(attr_value(r#" id="a" class='b c' defer x=y"#, "x").as_deref(), Some("y"));
        assert_eq!(attr_value(r#" id="a" class='b c' defer x=y"#, "defer").as_deref(), Some(""));
        assert_eq!(attr_value(r#" href="/a?b=1&amp;c=2""#, "href").as_deref(), Some("/a?b=1&c=2"));
        assert_eq!(attr_value(r#" = = "x" id="#, "id").as_deref(), Some(""));
        assert_eq!(attr_value(r#" id="unterminated"#, "id").as_deref(), Some("unterminated"));
    }

    #[test]
    fn links() {
        let html = r#"<a href="/title/tt0111161/?ref_=x">a</a><a href="/title/tt0068646">b</a>/title/ttx /title/tt"#;
        assert_eq!(title_links(html, 0, html.len()), vec!["tt0111161", "tt0068646"]);
        assert!(is_title_id("tt0375568"));
        assert!(!is_title_id("tt"));
        assert!(!is_title_id("nm0000001"));
        assert!(!is_title_id("tt12a"));
    }
}
