//! Fuzzes the streaming parser with fuzzer-chosen chunk borders, then the
//! analyses and queries on whatever it accepts. Nothing may panic, and the
//! result must not depend on where the chunks were split.
//!
//! Input layout: byte 0 = number of split points (mod 16), then two bytes
//! (little-endian) per split point, then the snapshot bytes. Seeds for the
//! corpus are snapshots prefixed with a single 0 byte (no splits).
//!
//!   cargo +nightly fuzz run chunked_parser -- -max_total_time=300
#![no_main]

use heaplens::analysis::HeapSnapshot;
use heaplens::query::{Session, SortBy};
use heaplens::snapshot::{Graph, Parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&count, rest)) = input.split_first() else {
        return;
    };
    let count = (count % 16) as usize;
    if rest.len() < 2 * count {
        return;
    }
    let (splits, data) = rest.split_at(2 * count);
    let mut borders: Vec<usize> = splits
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize % (data.len() + 1))
        .collect();
    borders.sort_unstable();

    let split = parse(data, &borders);
    let whole = parse(data, &[]);
    match (&split, &whole) {
        (Ok(a), Ok(b)) => assert_same_graph(a, b),
        (Err(a), Err(b)) => assert_eq!(a.message(), b.message(), "message depends on chunking"),
        _ => panic!("split at {borders:?}: {split:?} but whole: {whole:?}"),
    }
    let Ok(graph) = split else { return };
    let nodes = graph.node_count();
    let snapshot = HeapSnapshot::analyze(graph, &mut |_| {});
    let mut session = Session::new(snapshot);
    let _ = session.info();
    let _ = session.stats();
    let rows = session.summary(None, "", SortBy::RetainedSize, false);
    if let Some(row) = rows.first() {
        let _ = session.instances(&row.key, None, SortBy::Distance, true);
    }
    let max = session.info().max_js_id;
    let _ = session.summary(Some((max / 2, max)), "", SortBy::Name, true);
    for n in (0..nodes).step_by((nodes / 8).max(1)) {
        let _ = session.retaining_path(n);
        let _ = session.node_row(n);
    }
    let base = session.diff_base(&session.snapshot.classes.interfaces);
    let _ = session.compare(&base, "", SortBy::AddedSize, false);
    let _ = session.search("a", false);
});

fn parse(data: &[u8], borders: &[usize]) -> heaplens::Result<Graph> {
    let mut parser = Parser::new();
    let mut start = 0;
    for &at in borders.iter().chain(std::iter::once(&data.len())) {
        parser.push(&data[start..at])?;
        start = at;
    }
    parser.finish()
}

fn assert_same_graph(a: &Graph, b: &Graph) {
    assert_eq!(a.node_type, b.node_type);
    assert_eq!(a.node_name, b.node_name);
    assert_eq!(a.node_id, b.node_id);
    assert_eq!(a.self_size, b.self_size);
    assert_eq!(a.detachedness, b.detachedness);
    assert_eq!(a.first_edge, b.first_edge);
    assert_eq!(a.edge_type, b.edge_type);
    assert_eq!(a.edge_name, b.edge_name);
    assert_eq!(a.edge_to, b.edge_to);
    assert_eq!(a.locations, b.locations);
    assert_eq!(a.strings.len(), b.strings.len());
    for i in 0..a.strings.len() as u32 {
        assert_eq!(a.strings.get(i), b.strings.get(i), "string {i}");
    }
}
