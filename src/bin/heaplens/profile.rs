//! `heaplens profile FILE.heapprofile [--json] [--top N]`: a sampling heap
//! profile as DevTools' `HeapProfileView` shows it: the bottom-up list of
//! functions by the bytes sampled in them, and the top-down call tree.

use super::{print_json, print_table, size, Options};
use heaplens::error::{Error, Result};
use heaplens::profile::{HeapProfile, ProfileRow};
use heaplens::query::SCHEMA;
use serde_json::json;

/// Levels of the top-down tree printed.
const TREE_DEPTH: usize = 8;

/// Runs the command.
pub fn run(o: &Options) -> Result<()> {
    let [path] = o.files.as_slice() else {
        return Err(Error::new("profile takes one FILE.heapprofile"));
    };
    let text = std::fs::read(path).map_err(|e| Error::new(format!("{path}: {e}")))?;
    let profile = HeapProfile::parse(&text).map_err(|e| Error::new(format!("{path}: {e}")))?;
    let total = profile.total(None);
    let mut bottom_up = profile.bottom_up(None);
    bottom_up.sort_by_key(|r| std::cmp::Reverse(r.self_size));
    let top_down = profile.top_down(None);
    if o.json {
        print_json(&json!({
            "schema": SCHEMA,
            "total": total,
            "bottomUp": bottom_up,
            "topDown": top_down
        }));
        return Ok(());
    }
    out!("{path}: {} sampled", size(total));
    let rows: Vec<Vec<String>> = bottom_up
        .iter()
        .take(o.top.unwrap_or(20))
        .map(|r| {
            vec![
                r.function_name.clone(),
                size(r.self_size),
                size(r.total_size),
                location(r),
            ]
        })
        .collect();
    print_table(
        &["Function (bottom-up)", "Self", "Total", "Location"],
        &rows,
    );
    out!("\nCall tree (top-down, the largest totals):");
    let mut todo: Vec<(&ProfileRow, usize)> = top_down.iter().rev().map(|r| (r, 0)).collect();
    while let Some((row, depth)) = todo.pop() {
        // Rows under 1% of the total are left out of the printed tree.
        if row.total_size * 100 < total {
            continue;
        }
        out!(
            "{}{}  {} self, {} total  {}",
            "  ".repeat(depth + 1),
            row.function_name,
            size(row.self_size),
            size(row.total_size),
            location(row)
        );
        if depth + 1 < TREE_DEPTH {
            todo.extend(row.children.iter().rev().map(|c| (c, depth + 1)));
        }
    }
    Ok(())
}

/// `url:line:column` (1-based), or the URL alone when the line is unknown.
fn location(r: &ProfileRow) -> String {
    match (r.url.as_str(), r.line) {
        ("", _) => String::new(),
        (url, 0) => url.to_owned(),
        (url, line) => format!("{url}:{line}:{}", r.column),
    }
}
