use leptos::prelude::*;

/// Shown while a page's data is on its way.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="mx-auto grid max-w-screen-2xl grid-cols-2 gap-4 px-4 pt-8 sm:grid-cols-4 sm:px-8 lg:grid-cols-6" aria-busy="true" aria-label="Loading">
            {(0..12).map(|_| view! { <div class="aspect-[2/3] animate-pulse rounded-md bg-white/5"></div> }).collect_view()}
        </div>
    }
}

/// Shown when the server could not answer.
#[component]
pub fn Failure(message: String) -> impl IntoView {
    view! {
        <div role="alert" class="mx-auto mt-16 max-w-lg rounded-lg border border-red-500/30 bg-red-500/10 p-6 text-center">
            <p class="font-semibold text-red-300">"Something went wrong"</p>
            <p class="mt-2 text-sm text-neutral-300">{message}</p>
        </div>
    }
}
