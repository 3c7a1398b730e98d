//! Dark (the default) or light: a cookie the server reads to render the
//! right class on `<html>` (no flash of the wrong theme), set by a POST form
//! that works without JS and, once hydrated, switched in place.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The cookie holding the choice.
pub const COOKIE: &str = "marquee_theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

impl Theme {
    /// `light` is light; anything else is the default.
    pub fn from_param(v: &str) -> Self {
        if v.trim() == "light" {
            Self::Light
        } else {
            Self::Dark
        }
    }

    /// The theme a `Cookie` header asks for.
    pub fn from_cookie_header(header: &str) -> Self {
        header
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == COOKIE)
            .map_or(Self::Dark, |(_, v)| Self::from_param(v))
    }

    /// The class on `<html>` and the cookie's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dark => "dark",
            Self::Light => "light",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Dark => Self::Light,
            Self::Light => Self::Dark,
        }
    }

    /// The `Set-Cookie` value remembering it for a year.
    pub fn set_cookie(self) -> String {
        format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", self.as_str())
    }
}

/// The theme of the request being rendered (server) or of the page (browser).
pub fn current() -> Theme {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| p.headers.get(http::header::COOKIE)?.to_str().ok().map(Theme::from_cookie_header))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let light = document().document_element().is_some_and(|e| e.class_list().contains("light"));
        if light {
            Theme::Light
        } else {
            Theme::Dark
        }
    }
}

/// The header's theme switch.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(current());
    let location = use_location();
    let next = move || {
        let search = location.search.get();
        let search = search.trim_start_matches('?');
        let path = location.pathname.get();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            ev.prevent_default();
            let t = theme.get_untracked().other();
            if let Some(root) = document().document_element() {
                let classes = root.class_list();
                let _ = classes.remove_1(t.other().as_str());
                let _ = classes.add_1(t.as_str());
            }
            if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
                let _ = doc.set_cookie(&t.set_cookie());
            }
            theme.set(t);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <form method="post" action="/theme" class="theme-toggle" on:submit=on_submit>
            <input type="hidden" name="next" value=next />
            <button
                type="submit"
                name="theme"
                value=move || theme.get().other().as_str()
                class="rounded-full p-2 text-neutral-300 hover:bg-white/10 hover:text-white"
                aria-label=move || format!("Switch to the {} theme", theme.get().other().as_str())
                data-theme=move || theme.get().as_str()
            >
                <span aria-hidden="true">{move || if theme.get() == Theme::Dark { "☀" } else { "☾" }}</span>
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_choose_the_theme() {
        assert_eq!(Theme::from_cookie_header("a=b; marquee_theme=light; c=d"), Theme::Light);
        assert_eq!(Theme::from_cookie_header("marquee_theme=dark"), Theme::Dark);
        assert_eq!(Theme::from_cookie_header("marquee_theme=<script>"), Theme::Dark);
        assert_eq!(Theme::from_cookie_header(""), Theme::Dark);
    }
}
