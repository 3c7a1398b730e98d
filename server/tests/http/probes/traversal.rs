//! Path traversal: encoded, doubled and NUL-cut `..` paths sent byte for byte
//! (no client normalizes them) to the thumbnail store, the static assets and
//! the admin pages; none may serve the canary, the database or `/etc/passwd`.

use std::time::Duration;

use super::{judge, Expect, Run, PATH, TRAVERSAL};

impl Run<'_> {
    pub(super) async fn path_traversal(&mut self) {
        let media = [
            "/media/../../../canary.txt",
            "/media/..%2f..%2f..%2fcanary.txt",
            "/media/%2e%2e%2f%2e%2e%2f%2e%2e%2fcanary.txt",
            "/media/%2e%2e/%2e%2e/%2e%2e/canary.txt",
            "/media/%252e%252e%252f%252e%252e%252f%252e%252e%252fcanary.txt",
            "/media/..%5c..%5c..%5ccanary.txt",
            "/media/....//....//....//canary.txt",
            "/media/..;/..;/..;/canary.txt",
            "/media/..%c0%af..%c0%af..%c0%afcanary.txt",
            "/media/../../canary.txt",
            "/media/..%2f..%2fcanary.txt",
            "/media/..%2fcanary.txt",
            "/media/..%2f..%2f..%2fmarquee.db",
            "/media/0123456789abcdef.jpg/../../../marquee.db",
            "/media/0123456789abcdef.jpg%00/../../../canary.txt",
            "/media/0123456789abcdef.jpg%00.txt",
            "/media/%2fetc%2fpasswd",
            "/media//etc/passwd",
            "/media/%2Fetc%2Fpasswd%00.jpg",
            "/media/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        ];
        for path in media {
            let r = self.raw(&self.raw_get(path, ""), Duration::from_secs(10)).await;
            let mut f = judge(&r, Expect::default(), &self.canary);
            if r.status == 200 && !r.body.ends_with("PROBE-THUMBNAIL") {
                f.push(format!("/media served something that is not a thumbnail: {}", r.snippet()));
            }
            self.record(TRAVERSAL, PATH, format!("GET {path}"), f);
        }
        let assets = [
            "/pkg/../../Cargo.toml",
            "/pkg/..%2f..%2fCargo.toml",
            "/pkg/%2e%2e/%2e%2e/Cargo.toml",
            "/pkg/%252e%252e%252f%252e%252e%252fCargo.toml",
            "/pkg/..%5c..%5cCargo.toml",
            "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
            "/pkg/../../../../../../../../etc/passwd",
            "//etc/passwd",
            "/pkg//etc/passwd",
            "/favicon.svg/..%2f..%2f..%2fCargo.toml",
            "/movie/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
            "/api/movies/..%2f..%2f..%2fmarquee.db",
            "/movie/%00",
        ];
        for path in assets {
            let r = self.raw(&self.raw_get(path, ""), Duration::from_secs(10)).await;
            let f = judge(&r, Expect::default(), &self.canary);
            self.record(TRAVERSAL, PATH, format!("GET {path}"), f);
        }
        let cookie = format!("Cookie: marquee_admin={}\r\n", self.session);
        for path in ["/admin/runs/..%2f..%2f..%2f..%2fetc%2fpasswd", "/api/admin/run?id=..%2f..%2f..%2fetc%2fpasswd"] {
            let r = self.raw(&self.raw_get(path, &cookie), Duration::from_secs(10)).await;
            let f = judge(&r, Expect::default(), &self.canary);
            self.record(TRAVERSAL, PATH, format!("GET {path} (signed in)"), f);
        }
    }
}
