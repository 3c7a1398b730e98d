use catalog::{HomeRow, MovieCard};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::get_home_rows;
use crate::components::poster::Poster;
use crate::components::row::Row;
use crate::components::state::{Failure, Loading};

/// `/`: a billboard and Netflix-like rows.
#[component]
pub fn HomePage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| get_home_rows());
    view! {
        <Title text="" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(rows) if rows.is_empty() => view! { <EmptyCatalog /> }.into_any(),
                    Ok(rows) => view! { <Home rows /> }.into_any(),
                    Err(e) => view! { <Failure message=super::message(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Home(rows: Vec<HomeRow>) -> impl IntoView {
    let featured = rows.first().and_then(|r| r.movies.first().cloned());
    view! {
        {featured.map(|m| view! { <Billboard movie=m /> })}
        <div class="mx-auto max-w-screen-2xl">
            {rows.into_iter().map(|row| view! { <Row row /> }).collect_view()}
        </div>
    }
}

#[component]
fn Billboard(movie: MovieCard) -> impl IntoView {
    let href = format!("/movie/{}", movie.id);
    view! {
        <section class="billboard relative overflow-hidden border-b border-white/5" aria-label="Featured film">
            <div class="absolute inset-0 bg-gradient-to-r from-red-950/60 via-neutral-950 to-neutral-950"></div>
            <div class="relative mx-auto flex max-w-screen-2xl items-center gap-6 px-4 py-10 sm:gap-10 sm:px-8 sm:py-14">
                <div class="hidden w-40 shrink-0 sm:block lg:w-52">
                    <Poster id=movie.id.clone() title=movie.title.clone() year=movie.year.unwrap_or_default() large=true thumbnail=movie.thumbnail.clone() />
                </div>
                <div class="max-w-xl">
                    <p class="text-xs font-semibold uppercase tracking-[0.2em] text-red-400">"Featured · Top rated"</p>
                    <h1 class="mt-2 text-3xl font-black leading-tight sm:text-5xl">{movie.title.clone()}</h1>
                    <p class="mt-2 text-neutral-300">
                        {movie.year.map(|y| y.to_string()).unwrap_or_default()}
                        {movie.rating.map(|r| format!(" · ★ {r:.1}"))}
                    </p>
                    <div class="mt-6 flex gap-3">
                        <A href=href attr:class="rounded bg-white px-5 py-2 text-sm font-semibold text-black hover:bg-neutral-200">"More info"</A>
                        <A href="/browse" attr:class="rounded bg-white/10 px-5 py-2 text-sm font-semibold hover:bg-white/20">"Browse all"</A>
                    </div>
                </div>
            </div>
        </section>
    }
}

#[component]
fn EmptyCatalog() -> impl IntoView {
    view! {
        <div class="mx-auto mt-24 max-w-md px-4 text-center">
            <h1 class="text-2xl font-bold">"The catalog is empty"</h1>
            <p class="mt-3 text-neutral-400">
                "The first pipeline run is loading the catalog. Refresh in a moment, or run "
                <code class="rounded bg-white/10 px-1">"marquee pipeline run"</code> "."
            </p>
        </div>
    }
}
