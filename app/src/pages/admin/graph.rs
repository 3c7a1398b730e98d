//! The asset graph drawn as SVG: a layered layout (each asset one column to
//! the right of its deepest upstream asset, see [`catalog::runs::layers`]),
//! edges as curves, nodes coloured by their latest status.

use std::collections::HashMap;

use catalog::runs::{layers, AssetNode, RunStatus};
use leptos::prelude::*;

const NODE_W: f64 = 150.0;
const NODE_H: f64 = 40.0;
const GAP_X: f64 = 60.0;
const GAP_Y: f64 = 18.0;
const PAD: f64 = 10.0;

/// Where each node goes: (x, y) of its top-left corner, and the canvas size.
pub fn layout(nodes: &[AssetNode]) -> (Vec<(f64, f64)>, f64, f64) {
    let Ok(cols) = layers(nodes) else {
        return (vec![(PAD, PAD); nodes.len()], NODE_W + 2.0 * PAD, NODE_H + 2.0 * PAD);
    };
    let tallest = cols.iter().map(Vec::len).max().unwrap_or(1).max(1) as f64;
    let height = tallest * NODE_H + (tallest - 1.0) * GAP_Y + 2.0 * PAD;
    let mut pos = vec![(0.0, 0.0); nodes.len()];
    for (c, col) in cols.iter().enumerate() {
        let col_h = col.len() as f64 * NODE_H + (col.len() as f64 - 1.0).max(0.0) * GAP_Y;
        let top = (height - col_h) / 2.0;
        for (r, &i) in col.iter().enumerate() {
            pos[i] = (PAD + c as f64 * (NODE_W + GAP_X), top + r as f64 * (NODE_H + GAP_Y));
        }
    }
    let width = cols.len().max(1) as f64 * (NODE_W + GAP_X) - GAP_X + 2.0 * PAD;
    (pos, width, height)
}

/// The graph, with each asset's latest status.
#[component]
pub fn AssetGraph(nodes: Vec<AssetNode>, statuses: HashMap<String, RunStatus>) -> impl IntoView {
    let (pos, width, height) = layout(&nodes);
    let index: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)).collect();
    let mut edges = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        for u in &n.upstream {
            if let Some(&j) = index.get(u.as_str()) {
                let (x1, y1) = (pos[j].0 + NODE_W, pos[j].1 + NODE_H / 2.0);
                let (x2, y2) = (pos[i].0, pos[i].1 + NODE_H / 2.0);
                let mid = (x1 + x2) / 2.0;
                edges.push(format!("M{x1:.1},{y1:.1} C{mid:.1},{y1:.1} {mid:.1},{y2:.1} {x2:.1},{y2:.1}"));
            }
        }
    }
    let boxes = nodes
        .iter()
        .zip(&pos)
        .map(|(n, (x, y))| {
            let status = statuses.get(&n.name).copied();
            let stroke = match status {
                Some(RunStatus::Succeeded) => "stroke-emerald-400",
                Some(RunStatus::Failed) => "stroke-red-400",
                Some(RunStatus::Running) => "stroke-sky-400",
                Some(_) => "stroke-amber-400",
                None => "stroke-neutral-600",
            };
            let label = if n.name.len() > 20 { format!("{}…", &n.name[..19]) } else { n.name.clone() };
            view! {
                <g class="graph-node" data-asset=n.name.clone()>
                    <rect x={*x} y={*y} width=NODE_W height=NODE_H rx="6" class=format!("fill-neutral-900 {stroke}") stroke-width="1.5" />
                    <text x={x + NODE_W / 2.0} y={y + NODE_H / 2.0 + 4.0} text-anchor="middle" class="fill-neutral-100 text-[12px] font-mono">{label}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="asset-graph max-w-full" width=width height=height viewBox=format!("0 0 {width:.0} {height:.0}") role="img" aria-label="The asset graph">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="fill-neutral-500" />
                </marker>
            </defs>
            {edges.into_iter().map(|d| view! { <path d=d fill="none" class="graph-edge stroke-neutral-500" stroke-width="1.5" marker-end="url(#arrow)" /> }).collect_view()}
            {boxes}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_puts_each_asset_right_of_its_upstream() {
        let n = |name: &str, up: &[&str]| AssetNode {
            name: name.into(),
            upstream: up.iter().map(|s| s.to_string()).collect(),
            description: String::new(),
            partitioned: false,
        };
        let nodes = [n("a", &[]), n("b", &["a"]), n("c", &["a"]), n("d", &["b", "c"])];
        let (pos, w, h) = layout(&nodes);
        assert!(pos[1].0 > pos[0].0 && pos[2].0 > pos[0].0 && pos[3].0 > pos[1].0);
        assert_eq!(pos[1].0, pos[2].0, "b and c share a column");
        assert_ne!(pos[1].1, pos[2].1, "stacked, not overlapping");
        assert!(w >= 3.0 * NODE_W && h >= 2.0 * NODE_H);
    }
}
