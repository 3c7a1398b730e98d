use catalog::{SearchHit, SearchResults, Segment};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use crate::api::search_movies;
use crate::components::poster::Poster;
use crate::components::state::{Failure, Loading};
use crate::format::query_escape;

/// `/search?q=&genre=&year_from=&year_to=&min_rating=&page=`: ranked results
/// with the matching words highlighted; filters run inside the engine.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            [q.get("q"), q.get("page"), q.get("genre"), q.get("year_from"), q.get("year_to"), q.get("min_rating")]
        },
        |[q, page, genre, yf, yt, mr]| search_movies(q, page, genre, yf, yt, mr),
    );
    view! {
        <Title text="Search" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(r) => view! { <Results results=r /> }.into_any(),
                    Err(e) => view! { <Failure message=super::message(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn marked(parts: Vec<Segment>) -> impl IntoView {
    parts
        .into_iter()
        .map(|s| {
            if s.hit {
                view! { <mark class="rounded-sm bg-amber-400/25 px-0.5 text-amber-200">{s.text}</mark> }.into_any()
            } else {
                s.text.into_any()
            }
        })
        .collect_view()
}

fn page_href(r: &SearchResults, page: u32) -> String {
    let mut s = format!("/search?q={}", query_escape(&r.query));
    if let Some(g) = &r.filters.genre {
        s.push_str(&format!("&genre={}", query_escape(g)));
    }
    if let Some(y) = r.filters.year_from {
        s.push_str(&format!("&year_from={y}"));
    }
    if let Some(y) = r.filters.year_to {
        s.push_str(&format!("&year_to={y}"));
    }
    if let Some(m) = r.filters.min_rating {
        s.push_str(&format!("&min_rating={m}"));
    }
    s.push_str(&format!("&page={page}"));
    s
}

#[component]
fn Results(results: SearchResults) -> impl IntoView {
    let r = results;
    let prev = (r.page > 1).then(|| page_href(&r, r.page - 1));
    let next = (r.page < r.total_pages).then(|| page_href(&r, r.page + 1));
    let heading =
        if r.query.trim().is_empty() { "Search".to_owned() } else { format!("Results for “{}”", r.query) };
    let summary = if r.query.trim().is_empty() {
        String::new()
    } else if r.total == 0 {
        "No films match.".to_owned()
    } else {
        format!("{} films · page {} of {}", r.total, r.page, r.total_pages)
    };
    let f = r.filters.clone();
    let input = "rounded border border-white/10 bg-white/5 px-2 py-1 text-sm";
    view! {
        <div class="mx-auto max-w-screen-lg px-4 pt-8 sm:px-8">
            <h1 class="text-2xl font-bold sm:text-3xl">{heading}</h1>
            <p class="search-summary mt-1 text-sm text-neutral-400">{summary}</p>
            {r.notice.clone().map(|n| view! { <p role="status" class="search-notice mt-3 text-sm text-amber-300">{n}</p> })}
            <Form action="/search" attr:class="search-filters mt-5 flex flex-wrap items-end gap-3" attr:aria-label="Filters">
                <input type="hidden" name="q" value=r.query.clone() />
                <label class="flex flex-col gap-1 text-xs text-neutral-400">"Genre"
                    <select name="genre" class=input>
                        <option value="">"Any"</option>
                        {r.genres.iter().map(|g| {
                            let selected = f.genre.as_deref() == Some(g.as_str());
                            view! { <option value=g.clone() selected=selected>{g.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-xs text-neutral-400">"From year"
                    <input name="year_from" type="number" min="1870" max="2100" class=format!("{input} w-24") value=f.year_from.map(|y| y.to_string()).unwrap_or_default() />
                </label>
                <label class="flex flex-col gap-1 text-xs text-neutral-400">"To year"
                    <input name="year_to" type="number" min="1870" max="2100" class=format!("{input} w-24") value=f.year_to.map(|y| y.to_string()).unwrap_or_default() />
                </label>
                <label class="flex flex-col gap-1 text-xs text-neutral-400">"Min rating"
                    <input name="min_rating" type="number" min="0" max="10" step="0.1" class=format!("{input} w-20") value=f.min_rating.map(|m| m.to_string()).unwrap_or_default() />
                </label>
                <button type="submit" class="rounded bg-white px-4 py-1.5 text-sm font-semibold text-black hover:bg-neutral-200">"Apply"</button>
            </Form>
            <ol class="search-results mt-8 space-y-6">
                {r.hits.into_iter().map(|h| view! { <ResultItem hit=h /> }).collect_view()}
            </ol>
            <nav aria-label="Pagination" class="mt-10 flex items-center justify-center gap-4 text-sm">
                {prev.map(|h| view! { <A href=h attr:rel="prev" attr:class="rounded bg-white/10 px-4 py-2 hover:bg-white/20">"← Previous"</A> })}
                {next.map(|h| view! { <A href=h attr:rel="next" attr:class="rounded bg-white/10 px-4 py-2 hover:bg-white/20">"Next →"</A> })}
            </nav>
        </div>
    }
}

#[component]
fn ResultItem(hit: SearchHit) -> impl IntoView {
    let m = hit.movie;
    let href = format!("/movie/{}", m.id);
    let (data_id, poster_href) = (m.id.clone(), href.clone());
    view! {
        <li class="search-result flex gap-4" data-id=data_id>
            <A href=poster_href attr:class="w-20 shrink-0 sm:w-24" attr:tabindex="-1" attr:aria-hidden="true">
                <Poster id=m.id.clone() title=m.title.clone() thumbnail=m.thumbnail.clone() sizes="96px" />
            </A>
            <div class="min-w-0">
                <A href=href attr:class="result-title text-lg font-semibold hover:underline">{marked(hit.title)}</A>
                <p class="text-sm text-neutral-400">
                    {m.year.map(|y| y.to_string()).unwrap_or_default()}
                    {m.rating.map(|r| format!(" · ★ {}", crate::format::rating(r)))}
                    {(!hit.genres.is_empty()).then(|| format!(" · {}", hit.genres.join(", ")))}
                </p>
                <p class="result-overview mt-1 line-clamp-3 text-sm text-neutral-300">{marked(hit.overview)}</p>
            </div>
        </li>
    }
}
