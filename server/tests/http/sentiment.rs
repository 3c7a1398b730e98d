//! `POST /api/sentiment` before a model exists: every kind of bad input is a
//! 400 (or 413) with a message, a valid text is a 503 until the pipeline has
//! trained a model, and a client that floods it is rate limited. (The trained
//! model answering is tested after the full scrape, in `scrape.rs`.)

use super::common;

async fn post(app: &common::TestApp, content_type: &str, body: impl Into<reqwest::Body>) -> (u16, serde_json::Value) {
    let r = app
        .client
        .post(format!("{}/api/sentiment", app.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let bytes = r.bytes().await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sentiment_api_refuses_bad_input_and_waits_for_a_model() {
    let app = common::spawn(None).await;
    let json = "application/json";
    let long = serde_json::json!({ "text": "great ".repeat(3_400) }).to_string(); // 20,400 characters
    let cases: [(&str, String, u16, &str); 7] = [
        ("text/plain", r#"{"text":"fine"}"#.into(), 400, "Content-Type"),
        (json, "not json".into(), 400, "expected"),
        (json, r#"{"txt":"fine"}"#.into(), 400, "expected"),
        (json, r#"{"text":"fine","extra":1}"#.into(), 400, "expected"),
        (json, r#"{"text":"   "}"#.into(), 400, "empty"),
        (json, long, 400, "at most 20000"),
        (json, format!(r#"{{"text":"{}"}}"#, "a".repeat(300 * 1024)), 413, ""),
    ];
    for (content_type, body, want, says) in cases {
        let (status, v) = post(&app, content_type, body).await;
        assert_eq!(status, want, "{content_type} {v}");
        if want == 400 {
            assert!(v["error"].as_str().unwrap().contains(says), "{v}");
        }
    }
    let (status, v) = post(&app, json, r#"{"text":"A wonderful film."}"#).await;
    assert_eq!(status, 503, "no model yet: {v}");
    assert!(v["error"].as_str().unwrap().contains("not trained yet"), "{v}");

    // A burst of 40, then 20 a second, per client address.
    let mut limited = None;
    for i in 0..80 {
        let r = app
            .client
            .post(format!("{}/api/sentiment", app.base))
            .header("content-type", json)
            .body(r#"{"text":"fine"}"#)
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            limited = Some((i, r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned())));
            break;
        }
    }
    let (at, retry_after) = limited.expect("80 requests at once are rate limited");
    assert!(at >= 30, "the burst is allowed first ({at})");
    assert!(retry_after.unwrap().parse::<u64>().unwrap() >= 1, "Retry-After says when");
}
