//! Snapshots opened by path, a bounded number kept analysed (the MCP server
//! keeps a few between calls, a command line one or two), and the answers
//! the command line and the MCP server both give from them.

use heaplens::analysis::filters::NamedFilter;
use heaplens::analysis::leaks::{LeakReport, SnapshotFacts};
use heaplens::bail;
use heaplens::error::Result;
use heaplens::query::{DiffRow, Session, SortBy};
use heaplens::snapshot::NodeId;
use serde_json::{json, Value};
use std::time::SystemTime;

/// What tells a file changed since it was opened: modification time and length.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &str) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Analysed snapshots by path (`a.heapsnapshot` and `./a.heapsnapshot` are
/// one), least recently used first; a file that changed on disk is opened
/// again.
pub struct Sessions {
    capacity: usize,
    open: Vec<(String, Stamp, Session)>,
}

impl Sessions {
    /// Keeps at most `capacity` (at least one) snapshots analysed.
    pub fn new(capacity: usize) -> Sessions {
        Sessions {
            capacity: capacity.max(1),
            open: Vec::new(),
        }
    }

    /// The session of `path`, opened unless it is kept and unchanged.
    pub fn get(&mut self, path: &str) -> Result<&mut Session> {
        let now = stamp(path);
        let key = std::fs::canonicalize(path)
            .map_or_else(|_| path.to_owned(), |p| p.to_string_lossy().into_owned());
        let kept = self.open.iter().position(|(p, _, _)| *p == key);
        match kept {
            Some(i) if now.is_some() && self.open[i].1 == now => {
                let entry = self.open.remove(i);
                self.open.push(entry);
            }
            _ => {
                if let Some(i) = kept {
                    self.open.remove(i);
                }
                // Make room first: the peak is `capacity` analysed snapshots.
                while self.open.len() >= self.capacity {
                    self.open.remove(0);
                }
                let session = crate::open(path)?;
                self.open.push((key, now, session));
            }
        }
        let last = self.open.len() - 1;
        Ok(&mut self.open[last].2)
    }
}

/// The snapshots of a leak report: `paths`, each folder replaced by the
/// snapshots in it (`.heapsnapshot`, `.heapsnapshot.gz`) in capture order:
/// by the number their names start with (`record` writes `1.heapsnapshot`,
/// `2.…`; a shell glob would put `10` before `2`), then by name.
pub fn series(paths: &[String]) -> Result<Vec<String>> {
    let mut all = Vec::with_capacity(paths.len());
    for path in paths {
        let Ok(entries) = std::fs::read_dir(path) else {
            all.push(path.clone());
            continue;
        };
        let mut found: Vec<(u64, String)> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| name.ends_with(".heapsnapshot") || name.ends_with(".heapsnapshot.gz"))
            .map(|name| {
                let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
                (digits.parse().unwrap_or(u64::MAX), name)
            })
            .collect();
        if found.is_empty() {
            bail!("{path} holds no .heapsnapshot file");
        }
        found.sort();
        let folder = std::path::Path::new(path);
        all.extend(
            found
                .into_iter()
                .map(|(_, name)| folder.join(name).to_string_lossy().into_owned()),
        );
    }
    if all.len() < 2 {
        bail!("leaks takes 2 or more snapshots of one process (4 or more to see growth in every interval), in capture order, or a folder of them");
    }
    Ok(all)
}

/// The leak report of `paths`, snapshots of one process: every one gives its
/// facts, the newest (by object ids, whatever the order given) the report.
pub fn leak_report(sessions: &mut Sessions, paths: &[String]) -> Result<LeakReport> {
    let mut facts: Vec<SnapshotFacts> = Vec::with_capacity(paths.len());
    let mut newest = 0;
    for (i, path) in paths.iter().enumerate() {
        let f = sessions.get(path)?.facts(path);
        if facts.get(newest).is_none_or(|n| n.max_js_id <= f.max_js_id) {
            newest = i;
        }
        facts.push(f);
    }
    let Some(last) = paths.get(newest) else {
        bail!("no snapshot given");
    };
    Ok(sessions.get(last)?.leaks(facts))
}

/// Summary: classes by retained size whose name contains `filter`, of the
/// objects passing `named` (all when `None`), rows `offset..offset + limit`,
/// and how many classes there are.
pub fn summary(
    path: &str,
    s: &mut Session,
    (named, filter): (Option<NamedFilter>, &str),
    offset: usize,
    limit: usize,
) -> (Value, usize) {
    let info = s.info();
    let rows = s.filtered_summary(named, None, filter, SortBy::RetainedSize, false);
    let mut classes = json!({
        "file": path,
        "nodes": info.nodes,
        "edges": info.edges,
        "total_size": info.total_size,
        "classes": rows.iter().skip(offset).take(limit).map(|r| crate::with_name_length(json!({
            "name": r.name,
            "count": r.count,
            "distance": r.distance,
            "self_size": r.self_size,
            "retained_size": r.retained_size,
        }), r.name_length)).collect::<Vec<_>>(),
    });
    if let Some(named) = named {
        classes["filter"] = json!(named);
    }
    (classes, rows.len())
}

/// Comparison of `path` against `base`: classes by allocated size.
pub fn diff_rows(sessions: &mut Sessions, base: &str, path: &str) -> Result<Vec<DiffRow>> {
    let interfaces = sessions.get(path)?.snapshot.classes.interfaces.clone();
    let data = sessions.get(base)?.diff_base(&interfaces);
    Ok(sessions
        .get(path)?
        .compare(&data, "", SortBy::AddedSize, false))
}

/// [`diff_rows`] as JSON, rows `offset..offset + limit`.
pub fn diff(base: &str, path: &str, rows: &[DiffRow], offset: usize, limit: usize) -> Value {
    json!({
        "base": base,
        "file": path,
        "classes": rows.iter().skip(offset).take(limit).map(|r| crate::with_name_length(json!({
            "name": r.name,
            "new_count": r.new_count,
            "deleted_count": r.deleted_count,
            "delta_count": r.delta_count,
            "added_size": r.added_size,
            "freed_size": r.freed_size,
            "size_delta": r.size_delta,
        }), r.name_length)).collect::<Vec<_>>(),
    })
}

/// The node of object `@id` in the snapshot read from `path`.
pub fn node_of(s: &Session, path: &str, id: u32) -> Result<usize> {
    match s.snapshot.node_by_id(NodeId(id)) {
        Some(n) => Ok(n),
        None => bail!("there is no object @{id} in {path}"),
    }
}

/// What holds node `n`: its row, its direct retainers (rows
/// `offset..offset + limit`) and its shortest path from a GC root; a path
/// longer than `depth` steps keeps its two ends, with `{"omitted": K}`
/// between them. Also returns how many direct retainers there are.
pub fn retainers(
    s: &Session,
    n: usize,
    offset: usize,
    limit: usize,
    depth: usize,
) -> (Value, usize) {
    let g = &s.snapshot.graph;
    let edges = s.retainer_edges(n);
    let retainers: Vec<Value> = edges
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&e| {
            json!({
                "edge_type": g.edge_type_name(e),
                "edge_name": g.edge_name(e),
                "node": s.node_row(g.edge_source(e)),
            })
        })
        .collect();
    let steps = s.retaining_path(n);
    let mut path: Vec<Value> = steps.iter().map(|st| json!(st)).collect();
    if path.len() > depth.max(2) {
        let head = depth.max(2) / 2;
        let tail = path.split_off(path.len() - (depth.max(2) - head));
        let omitted = path.len() - head;
        path.truncate(head);
        path.push(json!({ "omitted": omitted }));
        path.extend(tail);
    }
    let answer = crate::snake_keys(&json!({
        "object": s.node_row(n),
        "retainers": retainers,
        "path": path,
    }));
    (answer, edges.len())
}
