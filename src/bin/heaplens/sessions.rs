//! Snapshots opened by path, a bounded number kept analysed (the MCP server
//! keeps a few between calls, a command line one or two), and the answers
//! the command line and the MCP server both give from them.

use heaplens::analysis::leaks::{LeakReport, SnapshotFacts};
use heaplens::bail;
use heaplens::error::Result;
use heaplens::query::{Order, Request, Response, Scope, Session, SortBy, Window, SCHEMA};
use serde::Serialize;
use serde_json::{json, Map, Value};
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

/// What the page calls the files at `paths`: their names, the second of two
/// alike `name (2)`, and so on.
pub fn file_names(paths: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(paths.len());
    for path in paths {
        let name = std::path::Path::new(path)
            .file_name()
            .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
        let mut unique = name.clone();
        let mut n = 2;
        while names.contains(&unique) {
            unique = format!("{name} ({n})");
            n += 1;
        }
        names.push(unique);
    }
    names
}

/// The leak report of `paths`, snapshots of one process: every one gives its
/// facts, the newest (by object ids, whatever the order given) the report.
pub fn leak_report(sessions: &mut Sessions, paths: &[String]) -> Result<LeakReport> {
    let mut facts: Vec<SnapshotFacts> = Vec::with_capacity(paths.len());
    let mut newest = 0;
    for (i, (path, name)) in paths.iter().zip(file_names(paths)).enumerate() {
        let f = sessions.get(path)?.facts(&name);
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

/// `response` as the command line's `--json` and the MCP server print it:
/// `{"schema": N, ...context, ...response}`, the response's own fields, as
/// the page gets them, after the schema version and `context` (file names
/// and the like; a `null` context field is left out).
pub fn answer(context: Value, response: &impl Serialize) -> Value {
    let mut out = Map::new();
    out.insert("schema".to_owned(), SCHEMA.into());
    if let Value::Object(fields) = context {
        out.extend(fields.into_iter().filter(|(_, v)| !v.is_null()));
    }
    match serde_json::to_value(response).unwrap_or(Value::Null) {
        Value::Object(fields) => out.extend(fields),
        Value::Null => {}
        other => {
            out.insert("value".to_owned(), other);
        }
    }
    Value::Object(out)
}

/// Summary: classes by retained size whose name contains `filter`, of the
/// objects in `scope` (a named filter, a realm; all by default), in `window`.
pub fn summary(
    path: &str,
    s: &mut Session,
    (scope, filter): (Scope, &str),
    window: Window,
) -> Result<Value> {
    let info = s.info();
    let mut context = json!({ "file": path, "filter": scope.filter, "info": info });
    if let Some(realm) = &scope.realm {
        context["realm"] = realm.as_str().into();
    }
    let request = Request::Summary {
        scope,
        order: Order::largest(SortBy::RetainedSize),
        class_filter: filter.to_owned(),
        window,
    };
    Ok(answer(context, &s.query(request)?))
}

/// Comparison of `path` against `base`, classes by allocated size, in
/// `window`: the base's side is sent to `path`'s session as the page's
/// worker does.
pub fn diff(sessions: &mut Sessions, base: &str, path: &str, window: Window) -> Result<Response> {
    let interfaces = sessions.get(path)?.snapshot.classes.interfaces.clone();
    let Response::DiffBase(data) = sessions
        .get(base)?
        .query(Request::DiffBase { interfaces })?
    else {
        bail!("internal: no diff base");
    };
    let s = sessions.get(path)?;
    s.query(Request::UseDiffBase {
        name: base.to_owned(),
        base: data,
    })?;
    s.query(Request::Compare {
        base: base.to_owned(),
        order: Order::largest(SortBy::AddedSize),
        class_filter: String::new(),
        window,
    })
}

/// What holds object `id`: its row, its direct retainers (in `window`) and
/// its shortest path from a GC root; a path longer than `depth` steps keeps
/// its two ends, with `{"omitted": K}` between them.
pub fn retainers(
    s: &mut Session,
    path: &str,
    id: u32,
    window: Window,
    depth: usize,
) -> Result<Value> {
    let object = s.query(Request::Node { id })?;
    let retainers = s.query(Request::Retainers { id, window })?;
    let Response::Path(shortest) = s.query(Request::RetainingPath { id })? else {
        bail!("internal: no retaining path");
    };
    let mut steps: Vec<Value> = shortest.steps.iter().map(|step| json!(step)).collect();
    let depth = depth.max(2);
    if steps.len() > depth {
        let head = depth / 2;
        let tail = steps.split_off(steps.len() - (depth - head));
        let omitted = steps.len() - head;
        steps.truncate(head);
        steps.push(json!({ "omitted": omitted }));
        steps.extend(tail);
    }
    let context = json!({ "file": path, "object": object, "retainers": retainers });
    Ok(answer(context, &json!({ "path": steps })))
}

/// The node of object `@id` in the snapshot read from `path`.
pub fn node_of(s: &Session, path: &str, id: u32) -> Result<usize> {
    s.node(id)
        .map_err(|_| heaplens::error::Error::new(format!("there is no object @{id} in {path}")))
}
