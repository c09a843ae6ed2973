//! `heaplens collections S1 S2 S3 [S4…]`: the Maps, Sets, WeakMaps, arrays
//! and dictionaries whose entry count grew in every interval of a series of
//! snapshots of one process, most growth first, with their retaining paths.

use crate::sessions::Sessions;
use heaplens::analysis::collections::{growing_collections, Census, GrowingCollection};
use heaplens::error::{Error, Result};

/// The collections of the newest of `files` (a series of one process in
/// capture order, 3 or more) whose entry count grew in every interval, most
/// growth first; each snapshot opened through `sessions` in turn (with room
/// for one, only the counts of the earlier ones are kept).
pub fn growing(sessions: &mut Sessions, files: &[String]) -> Result<Vec<GrowingCollection>> {
    if files.len() < 3 {
        return Err(Error::new(format!(
            "collections takes 3 or more snapshots of one process in capture order (or a folder of them), got {}",
            files.len()
        )));
    }
    let mut series = Vec::with_capacity(files.len());
    let mut newest_id = 0;
    for file in files {
        let s = sessions.get(file)?;
        newest_id = in_order(file, newest_id, s.snapshot.max_js_id())?;
        series.push(Census::of(&s.snapshot));
    }
    let last = sessions.get(&files[files.len() - 1])?;
    Ok(growing_collections(&series, &last.snapshot))
}

/// Runs the command on the arguments after `collections`.
pub fn run(args: &[String]) -> Result<()> {
    let o = super::graph::options(args, "collections")?;
    let files = crate::sessions::series(&o.files)?;
    // One analysed snapshot at a time.
    let mut found = growing(&mut Sessions::new(1), &files)?;
    found.truncate(o.top.unwrap_or(usize::MAX));
    if o.json {
        let context = serde_json::json!({ "files": files });
        let answer = serde_json::json!({ "collections": found });
        crate::print_json(&crate::sessions::answer(context, &answer));
        return Ok(());
    }
    crate::write_line(
        &format!(
            "{} collections grew in each of the {} intervals",
            found.len(),
            files.len() - 1
        ),
        "",
    );
    for c in &found {
        let counts: Vec<String> = c.counts.iter().map(u32::to_string).collect();
        let name = if c.held_as.is_empty() {
            "(unnamed)"
        } else {
            &c.held_as
        };
        crate::write_raw("");
        crate::write_line(
            &format!(
                "{name}: {:?} @{} ({}), entries {} (+{}), retained {}",
                c.kind,
                c.id,
                c.class_name,
                counts.join(" \u{2192} "),
                c.growth,
                crate::size(c.retained_size)
            ),
            "",
        );
        if c.detached_dom > 0 {
            crate::write_line(
                &format!("  holds {} detached DOM nodes", c.detached_dom),
                "",
            );
        }
        let path: Vec<String> = c
            .path
            .iter()
            .map(|step| match step.edge.as_str() {
                "" => step.node.clone(),
                edge => format!(".{edge} \u{2192} {}", step.node),
            })
            .collect();
        crate::write_line(&format!("  {}", path.join(" ")), "");
    }
    Ok(())
}

/// Refuses a snapshot older than the one before it: growth needs capture order.
fn in_order(file: &str, newest_before: u32, max_js_id: u32) -> Result<u32> {
    if max_js_id < newest_before {
        return Err(Error::new(format!(
            "{file} was taken before the snapshot given before it (its newest object id is lower): give the snapshots in capture order"
        )));
    }
    Ok(max_js_id)
}
