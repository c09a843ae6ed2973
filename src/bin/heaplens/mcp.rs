//! `heaplens mcp`: a Model Context Protocol server on stdio (JSON-RPC 2.0,
//! one message per line), so a coding agent can look for leaks itself. Its
//! tools take file paths, keep the last few snapshots analysed, and answer
//! pages of a few kilobytes: an agent cannot read a 500 MB snapshot.

use crate::sessions::{self, Sessions};
use heaplens::bail;
use heaplens::error::{Error, Result};
use heaplens::query::{Request, Scope, Window};
use serde_json::{json, Map, Value};
use std::io::{BufRead, Write};

/// The protocol revision this server speaks.
const PROTOCOL_VERSION: &str = "2025-06-18";
/// Snapshots kept analysed between calls.
const KEPT_SNAPSHOTS: usize = 4;
/// Most rows one call answers with; `offset` pages further.
const MAX_ROWS: usize = 100;
/// Most characters the `string` tool answers with at once.
const MAX_CHARACTERS: usize = 4096;
/// Items kept of the lists inside a row (a group's members, a context's
/// variables); the row's count says how many there are.
const ITEMS_SHOWN: usize = 5;

/// JSON-RPC error codes.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

/// Serves stdin until it closes.
pub fn run(args: &[String]) -> Result<()> {
    if let Some(a) = args.first() {
        bail!("mcp takes no arguments (got {a}): an MCP client starts `heaplens mcp` and talks to it on stdin and stdout");
    }
    let mut sessions = Sessions::new(KEPT_SNAPSHOTS);
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| Error::new(format!("reading stdin: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        if let Some(reply) = answer(&mut sessions, &line) {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{reply}").and_then(|()| out.flush()).is_err() {
                // The client is gone.
                return Ok(());
            }
        }
    }
    Ok(())
}

/// The reply to one message, if it needs one (notifications and responses
/// do not).
fn answer(sessions: &mut Sessions, line: &str) -> Option<Value> {
    let message: Value = match serde_json::from_str(line) {
        Ok(m) => m,
        Err(e) => return Some(failure(Value::Null, PARSE_ERROR, format!("not JSON: {e}"))),
    };
    let Some(message) = message.as_object() else {
        return Some(failure(
            Value::Null,
            INVALID_REQUEST,
            format!("a message is one JSON object (protocol {PROTOCOL_VERSION} has no batches)"),
        ));
    };
    let method = message.get("method").and_then(Value::as_str)?;
    let id = message.get("id")?.clone();
    let params = message.get("params").cloned().unwrap_or_else(|| json!({}));
    let result = match method {
        "initialize" => Ok(json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": { "tools": { "listChanged": false } },
            "serverInfo": { "name": "heaplens", "version": env!("CARGO_PKG_VERSION") },
            "instructions": "Find memory leaks in V8 .heapsnapshot files (Node, Chrome, Electron). \
                Take 3 or more snapshots of one process while it repeats an action \
                (`heaplens record` does it), call `leaks` with them in capture order, \
                then `retainers` on a member id to see what keeps it alive.",
        })),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(json!({ "tools": tools() })),
        "tools/call" => call(sessions, &params),
        _ => Err((METHOD_NOT_FOUND, format!("no method {method:?}"))),
    };
    Some(match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err((code, message)) => failure(id, code, message),
    })
}

fn failure(id: Value, code: i64, message: String) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

/// A tool's input schema: `properties` as (name, JSON type, description).
fn schema(properties: &[(&str, &str, &str)], required: &[&str]) -> Value {
    let props: Map<String, Value> = properties
        .iter()
        .map(|(name, kind, about)| {
            let property = match *kind {
                "paths" => json!({ "type": "array", "items": { "type": "string" }, "minItems": 1, "description": about }),
                "id" => json!({ "type": ["integer", "string"], "description": about }),
                kind => json!({ "type": kind, "description": about }),
            };
            (name.to_string(), property)
        })
        .collect();
    json!({ "type": "object", "properties": props, "required": required })
}

/// A tool's argument: (name, JSON type, description); see [`schema`].
type Property = (&'static str, &'static str, &'static str);

/// A tool as `tools/list` describes it.
struct Tool {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    properties: &'static [Property],
    required: &'static [&'static str],
}

const PATH: Property = (
    "path",
    "string",
    "Path of a .heapsnapshot file (or .heapsnapshot.gz) on this machine",
);
const OFFSET: Property = ("offset", "integer", "Rows to skip (paging); default 0");
const ID: Property = (
    "id",
    "id",
    "Object id, as in the other tools' answers (1234 or \"@1234\")",
);

/// The tools, in the order `tools/list` gives them.
const TOOLS: [Tool; 11] = [
    Tool {
        name: "summary",
        title: "Classes by retained size",
        description: "The classes of one snapshot by retained size (DevTools' Summary): object count, distance from the GC roots, shallow and retained bytes.",
        properties: &[
            PATH,
            ("top", "integer", "Rows to answer with; default 20"),
            OFFSET,
            ("filter", "string", "Only classes whose name contains this (case-insensitive)"),
            ("named_filter", "string", "Only the objects one of DevTools' named filters keeps: duplicated-strings, detached-dom, contexts, console or event-handlers"),
            ("realm", "string", "Only the objects attributed to one realm (native context): its @ID or filterName from the realms tool, shared or none"),
        ],
        required: &["path"],
    },
    Tool {
        name: "leaks",
        title: "Leak report",
        description: "The leak report of 3 or more snapshots of one process, taken in capture order while it repeated an action: objects allocated between the first two and still alive in the last, grouped by class and retaining path, most suspicious first, each group with its path from a GC root, where its class is defined and why it ranks where it does.",
        properties: &[
            ("paths", "paths", "Snapshot files of one process in capture order, or a folder of them (as `heaplens record` writes)"),
            ("top", "integer", "Groups to answer with; default 5"),
            OFFSET,
        ],
        required: &["paths"],
    },
    Tool {
        name: "retainers",
        title: "What keeps an object alive",
        description: "An object's direct retainers and its shortest retaining path from a GC root.",
        properties: &[
            PATH,
            ID,
            ("depth", "integer", "Path steps to show; a longer path keeps both ends; default 12"),
            ("limit", "integer", "Direct retainers to answer with; default 5"),
            OFFSET,
        ],
        required: &["path", "id"],
    },
    Tool {
        name: "diff",
        title: "Comparison of two snapshots",
        description: "Objects allocated and freed between a base snapshot and a later one, by class, most allocated bytes first (DevTools' Comparison).",
        properties: &[
            ("base", "string", "The earlier snapshot's path"),
            PATH,
            ("top", "integer", "Rows to answer with; default 20"),
            OFFSET,
        ],
        required: &["base", "path"],
    },
    Tool {
        name: "object",
        title: "One object and its references",
        description: "An object's row (name, class, type, distance, sizes) and the objects it references.",
        properties: &[
            PATH,
            ID,
            ("limit", "integer", "References to answer with; default 10"),
            OFFSET,
        ],
        required: &["path", "id"],
    },
    Tool {
        name: "duplicate_strings",
        title: "Strings held more than once",
        description: "String values held in more than one copy, most wasted bytes first: copies, bytes per copy, wasted and retained bytes, the copies' ids.",
        properties: &[
            PATH,
            ("top", "integer", "Rows to answer with; default 10"),
            OFFSET,
        ],
        required: &["path"],
    },
    Tool {
        name: "closures",
        title: "Closure contexts and what they hold",
        description: "Closure contexts by the bytes held only through their captured variables (a closure that keeps a big value alive comes first), with their functions and variables.",
        properties: &[
            PATH,
            ("top", "integer", "Rows to answer with; default 3"),
            OFFSET,
        ],
        required: &["path"],
    },
    Tool {
        name: "string",
        title: "An object's whole name or string value",
        description: "A window of an object's whole name (a string's value, a closure's name): the other tools cut names at 1000 characters.",
        properties: &[
            PATH,
            ID,
            ("offset", "integer", "Characters to skip; default 0"),
            ("limit", "integer", "Characters to answer with; default 2000, at most 4096"),
        ],
        required: &["path", "id"],
    },
    Tool {
        name: "realms",
        title: "Bytes per page, iframe or vm context",
        description: "The native contexts of one snapshot (a page, its iframes, extensions, Node vm contexts), largest first, with the objects and bytes attributed to each as today's DevTools attributes them, and those shared between contexts or attributed to none. Pass a realm's filterName (or @ID, shared, none) to summary's realm for its classes.",
        properties: &[
            PATH,
            ("top", "integer", "Realms to answer with; default 10"),
            OFFSET,
        ],
        required: &["path"],
    },
    Tool {
        name: "collections",
        title: "Collections that grew in every interval",
        description: "The Maps, Sets, WeakMaps, arrays and dictionaries of the newest of 3 or more snapshots of one process whose entry count grew in every interval, most entries gained first: entry counts per snapshot, where it is held (path from a GC root), retained bytes.",
        properties: &[
            ("paths", "paths", "Snapshot files of one process in capture order, or a folder of them (as `heaplens record` writes)"),
            ("top", "integer", "Collections to answer with; default 5"),
            OFFSET,
        ],
        required: &["paths"],
    },
    Tool {
        name: "graph",
        title: "An object's retaining paths, merged",
        description: "Every retaining path of an object from the GC roots merged into one graph (not only the shortest path the retainers tool gives): nodes (node 0 is the object) and edges from retainer to retained, bounded; limitsReached says which bound cut it short.",
        properties: &[
            PATH,
            ID,
            ("depth", "integer", "Longest path in edges; default 20"),
            ("nodes", "integer", "Most nodes; default 25, at most 100"),
            ("siblings", "integer", "Most retainers followed per node, nearest the roots first; default 5"),
        ],
        required: &["path", "id"],
    },
];

fn tools() -> Value {
    TOOLS
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "title": t.title,
                "description": t.description,
                "inputSchema": schema(t.properties, t.required),
            })
        })
        .collect()
}

/// `tools/call`: the tool's answer, or its failure as a result with
/// `isError` (a bad path or id is for the model to correct, not a protocol
/// error).
fn call(sessions: &mut Sessions, params: &Value) -> std::result::Result<Value, (i64, String)> {
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        return Err((
            INVALID_PARAMS,
            "tools/call needs the tool's name".to_owned(),
        ));
    };
    let empty = Map::new();
    let args = params
        .get("arguments")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let answer = match name {
        "summary" => summary(sessions, args),
        "leaks" => leaks(sessions, args),
        "retainers" => retainers(sessions, args),
        "diff" => diff(sessions, args),
        "object" => object(sessions, args),
        "string" => string(sessions, args),
        "duplicate_strings" => page_of(sessions, args, 10, |window| Request::DuplicateStrings {
            window,
        }),
        "closures" => page_of(sessions, args, 3, |window| Request::Closures { window }),
        "realms" => realms(sessions, args),
        "collections" => collections(sessions, args),
        "graph" => graph(sessions, args),
        _ => return Err((INVALID_PARAMS, format!("no tool {name:?}"))),
    };
    Ok(match answer {
        Ok(v) => {
            json!({ "content": [{ "type": "text", "text": v.to_string() }], "isError": false })
        }
        Err(e) => json!({ "content": [{ "type": "text", "text": e.message() }], "isError": true }),
    })
}

type Args = Map<String, Value>;

fn text<'a>(args: &'a Args, key: &str) -> Result<&'a str> {
    match args.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => bail!("{key} must be a string, not {other}"),
        None => bail!("{key} is required"),
    }
}

/// A whole number: `default` when absent, at most `most`.
fn number(args: &Args, key: &str, default: usize, most: usize) -> Result<usize> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => match v.as_u64() {
            Some(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX).min(most)),
            None => bail!("{key} must be a whole number, not {v}"),
        },
    }
}

/// `offset` and a page size `key` (`default` rows, at most [`MAX_ROWS`]).
fn page(args: &Args, key: &str, default: usize) -> Result<Window> {
    Ok(Window {
        offset: number(args, "offset", 0, usize::MAX)?,
        limit: number(args, key, default, MAX_ROWS)?,
    })
}

/// An object id: `1234` or `"@1234"`.
fn object_id(args: &Args) -> Result<u32> {
    let id = match args.get("id") {
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Some(Value::String(s)) => s.trim_start_matches('@').parse().ok(),
        None => bail!("id is required"),
        _ => None,
    };
    id.ok_or_else(|| Error::new("id must be an object id like 1234 or \"@1234\""))
}

fn summary(sessions: &mut Sessions, args: &Args) -> Result<Value> {
    let path = text(args, "path")?;
    let filter = match args.get("filter") {
        None | Some(Value::Null) => "",
        Some(_) => text(args, "filter")?,
    };
    let named = match args.get("named_filter") {
        None | Some(Value::Null) => None,
        Some(_) => Some(crate::named_filter(
            "named_filter",
            text(args, "named_filter")?,
        )?),
    };
    let window = page(args, "top", 20)?;
    let s = sessions.get(path)?;
    let realm = match args.get("realm") {
        None | Some(Value::Null) => None,
        Some(_) => Some(crate::realms::filter_name(s, text(args, "realm")?, path)?),
    };
    let scope = Scope {
        filter: named,
        realm,
        ..Scope::default()
    };
    sessions::summary(path, s, (scope, filter), window)
}

fn realms(sessions: &mut Sessions, args: &Args) -> Result<Value> {
    let path = text(args, "path")?;
    let window = page(args, "top", 10)?;
    let realms = sessions.get(path)?.realms();
    let mut answer = sessions::answer(json!({ "file": path }), &realms);
    if let Some(listed) = answer.get_mut("realms").and_then(Value::as_array_mut) {
        answer_page(listed, window);
    }
    answer["totalRealms"] = realms.realms.len().into();
    Ok(answer)
}

fn collections(sessions: &mut Sessions, args: &Args) -> Result<Value> {
    let window = page(args, "top", 5)?;
    let files = sessions::series(&paths(args)?)?;
    let found = crate::collections::growing(sessions, &files)?;
    let mut listed = serde_json::to_value(&found).unwrap_or(Value::Null);
    if let Some(rows) = listed.as_array_mut() {
        answer_page(rows, window);
    }
    let answer = json!({ "collections": listed, "total": found.len() });
    Ok(sessions::answer(json!({ "files": files }), &answer))
}

fn graph(sessions: &mut Sessions, args: &Args) -> Result<Value> {
    let path = text(args, "path")?;
    let id = object_id(args)?;
    let request = Request::RetainerGraph {
        id,
        max_depth: Some(number(args, "depth", 20, usize::MAX)?),
        max_nodes: Some(number(args, "nodes", 25, MAX_ROWS)?),
        max_siblings: Some(number(args, "siblings", 5, MAX_ROWS)?),
        expanded: Vec::new(),
        svg: false,
    };
    let s = sessions.get(path)?;
    sessions::node_of(s, path, id)?;
    let mut answer = sessions::answer(json!({ "file": path, "id": id }), &s.query(request)?);
    // The page's layout is of no use to an agent: left out to keep answers small.
    if let Some(graph) = answer.get_mut("graph").and_then(Value::as_object_mut) {
        graph.remove("columns");
        graph.remove("rows");
        for node in graph
            .get_mut("nodes")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(node) = node.as_object_mut() {
                node.remove("x");
                node.remove("y");
            }
        }
    }
    Ok(answer)
}

/// Keeps `window` of `rows`.
fn answer_page(rows: &mut Vec<Value>, window: Window) {
    let page: Vec<Value> = rows
        .drain(..)
        .skip(window.offset)
        .take(window.limit)
        .collect();
    *rows = page;
}

/// The `paths` argument: snapshot files (or folders) of one process.
fn paths(args: &Args) -> Result<Vec<String>> {
    match args.get("paths") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|p| p.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| Error::new("paths must be a list of file paths")),
        _ => bail!("paths is required: the snapshot files of one process, in capture order"),
    }
}

fn leaks(sessions: &mut Sessions, args: &Args) -> Result<Value> {
    let window = page(args, "top", 5)?;
    let files = sessions::series(&paths(args)?)?;
    let report = sessions::leak_report(sessions, &files)?;
    let mut answer = sessions::answer(json!({ "files": files }), &report);
    if let Some(groups) = answer.get_mut("groups").and_then(Value::as_array_mut) {
        let total = groups.len();
        answer_page(groups, window);
        shorten(groups, &["members"]);
        answer["totalGroups"] = total.into();
    }
    Ok(answer)
}

fn retainers(sessions: &mut Sessions, args: &Args) -> Result<Value> {
    let path = text(args, "path")?;
    let id = object_id(args)?;
    let depth = number(args, "depth", 12, MAX_ROWS)?;
    let window = page(args, "limit", 5)?;
    let s = sessions.get(path)?;
    sessions::node_of(s, path, id)?;
    sessions::retainers(s, path, id, window, depth)
}

fn diff(sessions: &mut Sessions, args: &Args) -> Result<Value> {
    let (base, path) = (text(args, "base")?, text(args, "path")?);
    let window = page(args, "top", 20)?;
    let response = sessions::diff(sessions, base, path, window)?;
    Ok(sessions::answer(
        json!({ "base": base, "file": path }),
        &response,
    ))
}

fn object(sessions: &mut Sessions, args: &Args) -> Result<Value> {
    let path = text(args, "path")?;
    let id = object_id(args)?;
    let window = page(args, "limit", 10)?;
    let s = sessions.get(path)?;
    sessions::node_of(s, path, id)?;
    let object = s.query(Request::Node { id })?;
    let references = s.query(Request::Edges { id, window })?;
    let context = json!({ "file": path, "object": object });
    Ok(sessions::answer(
        context,
        &json!({ "references": references }),
    ))
}

fn string(sessions: &mut Sessions, args: &Args) -> Result<Value> {
    let path = text(args, "path")?;
    let id = object_id(args)?;
    let offset = number(args, "offset", 0, usize::MAX)?;
    let limit = number(args, "limit", 2000, MAX_CHARACTERS)?;
    let s = sessions.get(path)?;
    sessions::node_of(s, path, id)?;
    let window = s.query(Request::String { id, offset, limit })?;
    Ok(sessions::answer(json!({ "file": path }), &window))
}

/// A page of one of the query layer's lists (`request(window)`), `rows`
/// rows by default, the lists inside each row shortened.
fn page_of(
    sessions: &mut Sessions,
    args: &Args,
    rows: usize,
    request: impl FnOnce(Window) -> Request,
) -> Result<Value> {
    let path = text(args, "path")?;
    let window = page(args, "top", rows)?;
    let response = sessions.get(path)?.query(request(window))?;
    let mut answer = sessions::answer(json!({ "file": path }), &response);
    if let Some(rows) = answer.get_mut("rows").and_then(Value::as_array_mut) {
        shorten(rows, &["functions", "variables", "copyIds"]);
    }
    Ok(answer)
}

/// Cuts the lists `keys` of each row to [`ITEMS_SHOWN`] items.
fn shorten(rows: &mut [Value], keys: &[&str]) {
    for row in rows {
        for key in keys {
            if let Some(items) = row.get_mut(*key).and_then(Value::as_array_mut) {
                items.truncate(ITEMS_SHOWN);
            }
        }
    }
}
