use catalog::{MovieCard, SentimentFilter, SentimentScore};
use leptos::prelude::*;
use leptos_router::components::A;

use super::poster::{Poster, GRID_SIZES};

/// A poster card linking to the movie page. Its accessible name is its
/// visible text (title, year, rating); the poster inside is decorative.
#[component]
pub fn Card(
    movie: MovieCard,
    /// How wide the card is drawn, as an `<img sizes>` value.
    #[prop(default = GRID_SIZES)]
    sizes: &'static str,
) -> impl IntoView {
    let href = format!("/movie/{}", movie.id);
    let data_id = movie.id.clone();
    view! {
        <A href=href attr:class="movie-card group block rounded-md outline-none focus-visible:ring-2 focus-visible:ring-red-500" attr:data-id=data_id>
            <div class="transition duration-200 group-hover:scale-[1.03] group-focus-visible:scale-[1.03]">
                <Poster id=movie.id.clone() title=movie.title.clone() thumbnail=movie.thumbnail.clone() sizes decorative=true />
            </div>
            <div class="mt-2 px-0.5">
                <p class="card-title truncate text-sm font-medium text-neutral-100">{movie.title.clone()}</p>
                <p class="flex items-center gap-2 text-xs text-neutral-400">
                    {movie.year.map(|y| view! { <span class="card-year">{y}</span> })}
                    {movie.rating.map(|r| view! {
                        <span class="card-rating inline-flex items-center gap-0.5 text-amber-400">
                            <span aria-hidden="true">"★"</span>
                            <span class="sr-only">"Rating "</span>
                            {crate::format::rating(r)}
                        </span>
                    })}
                    {movie.sentiment.map(|s| view! { <SentimentBadge score=s /> })}
                </p>
            </div>
        </A>
    }
}

/// A movie's share of positive reviews, coloured by its verdict.
#[component]
pub fn SentimentBadge(score: SentimentScore) -> impl IntoView {
    let pct = score.percent();
    let colour = match score.band() {
        SentimentFilter::Positive => "text-emerald-400",
        SentimentFilter::Mixed => "text-amber-300",
        SentimentFilter::Negative => "text-rose-400",
    };
    let title = format!("{pct}% of {} reviews positive ({})", score.reviews, score.verdict());
    let hint = title.clone();
    view! {
        <span class=format!("card-sentiment inline-flex items-center gap-0.5 {colour}") title=hint data-percent=pct>
            <span aria-hidden="true">"▲"</span>
            <span class="sr-only">{title}</span>
            <span aria-hidden="true">{format!("{pct}%")}</span>
        </span>
    }
}
