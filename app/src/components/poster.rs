use catalog::Thumbnail;
use leptos::prelude::*;

use crate::format::hue;

/// `sizes` of a card in a horizontal row (`w-32 sm:w-40 lg:w-44`).
pub const ROW_SIZES: &str = "(min-width: 1024px) 176px, (min-width: 640px) 160px, 128px";
/// `sizes` of a card in a grid of 2, 4 then 6 columns.
pub const GRID_SIZES: &str = "(min-width: 1024px) 16vw, (min-width: 640px) 24vw, 45vw";

/// A poster-shaped tile. With a `thumbnail` (our own copy, served from the
/// object store at `/media/…`), the image fills the tile at its reserved size
/// and its tiny blurred placeholder shows until it loads. Without one, a clean
/// placeholder: a per-film gradient with the title set in type. No broken-image icons.
/// The browser picks the image's width from `srcset` (the thumbnail and its
/// narrower variants) for the tile's `sizes` and the screen's pixel density.
#[component]
pub fn Poster(
    id: String,
    title: String,
    #[prop(optional)] year: Option<i32>,
    #[prop(optional)] large: bool,
    #[prop(default = None)] thumbnail: Option<Thumbnail>,
    /// How wide the tile is drawn, as an `<img sizes>` value.
    #[prop(default = GRID_SIZES)]
    sizes: &'static str,
    /// Inside a link that already names the film: hidden from assistive technology.
    #[prop(optional)]
    decorative: bool,
) -> impl IntoView {
    if let Some(t) = thumbnail.filter(|t| Thumbnail::is_valid_key(&t.key)) {
        // The placeholder is our own base64 JPEG data URI; nothing else reaches the style.
        let background = t
            .placeholder
            .as_deref()
            .filter(|p| {
                p.starts_with("data:image/jpeg;base64,")
                    && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=:;,-".contains(&b))
            })
            .map(|p| format!("background-image: url({p}); background-size: cover; background-position: center"))
            .unwrap_or_else(|| format!("background-color: hsl({} 40% 18%)", hue(&id)));
        let (w, h) = if t.width > 0 && t.height > 0 { (t.width, t.height) } else { (300, 450) };
        return view! {
            <div
                class="poster poster-thumb relative aspect-[2/3] w-full overflow-hidden rounded-md shadow-lg ring-1 ring-white/10"
                style=background
            >
                <img
                    src=t.url()
                    srcset=t.srcset()
                    sizes=sizes
                    width=w
                    height=h
                    alt=if decorative { String::new() } else { format!("Poster of {title}") }
                    loading=if large { "eager" } else { "lazy" }
                    decoding="async"
                    class="absolute inset-0 h-full w-full object-cover"
                />
            </div>
        }
        .into_any();
    }
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
            role=(!decorative).then_some("img")
            aria-label=(!decorative).then(|| format!("Poster of {title}"))
            aria-hidden=decorative.then_some("true")
        >
            <div class="absolute inset-0 flex flex-col justify-end bg-gradient-to-t from-black/60 via-transparent to-transparent p-3">
                <span class=title_class>{title.clone()}</span>
                {year.map(|y| view! { <span class="mt-1 text-xs text-white/70">{y}</span> })}
            </div>
        </div>
    }
    .into_any()
}
