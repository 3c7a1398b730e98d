use catalog::{HomeRow, MovieCard};
use leptos::prelude::*;
use leptos_router::components::A;

use super::card::Card;
use super::poster::ROW_SIZES;
use super::preview::{use_preview, HOVER_DELAY};
use crate::api::get_more_cards;

/// Most cards a row grows to as it scrolls.
const MAX_CARDS: usize = 120;

/// A horizontally scrolling row of cards: touch and trackpads scroll it, the
/// arrow buttons page it (once hydrated), and a row backed by a `/browse`
/// query loads that query's next pages as it nears its end.
#[component]
pub fn Row(row: HomeRow) -> impl IntoView {
    let HomeRow { key, title, href, movies } = row;
    let heading_id = format!("row-{key}");
    let labelled_by = heading_id.clone();
    let list = NodeRef::<leptos::html::Ul>::new();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    // Only a row backed by a browse query can show all and grow.
    let browsable = href.starts_with("/browse");
    let seen: Vec<String> = movies.iter().map(|m| m.id.clone()).collect();
    let more = RwSignal::new(Vec::<MovieCard>::new());
    let state = StoredValue::new(Loader { seen, next_page: 1, busy: false, done: !browsable });
    let query = href.trim_start_matches("/browse").to_owned();
    let load_more = StoredValue::new(move || {
        let page = state.with_value(|s| (!s.busy && !s.done && s.seen.len() < MAX_CARDS).then_some(s.next_page));
        let Some(page) = page else { return };
        state.update_value(|s| s.busy = true);
        let qs = if query.is_empty() { format!("?page={page}") } else { format!("{query}&page={page}") };
        leptos::task::spawn_local(async move {
            let fetched = get_more_cards(qs).await;
            state.update_value(|s| {
                s.busy = false;
                match fetched {
                    Ok(d) => {
                        s.done = page >= d.total_pages;
                        s.next_page = page + 1;
                        let fresh: Vec<MovieCard> = d.movies.into_iter().filter(|m| !s.seen.contains(&m.id)).collect();
                        s.seen.extend(fresh.iter().map(|m| m.id.clone()));
                        more.update(|v| v.extend(fresh));
                    }
                    Err(_) => s.done = true,
                }
            });
        });
    });
    let on_scroll = move |_| {
        let Some(el) = list.get_untracked() else { return };
        if el.scroll_left() + 2 * el.client_width() >= el.scroll_width() {
            load_more.with_value(|f| f());
        }
    };
    let page = move |dir: i32| {
        if let Some(el) = list.get_untracked() {
            el.scroll_by_with_x_and_y(f64::from(dir * el.client_width() * 9 / 10), 0.0);
        }
    };
    let button = "row-scroll absolute top-0 bottom-14 z-10 hidden w-10 items-center justify-center bg-neutral-950/70 text-3xl text-white opacity-0 transition group-hover/row:opacity-100 focus-visible:opacity-100 sm:flex";
    view! {
        <section class="home-row group/row relative mt-8" aria-labelledby=labelled_by data-row=key>
            <div class="mb-3 flex items-baseline justify-between px-4 sm:px-8">
                <h2 id=heading_id class="text-lg font-semibold sm:text-xl">{title.clone()}</h2>
                {browsable.then(|| view! {
                    <A href=href.clone() attr:class="text-sm text-neutral-400 hover:text-white" attr:aria-label=format!("See all: {title}")>"See all"</A>
                })}
            </div>
            <div class="relative">
                <button type="button" class=format!("{button} row-prev left-0") aria-label="Scroll left" hidden=move || !hydrated.get() on:click=move |_| page(-1)>"‹"</button>
                <ul node_ref=list on:scroll=on_scroll class="no-scrollbar relative flex snap-x scroll-smooth gap-3 overflow-x-auto scroll-px-4 px-4 pb-2 sm:scroll-px-8 sm:px-8" role="list">
                    {movies.into_iter().map(|movie| view! { <RowItem movie /> }).collect_view()}
                    <For each=move || more.get() key=|m| m.id.clone() let:movie>
                        <RowItem movie />
                    </For>
                </ul>
                <button type="button" class=format!("{button} row-next right-0") aria-label="Scroll right" hidden=move || !hydrated.get() on:click=move |_| page(1)>"›"</button>
            </div>
        </section>
    }
}

/// One card of a row. With a mouse resting on it, or focus on it, it opens
/// the page's preview card (when the page has one).
#[component]
fn RowItem(movie: MovieCard) -> impl IntoView {
    let item = NodeRef::<leptos::html::Li>::new();
    let preview = use_preview();
    let open = {
        let movie = movie.clone();
        move |delay| {
            if let (Some(p), Some(el)) = (preview, item.get_untracked()) {
                p.open_over(movie.clone(), &el, delay);
            }
        }
    };
    let hover = open.clone();
    let close = move |now| {
        if let Some(p) = preview {
            p.close(now);
        }
    };
    view! {
        <li
            node_ref=item
            class="w-32 shrink-0 snap-start sm:w-40 lg:w-44"
            on:pointerenter=move |e| {
                if e.pointer_type() == "mouse" {
                    hover(HOVER_DELAY);
                }
            }
            on:pointerleave=move |_| close(false)
            on:focusin=move |e| {
                // Keyboard focus only: a click focuses the link too, and a
                // preview opening under the pointer would take the click.
                if event_target::<leptos::web_sys::Element>(&e).matches(":focus-visible").unwrap_or(false) {
                    open(std::time::Duration::ZERO);
                }
            }
            on:focusout=move |_| close(true)
        >
            <Card movie sizes=ROW_SIZES />
        </li>
    }
}

/// What a row has shown and where its next page starts.
struct Loader {
    seen: Vec<String>,
    next_page: u32,
    busy: bool,
    done: bool,
}
