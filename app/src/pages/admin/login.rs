//! `/admin/login`: the one admin account's sign-in form (a plain form post
//! to the server, with the anonymous session's CSRF token).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::admin::login_form;
use crate::components::state::{Failure, Loading};

#[component]
pub fn AdminLoginPage() -> impl IntoView {
    let query = use_query_map();
    let failed = move || query.read().get("failed").is_some();
    let next = move || query.read().get("next").unwrap_or_else(|| "/admin".into());
    let form = Resource::new(|| (), |_| login_form());
    view! {
        <Title text="Sign in · Admin" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(f) if !f.configured => view! {
                        <div class="mx-auto mt-24 max-w-md px-4 text-center">
                            <h1 class="text-2xl font-bold">"No admin password yet"</h1>
                            <p class="mt-3 text-neutral-400">
                                "Set one with " <code class="rounded bg-white/10 px-1">"marquee admin set-password"</code>
                                ", or MARQUEE_ADMIN_PASSWORD_HASH."
                            </p>
                        </div>
                    }.into_any(),
                    Ok(f) => view! {
                        <form method="post" action="/admin/login" id="login-form"
                            class="mx-auto mt-24 max-w-sm space-y-4 rounded-lg bg-neutral-900/80 p-6 ring-1 ring-white/10">
                            <h1 class="text-xl font-bold">"Sign in to the admin"</h1>
                            {failed().then(|| view! { <p class="login-error text-sm text-red-300" role="alert">"Wrong name or password."</p> })}
                            <input type="hidden" name="csrf" value=f.csrf />
                            <input type="hidden" name="next" value=next() />
                            <label class="block text-sm text-neutral-400">"Name"
                                <input name="user" autocomplete="username" required
                                    class="mt-1 block w-full rounded bg-neutral-950 px-3 py-2 text-neutral-100 ring-1 ring-white/10 focus:ring-red-500" />
                            </label>
                            <label class="block text-sm text-neutral-400">"Password"
                                <input name="password" type="password" autocomplete="current-password" required
                                    class="mt-1 block w-full rounded bg-neutral-950 px-3 py-2 text-neutral-100 ring-1 ring-white/10 focus:ring-red-500" />
                            </label>
                            <button type="submit" class="w-full rounded bg-red-600 px-4 py-2 text-sm font-semibold hover:bg-red-500">"Sign in"</button>
                        </form>
                    }.into_any(),
                    Err(e) => view! { <Failure message=crate::pages::message(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
