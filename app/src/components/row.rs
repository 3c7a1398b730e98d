use catalog::HomeRow;
use leptos::prelude::*;
use leptos_router::components::A;

use super::card::Card;

/// A horizontally scrolling row of cards with a title and "see all".
#[component]
pub fn Row(row: HomeRow) -> impl IntoView {
    let heading_id = format!("row-{}", row.key);
    let labelled_by = heading_id.clone();
    let data_row = row.key.clone();
    view! {
        <section class="home-row mt-8" aria-labelledby=labelled_by data-row=data_row>
            <div class="mb-3 flex items-baseline justify-between px-4 sm:px-8">
                <h2 id=heading_id class="text-lg font-semibold sm:text-xl">{row.title.clone()}</h2>
                <A href=row.href.clone() attr:class="text-sm text-neutral-400 hover:text-white">"See all"</A>
            </div>
            <ul class="no-scrollbar flex snap-x gap-3 overflow-x-auto scroll-px-4 px-4 pb-2 sm:scroll-px-8 sm:px-8" role="list">
                {row
                    .movies
                    .into_iter()
                    .map(|m| view! { <li class="w-32 shrink-0 snap-start sm:w-40 lg:w-44"><Card movie=m /></li> })
                    .collect_view()}
            </ul>
        </section>
    }
}
