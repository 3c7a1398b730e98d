#![recursion_limit = "256"]

//! Hydrates the server-rendered HTML in the browser.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`, not `hydrate_body`: a page whose route is lazy
    // (app/src/pages/lazy.rs) first loads its WASM chunk, then hydrates.
    leptos::mount::hydrate_lazy(app::App);
}
