use catalog::{BrowseQuery, Movie};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::not_found::NotFound;
use super::reviews::Reviews;
use crate::api::{get_movie as fetch_movie, similar_movies};
use crate::components::card::Card;
use crate::components::poster::Poster;
use crate::components::recent;
use crate::components::state::{Failure, Loading};
use crate::format;

/// `sizes` of a "More like this" card: a grid of 3, then 6 columns.
const SIMILAR_SIZES: &str = "(min-width: 640px) 16vw, 30vw";

/// `/movie/:id`: the detail page.
#[component]
pub fn MoviePage() -> impl IntoView {
    let params = use_params_map();
    let movie = Resource::new(move || params.read().get("id").unwrap_or_default(), fetch_movie);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match movie.await {
                    Ok(Some(m)) => {
                        let (id, score) = (m.id.clone(), m.sentiment);
                        view! { <Detail movie=m /> <Reviews id=id.clone() score /> <MoreLikeThis id /> }.into_any()
                    }
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <Failure message=super::message(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Fact(label: &'static str, value: String, class: &'static str) -> impl IntoView {
    view! {
        <div class=format!("fact {class}")>
            <dt class="text-xs uppercase tracking-wider text-neutral-400">{label}</dt>
            <dd class="mt-0.5 text-neutral-100">{value}</dd>
        </div>
    }
}

#[component]
fn Detail(movie: Movie) -> impl IntoView {
    let m = movie;
    let description = m.overview.clone().unwrap_or_default();
    // Remembered in this browser for the home page's "Because you viewed" row.
    let (id, title) = (m.id.clone(), m.title.clone());
    Effect::new(move |_| recent::remember(&id, &title));
    let facts = [
        ("Rating", m.rating.map(|r| format!("★ {} / 10", format::rating(r))), "fact-rating"),
        ("Votes", m.votes.map(format::thousands), "fact-votes"),
        ("Metascore", m.metascore.map(|s| s.to_string()), "fact-metascore"),
        (
            "Reviews",
            m.sentiment.map(|s| format!("{}% positive ({} reviews)", s.percent(), s.reviews)),
            "fact-sentiment",
        ),
        ("Runtime", m.runtime_minutes.map(format::runtime), "fact-runtime"),
        ("Gross (US)", m.gross_usd.map(format::usd), "fact-gross"),
        ("Certificate", m.certificate.clone(), "fact-certificate"),
        ("Language", m.language.clone(), "fact-language"),
    ];
    view! {
        <Title text=m.title.clone() />
        <Meta name="description" content=description />
        <article class="movie-detail mx-auto max-w-screen-xl px-4 pt-8 sm:px-8 sm:pt-12">
            <div class="grid gap-8 sm:grid-cols-[minmax(0,16rem)_1fr] lg:gap-12">
                <div class="mx-auto w-48 sm:w-full">
                    <Poster id=m.id.clone() title=m.title.clone() year=m.year.unwrap_or_default() large=true thumbnail=m.thumbnail.clone() sizes="(min-width: 640px) 256px, 192px" />
                </div>
                <div>
                    <h1 class="movie-title text-3xl font-black leading-tight sm:text-5xl">{m.title.clone()}</h1>
                    <p class="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-neutral-300">
                        {m.year.map(|y| view! { <span class="movie-year">{y}</span> })}
                        {m.runtime_minutes.map(|r| view! { <span>{format::runtime(r)}</span> })}
                        {m.rating.map(|r| view! { <span class="text-amber-400">{format!("★ {}", format::rating(r))}</span> })}
                    </p>
                    <ul class="movie-genres mt-4 flex flex-wrap gap-2" aria-label="Genres">
                        {m.genres.clone().into_iter().map(|g| {
                            let href = BrowseQuery::default().toggle_genre(&g).href();
                            view! { <li><A href=href attr:class="rounded-full border border-white/15 px-3 py-1 text-xs hover:border-white/40">{g}</A></li> }
                        }).collect_view()}
                    </ul>
                    {m.overview.clone().map(|o| view! { <p class="movie-overview mt-6 max-w-2xl text-lg leading-relaxed text-neutral-200">{o}</p> })}
                    <dl class="mt-8 grid max-w-2xl grid-cols-2 gap-x-6 gap-y-4 sm:grid-cols-3">
                        {facts.into_iter().filter_map(|(label, v, class)| v.map(|value| view! { <Fact label value class /> })).collect_view()}
                    </dl>
                    <dl class="mt-8 max-w-2xl space-y-3">
                        {m.director.clone().map(|d| view! {
                            <div class="movie-director">
                                <dt class="text-xs uppercase tracking-wider text-neutral-400">"Director"</dt>
                                <dd><People names=vec![d] /></dd>
                            </div>
                        })}
                        {(!m.stars.is_empty()).then(|| view! {
                            <div class="movie-stars">
                                <dt class="text-xs uppercase tracking-wider text-neutral-400">"Stars"</dt>
                                <dd><People names=m.stars.clone() /></dd>
                            </div>
                        })}
                    </dl>
                </div>
            </div>
        </article>
    }
}

/// The nearest films by the search engine's document vectors.
#[component]
fn MoreLikeThis(id: String) -> impl IntoView {
    let similar = Resource::new(move || id.clone(), similar_movies);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let movies = similar.await.unwrap_or_default();
                (!movies.is_empty()).then(|| view! {
                    <section class="more-like-this mx-auto mt-12 max-w-screen-xl px-4 sm:px-8" aria-labelledby="more-like-this">
                        <h2 id="more-like-this" class="mb-3 text-lg font-semibold">"More like this"</h2>
                        <ul class="grid grid-cols-3 gap-4 sm:grid-cols-6" role="list">
                            {movies.into_iter().map(|m| view! { <li><Card movie=m sizes=SIMILAR_SIZES /></li> }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}

/// Names, each linking to the browse page of their films.
#[component]
fn People(names: Vec<String>) -> impl IntoView {
    let last = names.len().saturating_sub(1);
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let mut q = BrowseQuery::default();
            q.filters.person = Some(name.clone());
            view! {
                <A href=q.href() attr:class="person-link underline decoration-white/30 underline-offset-4 hover:decoration-white">{name}</A>
                {(i < last).then_some(", ")}
            }
        })
        .collect_view()
}
