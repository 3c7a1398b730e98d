//! One module per route.

pub mod admin;
pub mod browse;
pub mod home;
pub mod lazy;
pub mod movie;
pub mod not_found;
pub mod reviews;
pub mod search;

use leptos::server_fn::error::ServerFnError;

/// The message a user should read for a failed server call.
pub(crate) fn message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        _ => "The server could not be reached. Check your connection and try again.".to_owned(),
    }
}
