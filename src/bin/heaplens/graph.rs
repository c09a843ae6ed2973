//! `heaplens graph FILE @ID [--svg OUT]`: the retainer graph of one object
//! (its retaining paths from the roots, merged), as text, JSON or SVG.
//! Also the option helper the realms and collections commands share.

use heaplens::analysis::retainer_graph::{retainer_graph, to_svg, Limits};
use heaplens::error::{Error, Result};

/// Removes `flag VALUE` from `args` and returns VALUE (the last one given).
pub fn take_value(args: &mut Vec<String>, flag: &str) -> Result<Option<String>> {
    let mut value = None;
    while let Some(i) = args.iter().position(|a| a == flag) {
        if i + 1 >= args.len() {
            return Err(Error::new(format!("{flag} needs a value")));
        }
        value = Some(args.remove(i + 1));
        args.remove(i);
    }
    Ok(value)
}

/// The common options (`--json`, `--top`) and the files of `command`,
/// refusing the options only other commands take.
pub fn options(args: &[String], command: &str) -> Result<crate::Options> {
    let o = crate::options(args)?;
    let other = o
        .leak_option
        .clone()
        .or_else(|| o.filter.map(|_| "--filter".to_owned()))
        .or_else(|| o.realm.as_ref().map(|_| "--realm".to_owned()));
    match other {
        Some(flag) => Err(Error::new(format!("{flag} is not an option of {command}"))),
        None => Ok(o),
    }
}

/// `flag N` removed from `args`, parsed, or `default`.
fn take_number(args: &mut Vec<String>, flag: &str, default: usize) -> Result<usize> {
    match take_value(args, flag)? {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| Error::new(format!("{flag} {v}: not a number"))),
    }
}

/// Runs the command on the arguments after `graph`.
pub fn run(args: &[String]) -> Result<()> {
    let mut args = args.to_vec();
    let svg_out = take_value(&mut args, "--svg")?;
    let defaults = Limits::default();
    let limits = Limits {
        max_depth: take_number(&mut args, "--depth", defaults.max_depth)?,
        max_nodes: take_number(&mut args, "--nodes", defaults.max_nodes)?,
        max_siblings: take_number(&mut args, "--siblings", defaults.max_siblings)?,
        expanded: Vec::new(),
    };
    let o = options(&args, "graph")?;
    let [file, id] = o.files.as_slice() else {
        return Err(Error::new(format!(
            "graph takes FILE @ID, got {} argument(s)\n\n{}",
            o.files.len(),
            crate::USAGE
        )));
    };
    let s = crate::open(file)?;
    let id_number: u32 = id
        .trim_start_matches('@')
        .parse()
        .map_err(|_| Error::new(format!("{id:?} is not an object id like @1234")))?;
    let n = crate::sessions::node_of(&s, file, id_number)?;
    let snapshot = &s.snapshot;
    let graph = retainer_graph(snapshot, n, &snapshot.distances, &limits);
    if let Some(out) = &svg_out {
        std::fs::write(out, to_svg(&graph)).map_err(|e| Error::new(format!("{out}: {e}")))?;
    }
    if o.json {
        let context = serde_json::json!({ "file": file, "id": id_number });
        crate::print_json(&crate::sessions::answer(context, &graph));
        return Ok(());
    }
    let object = &graph.nodes[0];
    crate::write_line(
        &format!(
            "{} @{}: {} nodes and {} edges on its retaining paths, in {} columns",
            object.name,
            object.id,
            graph.nodes.len(),
            graph.edges.len(),
            graph.columns
        ),
        "",
    );
    let reached = &graph.limits_reached;
    for (hit, what) in [
        (reached.depth, "--depth"),
        (reached.nodes, "--nodes"),
        (reached.siblings, "--siblings"),
    ] {
        if hit {
            crate::write_line(&format!("cut short by the {what} limit"), "");
        }
    }
    let mut edges: Vec<_> = graph.edges.iter().collect();
    edges.sort_by_key(|e| {
        (
            graph.nodes[e.from as usize].x,
            graph.nodes[e.from as usize].y,
        )
    });
    let rows: Vec<Vec<String>> = edges
        .iter()
        .map(|e| {
            let (from, to) = (&graph.nodes[e.from as usize], &graph.nodes[e.to as usize]);
            vec![
                format!("{} @{}", from.name, from.id),
                format!("--{} ({})-->", e.name, e.edge_type),
                format!("{} @{}", to.name, to.id),
            ]
        })
        .collect();
    crate::print_table(&["Retainer", "Edge", "Holds"], &rows);
    if let Some(out) = svg_out {
        crate::write_line(&format!("SVG written to {out}"), "");
    }
    Ok(())
}
