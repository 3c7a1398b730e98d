//! How numbers read on the page. Pure, so tested alone.

/// 2_343_110 → "2.3M", 65_341 → "65K", 912 → "912".
pub fn compact(n: i64) -> String {
    let a = n.unsigned_abs() as f64;
    let sign = if n < 0 { "-" } else { "" };
    let (v, unit) = if a >= 1e9 {
        (a / 1e9, "B")
    } else if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e3 {
        (a / 1e3, "K")
    } else {
        return n.to_string();
    };
    if v >= 100.0 || unit == "K" {
        format!("{sign}{v:.0}{unit}")
    } else {
        format!("{sign}{v:.1}{unit}")
    }
}

/// 28_341_469 → "$28.3M".
pub fn usd(n: i64) -> String {
    format!("${}", compact(n))
}

/// 8.66 → "8.7", 9.0 → "9.0": a rating to one decimal, in integer
/// arithmetic (the pages every visitor loads then carry no float formatting).
pub fn rating(r: f64) -> String {
    let tenths = (r * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths.abs() / 10, tenths.abs() % 10)
}

/// 142 → "2h 22m", 45 → "45m".
pub fn runtime(minutes: i32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

/// 1_234_567 → "1,234,567".
pub fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A stable hue (0..360) for a placeholder poster, from the movie id.
pub fn hue(id: &str) -> u32 {
    id.bytes().fold(2166136261u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16777619)) % 360
}

/// Percent-encodes a URL query value.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_have_one_decimal() {
        for (r, text) in [(0.0, "0.0"), (8.66, "8.7"), (9.0, "9.0"), (9.99, "10.0"), (3.04, "3.0"), (-0.5, "-0.5")] {
            assert_eq!(rating(r), text, "{r}");
        }
        // IMDb's ratings have one decimal already: each reads as written.
        for tenths in 0..=100 {
            let r = f64::from(tenths) / 10.0;
            assert_eq!(rating(r), format!("{r:.1}"));
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(compact(2_343_110), "2.3M");
        assert_eq!(compact(65_341), "65K");
        assert_eq!(compact(912), "912");
        assert_eq!(compact(2_799_439_100), "2.8B");
        assert_eq!(usd(28_341_469), "$28.3M");
        assert_eq!(runtime(142), "2h 22m");
        assert_eq!(runtime(45), "45m");
        assert_eq!(runtime(120), "2h");
        assert_eq!(thousands(2_343_110), "2,343,110");
        assert_eq!(thousands(999), "999");
        assert!(hue("tt0111161") < 360);
        assert_eq!(query_escape("Sci-Fi"), "Sci-Fi");
        assert_eq!(query_escape("a b&c"), "a+b%26c");
    }
}
