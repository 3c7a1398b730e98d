//! The header search bar: a plain GET form to `/search` (works without JS),
//! and, once hydrated, as-you-type suggestions from a debounced server
//! function, navigable with the arrow keys, Enter and Escape. Hydrated, a
//! submit navigates client-side (a plain `<form>` and one handler: the
//! router's `<Form>` would put its code in every page's WASM for one field).

use std::time::Duration;

use catalog::Suggestion;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::suggest;
use crate::format::{hue, query_escape};

const DEBOUNCE: Duration = Duration::from_millis(120);

#[component]
pub fn SearchBar() -> impl IntoView {
    let params = use_query_map();
    let initial = params.read_untracked().get("q").unwrap_or_default();
    let text = RwSignal::new(initial);
    let debounced = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let navigate = use_navigate();

    let suggestions = LocalResource::new(move || {
        let q = debounced.get();
        async move {
            if q.trim().is_empty() {
                Vec::new()
            } else {
                suggest(q).await.unwrap_or_default()
            }
        }
    });
    let current = move || suggestions.get().unwrap_or_default();

    let on_input = move |ev| {
        let v = event_target_value(&ev);
        text.set(v.clone());
        active.set(None);
        open.set(!v.trim().is_empty());
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        timer.set_value(set_timeout_with_handle(move || debounced.set(v), DEBOUNCE).ok());
    };

    let go = {
        let navigate = navigate.clone();
        move |s: &Suggestion| {
            open.set(false);
            active.set(None);
            navigate(&format!("/movie/{}", s.id), Default::default());
        }
    };

    let on_submit = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            open.set(false);
            navigate(&format!("/search?q={}", query_escape(&text.get_untracked())), Default::default());
        }
    };

    let on_keydown = {
        let go = go.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let list = current();
            let n = list.len();
            match ev.key().as_str() {
                "ArrowDown" if n > 0 => {
                    ev.prevent_default();
                    open.set(true);
                    active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
                }
                "ArrowUp" if n > 0 => {
                    ev.prevent_default();
                    active.update(|a| *a = Some(a.map_or(n - 1, |i| (i + n - 1) % n)));
                }
                "Escape" => {
                    open.set(false);
                    active.set(None);
                }
                "Enter" => {
                    if let Some(s) = active.get_untracked().and_then(|i| list.get(i).cloned()) {
                        ev.prevent_default();
                        go(&s);
                    } else {
                        open.set(false);
                    }
                }
                _ => {}
            }
        }
    };

    view! {
        <div class="search-bar relative ml-auto w-full max-w-xs sm:max-w-sm">
            <form action="/search" method="get" role="search" class="relative" on:submit=on_submit>
                <label for="q" class="sr-only">"Search films"</label>
                <input
                    id="q"
                    name="q"
                    type="search"
                    autocomplete="off"
                    maxlength="256"
                    placeholder="Search titles, plots…"
                    role="combobox"
                    aria-autocomplete="list"
                    aria-controls="search-suggestions"
                    aria-expanded=move || if open.get() && !current().is_empty() { "true" } else { "false" }
                    aria-activedescendant=move || active.get().map(|i| format!("suggestion-{i}"))
                    class="w-full rounded-full border border-white/10 bg-white/5 py-1.5 pl-4 pr-9 text-sm text-white placeholder:text-neutral-400 focus:border-white/30 focus:bg-white/10 focus:outline-none"
                    prop:value=move || text.get()
                    on:input=on_input
                    on:keydown=on_keydown
                    on:blur=move |_| {
                        // Let a click on a suggestion land before closing.
                        set_timeout(move || open.set(false), Duration::from_millis(150));
                    }
                    on:focus=move |_| open.set(!text.get_untracked().trim().is_empty())
                />
                <button type="submit" class="absolute right-2 top-1/2 -translate-y-1/2 p-1 text-neutral-400 hover:text-white" aria-label="Search">
                    <svg viewBox="0 0 20 20" class="h-4 w-4" fill="currentColor" aria-hidden="true">
                        <path d="M8.5 3a5.5 5.5 0 014.38 8.83l3.65 3.64a.75.75 0 11-1.06 1.06l-3.64-3.65A5.5 5.5 0 118.5 3zm0 1.5a4 4 0 100 8 4 4 0 000-8z" />
                    </svg>
                </button>
            </form>
            <Show when=move || open.get() && !current().is_empty()>
                <ul id="search-suggestions" role="listbox" aria-label="Suggestions" class="suggestions absolute right-0 z-50 mt-2 w-full overflow-hidden rounded-lg border border-white/10 bg-neutral-900 shadow-2xl">
                    {
                        let go = go.clone();
                        move || {
                            current()
                                .into_iter()
                                .enumerate()
                                .map(|(i, s)| {
                                    let selected = move || active.get() == Some(i);
                                    let h = hue(&s.id);
                                    let thumb = format!("background-image: linear-gradient(160deg, hsl({h} 55% 35%), hsl({} 60% 12%))", (h + 40) % 360);
                                    let go = go.clone();
                                    let pick = s.clone();
                                    view! {
                                        <li
                                            id=format!("suggestion-{i}")
                                            role="option"
                                            aria-selected=move || if selected() { "true" } else { "false" }
                                            data-id=s.id.clone()
                                            class=move || if selected() { "suggestion flex cursor-pointer items-center gap-3 bg-white/10 px-3 py-2" } else { "suggestion flex cursor-pointer items-center gap-3 px-3 py-2 hover:bg-white/5" }
                                            on:mousedown=move |ev| {
                                                ev.prevent_default();
                                                go(&pick);
                                            }
                                        >
                                            <span class="h-10 w-7 shrink-0 rounded-sm ring-1 ring-white/10" style=thumb aria-hidden="true"></span>
                                            <span class="min-w-0">
                                                <span class="suggestion-title block truncate text-sm text-white">{s.title.clone()}</span>
                                                <span class="block text-xs text-neutral-400">
                                                    {s.year.map(|y| y.to_string()).unwrap_or_default()}
                                                    {s.rating.map(|r| format!(" · ★ {}", crate::format::rating(r)))}
                                                </span>
                                            </span>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }
                    }
                </ul>
            </Show>
        </div>
    }
}
