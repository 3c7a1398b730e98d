//! The reviews of a movie page: the scraped positive and negative reviews,
//! paginated and filterable by the model's label, each with the reviewer's
//! own rating beside the model's label and confidence; long texts collapsed,
//! spoilers hidden until asked for.

use catalog::{MovieReview, ReviewFilter, ReviewPage, SentimentScore};
use leptos::prelude::*;

use crate::api::get_movie_reviews;
use crate::components::chip::chip_class;
use crate::format;

/// Characters of a review shown before "Read more".
const COLLAPSE_AT: usize = 600;

/// `score`: the movie's own sentiment score (it is on the movie already).
#[component]
pub fn Reviews(id: String, score: Option<SentimentScore>) -> impl IntoView {
    let filter = RwSignal::new(ReviewFilter::All);
    let page = RwSignal::new(1u32);
    let data = Resource::new(
        move || (id.clone(), filter.get(), page.get()),
        |(id, f, p)| get_movie_reviews(id, Some(f.as_param().to_owned()), p),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let d = data.await.ok()?;
                // No reviews at all: nothing to show (Kaggle-only films).
                (d.total > 0 || d.filter != ReviewFilter::All).then(|| view! { <ReviewList data=d score filter page /> })
            })}
        </Suspense>
    }
}

#[component]
fn ReviewList(
    data: ReviewPage,
    score: Option<SentimentScore>,
    filter: RwSignal<ReviewFilter>,
    page: RwSignal<u32>,
) -> impl IntoView {
    let ReviewPage { reviews, page: current, total_pages, total, filter: shown } = data;
    let tab = move |f: ReviewFilter, label: &'static str| {
        let active = f == shown;
        view! {
            <button type="button" class=chip_class(active) aria-pressed=active.to_string() data-filter=f.as_param()
                on:click=move |_| { filter.set(f); page.set(1); }>
                {label}
            </button>
        }
    };
    view! {
        <section class="movie-reviews mx-auto mt-12 max-w-screen-xl px-4 sm:px-8" aria-labelledby="reviews-heading">
            <div class="flex flex-wrap items-end justify-between gap-3">
                <div>
                    <h2 id="reviews-heading" class="text-lg font-semibold">"User reviews"</h2>
                    {score.map(|s| view! {
                        <p class="reviews-score mt-1 text-sm text-neutral-400">
                            {format!("{}% positive · {} reviews read by our model ({})", s.percent(), s.reviews, s.verdict())}
                        </p>
                    })}
                </div>
                <div class="flex gap-2" role="group" aria-label="Filter reviews">
                    {tab(ReviewFilter::All, "All")}
                    {tab(ReviewFilter::Positive, "Positive")}
                    {tab(ReviewFilter::Negative, "Negative")}
                </div>
            </div>
            {if reviews.is_empty() {
                view! { <p class="mt-6 text-neutral-400">"No reviews match."</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-6 space-y-4" role="list">
                        {reviews.into_iter().map(|r| view! { <li><ReviewCard review=r /></li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <nav aria-label="Review pages" class="reviews-pagination mt-6 flex items-center justify-center gap-4 text-sm">
                <button type="button" class="rounded bg-white/10 px-4 py-2 hover:bg-white/20 disabled:opacity-30"
                    disabled=current <= 1 on:click=move |_| page.set(current.saturating_sub(1).max(1))>"← Newer"</button>
                <span class="text-neutral-400">{format!("{current} / {total_pages} · {total} reviews")}</span>
                <button type="button" class="rounded bg-white/10 px-4 py-2 hover:bg-white/20 disabled:opacity-30"
                    disabled=current >= total_pages on:click=move |_| page.set(current + 1)>"More →"</button>
            </nav>
        </section>
    }
}

#[component]
fn ReviewCard(review: MovieReview) -> impl IntoView {
    let r = review;
    let revealed = RwSignal::new(!r.spoiler);
    let long = r.body.chars().count() > COLLAPSE_AT;
    let expanded = RwSignal::new(!long);
    let short: String = r.body.chars().take(COLLAPSE_AT).collect();
    let body = r.body.clone();
    let label = r.sentiment.clone().map(|l| {
        let positive = l == "positive";
        let pct = r.confidence.map(|c| (c * 100.0).round() as u32);
        let class = if positive {
            "review-label rounded bg-emerald-500/15 px-2 py-0.5 text-xs font-medium text-emerald-300"
        } else {
            "review-label rounded bg-rose-500/15 px-2 py-0.5 text-xs font-medium text-rose-300"
        };
        let text = match pct {
            Some(p) => format!("{} · {p}%", if positive { "Positive" } else { "Negative" }),
            None => (if positive { "Positive" } else { "Negative" }).to_owned(),
        };
        view! { <span class=class data-label=l title="Our model's reading and its confidence">{text}</span> }
    });
    view! {
        <article class="review rounded-lg bg-white/5 p-4" data-spoiler=r.spoiler.to_string()>
            <header class="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
                {r.rating.map(|x| view! { <span class="review-rating font-semibold text-amber-400" title="The reviewer's rating">{format!("★ {x}/10")}</span> })}
                {label}
                {r.summary.clone().map(|s| view! { <span class="review-summary font-semibold text-neutral-100">{s}</span> })}
            </header>
            <p class="mt-1 text-xs text-neutral-400">
                {r.author.clone().unwrap_or_else(|| "Anonymous".into())}
                {r.date.clone().map(|d| format!(" · {d}"))}
                {r.helpful_up.filter(|h| *h > 0).map(|h| format!(" · {} found it helpful", format::thousands(h)))}
            </p>
            {move || if revealed.get() {
                let text = if expanded.get() { body.clone() } else { format!("{short}…") };
                view! {
                    <div class="review-body mt-3 whitespace-pre-line text-sm leading-relaxed text-neutral-200">{text}</div>
                    {long.then(|| view! {
                        <button type="button" class="review-more mt-2 text-xs font-semibold text-red-400 hover:underline"
                            aria-expanded=move || expanded.get().to_string()
                            on:click=move |_| expanded.update(|e| *e = !*e)>
                            {move || if expanded.get() { "Show less" } else { "Read more" }}
                        </button>
                    })}
                }.into_any()
            } else {
                view! {
                    <button type="button" class="review-spoiler mt-3 rounded border border-amber-400/40 px-3 py-2 text-xs text-amber-200 hover:bg-amber-400/10"
                        on:click=move |_| revealed.set(true)>
                        "This review contains spoilers. Show it"
                    </button>
                }.into_any()
            }}
        </article>
    }
}
