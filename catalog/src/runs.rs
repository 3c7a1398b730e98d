//! Pipeline runs as every layer sees them: the orchestrator writes them, the
//! CLI, the admin pages and `/metrics` read them, and the browser receives
//! them (plain serde types, no database code here).
//!
//! Times are milliseconds since the Unix epoch (UTC).

use serde::{Deserialize, Serialize};

/// Where a run or a materialization stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    /// A materialization that was not attempted because an upstream asset
    /// failed or was cancelled (never a run's status).
    Skipped,
}

impl RunStatus {
    pub const ALL: [RunStatus; 6] = [
        RunStatus::Queued,
        RunStatus::Running,
        RunStatus::Succeeded,
        RunStatus::Failed,
        RunStatus::Cancelled,
        RunStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// True once nothing more will happen to it.
    pub fn is_finished(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What started a run. Every trigger goes through the same code path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Schedule,
    Admin,
    Cli,
    Startup,
}

impl Trigger {
    pub const ALL: [Trigger; 4] = [Trigger::Schedule, Trigger::Admin, Trigger::Cli, Trigger::Startup];

    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Admin => "admin",
            Trigger::Cli => "cli",
            Trigger::Startup => "startup",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for Trigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One pipeline run (a row of `pipeline_runs`, with totals over its assets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: String,
    pub trigger: Trigger,
    pub status: RunStatus,
    /// The assets asked for; empty means the whole graph.
    pub selection: Vec<String>,
    pub partition: Option<String>,
    /// The run this one re-runs the failures of.
    pub rerun_of: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub error: Option<String>,
    /// Sums over the run's materializations (filled by the listing queries).
    pub rows: i64,
    pub warnings: i64,
}

impl RunSummary {
    pub fn duration_ms(&self) -> Option<i64> {
        Some(self.finished_at? - self.started_at?)
    }
}

/// One asset (and partition) materialized, or to be, by one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Materialization {
    pub run_id: String,
    pub asset: String,
    pub partition: Option<String>,
    pub status: RunStatus,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub rows: Option<i64>,
    pub bytes: Option<i64>,
    pub warnings: i64,
    /// JSON written by the asset: what downstream assets read (keys, versions).
    pub metadata: Option<String>,
    /// The error and its causes, one per line.
    pub error: Option<String>,
}

impl Materialization {
    pub fn duration_ms(&self) -> Option<i64> {
        Some(self.finished_at? - self.started_at?)
    }
}

/// A line of a run's bounded log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub seq: i64,
    pub at: i64,
    pub asset: Option<String>,
    /// `info`, `warn` or `error`.
    pub level: String,
    pub message: String,
}

/// An asset of the graph as the admin page draws it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetNode {
    pub name: String,
    pub upstream: Vec<String>,
    pub description: String,
    pub partitioned: bool,
}

/// A row of the admin assets table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetOverview {
    pub node: AssetNode,
    /// The latest finished materialization, if any.
    pub last: Option<Materialization>,
    /// Durations of the latest finished materializations, oldest first.
    pub recent_durations_ms: Vec<i64>,
}

/// Which runs a listing shows (all when `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFilter {
    pub status: Option<RunStatus>,
    pub asset: Option<String>,
    pub trigger: Option<Trigger>,
    pub limit: u32,
}

/// What happens in a run, as it happens: sent to the CLI's progress bars and
/// to the admin page through server-sent events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunEvent {
    RunStarted {
        run_id: String,
        trigger: Trigger,
        assets: Vec<String>,
    },
    AssetStarted {
        run_id: String,
        asset: String,
    },
    Stage {
        run_id: String,
        asset: String,
        stage: String,
        total: Option<u64>,
    },
    Progress {
        run_id: String,
        asset: String,
        done: u64,
    },
    Log {
        run_id: String,
        line: LogLine,
    },
    AssetFinished {
        run_id: String,
        asset: String,
        status: RunStatus,
        rows: Option<i64>,
        duration_ms: Option<i64>,
        error: Option<String>,
    },
    RunFinished {
        run_id: String,
        status: RunStatus,
        error: Option<String>,
    },
}

impl RunEvent {
    pub fn run_id(&self) -> &str {
        match self {
            RunEvent::RunStarted { run_id, .. }
            | RunEvent::AssetStarted { run_id, .. }
            | RunEvent::Stage { run_id, .. }
            | RunEvent::Progress { run_id, .. }
            | RunEvent::Log { run_id, .. }
            | RunEvent::AssetFinished { run_id, .. }
            | RunEvent::RunFinished { run_id, .. } => run_id,
        }
    }
}

/// Why a set of nodes is not a graph the orchestrator can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphError {
    /// Two assets share a name.
    Duplicate(String),
    /// `asset` reads `upstream`, which is not declared.
    UnknownUpstream { asset: String, upstream: String },
    /// These assets depend on each other in a loop.
    Cycle(Vec<String>),
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GraphError::Duplicate(a) => write!(f, "asset `{a}` is declared twice"),
            GraphError::UnknownUpstream { asset, upstream } => {
                write!(f, "asset `{asset}` reads `{upstream}`, which is not declared")
            }
            GraphError::Cycle(names) => write!(f, "assets depend on each other in a cycle: {}", names.join(", ")),
        }
    }
}

impl std::error::Error for GraphError {}

/// The graph in layers (indices into `nodes`): layer 0 has the assets with no
/// upstream, and every asset sits one layer below its deepest upstream. The
/// orchestrator runs in this order; the admin page draws it so.
pub fn layers(nodes: &[AssetNode]) -> Result<Vec<Vec<usize>>, GraphError> {
    let index = |name: &str| nodes.iter().position(|n| n.name == name);
    for (i, n) in nodes.iter().enumerate() {
        if nodes[..i].iter().any(|m| m.name == n.name) {
            return Err(GraphError::Duplicate(n.name.clone()));
        }
        for u in &n.upstream {
            if index(u).is_none() {
                return Err(GraphError::UnknownUpstream { asset: n.name.clone(), upstream: u.clone() });
            }
        }
    }
    // Longest-path layering by repeated relaxation (Kahn's order underneath):
    // a node is placed once all its upstream nodes are.
    let mut depth: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut placed = 0;
    while placed < nodes.len() {
        let mut progressed = false;
        for (i, n) in nodes.iter().enumerate() {
            if depth[i].is_some() {
                continue;
            }
            let ups: Option<Vec<usize>> = n.upstream.iter().map(|u| index(u).and_then(|j| depth[j])).collect();
            if let Some(ups) = ups {
                depth[i] = Some(ups.into_iter().map(|d| d + 1).max().unwrap_or(0));
                placed += 1;
                progressed = true;
            }
        }
        if !progressed {
            let stuck = nodes.iter().zip(&depth).filter(|(_, d)| d.is_none()).map(|(n, _)| n.name.clone()).collect();
            return Err(GraphError::Cycle(stuck));
        }
    }
    let height = depth.iter().flatten().max().map_or(0, |d| d + 1);
    let mut out = vec![Vec::new(); height];
    for (i, d) in depth.iter().enumerate() {
        if let Some(d) = d {
            out[*d].push(i);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_triggers_round_trip_as_text() {
        for s in RunStatus::ALL {
            assert_eq!(RunStatus::parse(s.as_str()), Some(s));
        }
        for t in Trigger::ALL {
            assert_eq!(Trigger::parse(t.as_str()), Some(t));
        }
        assert_eq!(RunStatus::parse("done"), None);
        assert!(RunStatus::Cancelled.is_finished() && !RunStatus::Running.is_finished());
    }

    fn node(name: &str, up: &[&str]) -> AssetNode {
        AssetNode {
            name: name.into(),
            upstream: up.iter().map(|s| s.to_string()).collect(),
            description: String::new(),
            partitioned: false,
        }
    }

    #[test]
    fn layers_follow_the_longest_upstream_path() {
        let nodes = [
            node("tf_idf", &["database"]),
            node("movies", &[]),
            node("thumbnails", &["movies"]),
            node("cleaned_movies", &["movies", "thumbnails", "kaggle"]),
            node("kaggle", &[]),
            node("database", &["cleaned_movies"]),
        ];
        let names = |l: &Vec<usize>| l.iter().map(|&i| nodes[i].name.as_str()).collect::<Vec<_>>();
        let got: Vec<Vec<&str>> = layers(&nodes).unwrap().iter().map(names).collect();
        assert_eq!(
            got,
            vec![
                vec!["movies", "kaggle"],
                vec!["thumbnails"],
                vec!["cleaned_movies"],
                vec!["database"],
                vec!["tf_idf"]
            ]
        );
    }

    #[test]
    fn cycles_unknown_upstreams_and_duplicates_are_refused() {
        let cyclic = [node("a", &["c"]), node("b", &["a"]), node("c", &["b"]), node("d", &[])];
        match layers(&cyclic) {
            Err(GraphError::Cycle(names)) => assert_eq!(names, ["a", "b", "c"]),
            other => panic!("expected a cycle, got {other:?}"),
        }
        assert!(matches!(layers(&[node("a", &["a"])]), Err(GraphError::Cycle(_))));
        assert_eq!(
            layers(&[node("a", &["ghost"])]),
            Err(GraphError::UnknownUpstream { asset: "a".into(), upstream: "ghost".into() })
        );
        assert_eq!(layers(&[node("a", &[]), node("a", &[])]), Err(GraphError::Duplicate("a".into())));
        assert_eq!(layers(&[]), Ok(vec![]));
    }

    #[cfg(feature = "db")]
    #[test]
    fn events_are_tagged_json() {
        let e = RunEvent::Progress { run_id: "r1".into(), asset: "database".into(), done: 250 };
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains("\"kind\":\"progress\""), "{json}");
        assert_eq!(serde_json::from_str::<RunEvent>(&json).unwrap(), e);
    }
}
