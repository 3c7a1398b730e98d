//! `/admin`: the pipeline's control room. Server-rendered views of the runs
//! table, hydrated; actions are HTML form posts carrying the session's CSRF
//! token (they work before, and without, the WASM); a running run's page
//! follows it live over server-sent events.

pub mod assets;
pub mod graph;
pub mod login;
pub mod run;
pub mod runs;

use catalog::runs::RunStatus;
use leptos::prelude::*;
use leptos_router::components::A;

/// The admin pages' sub-navigation, with sign-out.
#[component]
pub fn AdminNav(csrf: String) -> impl IntoView {
    view! {
        <div class="admin-nav mx-auto flex max-w-screen-2xl items-center gap-4 border-b border-white/5 px-4 py-3 text-sm sm:px-8">
            <span class="font-semibold uppercase tracking-[0.2em] text-red-400">"Admin"</span>
            <A href="/admin" attr:class="text-neutral-300 hover:text-white">"Assets"</A>
            <A href="/admin/runs" attr:class="text-neutral-300 hover:text-white">"Runs"</A>
            <form method="post" action="/admin/logout" class="ml-auto">
                <input type="hidden" name="csrf" value=csrf />
                <button type="submit" class="rounded bg-white/10 px-3 py-1 text-neutral-300 hover:bg-white/20">"Sign out"</button>
            </form>
        </div>
    }
}

/// A coloured status pill.
#[component]
pub fn StatusBadge(status: RunStatus) -> impl IntoView {
    let class = match status {
        RunStatus::Succeeded => "bg-emerald-500/15 text-emerald-300 ring-emerald-500/30",
        RunStatus::Failed => "bg-red-500/15 text-red-300 ring-red-500/30",
        RunStatus::Running => "bg-sky-500/15 text-sky-300 ring-sky-500/30 animate-pulse",
        RunStatus::Queued => "bg-neutral-500/15 text-neutral-300 ring-neutral-500/30",
        RunStatus::Cancelled | RunStatus::Skipped => "bg-amber-500/15 text-amber-300 ring-amber-500/30",
    };
    view! {
        <span class=format!("status-badge inline-flex rounded px-2 py-0.5 text-xs font-medium ring-1 ring-inset {class}") data-status=status.as_str()>
            {status.as_str()}
        </span>
    }
}

/// `1.2 s`, `3 min 4 s`, `2 h 5 min`.
pub fn duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    } else {
        format!("{} h {} min", ms / 3_600_000, (ms % 3_600_000) / 60_000)
    }
}

/// How long ago `t` was at `now` (both Unix ms): `just now`, `5 min ago`.
pub fn age(t: i64, now: i64) -> String {
    let s = (now - t).max(0) / 1000;
    match s {
        0..=9 => "just now".into(),
        10..=59 => format!("{s} s ago"),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", s / 3600),
        _ => format!("{} d ago", s / 86_400),
    }
}

/// A UTC time as `2026-12-02 03:00 UTC` (no time-zone data in the bundle).
pub fn utc(t: i64) -> String {
    let secs = t.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rem / 3600, (rem % 3600) / 60)
}

/// An SVG sparkline of durations (oldest first).
#[component]
pub fn Sparkline(values: Vec<i64>) -> impl IntoView {
    let (w, h) = (96.0_f64, 24.0_f64);
    if values.is_empty() {
        return view! { <span class="text-xs text-neutral-400">"—"</span> }.into_any();
    }
    let max = values.iter().copied().max().unwrap_or(1).max(1) as f64;
    let n = values.len();
    let step = if n > 1 { w / (n - 1) as f64 } else { 0.0 };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", i as f64 * step, h - 2.0 - (*v as f64 / max) * (h - 4.0)))
        .collect();
    let last = points.last().cloned().unwrap_or_default();
    let (lx, ly) = last.split_once(',').map(|(x, y)| (x.to_owned(), y.to_owned())).unwrap_or_default();
    view! {
        <svg class="sparkline" width=w height=h viewBox=format!("0 0 {w} {h}") role="img" aria-label=format!("{n} recent durations")>
            <polyline points=points.join(" ") fill="none" stroke="currentColor" stroke-width="1.5" class="text-sky-400" />
            <circle cx=lx cy=ly r="2" class="fill-sky-300" />
        </svg>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_formats() {
        assert_eq!(duration(250), "250 ms");
        assert_eq!(duration(1_250), "1.2 s");
        assert_eq!(duration(125_000), "2 min 5 s");
        assert_eq!(duration(7_500_000), "2 h 5 min");
        assert_eq!(age(1_000, 3_000), "just now");
        assert_eq!(age(0, 600_000), "10 min ago");
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_796_266_800_000), "2026-12-03 03:00 UTC");
    }
}
