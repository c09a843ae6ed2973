//! `heaplens realms FILE [--realm @ID|shared|none]`: the native contexts
//! (page, iframes, extensions, `vm` contexts) and the bytes attributed to
//! each, as today's DevTools attributes them; with `--realm`, the Summary
//! of one realm's objects.

use heaplens::analysis::realms::{attribute, passing, realms, RealmFilter, RealmStats};
use heaplens::analysis::summary::aggregate;
use heaplens::error::{Error, Result};
use serde_json::json;

/// Runs the command on the arguments after `realms`.
pub fn run(args: &[String]) -> Result<()> {
    let mut args = args.to_vec();
    let realm = super::graph::take_value(&mut args, "--realm")?;
    let o = super::graph::options(&args, "realms")?;
    let [file] = o.files.as_slice() else {
        return Err(Error::new(format!(
            "realms takes one FILE, got {} argument(s)\n\n{}",
            o.files.len(),
            crate::USAGE
        )));
    };
    let s = crate::open(file)?;
    let snapshot = &s.snapshot;
    let a = attribute(&snapshot.graph);
    if let Some(text) = realm {
        let filter = RealmFilter::parse(snapshot, &a, &text).ok_or_else(|| {
            Error::new(format!(
                "--realm {text}: give a native context's @ID (see `heaplens realms {file}`), shared or none"
            ))
        })?;
        return summary(&s, &a, filter, o.json, o.top.unwrap_or(usize::MAX));
    }
    let r = realms(snapshot, &a);
    if o.json {
        crate::print_json(&serde_json::to_value(&r).unwrap_or_default());
        return Ok(());
    }
    crate::write_line(
        &format!(
            "{file}: {} native contexts, total {}",
            r.realms.len(),
            crate::size(r.total_size)
        ),
        "",
    );
    let row = |name: String, id: String, st: &RealmStats| {
        let mut cells = vec![name, id, st.count.to_string(), crate::size(st.size)];
        cells.extend(
            [
                st.code,
                st.strings,
                st.js_arrays,
                st.system,
                st.native,
                st.other,
            ]
            .map(crate::size),
        );
        cells
    };
    let mut rows: Vec<Vec<String>> = r
        .realms
        .iter()
        .map(|x| {
            let name = if x.name.is_empty() {
                "(no URL)"
            } else {
                &x.name
            };
            row(name.to_owned(), format!("@{}", x.id), &x.attributed)
        })
        .collect();
    rows.push(row("Shared".to_owned(), "shared".to_owned(), &r.shared));
    rows.push(row(
        "Not attributed".to_owned(),
        "none".to_owned(),
        &r.unattributed,
    ));
    crate::print_table(
        &[
            "Realm", "--realm", "Objects", "Size", "Code", "Strings", "Arrays", "System", "Native",
            "Other",
        ],
        &rows,
    );
    Ok(())
}

/// The Summary of the objects `filter` keeps, as `heaplens summary` prints it.
fn summary(
    s: &heaplens::query::Session,
    a: &heaplens::analysis::realms::Attribution,
    filter: RealmFilter,
    json: bool,
    top: usize,
) -> Result<()> {
    let snapshot = &s.snapshot;
    let pass = passing(a, filter);
    let mut rows = aggregate(snapshot, &|n| pass.get(n));
    rows.sort_by_key(|r| std::cmp::Reverse(r.retained_size));
    rows.truncate(top);
    let classes = &snapshot.classes;
    let distance = |d: i32| heaplens::analysis::distances::shown(d);
    if json {
        let rows: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "name": classes.name_of_key(r.key), "key": classes.exported_key(r.key),
                    "count": r.count, "distance": distance(r.distance),
                    "selfSize": r.self_size, "retainedSize": r.retained_size,
                })
            })
            .collect();
        let filter_name = filter.devtools_name(&snapshot.graph);
        crate::print_json(&json!({ "filter": filter_name, "rows": rows }));
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                crate::cut_name(
                    classes.name_of_key(r.key),
                    classes.name_length_of_key(r.key),
                ),
                r.count.to_string(),
                distance(r.distance).map_or("-".to_owned(), |d| d.to_string()),
                crate::size(r.self_size),
                crate::size(r.retained_size),
            ]
        })
        .collect();
    crate::print_table(
        &["Constructor", "Count", "Distance", "Shallow", "Retained"],
        &table,
    );
    Ok(())
}
