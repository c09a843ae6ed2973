//! `heaplens realms FILE [--realm @ID|shared|none]`: the native contexts
//! (page, iframes, extensions, `vm` contexts) and the bytes attributed to
//! each, as today's DevTools attributes them; with `--realm`, the Summary
//! of one realm's objects (as `heaplens summary FILE --realm`).

use heaplens::analysis::realms::{RealmFilter, RealmStats, Realms};
use heaplens::error::{Error, Result};
use heaplens::query::{Order, Session, SortBy, Window};
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
    let mut s = crate::open(file)?;
    if let Some(text) = realm {
        return one_realm(&mut s, &text, file, &o);
    }
    let r = s.realms();
    if o.json {
        crate::print_json(&crate::sessions::answer(json!({ "file": file }), &r));
        return Ok(());
    }
    realms_table(file, &r);
    Ok(())
}

/// DevTools' `filterName` of the realm a user names with `--realm`: a
/// native context's `@ID`, `shared` or `none`, or the `filterName` itself.
pub fn filter_name(s: &Session, text: &str, file: &str) -> Result<String> {
    let (snapshot, a) = (&s.snapshot, s.attribution());
    RealmFilter::from_devtools_name(&snapshot.graph, a, text)
        .or_else(|| RealmFilter::parse(snapshot, a, text))
        .map(|filter| filter.devtools_name(&snapshot.graph))
        .ok_or_else(|| {
            Error::new(format!(
                "--realm {text}: give a native context's @ID or filterName (see \
                 `heaplens realms {file}`), shared or none"
            ))
        })
}

/// `--realm TEXT`: the Summary of the objects of the realm `text` names.
fn one_realm(s: &mut Session, text: &str, file: &str, o: &crate::Options) -> Result<()> {
    let name = filter_name(s, text, file)?;
    let window = Window::first(o.top.unwrap_or(usize::MAX));
    let page = s.realm_summary(&name, "", Order::largest(SortBy::RetainedSize), window)?;
    if o.json {
        let context = json!({ "file": file, "filter": name });
        crate::print_json(&crate::sessions::answer(context, &page));
        return Ok(());
    }
    crate::commands::summary_table(&page.rows);
    Ok(())
}

/// The realms, shared and not attributed bytes as a table.
fn realms_table(file: &str, r: &Realms) {
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
}
