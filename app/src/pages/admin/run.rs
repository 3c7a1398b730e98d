//! `/admin/runs/:id`: one run, per-asset timings and its log. While the run
//! goes on, the hydrated page listens to `/admin/events?run=ID`
//! (server-sent events): stages and counts drive per-asset progress bars, log
//! lines are appended, and each asset's start and end refetches the run's
//! rows, so the page follows the run to its end without a reload.

use std::collections::HashMap;

use catalog::runs::{LogLine, Materialization, RunStatus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{duration, utc, AdminNav, StatusBadge};
use crate::api::admin::{admin_run, RunData};
use crate::components::state::{Failure, Loading};
use crate::format::thousands;

/// The live state a run's events build up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Live {
    /// Per asset: stage, units done, units in all (when known).
    pub progress: HashMap<String, (String, u64, Option<u64>)>,
    pub log: Vec<LogLine>,
    pub finished: Option<RunStatus>,
}

/// Log lines kept on the page.
#[cfg(feature = "hydrate")]
const PAGE_LOG: usize = 500;

#[component]
pub fn AdminRunPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(move || (id(), refresh.get()), |(id, _)| admin_run(id));
    let live = RwSignal::new(Live::default());

    // In the browser only (effects never run on the server).
    Effect::new(move |_| {
        let id = id();
        live.set(Live::default());
        follow(id, live, refresh);
    });

    view! {
        <Title text="Run · Admin" />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(d)) => view! { <RunView d live /> }.into_any(),
                    Ok(None) => view! { <Failure message="No such run.".to_owned() /> }.into_any(),
                    Err(e) => view! { <Failure message=crate::pages::message(&e) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Subscribes to the run's events (browser only).
#[cfg(feature = "hydrate")]
fn follow(id: String, live: RwSignal<Live>, refresh: RwSignal<u32>) {
    use catalog::runs::RunEvent;
    use leptos::__reexports::send_wrapper::SendWrapper;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    if id.is_empty() {
        return;
    }
    let url = format!("/admin/events?run={}", crate::format::query_escape(&id));
    let Ok(source) = web_sys::EventSource::new(&url) else { return };
    let closer = source.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let Some(text) = ev.data().as_string() else { return };
        let Ok(event) = serde_json::from_str::<RunEvent>(&text) else { return };
        match event {
            RunEvent::Stage { asset, stage, total, .. } => live.update(|l| {
                l.progress.insert(asset, (stage, 0, total));
            }),
            RunEvent::Progress { asset, done, .. } => live.update(|l| {
                let e = l.progress.entry(asset).or_insert_with(|| ("".into(), 0, None));
                e.1 = done;
            }),
            RunEvent::Log { line, .. } => live.update(|l| {
                if !l.log.iter().any(|x| x.seq == line.seq) {
                    l.log.push(line);
                    if l.log.len() > PAGE_LOG {
                        l.log.remove(0);
                    }
                }
            }),
            RunEvent::AssetStarted { .. } | RunEvent::AssetFinished { .. } | RunEvent::RunStarted { .. } => {
                refresh.update(|n| *n += 1)
            }
            RunEvent::RunFinished { status, .. } => {
                live.update(|l| l.finished = Some(status));
                refresh.update(|n| *n += 1);
                closer.close();
            }
        }
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // On (re)connection, catch up with what happened meanwhile.
    let on_open = Closure::<dyn FnMut()>::new(move || refresh.update(|n| *n += 1));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    let handlers = SendWrapper::new((source, on_message, on_open));
    on_cleanup(move || {
        let (source, _m, _o) = handlers.take();
        source.close();
    });
}

#[cfg(not(feature = "hydrate"))]
fn follow(_id: String, _live: RwSignal<Live>, _refresh: RwSignal<u32>) {}

#[component]
fn RunView(d: RunData, live: RwSignal<Live>) -> impl IntoView {
    let run = d.run.clone();
    let finished = run.status.is_finished();
    let can_rerun = finished
        && run.status != RunStatus::Succeeded
        && d.materializations.iter().any(|m| m.status != RunStatus::Succeeded);
    let db_log = d.log.clone();
    let last_seq = db_log.last().map(|l| l.seq).unwrap_or(0);
    let csrf = d.csrf.clone();
    let mats = d.materializations.clone();
    view! {
        <AdminNav csrf=d.csrf.clone() />
        <div class="mx-auto max-w-screen-2xl space-y-6 px-4 py-6 sm:px-8" data-run=run.id.clone()>
            <section class="flex flex-wrap items-start justify-between gap-4">
                <div>
                    <h1 class="font-mono text-xl font-bold">{run.id.clone()}</h1>
                    <p class="mt-2 flex flex-wrap items-center gap-3 text-sm text-neutral-400">
                        <span id="run-status"><StatusBadge status=run.status /></span>
                        <span>"trigger: " {run.trigger.as_str()}</span>
                        <span>"started " {run.started_at.map(utc).unwrap_or_default()}</span>
                        {run.duration_ms().map(|ms| view! { <span>"took " {duration(ms)}</span> })}
                        {run.rerun_of.clone().map(|p| view! { <span>"re-run of " <a class="underline" href=format!("/admin/runs/{p}")>{p.clone()}</a></span> })}
                    </p>
                    {run.error.clone().map(|e| view! { <p class="run-error mt-2 whitespace-pre-wrap text-sm text-red-300">{e}</p> })}
                </div>
                <div class="flex gap-2">
                    {(!finished).then(|| view! {
                        <form method="post" action=format!("/admin/runs/{}/cancel", run.id)>
                            <input type="hidden" name="csrf" value=csrf.clone() />
                            <button type="submit" id="cancel-run" class="rounded bg-amber-600 px-4 py-2 text-sm font-semibold hover:bg-amber-500">"Cancel"</button>
                        </form>
                    })}
                    {can_rerun.then(|| view! {
                        <form method="post" action=format!("/admin/runs/{}/rerun", run.id)>
                            <input type="hidden" name="csrf" value=csrf.clone() />
                            <button type="submit" id="rerun-failed" class="rounded bg-white/10 px-4 py-2 text-sm font-semibold hover:bg-white/20">"Re-run failed"</button>
                        </form>
                    })}
                </div>
            </section>

            <section>
                <h2 class="mb-3 text-lg font-semibold">"Assets"</h2>
                <table class="materializations w-full text-left text-sm">
                    <thead class="text-xs uppercase tracking-wider text-neutral-400">
                        <tr><th class="pb-2">"Asset"</th><th class="pb-2">"Status"</th><th class="pb-2 w-1/3">"Progress"</th><th class="pb-2">"Duration"</th><th class="pb-2">"Rows"</th><th class="pb-2">"Engine"</th><th class="pb-2">"Warnings"</th></tr>
                    </thead>
                    <tbody>
                        {mats.into_iter().map(|m| view! { <MaterializationRow m live /> }).collect_view()}
                    </tbody>
                </table>
            </section>

            <section>
                <h2 class="mb-3 text-lg font-semibold">"Log"</h2>
                <ol class="run-log max-h-[28rem] overflow-y-auto rounded-lg bg-black/60 p-3 font-mono text-xs leading-relaxed ring-1 ring-white/5">
                    {db_log.into_iter().map(|l| view! { <LogRow l /> }).collect_view()}
                    {move || live.with(|l| l.log.iter().filter(|x| x.seq > last_seq).cloned().map(|l| view! { <LogRow l /> }).collect_view())}
                </ol>
            </section>
        </div>
    }
}

#[component]
fn MaterializationRow(m: Materialization, live: RwSignal<Live>) -> impl IntoView {
    let asset = m.asset.clone();
    let error = m.error.clone().unwrap_or_default();
    let running = m.status == RunStatus::Running;
    let succeeded = m.status == RunStatus::Succeeded;
    let progress = move || {
        let p = live.with(|l| l.progress.get(&asset).cloned());
        match (running, p) {
            (true, Some((stage, done, Some(total)))) if total > 0 => {
                let pct = (done as f64 / total as f64 * 100.0).clamp(0.0, 100.0);
                view! {
                    <div class="flex items-center gap-2">
                        <div class="h-2 flex-1 overflow-hidden rounded bg-white/10">
                            <div class="progress-bar h-full bg-sky-500 transition-all" style=format!("width: {pct:.0}%")></div>
                        </div>
                        <span class="text-xs text-neutral-400">{format!("{stage} {done}/{total}")}</span>
                    </div>
                }
                .into_any()
            }
            (true, Some((stage, _, _))) => {
                view! { <span class="progress-stage text-xs text-sky-300">{stage} "…"</span> }.into_any()
            }
            (true, None) => view! { <span class="text-xs text-sky-300">"starting…"</span> }.into_any(),
            (false, _) if succeeded => view! {
                <div class="h-2 overflow-hidden rounded bg-white/10"><div class="h-full w-full bg-emerald-500"></div></div>
            }
            .into_any(),
            (false, _) => view! { <span class="text-xs text-neutral-400">{error.clone()}</span> }.into_any(),
        }
    };
    view! {
        <tr class="materialization border-t border-white/5" data-asset=m.asset.clone() data-status=m.status.as_str()>
            <td class="py-2 pr-4 font-mono">{m.asset.clone()}{m.partition.clone().map(|p| format!(" [{p}]"))}</td>
            <td class="py-2 pr-4"><StatusBadge status=m.status /></td>
            <td class="py-2 pr-4">{progress}</td>
            <td class="py-2 pr-4 tabular-nums">{m.duration_ms().map(duration).unwrap_or_else(|| "—".into())}</td>
            <td class="py-2 pr-4 tabular-nums">{m.rows.map(thousands).unwrap_or_else(|| "—".into())}</td>
            <td class="engine py-2 pr-4 font-mono text-xs">{engine_label(m.metadata.as_deref()).unwrap_or_else(|| "—".into())}</td>
            <td class="py-2 tabular-nums">{m.warnings}</td>
        </tr>
    }
}

/// Which engine ran a DataFusion materialization, from its metadata's
/// `engine` (`embedded`, or `ballista://host:port · 3 executors`).
pub fn engine_label(metadata: Option<&str>) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(metadata?).ok()?;
    let e = v.get("engine")?;
    let name = e.get("engine")?.as_str()?;
    Some(match e.get("executors").and_then(serde_json::Value::as_u64) {
        Some(1) => format!("{name} · 1 executor"),
        Some(n) => format!("{name} · {n} executors"),
        None => name.to_owned(),
    })
}

#[component]
fn LogRow(l: LogLine) -> impl IntoView {
    let color = match l.level.as_str() {
        "error" => "text-red-300",
        "warn" => "text-amber-300",
        _ => "text-neutral-300",
    };
    let time = utc(l.at);
    let time = time.get(11..16).unwrap_or_default().to_owned();
    view! {
        <li class=format!("log-line {color}") data-seq=l.seq>
            <span class="text-neutral-400">{time}" "</span>
            {l.asset.map(|a| view! { <span class="text-sky-400">{a}" "</span> })}
            {l.message}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::engine_label;

    #[test]
    fn engine_labels() {
        assert_eq!(engine_label(Some(r#"{"engine":{"engine":"embedded"}}"#)).as_deref(), Some("embedded"));
        assert_eq!(
            engine_label(Some(r#"{"key":"k","engine":{"engine":"ballista://10.0.0.1:50050","executors":3}}"#))
                .as_deref(),
            Some("ballista://10.0.0.1:50050 · 3 executors")
        );
        assert_eq!(
            engine_label(Some(r#"{"engine":{"engine":"ballista://h:1","executors":1}}"#)).as_deref(),
            Some("ballista://h:1 · 1 executor")
        );
        for none in [None, Some(""), Some("{}"), Some(r#"{"engine":3}"#), Some("not json")] {
            assert_eq!(engine_label(none), None, "{none:?}");
        }
    }
}
