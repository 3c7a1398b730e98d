use leptos::prelude::*;

use crate::format::hue;

/// A poster-shaped tile. Remote poster images cannot be relied on (the
/// catalog's links point at a CDN that may be unreachable), so until the
/// thumbnails asset serves our own copies this draws a clean placeholder:
/// a per-film gradient with the title set in type. No broken-image icons.
#[component]
pub fn Poster(
    id: String,
    title: String,
    #[prop(optional)] year: Option<i32>,
    #[prop(optional)] large: bool,
) -> impl IntoView {
    let h = hue(&id);
    let style = format!(
        "background-image: linear-gradient(160deg, hsl({h} 55% 32%) 0%, hsl({} 60% 12%) 70%, hsl({} 40% 6%) 100%)",
        (h + 40) % 360,
        (h + 80) % 360
    );
    let title_class = if large {
        "line-clamp-5 text-xl font-bold leading-tight hyphens-auto [overflow-wrap:anywhere] sm:text-2xl"
    } else {
        "line-clamp-4 text-sm font-semibold leading-snug hyphens-auto [overflow-wrap:anywhere] sm:text-base"
    };
    view! {
        <div
            class="poster relative aspect-[2/3] w-full overflow-hidden rounded-md shadow-lg ring-1 ring-white/10"
            style=style
            role="img"
            aria-label=format!("Poster placeholder for {title}")
        >
            <div class="absolute inset-0 flex flex-col justify-end bg-gradient-to-t from-black/60 via-transparent to-transparent p-3">
                <span class=title_class>{title.clone()}</span>
                {year.map(|y| view! { <span class="mt-1 text-xs text-white/70">{y}</span> })}
            </div>
        </div>
    }
}
