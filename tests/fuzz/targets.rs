//! The two fuzz targets. `snapshot`: bytes through the streaming parser
//! (chunked at random borders), then every analysis and one request of
//! every kind on whatever it accepts. `query`: random request sequences
//! against a loaded snapshot. Each execution only has to end, without a
//! panic, within its time and memory; results are not checked.

use super::requests::{each_op, request, Pools};
use super::rng::Rng;
use heaplens::analysis::HeapSnapshot;
use heaplens::query::{Request, Session};
use heaplens::snapshot::{Graph, Parser};
use serde_json::Value;

/// Parses `bytes` pushed in pieces cut where `rng` says (one piece, a
/// fixed size, or random borders), announcing the file size as the CLI
/// and the worker do for plain files. The size is a trusted hint (the
/// file system's), so only the true one or now and then a smaller one is
/// announced; without it (gzip) the header's counts are trusted, which
/// `tests/malformed.rs` covers.
pub fn parse(bytes: &[u8], rng: &mut Rng) -> heaplens::Result<Graph> {
    let mut parser = Parser::new();
    let size = if rng.one_in(8) {
        rng.below(bytes.len() + 1)
    } else {
        bytes.len()
    };
    parser.set_file_size(size as u64);
    let mut at = 0;
    let fixed = 1 + rng.size(1 << 16);
    let random = rng.one_in(2);
    while at < bytes.len() {
        let piece = if random { 1 + rng.size(1 << 12) } else { fixed };
        let end = bytes.len().min(at + piece);
        parser.push(&bytes[at..end])?;
        at = end;
    }
    parser.finish()
}

/// What a request can name in `session`'s snapshot (a sample of each).
pub fn pools(session: &Session, rng: &mut Rng) -> Pools {
    let s = &session.snapshot;
    let sample =
        |n: usize, rng: &mut Rng| -> Vec<usize> { (0..n.min(64)).map(|_| rng.below(n)).collect() };
    let ids = sample(s.graph.node_count(), rng)
        .into_iter()
        .map(|n| s.graph.node_id[n])
        .collect();
    let keys = s.classes.exported_keys();
    let keys = sample(keys.len(), rng)
        .into_iter()
        .map(|k| keys[k].clone())
        .collect();
    let names = &s.classes.names;
    let names = sample(names.len(), rng)
        .into_iter()
        .map(|k| names[k].clone())
        .collect();
    Pools { ids, keys, names }
}

/// Sends one JSON request; a request that does not deserialise is an
/// answer too (the caller sent nonsense), so only panics count.
pub fn send(session: &mut Session, request: Value) -> bool {
    super::guard::request(request.to_string().as_bytes());
    match serde_json::from_value::<Request>(request) {
        Ok(req) => {
            let _ = session.query(req);
            true
        }
        Err(_) => false,
    }
}

/// Parses `bytes` and runs every analysis.
pub fn load(bytes: &[u8], rng: &mut Rng) -> Option<Session> {
    let graph = parse(bytes, rng).ok()?;
    Some(Session::new(HeapSnapshot::analyze(graph, &mut |_| {})))
}

/// The structure-aware target on one input: parse, analyse, and one
/// request of every kind. Returns whether the parser accepted it.
pub fn snapshot(bytes: &[u8], rng: &mut Rng) -> bool {
    let Some(mut session) = load(bytes, rng) else {
        return false;
    };
    let pools = pools(&session, rng);
    for req in each_op(rng, &pools) {
        send(&mut session, req);
    }
    true
}

/// The query target on one input: up to 16 random requests in a row.
/// Returns how many of them deserialised.
pub fn queries(session: &mut Session, pools: &Pools, rng: &mut Rng) -> (usize, usize) {
    let n = 1 + rng.size(15);
    let sent = (0..n)
        .filter(|_| send(session, request(rng, pools)))
        .count();
    (sent, n)
}
