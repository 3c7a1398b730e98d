use leptos::prelude::*;
use leptos_router::components::A;

use super::search_bar::SearchBar;
use super::theme::ThemeToggle;

/// The top bar on every page.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-black">
            "Skip to content"
        </a>
        <header class="sticky top-0 z-40 border-b border-white/5 bg-neutral-950/85 backdrop-blur supports-[backdrop-filter]:bg-neutral-950/60">
            <nav class="mx-auto flex h-14 max-w-screen-2xl items-center gap-4 sm:gap-6 px-4 sm:px-8" aria-label="Main">
                <A href="/" attr:class="text-xl font-black tracking-tight text-red-500 hover:text-red-400" attr:aria-label="Marquee home">
                    "MARQUEE"
                </A>
                <A href="/" attr:class="nav-link text-sm text-neutral-300 hover:text-white">"Home"</A>
                <A href="/browse" attr:class="nav-link text-sm text-neutral-300 hover:text-white">"Browse"</A>
                <SearchBar />
                <ThemeToggle />
            </nav>
        </header>
    }
}
