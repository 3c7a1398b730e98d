//! The preview card of a home row: hovering a card with a mouse (for a
//! moment) or focusing it from the keyboard opens a larger card over it with
//! the film's facts and genres; clicking it opens the film.
//!
//! Rows scroll horizontally, and a scrolling box clips what overflows it, so
//! the preview is not drawn inside the row: a page calls [`provide_preview`]
//! before its rows and draws one [`PreviewCard`], `position: fixed` over the
//! card whose preview is open. It repeats what
//! the card's link already says, so it is hidden from assistive technology
//! and holds nothing focusable: the card stays the one thing to activate.
//! It appears only once the page is hydrated (without JavaScript the cards
//! are plain links).

use std::time::Duration;

use catalog::MovieCard;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::card::SentimentBadge;
use super::poster::Poster;
use crate::format;

/// How long a mouse rests on a card before its preview opens.
pub const HOVER_DELAY: Duration = Duration::from_millis(350);
/// How long a preview stays after the mouse leaves (time to move onto it).
const LEAVE_GRACE: Duration = Duration::from_millis(120);
/// Width of the preview card, in CSS pixels, at most.
const PREVIEW_WIDTH: f64 = 340.0;
/// Space kept between the preview and the window's edges.
const MARGIN: f64 = 8.0;

/// A card's box on the screen (from `getBoundingClientRect`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// Where the preview goes: its left, top and width, in CSS pixels. It is
/// centred on the card, a little above it, and kept inside the window.
pub fn place(card: Rect, viewport_width: f64) -> (f64, f64, f64) {
    let width = PREVIEW_WIDTH.min(viewport_width - 2.0 * MARGIN).max(0.0);
    let centred = card.left + card.width / 2.0 - width / 2.0;
    let left = centred.min(viewport_width - MARGIN - width).max(MARGIN);
    let top = (card.top + card.height * 0.15).max(MARGIN);
    (left, top, width)
}

#[derive(Clone)]
struct Shown {
    movie: MovieCard,
    left: f64,
    top: f64,
    width: f64,
}

/// The page's preview: which card shows one, and the pending timer.
#[derive(Clone, Copy)]
pub struct Preview {
    shown: RwSignal<Option<Shown>>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl Preview {
    fn new() -> Self {
        Self { shown: RwSignal::new(None), timer: StoredValue::new(None) }
    }

    fn cancel_timer(self) {
        if let Some(t) = self.timer.try_update_value(Option::take).flatten() {
            t.clear();
        }
    }

    fn after(self, delay: Duration, f: impl FnOnce() + 'static) {
        self.cancel_timer();
        if delay.is_zero() {
            f();
        } else if let Ok(handle) = set_timeout_with_handle(f, delay) {
            self.timer.set_value(Some(handle));
        }
    }

    /// Opens `movie`'s preview over the element `card` after `delay` (at
    /// once for zero), placed where the card is then (the page may scroll
    /// while the pointer rests).
    pub fn open_over(self, movie: MovieCard, card: &leptos::web_sys::Element, delay: Duration) {
        #[cfg(feature = "hydrate")]
        {
            let card = card.clone();
            self.after(delay, move || {
                let r = card.get_bounding_client_rect();
                let viewport = window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(1280.0);
                let rect = Rect { left: r.left(), top: r.top(), width: r.width(), height: r.height() };
                let (left, top, width) = place(rect, viewport);
                self.shown.set(Some(Shown { movie, left, top, width }));
            });
        }
        // Only a browser has boxes (and only its events call this).
        #[cfg(not(feature = "hydrate"))]
        let _ = (movie, card, delay);
    }

    /// Closes the preview, after a short grace unless `now`.
    pub fn close(self, now: bool) {
        let delay = if now { Duration::ZERO } else { LEAVE_GRACE };
        self.after(delay, move || self.shown.set(None));
    }

    /// Keeps an open preview open (the pointer moved onto it).
    fn keep(self) {
        self.cancel_timer();
    }
}

/// The preview of the page's rows, if the page provides one.
pub fn use_preview() -> Option<Preview> {
    use_context::<Preview>()
}

/// Gives the rows created after it (in this component and below) a preview to open.
pub fn provide_preview() -> Preview {
    let preview = Preview::new();
    provide_context(preview);
    // No timer outlives the page.
    on_cleanup(move || preview.cancel_timer());
    preview
}

/// Draws the page's preview card while one is open.
#[component]
pub fn PreviewCard(preview: Preview) -> impl IntoView {
    let navigate = use_navigate();
    Effect::new(move |_| {
        // A scroll hides an open preview (a card about to open is placed when
        // it opens); Escape dismisses it.
        let scroll = window_event_listener(leptos::ev::scroll, move |_| {
            if preview.shown.try_with_untracked(Option::is_some) == Some(true) {
                preview.shown.set(None);
            }
        });
        let keys = window_event_listener(leptos::ev::keydown, move |e| {
            if e.key() == "Escape" {
                preview.close(true);
            }
        });
        on_cleanup(move || {
            scroll.remove();
            keys.remove();
        });
    });
    // `try_get`: when a navigation replaces the page, an update already on
    // its way may arrive after the preview's state is gone; nothing to draw then.
    move || {
        preview.shown.try_get().flatten().map(|Shown { movie, left, top, width }| {
            let href = format!("/movie/{}", movie.id);
            let navigate = navigate.clone();
            let facts = [
                movie.year.map(|y| y.to_string()),
                movie.runtime_minutes.map(format::runtime),
                movie.rating.map(|r| format!("★ {}", format::rating(r))),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            let genres = movie.genres.join(" · ");
            view! {
                <div
                    class="row-preview fixed z-40 cursor-pointer"
                    style=format!("left: {}px; top: {}px; width: {}px", left as i64, top as i64, width as i64)
                    aria-hidden="true"
                    data-id=movie.id.clone()
                    on:pointerenter=move |_| preview.keep()
                    on:pointerleave=move |_| preview.close(false)
                    // Keep focus on the card: a focus change would close the preview before the click.
                    on:pointerdown=|e| e.prevent_default()
                    on:click=move |_| {
                        preview.close(true);
                        navigate(&href, Default::default());
                    }
                >
                    <div class="preview-pop flex gap-3 rounded-lg bg-neutral-900 p-3 shadow-2xl shadow-black/60 ring-1 ring-white/15">
                        <div class="w-24 shrink-0">
                            <Poster id=movie.id.clone() title=movie.title.clone() thumbnail=movie.thumbnail.clone() sizes="96px" decorative=true />
                        </div>
                        <div class="flex min-w-0 flex-col">
                            <p class="preview-title line-clamp-2 font-semibold leading-snug text-neutral-50">{movie.title.clone()}</p>
                            <p class="preview-facts mt-1 text-xs text-neutral-300">{facts}</p>
                            {(!genres.is_empty()).then(|| view! { <p class="preview-genres mt-1 line-clamp-2 text-xs text-neutral-400">{genres}</p> })}
                            {movie.sentiment.map(|s| view! { <p class="mt-1 text-xs"><SentimentBadge score=s /></p> })}
                            <span class="mt-auto self-start rounded bg-white px-3 py-1 text-xs font-semibold text-black">"More info"</span>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: Rect = Rect { left: 500.0, top: 300.0, width: 176.0, height: 300.0 };

    #[test]
    fn the_preview_is_centred_on_its_card() {
        let (left, top, width) = place(CARD, 1440.0);
        assert_eq!(width, PREVIEW_WIDTH);
        assert_eq!(left + width / 2.0, CARD.left + CARD.width / 2.0);
        assert_eq!(top, 345.0);
    }

    #[test]
    fn the_preview_stays_inside_the_window() {
        let (left, _, _) = place(Rect { left: 2.0, ..CARD }, 1440.0);
        assert_eq!(left, MARGIN);
        let (left, _, width) = place(Rect { left: 1400.0, ..CARD }, 1440.0);
        assert_eq!(left + width, 1440.0 - MARGIN);
        let (left, top, width) = place(Rect { top: -200.0, ..CARD }, 360.0);
        assert_eq!((left + width, width), (360.0 - MARGIN, 340.0));
        assert_eq!(top, MARGIN);
        let (_, _, width) = place(CARD, 300.0);
        assert_eq!(width, 300.0 - 2.0 * MARGIN);
    }
}
