//! `heaplens allocations FILE [@ID] [--json] [--top N]`: DevTools'
//! Allocation perspective for a snapshot recorded with allocation stacks:
//! the functions that allocated, by live size, each with the caller stacks
//! that allocated most of what is alive; with `@ID`, that object's
//! allocation stack.

use super::{open, print_json, print_table, size, Options};
use heaplens::analysis::allocations::{
    source_location as location, timeline, Allocations, CallerTree, Frame, FunctionRow,
};
use heaplens::analysis::HeapSnapshot;
use heaplens::error::{Error, Result};
use heaplens::query::SCHEMA;
use heaplens::snapshot::NodeId;
use serde_json::json;

/// Caller stacks printed per function.
const STACKS_PER_FUNCTION: usize = 3;

/// Runs the command.
pub fn run(o: &Options) -> Result<()> {
    if !(1..=2).contains(&o.files.len()) {
        return Err(Error::new(
            "allocations takes FILE and, optionally, @ID (an object's allocation stack)",
        ));
    }
    let path = &o.files[0];
    let session = open(path)?;
    let snapshot = &session.snapshot;
    let profile = Allocations::new(snapshot).ok_or_else(|| {
        Error::new(format!(
            "{path} has no allocation stacks: record it with allocation tracking \
             (DevTools' \"Allocations on timeline\" with stack traces, or \
             HeapProfiler.startTrackingHeapObjects with trackAllocations: true)"
        ))
    })?;
    if let Some(id) = o.files.get(1) {
        return object_stack(snapshot, &profile, id, o.json);
    }
    let mut functions = profile.functions();
    functions.sort_by_key(|f| std::cmp::Reverse(f.live_size));
    functions.truncate(o.top.unwrap_or(20));
    if o.json {
        let rows: Vec<_> = functions
            .iter()
            .filter_map(|f| profile.callers(f.function))
            .collect();
        print_json(&json!({ "schema": SCHEMA, "functions": rows, "timeline": timeline(snapshot) }));
        return Ok(());
    }
    out!("{path}: functions by the bytes still alive of what they allocated");
    let table: Vec<Vec<String>> = functions
        .iter()
        .map(|f| {
            vec![
                f.name.clone(),
                f.live_count.to_string(),
                f.count.to_string(),
                size(f.live_size),
                size(f.size),
                location(&f.script_name, f.line, f.column),
            ]
        })
        .collect();
    print_table(
        &[
            "Function",
            "Live Count",
            "Count",
            "Live Size",
            "Size",
            "Location",
        ],
        &table,
    );
    for f in &functions {
        let Some(tree) = profile.callers(f.function) else {
            continue;
        };
        out!("\n{} allocated, by caller stack:", f.name);
        let mut stacks = Vec::new();
        caller_stacks(&tree, &mut Vec::new(), &mut stacks);
        stacks.sort_by_key(|s| std::cmp::Reverse(s.0.live_size));
        for (row, names) in stacks.iter().take(STACKS_PER_FUNCTION) {
            out!(
                "  {} alive ({}) of {}: {}",
                row.live_count,
                size(row.live_size),
                row.count,
                names.join(" <- ")
            );
        }
    }
    Ok(())
}

/// Every path from the tree's function out to a caller with no caller of
/// its own, with the totals of its outermost node (what was allocated on
/// stacks through that whole path).
fn caller_stacks(
    node: &CallerTree,
    names: &mut Vec<String>,
    out: &mut Vec<(FunctionRow, Vec<String>)>,
) {
    names.push(node.row.name.clone());
    if node.callers.is_empty() {
        out.push((node.row.clone(), names.clone()));
    }
    for caller in &node.callers {
        caller_stacks(caller, names, out);
    }
    names.pop();
}

fn object_stack(
    snapshot: &HeapSnapshot,
    profile: &Allocations,
    id: &str,
    json: bool,
) -> Result<()> {
    let parsed = id.trim_start_matches('@').parse::<u32>();
    let n = parsed
        .ok()
        .and_then(|id| snapshot.node_by_id(NodeId(id)))
        .ok_or_else(|| Error::new(format!("no object {id} in the snapshot")))?;
    let frames: Option<Vec<Frame>> = profile.stack(n);
    if json {
        print_json(&json!({ "schema": SCHEMA, "id": snapshot.graph.node_id[n], "stack": frames }));
        return Ok(());
    }
    let Some(frames) = frames else {
        out!(
            "@{}: no allocation stack (allocated before tracking started)",
            snapshot.graph.node_id[n]
        );
        return Ok(());
    };
    out!("@{} was allocated at:", snapshot.graph.node_id[n]);
    for f in frames {
        out!("  {f}");
    }
    Ok(())
}
