"""Rebuilds and swaps the served search index over and over while a load runs.

Signs in to /admin (the user and password given), then triggers `tf_idf`
runs back to back until DURATION seconds have passed, each one waited for.
Prints one JSON line: runs started, succeeded, failed, and their durations.

    python3 bench/load/swap_runs.py http://127.0.0.1:3000 admin 'password' 60
"""

import http.cookiejar
import json
import re
import sys
import time
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main(base: str, user: str, password: str, duration: float) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def get(path: str) -> str:
        with opener.open(base + path, timeout=30) as r:
            return r.read().decode()

    def post(path: str, form: dict) -> str:
        req = urllib.request.Request(base + path, data=urllib.parse.urlencode(form).encode(), method="POST")
        req.add_header("Origin", base)
        try:
            opener.open(req, timeout=30)
        except urllib.error.HTTPError as e:  # 303 is raised without a redirect handler
            if e.code != 303:
                raise SystemExit(f"POST {path}: {e.code} {e.read()[:200]!r}")
            return e.headers.get("Location", "")
        raise SystemExit(f"POST {path}: expected a 303")

    def csrf(path: str) -> str:
        m = re.search(r'name="csrf"[^>]*value="([0-9a-f]{64})"', get(path))
        if not m:
            raise SystemExit(f"no CSRF field on {path}")
        return m.group(1)

    if post("/admin/login", {"user": user, "password": password, "csrf": csrf("/admin/login")}) != "/admin":
        raise SystemExit("sign-in failed")
    token = csrf("/admin")
    started, runs = time.monotonic(), []
    while time.monotonic() - started < duration:
        t0 = time.monotonic()
        loc = post("/admin/runs", {"csrf": token, "asset": "tf_idf"})
        run_id = loc.removeprefix("/admin/runs/").split("?")[0]
        while True:
            status = json.loads(get(f"/api/admin/run?id={run_id}"))["run"]["status"]
            if status not in ("running", "queued"):
                break
            time.sleep(0.05)
        runs.append((status, round(time.monotonic() - t0, 2)))
    print(json.dumps({
        "runs": len(runs),
        "succeeded": sum(s == "succeeded" for s, _ in runs),
        "failed": sum(s != "succeeded" for s, _ in runs),
        "seconds": [d for _, d in runs],
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
