use catalog::{BrowsePage as BrowseData, BrowseSort, SentimentFilter};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::get_browse_page;
use crate::components::card::Card;
use crate::components::chip::chip_class;
use crate::components::state::{Failure, Loading};
use crate::format::query_escape;

/// `/browse?page=&sort=&genre=&sentiment=`: the whole catalog as a paginated grid.
#[component]
pub fn BrowsePage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            (q.get("page"), q.get("sort"), q.get("genre"), q.get("sentiment"))
        },
        |(page, sort, genre, sentiment)| get_browse_page(page, sort, genre, sentiment),
    );
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

fn href(page: u32, sort: BrowseSort, genre: Option<&str>, sentiment: Option<SentimentFilter>) -> String {
    let mut s = format!("/browse?sort={}", sort.as_param());
    if let Some(g) = genre {
        s.push_str(&format!("&genre={}", query_escape(g)));
    }
    if let Some(f) = sentiment {
        s.push_str(&format!("&sentiment={}", f.as_param()));
    }
    if page > 1 {
        s.push_str(&format!("&page={page}"));
    }
    s
}

#[component]
fn Grid(data: BrowseData) -> impl IntoView {
    let BrowseData { movies, page, total_pages, total, sort, genre, sentiment, genres } = data;
    let g = genre.clone();
    view! {
        <div class="mx-auto max-w-screen-2xl px-4 pt-8 sm:px-8">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-bold sm:text-3xl">{genre.clone().unwrap_or_else(|| "All films".to_owned())}</h1>
                    <p class="browse-total mt-1 text-sm text-neutral-400">{format!("{total} films · page {page} of {total_pages}")}</p>
                </div>
                <nav aria-label="Sort" class="flex flex-wrap gap-2">
                    {BrowseSort::ALL.into_iter().map(|s| {
                        let active = s == sort;
                        view! {
                            <A href=href(1, s, g.as_deref(), sentiment) attr:class=chip_class(active) attr:aria-current=active.then_some("true") attr:data-sort=s.as_param()>
                                {s.label()}
                            </A>
                        }
                    }).collect_view()}
                </nav>
            </div>
            <nav aria-label="Genres" class="no-scrollbar mt-4 flex gap-2 overflow-x-auto pb-2">
                <A href=href(1, sort, None, sentiment) attr:class=chip_class(genre.is_none())>"All"</A>
                {genres.into_iter().map(|x| {
                    let active = genre.as_deref() == Some(x.as_str());
                    let link = href(1, sort, Some(&x), sentiment);
                    let data = x.clone();
                    view! { <A href=link attr:class=chip_class(active) attr:data-genre=data>{x}</A> }
                }).collect_view()}
            </nav>
            <nav aria-label="Reviews" class="mt-2 flex flex-wrap gap-2">
                <A href=href(1, sort, genre.as_deref(), None) attr:class=chip_class(sentiment.is_none())>"Any reviews"</A>
                {SentimentFilter::ALL.into_iter().map(|f| {
                    let active = sentiment == Some(f);
                    view! {
                        <A href=href(1, sort, genre.as_deref(), Some(f)) attr:class=chip_class(active) attr:aria-current=active.then_some("true") attr:data-sentiment=f.as_param()>
                            {f.label()}
                        </A>
                    }
                }).collect_view()}
            </nav>
            {if movies.is_empty() {
                view! { <p class="mt-16 text-center text-neutral-400">"No films match."</p> }.into_any()
            } else {
                view! {
                    <ul class="browse-grid mt-6 grid grid-cols-2 gap-x-4 gap-y-6 sm:grid-cols-4 lg:grid-cols-6" role="list">
                        {movies.into_iter().map(|m| view! { <li><Card movie=m /></li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <nav aria-label="Pagination" class="pagination mt-10 flex items-center justify-center gap-4 text-sm">
                {(page > 1).then(|| view! { <A href=href(page - 1, sort, genre.as_deref(), sentiment) attr:class="rounded bg-white/10 px-4 py-2 hover:bg-white/20" attr:rel="prev">"← Previous"</A> })}
                <span class="text-neutral-400">{format!("{page} / {total_pages}")}</span>
                {(page < total_pages).then(|| view! { <A href=href(page + 1, sort, genre.as_deref(), sentiment) attr:class="rounded bg-white/10 px-4 py-2 hover:bg-white/20" attr:rel="next">"Next →"</A> })}
            </nav>
        </div>
    }
}
