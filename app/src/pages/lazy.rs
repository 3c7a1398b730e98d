//! Routes whose code the browser loads only when they are visited.
//!
//! `cargo leptos build --split` cuts each [`LazyRoute`]'s view, and everything
//! only it reaches (its components, its server functions' types), out of the
//! main WASM bundle into chunks of their own, with shared code in shared
//! chunks. The admin pages are a few visits a day by one person: they stay
//! out of what every reader downloads. The server renders them as before;
//! a browser that opens one directly fetches its chunk before hydrating.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use super::admin::{assets::AdminHomePage, login::AdminLoginPage, run::AdminRunPage, runs::AdminRunsPage};
use super::{browse::BrowsePage, movie::MoviePage, search::SearchPage};

/// `/browse`
pub struct Browse;

#[lazy_route]
impl LazyRoute for Browse {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <BrowsePage /> }.into_any()
    }
}

/// `/movie/:id`
pub struct Movie;

#[lazy_route]
impl LazyRoute for Movie {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <MoviePage /> }.into_any()
    }
}

/// `/search`
pub struct Search;

#[lazy_route]
impl LazyRoute for Search {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <SearchPage /> }.into_any()
    }
}

/// `/admin`
pub struct AdminHome;

#[lazy_route]
impl LazyRoute for AdminHome {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <AdminHomePage /> }.into_any()
    }
}

/// `/admin/login`
pub struct AdminLogin;

#[lazy_route]
impl LazyRoute for AdminLogin {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <AdminLoginPage /> }.into_any()
    }
}

/// `/admin/runs`
pub struct AdminRuns;

#[lazy_route]
impl LazyRoute for AdminRuns {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <AdminRunsPage /> }.into_any()
    }
}

/// `/admin/runs/:id`
pub struct AdminRun;

#[lazy_route]
impl LazyRoute for AdminRun {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <AdminRunPage /> }.into_any()
    }
}
