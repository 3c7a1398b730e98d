//! The Marquee site: every component, route and server function.
//!
//! Rendered on the server (feature `ssr`) and hydrated in the browser
//! (feature `hydrate`). Server functions in [`api`] are the one seam between
//! the two: typed, and the one place where page input is validated.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod format;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

use components::header::Header;
use pages::{home::HomePage, lazy, not_found::NotFound};

/// The HTML document around the app (server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::security::set_content_security_policy();
    let theme = components::theme::current().as_str();
    view! {
        <!DOCTYPE html>
        <html lang="en" class=theme>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-neutral-950 text-neutral-100 antialiased">
                <App />
            </body>
        </html>
    }
}

/// The document title, "Film · Marquee". leptos_meta 0.8 writes the formatted
/// title into the server's HTML as it is, unescaped, so a scraped title like
/// `</title><script>…` became markup (found by `server/tests/http/probes.rs`):
/// on the server it is escaped here, and the browser decodes it back. In the
/// browser the same text goes to `document.title`, plain text: not escaped.
fn document_title(t: String) -> String {
    let t = if t.is_empty() { "Marquee".to_owned() } else { format!("{t} · Marquee") };
    if cfg!(feature = "ssr") {
        t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    } else {
        t
    }
}

/// The root component: head tags, the header and the routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/marquee.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="description" content="Marquee: every film worth knowing, fast." />
        <Meta name="theme-color" content="#0a0a0a" />
        <Title formatter=document_title />
        <Router>
            <Header />
            <main id="main" class="pb-16">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/browse") view={Lazy::<lazy::Browse>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/search") view={Lazy::<lazy::Search>::new()} />
                    <Route path=path!("/movie/:id") view={Lazy::<lazy::Movie>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin") view={Lazy::<lazy::AdminHome>::new()} />
                    <Route path=path!("/admin/login") view={Lazy::<lazy::AdminLogin>::new()} />
                    <Route path=path!("/admin/runs") view={Lazy::<lazy::AdminRuns>::new()} />
                    <Route path=path!("/admin/runs/:id") view={Lazy::<lazy::AdminRun>::new()} />
                </Routes>
            </main>
            <footer class="border-t border-white/5 px-4 py-8 text-center text-xs text-neutral-400 sm:px-8">
                "Marquee · catalog data from the Kaggle IMDb top 1000 (CC0)"
            </footer>
        </Router>
    }
}
