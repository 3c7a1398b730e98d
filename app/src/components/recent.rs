//! The last film a visitor opened, kept in the browser's localStorage (no
//! account, nothing sent to the server) for the home page's "Because you
//! viewed" row. Outside the browser both functions do nothing.

/// The localStorage key.
pub const KEY: &str = "marquee_last_viewed";

/// `id` and `title` as stored: the id, a tab, the title.
pub fn encode(id: &str, title: &str) -> String {
    format!("{id}\t{}", title.replace(['\t', '\n'], " "))
}

/// The stored id and title, when the value is well-formed (it may have been
/// edited by hand: ids are short and alphanumeric).
pub fn decode(value: &str) -> Option<(String, String)> {
    let (id, title) = value.split_once('\t')?;
    let ok =
        !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (ok && !title.trim().is_empty() && title.len() <= 300).then(|| (id.to_owned(), title.to_owned()))
}

/// Remembers the film being viewed.
pub fn remember(id: &str, title: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = leptos::prelude::window().local_storage().ok().flatten() {
        let _ = storage.set_item(KEY, &encode(id, title));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, title);
}

/// The last film viewed in this browser.
pub fn last_viewed() -> Option<(String, String)> {
    #[cfg(feature = "hydrate")]
    {
        let storage = leptos::prelude::window().local_storage().ok().flatten()?;
        decode(&storage.get_item(KEY).ok().flatten()?)
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_tampering() {
        assert_eq!(decode(&encode("tt0068646", "The\tGodfather")), Some(("tt0068646".into(), "The Godfather".into())));
        for bad in ["", "tt1", "\tTitle", "../x\tTitle", "tt1\t  ", "<script>\tx"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
