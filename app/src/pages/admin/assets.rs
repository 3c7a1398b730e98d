//! `/admin`: the assets table, the graph, the schedule, and the buttons to
//! run everything, one asset, or one partition.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::graph::AssetGraph;
use super::runs::RunTable;
use super::{age, duration, utc, AdminNav, Sparkline, StatusBadge};
use crate::api::admin::{admin_overview, OverviewData};
use crate::components::state::{Failure, Loading};
use crate::format::thousands;

#[component]
pub fn AdminHomePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| admin_overview());
    view! {
        <Title text="Admin" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Overview d /> }.into_any(),
                    Err(e) => view! { <Failure message=crate::pages::message(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(d: OverviewData) -> impl IntoView {
    let statuses: HashMap<_, _> =
        d.assets.iter().filter_map(|a| Some((a.node.name.clone(), a.last.as_ref()?.status))).collect();
    let nodes: Vec<_> = d.assets.iter().map(|a| a.node.clone()).collect();
    let partitioned: Vec<String> = nodes.iter().filter(|n| n.partitioned).map(|n| n.name.clone()).collect();
    let now = d.now;
    let csrf = d.csrf.clone();
    let rows = d
        .assets
        .iter()
        .map(|a| {
            let last = a.last.clone();
            let name = a.node.name.clone();
            let csrf = csrf.clone();
            view! {
                <tr class="asset-row border-t border-white/5" data-asset=name.clone()>
                    <td class="py-2 pr-4">
                        <div class="font-mono text-neutral-100">{name.clone()}</div>
                        <div class="text-xs text-neutral-400">{a.node.description.clone()}</div>
                    </td>
                    <td class="py-2 pr-4">
                        {match last.clone() {
                            Some(m) => view! { <A href=format!("/admin/runs/{}", m.run_id) attr:class="hover:underline"><StatusBadge status=m.status /></A> }.into_any(),
                            None => view! { <span class="text-xs text-neutral-400">"never"</span> }.into_any(),
                        }}
                    </td>
                    <td class="py-2 pr-4 tabular-nums">{last.as_ref().and_then(|m| m.rows).map(thousands).unwrap_or_else(|| "—".into())}</td>
                    <td class="py-2 pr-4 text-neutral-400">{last.as_ref().and_then(|m| m.finished_at).map(|t| age(t, now)).unwrap_or_else(|| "—".into())}</td>
                    <td class="py-2 pr-4 tabular-nums">{last.as_ref().and_then(|m| m.duration_ms()).map(duration).unwrap_or_else(|| "—".into())}</td>
                    <td class="py-2 pr-4"><Sparkline values=a.recent_durations_ms.clone() /></td>
                    <td class="py-2 text-right">
                        <form method="post" action="/admin/runs">
                            <input type="hidden" name="csrf" value=csrf />
                            <input type="hidden" name="asset" value=name.clone() />
                            <button type="submit" class="run-asset rounded bg-white/10 px-2 py-1 text-xs hover:bg-white/20">"Run"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <AdminNav csrf=d.csrf.clone() />
        <div class="mx-auto max-w-screen-2xl space-y-8 px-4 py-6 sm:px-8">
            <section class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-bold">"Pipeline"</h1>
                    <p class="schedule mt-1 text-sm text-neutral-400">
                        "Schedule: " <code class="rounded bg-white/10 px-1">{d.schedule.clone()}</code> " (UTC) · next run: "
                        <span class="next-run">{d.next_run.map(utc).unwrap_or_else(|| "none".into())}</span>
                    </p>
                    {d.running.clone().map(|r| view! {
                        <p class="running-banner mt-2 text-sm text-sky-300">
                            "Running now: " <A href=format!("/admin/runs/{}", r.id) attr:class="underline">{r.id.clone()}</A>
                        </p>
                    })}
                </div>
                <div class="flex flex-wrap items-end gap-3">
                    <form method="post" action="/admin/runs">
                        <input type="hidden" name="csrf" value=d.csrf.clone() />
                        <button type="submit" id="run-all" class="rounded bg-red-600 px-4 py-2 text-sm font-semibold hover:bg-red-500">"Run everything"</button>
                    </form>
                    {(!partitioned.is_empty()).then(|| view! {
                        <form method="post" action="/admin/runs" class="flex items-end gap-2">
                            <input type="hidden" name="csrf" value=d.csrf.clone() />
                            <select name="asset" class="rounded bg-neutral-900 px-2 py-2 text-sm ring-1 ring-white/10">
                                {partitioned.iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
                            </select>
                            <input name="partition" required placeholder="partition" class="w-36 rounded bg-neutral-900 px-2 py-2 text-sm ring-1 ring-white/10" />
                            <button type="submit" class="rounded bg-white/10 px-3 py-2 text-sm hover:bg-white/20">"Run partition"</button>
                        </form>
                    })}
                </div>
            </section>

            <section>
                <h2 class="mb-3 text-lg font-semibold">"Asset graph"</h2>
                <div class="overflow-x-auto rounded-lg bg-neutral-900/60 p-4 ring-1 ring-white/5">
                    <AssetGraph nodes statuses />
                </div>
            </section>

            <section>
                <h2 class="mb-3 text-lg font-semibold">"Assets"</h2>
                <div class="overflow-x-auto">
                    <table class="assets-table w-full text-left text-sm">
                        <thead class="text-xs uppercase tracking-wider text-neutral-400">
                            <tr><th class="pb-2">"Asset"</th><th class="pb-2">"Last"</th><th class="pb-2">"Rows"</th><th class="pb-2">"Age"</th><th class="pb-2">"Duration"</th><th class="pb-2">"Recent"</th><th></th></tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>

            <section>
                <div class="mb-3 flex items-baseline justify-between">
                    <h2 class="text-lg font-semibold">"Latest runs"</h2>
                    <A href="/admin/runs" attr:class="text-sm text-neutral-400 hover:text-white">"All runs →"</A>
                </div>
                <RunTable runs=d.recent.clone() now />
            </section>
        </div>
    }
}
