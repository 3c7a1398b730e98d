use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The 404 page; on the server it also sets the status to 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <div class="not-found mx-auto mt-24 max-w-md px-4 text-center">
            <p class="text-6xl font-black text-red-500">"404"</p>
            <h1 class="mt-4 text-2xl font-bold">"We couldn't find that page"</h1>
            <p class="mt-2 text-neutral-400">"The film or page you asked for isn't in the catalog."</p>
            <A href="/" attr:class="mt-6 inline-block rounded bg-white px-5 py-2 text-sm font-semibold text-black hover:bg-neutral-200">
                "Back to the catalog"
            </A>
        </div>
    }
}
