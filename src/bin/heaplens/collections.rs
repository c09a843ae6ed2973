//! `heaplens collections S1 S2 S3 [S4…]`: the Maps, Sets, WeakMaps, arrays
//! and dictionaries whose entry count grew in every interval of a series of
//! snapshots of one process, most growth first, with their retaining paths.

use heaplens::analysis::collections::{growing_collections, Census};
use heaplens::error::{Error, Result};

/// Runs the command on the arguments after `collections`.
pub fn run(args: &[String]) -> Result<()> {
    let o = super::graph::options(args, "collections")?;
    let files = crate::sessions::series(&o.files)?;
    if files.len() < 3 {
        return Err(Error::new(format!(
            "collections takes 3 or more snapshots of one process in capture order (or a folder of them), got {}",
            files.len()
        )));
    }
    // One analysed snapshot at a time: only the counts of the earlier ones are kept.
    let mut series = Vec::with_capacity(files.len());
    let mut newest_id = 0;
    for file in &files[..files.len() - 1] {
        let s = crate::open(file)?;
        newest_id = in_order(file, newest_id, s.snapshot.max_js_id())?;
        series.push(Census::of(&s.snapshot));
    }
    let last_file = &files[files.len() - 1];
    let last = crate::open(last_file)?;
    in_order(last_file, newest_id, last.snapshot.max_js_id())?;
    series.push(Census::of(&last.snapshot));
    let mut found = growing_collections(&series, &last.snapshot);
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
