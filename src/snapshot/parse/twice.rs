//! Two parsers over one plain file at once, each with its own reader (a
//! native front end opens the file twice): one reads the header, `nodes`,
//! `strings` and the rest, skipping `edges`; the other reads the header and
//! `edges` only, skipping the rest, and stops there. `edges` is about half
//! of a snapshot, so the two halves take about as long as each other.
//! The halves are [`super::halves`]'; the page runs them in two workers.

use super::Parser;
use crate::error::{Error, Result};
use crate::snapshot::Graph;
use std::io::Read;

/// Bytes read at a time by each parser.
const CHUNK: usize = 1 << 20;

/// Parses the snapshot `open` reads (called once per thread; each reader
/// starts at byte 0) on two threads. `file_size` sizes the string table as
/// [`Parser::set_file_size`] does. The graph and the messages for bad input
/// are the same as one [`Parser`] gives; an error reading the file is
/// returned as it is (prefix it with the path).
pub fn parse_twice<R: Read>(
    open: &(dyn Fn() -> std::io::Result<R> + Sync),
    file_size: u64,
) -> Result<Graph> {
    std::thread::scope(|scope| {
        let sized = |mut parser: Parser| {
            parser.set_file_size(file_size);
            parser
        };
        let edges = sized(Parser::edges_only());
        let edges = scope.spawn(move || read(open, edges, true));
        let rest = read(open, sized(Parser::without_edges()), false).map(|mut rest| {
            rest.prepare();
            rest
        });
        let edges = edges
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The first half's error comes first: it is usually the earlier byte.
        rest?.finish_with(edges?.into_edges())
    })
}

/// Feeds `parser` what `open` reads, to the end (or, for the `edges`
/// half, until `edges` has been read).
fn read<R: Read>(
    open: &(dyn Fn() -> std::io::Result<R> + Sync),
    mut parser: Parser,
    until_edges: bool,
) -> Result<Parser> {
    let io = |e: std::io::Error| Error::new(e.to_string());
    let mut input = open().map_err(io)?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = input.read(&mut buf).map_err(io)?;
        if n == 0 || (until_edges && parser.edges_read()) {
            return Ok(parser);
        }
        parser.push(&buf[..n])?;
    }
}
