#![recursion_limit = "256"]

//! Hydrates the server-rendered HTML in the browser.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // As `leptos::mount::hydrate_lazy` does (a page whose route is lazy,
    // app/src/pages/lazy.rs, first loads its WASM chunk, then hydrates), and
    // then the page is marked: `data-hydrated` means all of it, lazy route
    // included, has been taken over (tests and curious users can tell).
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else { return };
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
