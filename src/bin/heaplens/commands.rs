//! The commands that answer from one snapshot (or a pair, for `diff`) and
//! print a table: summary, strings, closures, stats, diff, retainers.

use crate::sessions::{self, answer, Sessions};
use crate::{cut_name, open, print_json, print_table, Options};
use heaplens::error::{Error, Result};
use heaplens::query::{ClassRow, Order, Response, Scope, SortBy, Window};
use heaplens::report::size;
use serde_json::json;

/// The first `--top N` rows (`default` without it).
pub fn top_rows(o: &Options, default: usize) -> Window {
    Window {
        offset: 0,
        limit: o.top.unwrap_or(default),
    }
}

pub fn summary(o: &Options) -> Result<()> {
    let path = &o.files[0];
    let mut s = open(path)?;
    let top = o.top.unwrap_or(usize::MAX);
    let window = Window {
        offset: 0,
        limit: top,
    };
    let realm = match &o.realm {
        Some(text) => Some(crate::realms::filter_name(&s, text, path)?),
        None => None,
    };
    let scope = Scope {
        filter: o.filter,
        realm: realm.clone(),
        ..Scope::default()
    };
    if o.json {
        print_json(&sessions::summary(path, &mut s, (scope, ""), window)?);
        return Ok(());
    }
    let info = s.info();
    let rows = s.summary_page(scope, "", Order::largest(SortBy::RetainedSize), window)?;
    out!(
        "{path}: {} nodes, {} edges, total {}",
        info.nodes,
        info.edges,
        size(info.total_size)
    );
    if let Some(filter) = o.filter {
        out!("{}", filter.title());
    }
    if let Some(realm) = realm {
        out!("Objects attributed to realm {realm}");
    }
    summary_table(&rows.rows);
    Ok(())
}

/// Summary rows as a table (`summary`, `realms --realm`).
pub fn summary_table(rows: &[ClassRow]) {
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                cut_name(&r.name, r.name_length),
                r.count.to_string(),
                r.distance.map_or("-".to_owned(), |d| d.to_string()),
                size(r.self_size),
                size(r.retained_size),
            ]
        })
        .collect();
    print_table(
        &["Constructor", "Count", "Distance", "Shallow", "Retained"],
        &table,
    );
}

pub fn strings(o: &Options) -> Result<()> {
    let path = &o.files[0];
    let page = open(path)?.duplicate_strings(top_rows(o, usize::MAX));
    if o.json {
        print_json(&answer(json!({ "file": path }), &page));
        return Ok(());
    }
    out!("{path}: {} string values held more than once", page.total);
    let table: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|r| {
            vec![
                r.copies.to_string(),
                size(r.bytes_per_copy),
                size(r.wasted_bytes),
                size(r.retained_size),
                r.holders.first().map_or(String::new(), |h| {
                    let class = cut_name(&h.class_name, None);
                    let sep = if h.edge_name == "[]" { "" } else { "." };
                    format!("{class}{sep}{} \u{d7}{}", h.edge_name, h.copies)
                }),
                cut_name(&r.value, r.value_length),
            ]
        })
        .collect();
    print_table(
        &[
            "Copies",
            "Per copy",
            "Wasted",
            "Retained",
            "Mostly held by",
            "Value",
        ],
        &table,
    );
    Ok(())
}

pub fn closures(o: &Options) -> Result<()> {
    let path = &o.files[0];
    let page = open(path)?.closures(top_rows(o, 10));
    if o.json {
        print_json(&answer(json!({ "file": path }), &page));
        return Ok(());
    }
    let scope_tables = page.rows.iter().any(|r| r.dead_size.is_some());
    out!(
        "{path}: {} closure contexts, {}",
        page.total,
        if scope_tables {
            "most bytes in variables no live closure can read first"
        } else {
            "most bytes held only through their own variables first (the snapshot has no \
             scope tables: which variables are dead is unknown; Chromium's snapshots have them)"
        }
    );
    for r in &page.rows {
        let functions: Vec<String> = r
            .functions
            .iter()
            .map(|f| format!("{} @{}", cut_name(&f.name, f.name_length), f.id))
            .collect();
        out!(
            "\n{} @{}: holds {} only through its variables ({} not in inner contexts), \
             retains {}; functions: {}",
            cut_name(&r.context.name, r.context.name_length),
            r.context.id,
            size(r.held_size),
            size(r.own_size),
            size(r.context.retained_size),
            if functions.is_empty() {
                "none alive".to_owned()
            } else {
                functions.join(", ")
            }
        );
        let table: Vec<Vec<String>> = r
            .variables
            .iter()
            .map(|v| {
                vec![
                    cut_name(&v.name, v.name_length),
                    format!(
                        "{} @{}",
                        cut_name(&v.value.class_name, v.value.class_name_length),
                        v.value.id
                    ),
                    size(v.value.retained_size),
                    if v.held_only_here { "yes" } else { "" }.to_owned(),
                    match v.dead {
                        Some(true) => "dead",
                        Some(false) => "read",
                        None => "?",
                    }
                    .to_owned(),
                ]
            })
            .collect();
        if let (Some(dead), Some(held)) = (r.dead_size, r.dead_held_size) {
            out!(
                "dead variables retain {} ({} held only here)",
                size(dead),
                size(held)
            );
        }
        print_table(
            &["Variable", "Value", "Retained", "Only here", "Read"],
            &table,
        );
    }
    Ok(())
}

pub fn stats(o: &Options) -> Result<()> {
    let s = open(&o.files[0])?;
    let st = s.stats();
    if o.json {
        print_json(&answer(json!({ "file": o.files[0] }), &st));
        return Ok(());
    }
    let v = &st.v8heap;
    let other_js = v
        .total
        .saturating_sub(v.code + v.strings + v.js_arrays + v.system);
    let rows = [
        ("Code", v.code),
        ("Strings", v.strings),
        ("JS arrays", v.js_arrays),
        ("Typed arrays", st.native.typed_arrays),
        ("System objects", v.system),
        ("Other JS objects", other_js),
        (
            "Other non-JS objects",
            st.native.total.saturating_sub(st.native.typed_arrays),
        ),
        ("Total", st.total),
    ];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, b)| vec![name.to_string(), size(*b), b.to_string()])
        .collect();
    print_table(&["Category", "Size", "Bytes"], &table);
    Ok(())
}

pub fn diff(o: &Options) -> Result<()> {
    let (base, path) = (&o.files[0], &o.files[1]);
    let response = sessions::diff(&mut Sessions::new(2), base, path, top_rows(o, usize::MAX))?;
    if o.json {
        print_json(&answer(json!({ "base": base, "file": path }), &response));
        return Ok(());
    }
    let Response::Comparison(compared) = response else {
        return Err(Error::new("internal: no comparison"));
    };
    for warning in &compared.warnings {
        out!("warning: {warning}");
    }
    let table: Vec<Vec<String>> = compared
        .page
        .rows
        .iter()
        .map(|r| {
            vec![
                cut_name(&r.name, r.name_length),
                r.new_count.to_string(),
                r.deleted_count.to_string(),
                r.delta_count.to_string(),
                size(r.added_size),
                size(r.freed_size),
                format!(
                    "{}{}",
                    if r.size_delta < 0 { "-" } else { "" },
                    size(r.size_delta.unsigned_abs())
                ),
            ]
        })
        .collect();
    print_table(
        &[
            "Constructor",
            "# New",
            "# Deleted",
            "# Delta",
            "Alloc. Size",
            "Freed Size",
            "Size Delta",
        ],
        &table,
    );
    Ok(())
}

pub fn retainers(o: &Options) -> Result<()> {
    let mut s = open(&o.files[0])?;
    let id_text = o.files[1].trim_start_matches('@');
    let id: u32 = id_text
        .parse()
        .map_err(|_| Error::new(format!("{:?} is not an object id like @1234", o.files[1])))?;
    let n = sessions::node_of(&s, &o.files[0], id)?;
    if o.json {
        let all = top_rows(o, usize::MAX);
        print_json(&sessions::retainers(
            &mut s,
            &o.files[0],
            id,
            all,
            usize::MAX,
        )?);
        return Ok(());
    }
    let g = &s.snapshot.graph;
    let retainers: Vec<_> = s
        .retainer_edges(n)
        .into_iter()
        .map(|e| {
            let src = g.edge_source(e).index();
            (
                g.edge_type_name(e).to_owned(),
                g.edge_name(e),
                s.node_row(src),
            )
        })
        .collect();
    let path = s.retaining_path(n);
    let obj = s.node_row(n);
    out!(
        "{} @{} ({}), retained {}",
        cut_name(&obj.name, obj.name_length),
        obj.id,
        cut_name(&obj.class_name, obj.class_name_length),
        size(obj.retained_size)
    );
    out!("\nshortest path from a GC root:");
    for (i, step) in path.iter().enumerate() {
        if i == 0 {
            let name = cut_name(&step.node.name, step.node.name_length);
            out!("  {name} @{}", step.node.id);
        } else {
            out!(
                "  {}--{} ({})--> {} @{}",
                "  ".repeat(i.min(20)),
                cut_name(&step.edge_name, step.edge_name_length),
                step.edge_type,
                cut_name(&step.node.name, step.node.name_length),
                step.node.id
            );
        }
    }
    out!("\nretainers:");
    let table: Vec<Vec<String>> = retainers
        .iter()
        .map(|(t, name, node)| {
            vec![
                format!(
                    "{name} ({t}) in {} @{}",
                    node.name.chars().take(40).collect::<String>(),
                    node.id
                ),
                node.distance.map_or("-".to_owned(), |d| d.to_string()),
                size(node.self_size),
                size(node.retained_size),
            ]
        })
        .collect();
    print_table(&["Retainer", "Distance", "Shallow", "Retained"], &table);
    Ok(())
}
