//! What the probes stand on: canary files and a real thumbnail in the store, a
//! film and a review full of markup in the catalog (as a scraper could have
//! stored them), an admin session with finished runs; and the honest pages
//! that must pass the predicates before any attack is judged.

use std::time::Duration;

use crate::admin::Browser;

use super::{judge, Expect, Run};

/// The film seeded straight into the catalog, as a scraper could have stored it.
pub(super) const HOSTILE_ID: &str = "tt9990001";
pub(super) const HOSTILE_TITLE: &str = "Probe</title><script>alert(1)</script><img src=x onerror=alert(1)>";
/// The bytes of the one real thumbnail the suite puts in the store.
pub(super) const THUMB_KEY: &str = "0123456789abcdef.jpg";
const THUMB_BYTES: &[u8] = b"\xff\xd8\xff\xe0PROBE-THUMBNAIL";

impl Run<'_> {
    /// Canary files, a real thumbnail, the hostile film and review in the
    /// database; then, as the admin, the index rebuilt and the sentiment model
    /// trained (also the positive control: a valid admin action is accepted).
    pub(super) async fn setup(&mut self, database_url: &str) {
        let dir = self.app.data_dir.path();
        let thumbs = dir.join("objects/media/thumbnails");
        std::fs::create_dir_all(&thumbs).unwrap();
        std::fs::write(thumbs.join(THUMB_KEY), THUMB_BYTES).unwrap();
        for canary in ["canary.txt", "objects/canary.txt", "objects/media/canary.txt"] {
            std::fs::write(dir.join(canary), &self.canary).unwrap();
        }

        let catalog = catalog::db::Catalog::connect(database_url).await.expect("the test reaches the database");
        let report = catalog.upsert_movies(&[hostile_movie()], "probe", |_| {}).await.unwrap();
        assert!(report.rejected.is_empty() && report.inserted == 1, "the hostile film is stored: {report:?}");
        catalog.upsert_reviews(&[hostile_review()]).await.unwrap();
        catalog.close().await;

        let mut admin = Browser::new(self.app);
        admin.login().await;
        let csrf = admin.csrf("/admin").await;
        let origin = self.app.base.clone();
        for asset in ["tf_idf", "pretrained_reviews", "sentiment_model"] {
            let (status, loc) = admin.post("/admin/runs", &[("csrf", &csrf), ("asset", asset)], Some(&origin)).await;
            assert_eq!(status, 303, "control: a valid admin trigger of {asset} is accepted ({loc})");
            let id = loc.trim_start_matches("/admin/runs/").split('?').next().unwrap().to_owned();
            let detail = admin.wait_run(&id, Duration::from_secs(300)).await;
            assert_eq!(detail["run"]["status"], "succeeded", "{asset}: {detail}");
            self.run_id = id;
        }
        self.session = admin.cookie.clone().expect("signed in");
        self.csrf = csrf;

        let r = self.get(&format!("/media/{THUMB_KEY}")).await;
        self.require(
            r.status == 200 && r.body.as_bytes().ends_with(b"PROBE-THUMBNAIL"),
            "control: /media serves a real thumbnail".into(),
        );
    }

    /// Honest pages pass the predicates (no false alarms), and the numbers the
    /// injection probes compare against.
    pub(super) async fn baselines(&mut self) {
        let godfather = pipeline::clean::rules::movie_id(None, Some("The Godfather"), Some(1972)).unwrap();
        let mut pages = vec![
            "/".to_owned(),
            "/browse".into(),
            "/browse?genre=Crime&sort=votes".into(),
            format!("/movie/{godfather}"),
            "/search?q=godfather".into(),
            "/api/search?q=godfather".into(),
            "/api/docs".into(),
            "/no/such/page".into(),
        ];
        pages.push("/admin/login".into());
        for p in pages {
            let r = self.get(&p).await;
            let f = judge(&r, Expect::default(), &self.canary);
            self.require(
                r.status == 200 || (p == "/no/such/page" && r.status == 404),
                format!("baseline {p}: HTTP {}", r.status),
            );
            self.require(f.is_empty(), format!("baseline {p} trips the predicates: {f:?}"));
        }
        for p in ["/admin", "/admin/runs", &format!("/admin/runs/{}", self.run_id)] {
            let r = self.admin_get(p).await;
            let f = judge(&r, Expect::default(), &self.canary);
            self.require(r.status == 200 && f.is_empty(), format!("baseline {p}: HTTP {} {f:?}", r.status));
        }
    }
}

fn hostile_movie() -> catalog::Movie {
    let img = "\"><img src=x onerror=alert(1)>";
    catalog::Movie {
        id: HOSTILE_ID.into(),
        imdb_id: Some(HOSTILE_ID.into()),
        title: HOSTILE_TITLE.into(),
        original_title: Some("<script>alert(1)</script>".into()),
        year: Some(2020),
        runtime_minutes: Some(101),
        // Top of the rating order: on the first browse page and the home rows.
        rating: Some(9.95),
        votes: Some(3_000_000),
        certificate: Some("<b onmouseover=alert(1)>R</b>".into()),
        language: Some("\" autofocus onfocus=\"alert(1)".into()),
        languages: vec!["\" autofocus onfocus=\"alert(1)".into()],
        genres: vec!["Drama".into(), "<svg onload=alert(1)>".into()],
        overview: Some(format!("{img} </script><script>alert(1)</script> An overview with onerror in it.")),
        director: Some("</script><svg onload=alert(1)>".into()),
        stars: vec!["javascript:alert(1)".into(), "<iframe src=javascript:alert(1)>".into()],
        cast: vec!["javascript:alert(1)".into(), img.into()],
        writers: vec![img.into()],
        countries: vec![img.into()],
        poster_url: Some("javascript:alert(1)".into()),
        thumbnail: Some(catalog::Thumbnail {
            key: "../../../canary.txt".into(),
            width: 1,
            height: 1,
            placeholder: Some("data:image/jpeg;base64,x);background:url(javascript:alert(1)".into()),
        }),
        ..Default::default()
    }
}

fn hostile_review() -> catalog::db::ReviewRow {
    catalog::db::ReviewRow {
        id: "probe-review-1".into(),
        movie_id: HOSTILE_ID.into(),
        imdb_id: HOSTILE_ID.into(),
        polarity: Some("positive".into()),
        author: Some("<script>alert(1)</script>".into()),
        rating: Some(10),
        summary: Some("\"><img src=x onerror=alert(1)>".into()),
        body: "A hostile review. </script><svg onload=alert(1)> <a href=\"javascript:alert(1)\">a link</a>".into(),
        date: Some("<b>2020</b>".into()),
        helpful_up: Some(1),
        helpful_down: Some(0),
        spoiler: false,
        fetched_at: None,
    }
}
