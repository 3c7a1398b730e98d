use catalog::{BrowsePage as BrowseData, BrowseQuery, BrowseSort, MovieCard, SentimentFilter, RUNTIMES, YEARS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_location;

use crate::api::{get_browse_page, get_more_cards};
use crate::components::card::Card;
use crate::components::chip::chip_class;
use crate::components::state::{Failure, Loading};

/// `/browse?sort=&genre=&genre=&year_from=&year_to=&runtime_min=&runtime_max=&min_rating=&language=&person=&sentiment=&page=`:
/// the whole catalog as a filtered grid. Every control is a link or a GET
/// form, so the page works before (and without) the WASM; once hydrated,
/// the same links navigate client-side and the grid loads the next pages as
/// it scrolls (the page links stay as the no-JS fallback).
#[component]
pub fn BrowsePage() -> impl IntoView {
    let location = use_location();
    let data = Resource::new(move || location.search.get(), get_browse_page);
    view! {
        <Title text="Browse" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Grid data=d /> }.into_any(),
                    Err(e) => view! { <Failure message=super::message(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Grid(data: BrowseData) -> impl IntoView {
    let BrowseData { movies, query, total_pages, total, genres, languages } = data;
    let page = query.page;
    let heading = query.filters.heading();
    let q = query.clone();
    view! {
        <div class="mx-auto max-w-screen-2xl px-4 pt-8 sm:px-8">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-bold sm:text-3xl">{heading}</h1>
                    <p class="browse-total mt-1 text-sm text-neutral-400" data-total=total.to_string() aria-live="polite">
                        {format!("{total} films · page {page} of {total_pages}")}
                    </p>
                </div>
                <nav aria-label="Sort" class="flex flex-wrap gap-2">
                    {BrowseSort::ALL.into_iter().map(|s| {
                        let active = s == q.sort;
                        view! {
                            <A href=q.with_sort(s).href() attr:class=chip_class(active) attr:aria-current=active.then_some("true") attr:data-sort=s.as_param()>
                                {s.label()}
                            </A>
                        }
                    }).collect_view()}
                </nav>
            </div>
            <nav aria-label="Genres" class="no-scrollbar mt-4 flex gap-2 overflow-x-auto pb-2">
                {genres.into_iter().map(|g| {
                    let active = q.filters.genres.contains(&g);
                    let link = q.toggle_genre(&g).href();
                    let label = if active { format!("{g} ✓") } else { g.clone() };
                    view! { <A href=link attr:class=chip_class(active) attr:aria-current=active.then_some("true") attr:data-genre=g>{label}</A> }
                }).collect_view()}
            </nav>
            <nav aria-label="Reviews" class="mt-2 flex flex-wrap gap-2">
                <A href=q.with_sentiment(None).href() attr:class=chip_class(q.filters.sentiment.is_none())>"Any reviews"</A>
                {SentimentFilter::ALL.into_iter().map(|f| {
                    let active = q.filters.sentiment == Some(f);
                    view! {
                        <A href=q.with_sentiment(Some(f)).href() attr:class=chip_class(active) attr:aria-current=active.then_some("true") attr:data-sentiment=f.as_param()>
                            {f.label()}
                        </A>
                    }
                }).collect_view()}
            </nav>
            <Filters query=query.clone() languages />
            {if movies.is_empty() {
                view! { <p class="no-results mt-16 text-center text-neutral-400">"No films match these filters."</p> }.into_any()
            } else {
                view! { <Results movies query=query.clone() total_pages /> }.into_any()
            }}
            <nav aria-label="Pagination" class="pagination mt-10 flex items-center justify-center gap-4 text-sm">
                {(page > 1).then(|| view! { <A href=query.with_page(page - 1).href() attr:class="rounded bg-white/10 px-4 py-2 hover:bg-white/20" attr:rel="prev">"← Previous"</A> })}
                <span class="text-neutral-400">{format!("{page} / {total_pages}")}</span>
                {(page < total_pages).then(|| view! { <A href=query.with_page(page + 1).href() attr:class="rounded bg-white/10 px-4 py-2 hover:bg-white/20" attr:rel="next">"Next →"</A> })}
            </nav>
        </div>
    }
}

/// The filters that take a value: a GET form, so they work without JS and
/// land in the URL; the genres and the sort ride along as hidden fields.
/// Fields set both the `value` attribute (server render) and the property
/// (so going back in history resets what the user had typed).
#[component]
fn Filters(query: BrowseQuery, languages: Vec<String>) -> impl IntoView {
    let f = query.filters.clone();
    let rating = f.min_rating;
    let language = f.language.clone();
    let sentiment = f.sentiment;
    view! {
        <Form action="/browse" attr:class="browse-filters mt-4 grid grid-cols-2 items-end gap-3 rounded-lg border border-white/10 bg-white/[0.03] p-4 sm:grid-cols-4 lg:grid-cols-8" attr:aria-label="Filters">
            {(query.sort != BrowseSort::default()).then(|| view! { <input type="hidden" name="sort" value=query.sort.as_param() /> })}
            {f.genres.iter().map(|g| view! { <input type="hidden" name="genre" value=g.clone() /> }).collect_view()}
            {sentiment.map(|s| view! { <input type="hidden" name="sentiment" value=s.as_param() /> })}
            <NumberField label="From year" name="year_from" range=YEARS placeholder="1920" value=f.year_from />
            <NumberField label="To year" name="year_to" range=YEARS placeholder="2026" value=f.year_to />
            <NumberField label="Min runtime" name="runtime_min" range=RUNTIMES placeholder="minutes" value=f.runtime_min />
            <NumberField label="Max runtime" name="runtime_max" range=RUNTIMES placeholder="minutes" value=f.runtime_max />
            <label class=LABEL>"Rating"
                <select class=FIELD name="min_rating" prop:value=rating.map(|r| r.to_string()).unwrap_or_default()>
                    <option value="" selected=rating.is_none()>"Any"</option>
                    {[9.0, 8.5, 8.0, 7.5, 7.0, 6.0].into_iter().map(|r| view! {
                        <option value=r.to_string() selected=rating == Some(r)>{format!("{r:.1}+")}</option>
                    }).collect_view()}
                </select>
            </label>
            {(!languages.is_empty()).then(|| view! {
                <label class=LABEL>"Language"
                    <select class=FIELD name="language" prop:value=language.clone().unwrap_or_default()>
                        <option value="" selected=language.is_none()>"Any"</option>
                        {languages.into_iter().map(|l| {
                            let selected = language.as_deref() == Some(l.as_str());
                            let value = l.clone();
                            view! { <option value=value selected=selected>{l}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })}
            <label class=LABEL>"Person"
                <input class=FIELD type="search" name="person" maxlength="100" placeholder="Director or star" value=f.person.clone().unwrap_or_default() prop:value=f.person.clone().unwrap_or_default() />
            </label>
            <div class="col-span-2 flex items-center gap-3 sm:col-span-4 lg:col-span-8">
                <button type="submit" class="apply-filters rounded bg-white px-4 py-1.5 text-sm font-semibold text-black hover:bg-neutral-200">"Apply filters"</button>
                {(!f.is_empty()).then(|| view! {
                    <A href=query.cleared().href() attr:class="clear-filters text-sm text-neutral-400 underline hover:text-white">"Clear filters"</A>
                })}
            </div>
        </Form>
    }
}

const FIELD: &str = "mt-1 w-full rounded border border-white/15 bg-neutral-900 px-2 py-1.5 text-sm text-neutral-100";
const LABEL: &str = "block text-xs font-medium text-neutral-400";

/// A labelled number input of the filter form, bounded like the server's parser.
#[component]
fn NumberField(
    label: &'static str,
    name: &'static str,
    range: (i32, i32),
    placeholder: &'static str,
    value: Option<i32>,
) -> impl IntoView {
    let value = value.map(|v| v.to_string()).unwrap_or_default();
    view! {
        <label class=LABEL>{label}
            <input class=FIELD type="number" name=name min=range.0.to_string() max=range.1.to_string() inputmode="numeric"
                   placeholder=placeholder value=value.clone() prop:value=value />
        </label>
    }
}

/// The grid: the server-rendered page, then (once hydrated) the following
/// pages, fetched as the end of the grid scrolls into view.
#[component]
fn Results(movies: Vec<MovieCard>, query: BrowseQuery, total_pages: u32) -> impl IntoView {
    let more = RwSignal::new(Vec::<MovieCard>::new());
    let next = RwSignal::new(query.page + 1);
    let busy = RwSignal::new(false);
    let sentinel = NodeRef::<leptos::html::Div>::new();
    let query = StoredValue::new(query);
    let load_more = move || {
        let page = next.get_untracked();
        if busy.get_untracked() || page > total_pages {
            return;
        }
        busy.set(true);
        let qs = query.with_value(|q| q.with_page(page).href()).trim_start_matches("/browse").to_owned();
        leptos::task::spawn_local(async move {
            if let Ok(d) = get_more_cards(qs).await {
                more.update(|m| m.extend(d.movies));
                next.set(page + 1);
            }
            busy.set(false);
        });
    };
    // Browser only: check the sentinel on scroll.
    #[cfg(not(feature = "hydrate"))]
    let _ = load_more;
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let handle = window_event_listener(leptos::ev::scroll, move |_| {
            let Some(el) = sentinel.get_untracked() else { return };
            let height = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(900.0);
            if el.get_bounding_client_rect().top() < height + 800.0 {
                load_more();
            }
        });
        on_cleanup(move || handle.remove());
    });
    view! {
        <ul class="browse-grid mt-6 grid grid-cols-2 gap-x-4 gap-y-6 sm:grid-cols-4 lg:grid-cols-6" role="list">
            {movies.into_iter().map(|m| view! { <li><Card movie=m /></li> }).collect_view()}
            <For each=move || more.get() key=|m| m.id.clone() let:m>
                <li><Card movie=m /></li>
            </For>
        </ul>
        <div node_ref=sentinel class="browse-more h-px" aria-hidden="true"></div>
        <Show when=move || busy.get()>
            <p class="mt-6 text-center text-sm text-neutral-400" role="status">"Loading more films…"</p>
        </Show>
    }
}
