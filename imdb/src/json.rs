//! Tolerant lookups into `serde_json::Value`: a wrong type or a missing key is `None`, never an
//! error, so a renamed or moved field empties one record field and nothing else.

use serde_json::Value;

/// The value at `path` (object keys) under `v`.
pub(crate) fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, key| v.get(key)).filter(|v| !v.is_null())
}

/// The first non-null value at `path` under any of `roots`.
pub(crate) fn first_at<'a>(roots: &[&'a Value], path: &[&str]) -> Option<&'a Value> {
    roots.iter().find_map(|r| at(r, path))
}

/// A non-empty string at `path`.
pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The first non-empty string at `path` under any of `roots`.
pub(crate) fn first_str<'a>(roots: &[&'a Value], path: &[&str]) -> Option<&'a str> {
    roots.iter().find_map(|r| str_at(r, path))
}

/// A number as f64: a JSON number or a numeric string ("6.3"). Non-finite values are `None`.
pub(crate) fn as_f64(v: &Value) -> Option<f64> {
    let f = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }?;
    f.is_finite().then_some(f)
}

/// An integer: a JSON integer, an integral float within range, or an integer string, optionally
/// with thousands separators ("28,341,469").
pub(crate) fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e18).then_some(f as i64)
        }),
        Value::String(s) => {
            let digits: String = s.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
            digits.parse::<i64>().ok()
        }
        _ => None,
    }
}

/// The first integer at `path` under any of `roots`.
pub(crate) fn first_i64(roots: &[&Value], path: &[&str]) -> Option<i64> {
    roots.iter().find_map(|r| at(r, path).and_then(as_i64))
}

/// The first number at `path` under any of `roots`.
pub(crate) fn first_f64(roots: &[&Value], path: &[&str]) -> Option<f64> {
    roots.iter().find_map(|r| at(r, path).and_then(as_f64))
}

/// The elements of the array at `path`, or nothing.
pub(crate) fn array_at<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    at(v, path).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A value that JSON-LD may give as one item or a list: always a list.
pub(crate) fn one_or_many(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

/// Breadth-first search under `root` (at most `max_depth` levels, never into keys in `skip`) for
/// the first non-empty string under one of `keys`. Within one object `keys` are tried in order.
/// When the object holding the key also says `"hasNextPage": false`, the match is discarded and
/// the search ends with `None`: the page says there is no next page.
pub(crate) fn find_cursor(root: &Value, keys: &[&str], skip: &[&str], max_depth: usize) -> Option<String> {
    let mut level: Vec<&Value> = vec![root];
    for _ in 0..=max_depth {
        let mut next = Vec::new();
        for v in level {
            match v {
                Value::Object(map) => {
                    for key in keys {
                        if let Some(s) = map.get(*key).and_then(Value::as_str).filter(|s| !s.trim().is_empty()) {
                            if map.get("hasNextPage").and_then(Value::as_bool) == Some(false) {
                                return None;
                            }
                            return Some(s.to_string());
                        }
                    }
                    next.extend(map.iter().filter(|(k, _)| !skip.contains(&k.as_str())).map(|(_, v)| v));
                }
                Value::Array(items) => next.extend(items.iter()),
                _ => {}
            }
        }
        if next.is_empty() {
            break;
        }
        level = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookups_are_tolerant() {
        let v = json!({"a": {"b": {"c": 5, "s": "x", "n": null, "f": 2.0, "big": 2923706026_i64, "t": "1,234"}}});
        assert_eq!(at(&v, &["a", "b", "c"]).and_then(as_i64), Some(5));
        assert_eq!(str_at(&v, &["a", "b", "s"]), Some("x"));
        assert!(at(&v, &["a", "b", "n"]).is_none());
        assert!(at(&v, &["a", "x", "c"]).is_none());
        assert!(at(&v, &["a", "b", "c", "d"]).is_none());
        assert_eq!(at(&v, &["a", "b", "f"]).and_then(as_i64), Some(2));
        assert_eq!(at(&v, &["a", "b", "big"]).and_then(as_i64), Some(2_923_706_026));
        assert_eq!(at(&v, &["a", "b", "t"]).and_then(as_i64), Some(1234));
        assert_eq!(as_i64(&json!(1e300)), None);
        assert_eq!(as_i64(&json!(1.5)), None);
        assert_eq!(as_f64(&json!("6.3")), Some(6.3));
        assert_eq!(as_f64(&json!(true)), None);
        assert_eq!(one_or_many(Some(&json!({"a": 1}))).len(), 1);
        assert_eq!(one_or_many(Some(&json!([1, 2]))).len(), 2);
        assert!(one_or_many(None).is_empty());
    }

    #[test]
    fn cursor_search() {
        let keys = ["paginationKey", "endCursor"];
        let v = json!({"reviews": [{"endCursor": "per-item"}], "x": {"pageInfo": {"endCursor": "abc", "hasNextPage": true}}});
        assert_eq!(find_cursor(&v, &keys, &["reviews"], 4).as_deref(), Some("abc"));
        let v = json!({"pageInfo": {"endCursor": "abc", "hasNextPage": false}});
        assert_eq!(find_cursor(&v, &keys, &[], 4), None);
        let v = json!({"paginationKey": "k", "deep": {"endCursor": "e"}});
        assert_eq!(find_cursor(&v, &keys, &[], 4).as_deref(), Some("k"));
        let v = json!({"a": {"b": {"c": {"endCursor": "deep"}}}});
        assert_eq!(find_cursor(&v, &keys, &[], 1), None);
        assert_eq!(find_cursor(&v, &keys, &[], 3).as_deref(), Some("deep"));
    }
}
