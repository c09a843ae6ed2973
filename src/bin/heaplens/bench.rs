//! `heaplens bench FILE`: open time per stage, throughput, peak memory, and
//! how long the requests of browsing a big file take (first call, which
//! builds its index, and again).

use crate::parse_file;
use heaplens::analysis::{HeapSnapshot, STAGES};
use heaplens::error::{Error, Result};
use heaplens::query::{ClassRow, Order, Request, Scope, Session, SortBy, Window};
use std::time::Instant;

/// Peak resident memory of this process in bytes (Linux), if known.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

pub fn bench(path: &str, threads: usize) -> Result<()> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| Error::new(format!("{path}: {e}")))?
        .len();
    let start = Instant::now();
    let graph = parse_file(path, threads)?;
    let parsed = start.elapsed().as_secs_f64();
    let mut times: Vec<(&str, f64)> = vec![("parse", parsed)];
    let mut last = Instant::now();
    let mut current = "";
    let snapshot = HeapSnapshot::analyze_with(graph, threads, &mut |stage| {
        if !current.is_empty() {
            times.push((current, last.elapsed().as_secs_f64()));
        }
        current = STAGES.iter().find(|s| **s == stage).copied().unwrap_or("");
        last = Instant::now();
    });
    times.push((current, last.elapsed().as_secs_f64()));
    let t = Instant::now();
    let mut session = Session::new(snapshot);
    let rows = session.classes(Scope::default(), "", Order::largest(SortBy::RetainedSize));
    times.push(("Summary aggregation", t.elapsed().as_secs_f64()));
    let total = start.elapsed().as_secs_f64();
    let peak = peak_memory();
    out!("file           {path}");
    out!("size           {:.1} MB", bytes as f64 / 1e6);
    out!(
        "threads        {threads}{}",
        if threads >= 2 {
            " (edges parsed beside the rest; shallow sizes, distances and class names beside the dominator tree)"
        } else {
            ""
        }
    );
    out!(
        "graph          {} nodes, {} edges, {} classes",
        session.snapshot.graph.node_count(),
        session.snapshot.graph.edge_count(),
        rows.len()
    );
    for (stage, secs) in &times {
        out!("  {stage:<28} {secs:>7.3} s");
    }
    out!("open total     {total:.3} s");
    out!("throughput     {:.1} MB/s", bytes as f64 / 1e6 / total);
    out!("parse only     {:.1} MB/s", bytes as f64 / 1e6 / parsed);
    if let Some(p) = peak {
        out!(
            "peak memory    {:.1} MB ({:.2} x file)",
            p as f64 / 1e6,
            p as f64 / bytes as f64
        );
    }
    out!(
        "arrays held    {:.1} MB",
        session.snapshot.heap_bytes() as f64 / 1e6
    );
    browse(&mut session, &rows)
}

/// Times what browsing a big file asks for, each first call (building its
/// index) and then a second one, through the protocol as the page asks.
fn browse(s: &mut Session, classes: &[ClassRow]) -> Result<()> {
    let Some(largest) = classes.iter().max_by_key(|c| c.count) else {
        return Ok(());
    };
    let g = &s.snapshot.graph;
    let probe = g.node_id[g.node_count() / 2];
    let needle = largest.name.chars().take(4).collect::<String>();
    let requests: Vec<(&str, Request)> = vec![
        ("node by id", Request::Node { id: probe }),
        (
            "instances (largest class)",
            Request::Instances {
                class_key: largest.key.clone(),
                scope: Scope::default(),
                order: Order::largest(SortBy::Distance),
                window: Window::first(100),
            },
        ),
        (
            "retainers",
            Request::Retainers {
                id: probe,
                window: Window::first(100),
            },
        ),
        ("retaining path", Request::RetainingPath { id: probe }),
        (
            "dominated (root)",
            Request::Dominated {
                id: s.info().root_id,
                window: Window::first(100),
            },
        ),
        (
            "search (case-insensitive)",
            Request::Search {
                text: needle.clone(),
                match_case: false,
                window: Window::first(100),
            },
        ),
        (
            "search (match case)",
            Request::Search {
                text: needle,
                match_case: true,
                window: Window::first(100),
            },
        ),
    ];
    out!("browse         first / again (ms)");
    for (what, request) in requests {
        let mut times = [0.0; 2];
        for t in &mut times {
            let start = Instant::now();
            s.query(request.clone())?;
            *t = start.elapsed().as_secs_f64() * 1e3;
        }
        out!("  {what:<28} {:>8.1} / {:>6.1}", times[0], times[1]);
    }
    Ok(())
}
