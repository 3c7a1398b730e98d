//! The pill-shaped filter and sort chips of `/browse` and the movie page.

/// The classes of a chip, filled when `active`.
pub fn chip_class(active: bool) -> &'static str {
    if active {
        "shrink-0 whitespace-nowrap rounded-full bg-white px-3 py-1 text-xs font-semibold text-black"
    } else {
        "shrink-0 whitespace-nowrap rounded-full border border-white/15 px-3 py-1 text-xs text-neutral-300 hover:border-white/40 hover:text-white"
    }
}
