//! `/admin/runs?status=&asset=&trigger=`: the run history, filtered.

use catalog::runs::{RunStatus, RunSummary, Trigger};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::{age, duration, AdminNav, StatusBadge};
use crate::api::admin::{admin_runs, RunsData};
use crate::components::state::{Failure, Loading};
use crate::format::thousands;

#[component]
pub fn AdminRunsPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            (q.get("status"), q.get("asset"), q.get("trigger"))
        },
        |(status, asset, trigger)| admin_runs(status, asset, trigger),
    );
    view! {
        <Title text="Runs · Admin" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <History d /> }.into_any(),
                    Err(e) => view! { <Failure message=crate::pages::message(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn History(d: RunsData) -> impl IntoView {
    let query = use_query_map();
    let selected = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    let (status, asset, trigger) = (selected("status"), selected("asset"), selected("trigger"));
    let select_class = "rounded bg-neutral-900 px-2 py-1.5 text-sm ring-1 ring-white/10";
    view! {
        <AdminNav csrf=d.csrf.clone() />
        <div class="mx-auto max-w-screen-2xl space-y-4 px-4 py-6 sm:px-8">
            <h1 class="text-2xl font-bold">"Runs"</h1>
            <form method="get" action="/admin/runs" class="run-filters flex flex-wrap items-end gap-3 text-sm">
                <label class="flex flex-col gap-1 text-neutral-400">"Status"
                    <select name="status" class=select_class>
                        <option value="">"any"</option>
                        {RunStatus::ALL.into_iter().filter(|s| *s != RunStatus::Skipped).map(|s| view! {
                            <option value=s.as_str() selected={status == s.as_str()}>{s.as_str()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-neutral-400">"Asset"
                    <select name="asset" class=select_class>
                        <option value="">"any"</option>
                        {d.assets.iter().map(|a| view! { <option value=a.clone() selected={asset == *a}>{a.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-neutral-400">"Trigger"
                    <select name="trigger" class=select_class>
                        <option value="">"any"</option>
                        {Trigger::ALL.into_iter().map(|t| view! {
                            <option value=t.as_str() selected={trigger == t.as_str()}>{t.as_str()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="rounded bg-white/10 px-3 py-1.5 hover:bg-white/20">"Filter"</button>
            </form>
            <RunTable runs=d.runs now=d.now />
        </div>
    }
}

/// A table of runs, newest first.
#[component]
pub fn RunTable(runs: Vec<RunSummary>, now: i64) -> impl IntoView {
    if runs.is_empty() {
        return view! { <p class="no-runs text-sm text-neutral-400">"No runs yet."</p> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class="runs-table w-full text-left text-sm">
                <thead class="text-xs uppercase tracking-wider text-neutral-400">
                    <tr><th class="pb-2">"Run"</th><th class="pb-2">"Status"</th><th class="pb-2">"Trigger"</th><th class="pb-2">"Assets"</th><th class="pb-2">"Started"</th><th class="pb-2">"Duration"</th><th class="pb-2">"Rows"</th></tr>
                </thead>
                <tbody>
                    {runs.into_iter().map(|r| {
                        let href = format!("/admin/runs/{}", r.id);
                        let label = r.id.clone();
                        let assets = if r.selection.is_empty() { "all".to_owned() } else { r.selection.join(", ") };
                        view! {
                            <tr class="run-row border-t border-white/5" data-run=r.id.clone() data-status=r.status.as_str()>
                                <td class="py-2 pr-4 font-mono"><A href=href attr:class="hover:underline">{label}</A></td>
                                <td class="py-2 pr-4"><StatusBadge status=r.status /></td>
                                <td class="py-2 pr-4 text-neutral-400">{r.trigger.as_str()}</td>
                                <td class="py-2 pr-4 text-neutral-400">{assets}{r.partition.clone().map(|p| format!(" [{p}]"))}</td>
                                <td class="py-2 pr-4 text-neutral-400">{age(r.created_at, now)}</td>
                                <td class="py-2 pr-4 tabular-nums">{r.duration_ms().map(duration).unwrap_or_else(|| "—".into())}</td>
                                <td class="py-2 tabular-nums">{thousands(r.rows)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
