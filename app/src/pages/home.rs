use catalog::{Featured, HomeData, HomeRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::{get_home, similar_movies};
use crate::components::poster::Poster;
use crate::components::preview::{provide_preview, PreviewCard};
use crate::components::recent;
use crate::components::row::Row;
use crate::components::state::{Failure, Loading};
use crate::format;

/// `/`: a billboard and Netflix-like rows.
#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| get_home());
    view! {
        <Title text="" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(h) if h.rows.is_empty() => view! { <EmptyCatalog /> }.into_any(),
                    Ok(h) => view! { <Home home=h /> }.into_any(),
                    Err(e) => view! { <Failure message=super::message(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Home(home: HomeData) -> impl IntoView {
    let HomeData { featured, rows } = home;
    let mut rows = rows.into_iter();
    let first: Vec<HomeRow> = rows.by_ref().take(2).collect();
    let rest: Vec<HomeRow> = rows.collect();
    let preview = provide_preview();
    view! {
        {featured.map(|m| view! { <Billboard movie=m /> })}
        <div class="mx-auto max-w-screen-2xl">
            {first.into_iter().map(|row| view! { <Row row /> }).collect_view()}
            <BecauseYouViewed />
            {rest.into_iter().map(|row| view! { <Row row /> }).collect_view()}
        </div>
        <PreviewCard preview />
    }
}

/// The featured film: its poster (blurred behind as a backdrop when there is
/// an image), overview and actions.
#[component]
fn Billboard(movie: Featured) -> impl IntoView {
    let Featured { card: m, overview } = movie;
    let href = format!("/movie/{}", m.id);
    let backdrop = m.thumbnail.clone().filter(|t| catalog::Thumbnail::is_valid_key(&t.key)).map(|t| {
        view! {
            // Blurred to a wash of colour: the narrowest copy is all it needs.
            <img src=t.url_for_width(catalog::Thumbnail::VARIANT_WIDTHS[0]) alt="" aria-hidden="true" fetchpriority="high" width=t.width height=t.height
                 class="absolute inset-0 h-full w-full scale-110 object-cover opacity-30 blur-2xl" />
        }
    });
    let facts = [
        m.year.map(|y| y.to_string()),
        m.runtime_minutes.map(format::runtime),
        m.rating.map(|r| format!("★ {}", format::rating(r))),
        (!m.genres.is_empty()).then(|| m.genres.join(" · ")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("  ·  ");
    view! {
        <section class="billboard relative overflow-hidden border-b border-white/5" aria-label="Featured film">
            {backdrop}
            <div class="absolute inset-0 bg-gradient-to-r from-red-950/60 via-neutral-950/90 to-neutral-950"></div>
            <div class="relative mx-auto flex max-w-screen-2xl items-center gap-6 px-4 py-10 sm:gap-10 sm:px-8 sm:py-14">
                <div class="hidden w-40 shrink-0 sm:block lg:w-52">
                    <Poster id=m.id.clone() title=m.title.clone() year=m.year.unwrap_or_default() large=true thumbnail=m.thumbnail.clone() sizes="(min-width: 1024px) 208px, 160px" />
                </div>
                <div class="max-w-2xl">
                    <p class="text-xs font-semibold uppercase tracking-[0.2em] text-red-400">"Featured · Trending now"</p>
                    <h1 class="billboard-title mt-2 text-3xl font-black leading-tight sm:text-5xl">{m.title.clone()}</h1>
                    <p class="mt-2 text-sm text-neutral-300">{facts}</p>
                    {overview.map(|o| view! { <p class="billboard-overview mt-4 line-clamp-3 max-w-xl text-neutral-200 sm:text-lg">{o}</p> })}
                    <div class="mt-6 flex gap-3">
                        <A href=href attr:class="rounded bg-white px-5 py-2 text-sm font-semibold text-black hover:bg-neutral-200">"More info"</A>
                        <A href="/browse" attr:class="rounded bg-white/10 px-5 py-2 text-sm font-semibold hover:bg-white/20">"Browse all"</A>
                    </div>
                </div>
            </div>
        </section>
    }
}

/// "Because you viewed X": films like the last one this browser opened.
/// Browser only (the memory is in localStorage), so it renders nothing on
/// the server and appears once hydrated, below the fold.
#[component]
fn BecauseYouViewed() -> impl IntoView {
    let row = RwSignal::new(None::<HomeRow>);
    Effect::new(move |_| {
        let Some((id, title)) = recent::last_viewed() else { return };
        leptos::task::spawn_local(async move {
            if let Ok(movies) = similar_movies(id.clone()).await {
                if !movies.is_empty() {
                    let title = format!("Because you viewed {title}");
                    row.set(Some(HomeRow {
                        key: "because-you-viewed".into(),
                        title,
                        href: format!("/movie/{id}"),
                        movies,
                    }));
                }
            }
        });
    });
    move || row.get().map(|row| view! { <Row row /> })
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
