//! A small quote-aware CSV reader (RFC 4180: quoted fields, doubled quotes,
//! newlines inside quotes), enough for the Kaggle catalog.

/// Every record of `text`, header included.
pub(crate) fn records(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        out.push(row);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_commas_and_newlines() {
        let r = super::records("a,b\n\"x, y\",\"say \"\"hi\"\"\nthere\"\n1,2");
        assert_eq!(r, vec![vec!["a", "b"], vec!["x, y", "say \"hi\"\nthere"], vec!["1", "2"]]);
    }
}
