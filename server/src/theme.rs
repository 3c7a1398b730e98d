//! `POST /theme`: the no-JS path of the header's theme switch. Sets the theme
//! cookie and sends the browser back to the page it came from, only ever to a
//! local path (no open redirect). With JS the switch happens in the page.

use app::components::theme::Theme;

use crate::security::is_local_path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ThemeForm {
    theme: String,
    #[serde(default)]
    next: String,
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/theme", post(set_theme))
}

async fn set_theme(Form(form): Form<ThemeForm>) -> Response {
    let theme = Theme::from_param(&form.theme);
    let next = if is_local_path(&form.next) && form.next.len() <= 2048 { form.next.as_str() } else { "/" };
    let mut res = StatusCode::SEE_OTHER.into_response();
    let headers = res.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_str(next).unwrap_or(HeaderValue::from_static("/")));
    if let Ok(cookie) = HeaderValue::from_str(&theme.set_cookie()) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    res
}
