//! The page's two readers (www/worker.js and www/edges-worker.js) as the
//! core sees them: one parser reads `edges` and hands its rows over after
//! every chunk ([`Parser::take_edges`]), the fields of a row cut by a
//! chunk's end staying behind, and the other parser, passing over `edges`,
//! appends them as they come. Same graph and same messages as one parser,
//! on real snapshots and on chunks small enough to cut rows everywhere.

mod common;

use common::{generate, parse_chunked};
use heaplens::snapshot::{Graph, Parser};

/// `bytes` read by two parsers `chunk` bytes at a time, the `edges` rows
/// moved from one to the other after each chunk; also how many pieces.
fn parse_in_pieces(bytes: &[u8], chunk: usize) -> (heaplens::Result<Graph>, usize) {
    let (mut edges, mut rest) = (Parser::edges_only(), Parser::without_edges());
    let mut pieces = 0;
    let mut read = || -> heaplens::Result<()> {
        for part in bytes.chunks(chunk) {
            rest.push(part)?;
            if edges.edges_read() {
                continue;
            }
            edges.push(part)?;
            let piece = edges.take_edges();
            if !piece.types.is_empty() {
                pieces += 1;
                rest.append_edges(piece)?;
            }
        }
        Ok(())
    };
    let graph = read().and_then(|()| rest.finish_with(edges.into_edges()));
    (graph, pieces)
}

#[test]
fn edges_handed_over_in_pieces_build_the_graph_one_parser_builds() {
    let bytes = std::fs::read(&generate("mixed-heap", 1)[0]).unwrap();
    let one = parse_chunked(&bytes, 1 << 20).unwrap();
    assert!(one.edge_count() > 50_000, "{} edges", one.edge_count());
    // 4 KiB cuts rows at every field; 1 MiB is the page's order of size.
    for chunk in [4093, 1 << 20] {
        let (two, pieces) = parse_in_pieces(&bytes, chunk);
        let two = two.unwrap();
        assert!(pieces > 1, "{chunk}: {pieces} pieces");
        assert_eq!(one.first_edge, two.first_edge, "{chunk}");
        assert_eq!(one.edge_type, two.edge_type, "{chunk}");
        assert_eq!(one.edge_name, two.edge_name, "{chunk}");
        assert_eq!(one.edge_to, two.edge_to, "{chunk}");
        assert_eq!(one.node_id, two.node_id, "{chunk}");
        assert_eq!(one.strings.len(), two.strings.len(), "{chunk}");
    }
}

#[test]
fn edges_handed_over_in_pieces_name_bad_input_as_one_parser_does() {
    let bytes = std::fs::read(&generate("mixed-heap", 1)[0]).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let edges = text.find("\"edges\"").unwrap();
    let strings = text.find("\"strings\"").unwrap();
    // The header claims one edge more than the file holds.
    let count = text.find("\"edge_count\":").unwrap() + "\"edge_count\":".len();
    let digits = text[count..].find(|c: char| !c.is_ascii_digit()).unwrap();
    let claimed: u64 = text[count..count + digits].parse().unwrap();
    let one_more = format!(
        "{}{}{}",
        &text[..count],
        claimed + 1,
        &text[count + digits..]
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("cut inside edges", bytes[..edges + 300_000].to_vec()),
        ("cut inside strings", bytes[..strings + 5000].to_vec()),
        ("one edge fewer than edge_count", one_more.into_bytes()),
    ];
    for (what, input) in cases {
        let one = parse_chunked(&input, 1 << 20).map(|g| g.node_count());
        let (two, _) = parse_in_pieces(&input, 4093);
        match (one, two.map(|g| g.node_count())) {
            (Err(a), Err(b)) => assert_eq!(a.message(), b.message(), "{what}"),
            (a, b) => panic!("{what}: one parser {a:?}, two {b:?}"),
        }
    }
}
