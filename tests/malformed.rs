//! The streaming parser on bad input: every malformed, mutated or truncated
//! file is an `Err` whose message says what is wrong (the same message
//! however the bytes are chunked), and nothing panics. Also: a valid file
//! parses to the same graph wherever the chunk borders fall, and a file that
//! is well-formed but impossible for V8 neither hangs nor panics later.

mod common;
#[path = "malformed/edits.rs"]
mod edits;

use common::{
    arg, cli, cli_within, generate, gzip, parse_chunked, parse_split, shrink_snapshot, TempDir,
    ODD_CHUNK,
};
use heaplens::analysis::HeapSnapshot;
use heaplens::snapshot::Graph;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;
use std::time::Duration;

/// A tiny valid snapshot in V8's layout: a root with two `Point`s, one
/// string, element and property edges, a location, and strings with
/// escapes, a surrogate pair and raw multi-byte UTF-8.
const TINY: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]},"node_count":4,"edge_count":5,"extra_native_bytes":0},
"nodes":[9,0,1,0,2,0,0
,3,3,3,16,2,0,0
,2,2,5,24,0,0,0
,3,3,7,16,1,0,0],
"edges":[1,0,7
,1,1,21
,2,4,14
,2,5,21
,2,4,14],
"trace_function_infos":[],
"trace_tree":[],
"samples":[],
"locations":[7,1,2,3],
"strings":["",
"caf\u00e9 \ud83d\ude00 tab\t\"q\"\\",
"héllo wörld ✓",
"Point",
"x",
"y"]}"#;

/// Parses `bytes` whole, one byte at a time and in 3-byte pieces, without
/// letting a panic escape; all three must agree.
fn parse_every_way(bytes: &[u8]) -> Result<Graph, String> {
    let run = |chunk: usize| {
        catch_unwind(AssertUnwindSafe(|| parse_chunked(bytes, chunk)))
            .unwrap_or_else(|_| panic!("the parser panicked (chunks of {chunk} bytes)"))
    };
    let whole = run(bytes.len().max(1));
    for chunk in [1, 3] {
        let split = run(chunk);
        match (&whole, &split) {
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "chunks of {chunk}"),
            (Err(a), Err(b)) => assert_eq!(a, b, "the message changed with chunks of {chunk}"),
            _ => panic!("chunks of {chunk} gave {split:?} but the whole file gave {whole:?}"),
        }
    }
    whole.map_err(|e| e.message().to_owned())
}

/// Asserts `bytes` is rejected with a message containing `fragment`.
#[track_caller]
fn assert_rejected(bytes: &[u8], fragment: &str) {
    match parse_every_way(bytes) {
        Ok(g) => panic!(
            "accepted ({} nodes) but should fail with {fragment:?}:\n{}",
            g.node_count(),
            String::from_utf8_lossy(bytes)
        ),
        Err(message) => assert!(
            message.contains(fragment),
            "message {message:?} does not contain {fragment:?}"
        ),
    }
}

/// TINY with the first occurrence of `from` replaced by `to`.
#[track_caller]
fn tiny_with(from: &str, to: &str) -> Vec<u8> {
    assert!(TINY.contains(from), "TINY has no {from:?}");
    TINY.replacen(from, to, 1).into_bytes()
}

/// A small snapshot cut from a real one written by node (a few hundred
/// nodes reachable from the root; see `common::shrink_snapshot`).
fn small_real() -> &'static [u8] {
    static SMALL: OnceLock<Vec<u8>> = OnceLock::new();
    SMALL.get_or_init(|| {
        let real = std::fs::read(&generate("mixed-heap", 1)[0]).unwrap();
        shrink_snapshot(&real, 400)
    })
}

#[test]
fn each_edit_of_tiny_is_rejected_with_its_message() {
    for edit in edits::EDITS {
        let bytes = tiny_with(edit.from, edit.to);
        match parse_every_way(&bytes) {
            Ok(_) => panic!("{}: accepted, expected {:?}", edit.case, edit.message),
            Err(message) => assert!(
                message.contains(edit.message),
                "{}: message {message:?} does not contain {:?}",
                edit.case,
                edit.message
            ),
        }
    }
}

#[test]
fn tiny_snapshot_parses_to_its_nodes_edges_strings_and_location() {
    let g = parse_every_way(TINY.as_bytes()).expect("TINY is valid");
    assert_eq!((g.node_count(), g.edge_count(), g.strings.len()), (4, 5, 6));
    assert_eq!(g.node_id, [1, 3, 5, 7]);
    assert_eq!(g.self_size, [0, 16, 24, 16]);
    assert_eq!(g.first_edge, [0, 2, 4, 4, 5]);
    assert_eq!(g.edge_to, [1, 3, 2, 3, 2]);
    assert_eq!(g.edge_name(1), "1");
    assert_eq!(g.edge_name(3), "y");
    assert_eq!(g.type_name(2), "string");
    assert_eq!(g.name(2), "héllo wörld ✓");
    assert_eq!(g.strings.get(1), "café 😀 tab\t\"q\"\\");
    // Every state is 0 (unknown): the column is not kept.
    assert!(g.meta.has_detachedness() && g.detachedness.is_empty());
    assert_eq!(g.locations.len(), 1);
    let l = g.locations[0];
    assert_eq!((l.node, l.script_id, l.line, l.column), (1, 1, 2, 3));
}

#[test]
fn tiny_snapshot_parses_the_same_split_at_every_byte() {
    let bytes = TINY.as_bytes();
    let whole = format!("{:?}", parse_chunked(bytes, bytes.len()).unwrap());
    for at in 0..=bytes.len() {
        let g = parse_split(bytes, &[at]).unwrap_or_else(|e| panic!("split at {at}: {e}"));
        assert_eq!(
            (g.node_count(), g.edge_count(), g.strings.len()),
            (4, 5, 6),
            "split at {at}"
        );
        assert_eq!(format!("{g:?}"), whole, "split at {at}");
    }
}

#[test]
fn tiny_snapshot_parses_the_same_cut_into_three_near_each_other() {
    // Two borders up to 8 bytes apart put a whole escape such as `\u00e9`,
    // a multi-byte character or a number in a middle piece of its own.
    let bytes = TINY.as_bytes();
    let whole = format!("{:?}", parse_chunked(bytes, bytes.len()).unwrap());
    for a in 0..bytes.len() {
        for b in a + 1..(a + 9).min(bytes.len() + 1) {
            let g = parse_split(bytes, &[a, b]).unwrap_or_else(|e| panic!("split at {a},{b}: {e}"));
            assert_eq!(format!("{g:?}"), whole, "split at {a},{b}");
        }
    }
}

#[test]
fn empty_input_is_an_empty_file() {
    assert_rejected(b"", "the file is empty");
    assert_rejected(b" \n\t", "the file is empty");
}

#[test]
fn text_that_is_not_json_is_rejected_at_its_first_byte() {
    assert_rejected(
        b"hello",
        "byte 0: expected '{' but found 'h': this is not JSON, or not a heap snapshot",
    );
    assert_rejected(b"\x00\x01", "byte 0: expected '{' but found byte 0x00");
}

#[test]
fn json_that_is_not_a_heap_snapshot_is_rejected() {
    let no_header = "the file has no \"snapshot\" header: it is not a V8 heap snapshot";
    assert_rejected(br#"{"a":1}"#, no_header);
    assert_rejected(b"{}", no_header);
    assert_rejected(b"[1,2]", "this is a JSON array");
    assert_rejected(
        br#"{"a":1} x"#,
        "byte 8: unexpected 'x' after the end of the snapshot",
    );
    assert_rejected(
        br#"{"nodes":[1]}"#,
        "\"nodes\" comes before the \"snapshot\" header: this is not a V8 heap snapshot",
    );
    assert_rejected(
        br#"{"snapshot":5}"#,
        "the \"snapshot\" header is not what V8 writes",
    );
}

#[test]
fn meta_without_node_fields_is_rejected() {
    let bytes = tiny_with(
        r#""node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"#,
        "",
    );
    assert_rejected(
        &bytes,
        "the \"snapshot\" header is not what V8 writes: missing field `node_fields`",
    );
}

#[test]
fn node_types_that_are_not_a_list_are_rejected() {
    let start = TINY.find(r#""node_types":"#).unwrap() + r#""node_types":"#.len();
    let end = TINY[start..].find(r#","edge_fields""#).unwrap() + start;
    let with_types = |types: &str| format!("{}{types}{}", &TINY[..start], &TINY[end..]);
    assert_rejected(
        with_types(r#""object""#).as_bytes(),
        "the \"snapshot\" header is not what V8 writes: invalid type: string \"object\", expected a sequence",
    );
    assert_rejected(
        with_types(r#"[{"a":1},"string"]"#).as_bytes(),
        "snapshot.meta.node_types does not start with the list of type names",
    );
    assert_rejected(
        with_types(r#"[[],"string"]"#).as_bytes(),
        "snapshot.meta.node_types has 0 type names; expected 1 to 254",
    );
    assert_rejected(
        with_types(r#"[["object",7]]"#).as_bytes(),
        "snapshot.meta.node_types has a type name that is not a string: 7",
    );
}

#[test]
fn invalid_utf8_inside_a_string_is_rejected() {
    let mut bytes = tiny_with(r#""Point""#, r#""Po@@nt""#);
    let at = bytes.windows(2).position(|w| w == b"@@").unwrap();
    bytes[at] = 0xff;
    bytes[at + 1] = 0xfe;
    assert_rejected(&bytes, "in \"strings\": string 3 is not valid UTF-8");
    // A multi-byte character cut short by the closing quote.
    let mut bytes = tiny_with(r#""x""#, r#""x@""#);
    let at = bytes.iter().position(|&b| b == b'@').unwrap();
    bytes[at] = 0xc3;
    assert_rejected(&bytes, "string 4 is not valid UTF-8");
}

#[test]
fn small_real_snapshot_parses_and_analyses() {
    let bytes = small_real();
    let g = parse_chunked(bytes, ODD_CHUNK).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(g.node_count(), 400);
    assert!(g.edge_count() > 400, "{} edges", g.edge_count());
    let s = HeapSnapshot::analyze(g, &mut |_| {});
    assert!(s.total_size() > 0);
}

#[test]
fn small_real_snapshot_truncated_anywhere_is_an_error_saying_where() {
    let bytes = small_real();
    assert_eq!(bytes.last(), Some(&b'}'));
    let len = bytes.len();
    let cuts = (0..len).step_by(97).chain(len.saturating_sub(300)..len);
    let mut checked = 0;
    for cut in cuts {
        let message = match catch_unwind(|| parse_chunked(&bytes[..cut], ODD_CHUNK)) {
            Err(_) => panic!("the parser panicked on the first {cut} of {len} bytes"),
            Ok(Ok(_)) => panic!("the first {cut} of {len} bytes parsed as a whole snapshot"),
            Ok(Err(e)) => e.message().to_owned(),
        };
        if cut == 0 {
            assert_eq!(message, "the file is empty (or only white space)");
        } else {
            let expected = format!("the file ends early (byte {cut}, ");
            assert!(
                message.starts_with(&expected) && message.ends_with("): it is truncated"),
                "cut at {cut}: {message}"
            );
        }
        checked += 1;
    }
    assert!(checked > 300, "only {checked} cuts");
}

#[test]
fn small_real_snapshot_with_corrupt_counts_or_indexes_is_rejected() {
    let text = std::str::from_utf8(small_real()).unwrap();
    let g = parse_chunked(text.as_bytes(), ODD_CHUNK).unwrap();
    let (nodes, edges, strings) = (g.node_count(), g.edge_count(), g.strings.len());
    let fields = g.meta.node_field_count();
    let mutate = |from: &str, to: &str| -> Vec<u8> {
        assert!(text.contains(from), "no {from:?}");
        text.replacen(from, to, 1).into_bytes()
    };
    assert_rejected(
        &mutate(
            &format!("\"edge_count\":{edges}"),
            &format!("\"edge_count\":{}", edges + 1),
        ),
        &format!(
            "edges holds {edges} edges but edge_count says {}",
            edges + 1
        ),
    );
    assert_rejected(
        &mutate(
            &format!("\"node_count\":{nodes}"),
            &format!("\"node_count\":{}", nodes - 1),
        ),
        &format!("nodes has more values than node_count ({})", nodes - 1),
    );
    // The last edge row ends the edges array: point it past the last node.
    let edges_end = text.find("],\n\"trace_function_infos\"").unwrap();
    let last_to = text[..edges_end].rsplit(',').next().unwrap();
    let past = (nodes * fields).to_string();
    let corrupt = format!(
        "{}{past}{}",
        &text[..edges_end - last_to.len()],
        &text[edges_end..]
    );
    assert_rejected(
        corrupt.as_bytes(),
        &format!("points to node index {past}, past the last node (node_count is {nodes})"),
    );
    // Strings are kept in order of first use, so the last one is named.
    let strings_at = text.find("\"strings\":[").unwrap();
    let last_string = text.rfind(",\n\"").unwrap();
    assert!(last_string > strings_at);
    let short = format!("{}]}}", &text[..last_string]);
    assert_rejected(
        short.as_bytes(),
        &format!(
            "names string {}, but there are only {} strings",
            strings - 1,
            strings - 1
        ),
    );
}

/// Well-formed, but impossible for V8: a concatenated string whose `first`
/// part is itself.
const CYCLIC_CONS: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"]]},"node_count":3,"edge_count":3},
"nodes":[9,0,1,0,1
,10,1,3,32,2
,2,2,5,16,0],
"edges":[1,0,5
,3,3,5
,3,4,10],
"strings":["","cons","ab","first","second"]}"#;

#[test]
fn cons_string_containing_itself_does_not_hang_its_display_name() {
    // Found by fuzzing (as an out-of-memory): rebuilding the text of a cons
    // string followed `first` forever, stacking parts without bound.
    let g = parse_every_way(CYCLIC_CONS.as_bytes()).expect("structurally valid");
    assert_eq!(g.type_name(1), "concatenated string");
    let dir = TempDir::new("cyclic-cons");
    let file = dir.path().join("cyclic-cons.heapsnapshot");
    std::fs::write(&file, CYCLIC_CONS).unwrap();
    let (status, stdout, stderr) = cli_within(
        &["retainers", arg(&file), "@3", "--json"],
        Duration::from_secs(5),
    )
    .expect("`heaplens retainers` on a self-containing cons string did not finish in 5 s");
    assert!(status.success(), "{status}: {stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["object"]["id"], 3);
    assert_eq!(v["object"]["type"], "concatenated string");
}

#[test]
fn one_byte_files_are_rejected_saying_why() {
    assert_rejected(b"x", "byte 0: expected '{' but found 'x': this is not JSON");
    assert_rejected(b"\x00", "byte 0: expected '{' but found byte 0x00");
    assert_rejected(b"{", "the file ends early (byte 1, ");
    assert_rejected(b" ", "the file is empty");
}

#[test]
fn files_of_other_formats_are_named_by_their_first_bytes() {
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    assert_rejected(png, "this is a PNG image, not a V8 heap snapshot");
    assert_rejected(b"\xff\xd8\xff\xe0", "this is a JPEG image");
    assert_rejected(b"PK\x03\x04rest", "this is a zip archive");
    assert_rejected(b"\x28\xb5\x2f\xfd....", "this is zstd-compressed data");
    assert_rejected(b"\x1f\x8b\x08\x00", "this is gzip-compressed data");
    assert_rejected(b"[{\"name\":\"x\"}]", "this is a JSON array");
}

#[test]
fn numbers_v8_never_writes_are_rejected_naming_the_value() {
    assert_rejected(
        &tiny_with(",2,2,5,24,", ",2,2,5,024,"),
        "in \"nodes\": value 17 has a leading zero (02…): not valid JSON",
    );
    assert_rejected(
        &tiny_with(",2,2,5,24,", ",2,2,5,1e309,"),
        "in \"nodes\": value 17 (1e…) is not an integer",
    );
    assert_rejected(
        &tiny_with(",2,2,5,24,", ",2,2,5,NaN,"),
        "in \"nodes\": unexpected 'N' in a number array",
    );
    // A lone zero is a number like any other.
    assert!(parse_every_way(&tiny_with(",2,2,5,24,", ",2,2,5,0,")).is_ok());
}

#[test]
fn a_section_given_twice_is_rejected() {
    for section in [
        "\"nodes\":[",
        "\"edges\":[",
        "\"strings\":[",
        "\"locations\":[",
    ] {
        let at = TINY.find(section).unwrap();
        let end = at + TINY[at..].find(']').unwrap() + 1;
        let twice = format!("{},{}{}", &TINY[..end], &TINY[at..end], &TINY[end..]);
        let name = &section[1..section.len() - 3];
        assert_rejected(
            twice.as_bytes(),
            &format!("a second \"{name}\" section: V8 writes each section once"),
        );
    }
    let header_end = TINY.find("\n\"nodes\"").unwrap();
    let header = &TINY[1..header_end];
    let twice = format!("{{{header}{header}{}", &TINY[header_end..]);
    assert_rejected(twice.as_bytes(), "a second \"snapshot\" section");
}

#[test]
fn deep_nesting_in_a_skipped_section_neither_overflows_nor_hangs() {
    let depth = 200_000;
    let deep = format!("\"samples\":{}{}", "[".repeat(depth), "]".repeat(depth));
    let g = parse_every_way(&tiny_with("\"samples\":[]", &deep)).expect("still valid");
    assert_eq!(g.node_count(), 4);
    let unclosed = format!("\"samples\":{}", "[{\"a\":".repeat(depth));
    assert_rejected(
        &tiny_with("\"samples\":[]", &unclosed),
        "the file ends early",
    );
}

/// TINY as a .heaptimeline (DevTools' allocation instrumentation): the
/// snapshot plus allocation traces and samples.
fn timeline() -> Vec<u8> {
    tiny_with(
        "\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],",
        "\"trace_function_infos\":[1,2,3,4,5,6],\n\"trace_tree\":[1,0,1,1,[2,1,2,3,[]]],\n\"samples\":[100,7,200,9],",
    )
}

#[test]
fn a_heap_timeline_reads_as_the_snapshot_it_holds() {
    // A .heaptimeline (DevTools' allocation instrumentation) is a snapshot plus
    // allocation traces and samples: those sections are read past.
    let timeline = timeline();
    let plain = parse_every_way(TINY.as_bytes()).unwrap();
    let g = parse_every_way(&timeline).expect("a timeline is a snapshot");
    assert_eq!(format!("{g:?}"), format!("{plain:?}"));
}

/// Files that are not TINY with one edit (other formats, tiny files, hostile
/// shapes) and the message each gives.
fn other_inputs() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let deep = format!("\"samples\":{}", "[{\"a\":".repeat(100_000));
    vec![
        ("empty.heapsnapshot", vec![], "the file is empty"),
        ("one-byte.heapsnapshot", b"x".to_vec(), "byte 0: expected '{' but found 'x'"),
        (
            "image.heapsnapshot",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
            "this is a PNG image, not a V8 heap snapshot",
        ),
        (
            "x.heapprofile",
            br#"{"head":{"callFrame":{"functionName":"(root)"},"selfSize":0,"id":1,"children":[]},"samples":[]}"#.to_vec(),
            "this is a sampling heap profile (.heapprofile), not a heap snapshot",
        ),
        (
            "x.cpuprofile",
            br#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}}],"startTime":0,"endTime":1}"#.to_vec(),
            "(a CPU profile, .cpuprofile, starts this way)",
        ),
        (
            "trace.json",
            br#"{"traceEvents":[]}"#.to_vec(),
            "this is a performance trace, not a heap snapshot",
        ),
        (
            "deep.heapsnapshot",
            tiny_with("\"samples\":[]", &deep),
            "the file ends early",
        ),
        (
            "huge-count.heapsnapshot",
            tiny_with(r#""node_count":4"#, r#""node_count":300000000"#),
            "more nodes than heaplens can index (at most 268435455)",
        ),
        (
            "e309.heapsnapshot",
            tiny_with(",2,2,5,24,", ",2,2,5,1e309,"),
            "in \"nodes\": value 17 (1e…) is not an integer",
        ),
        (
            "nan.heapsnapshot",
            tiny_with(",2,2,5,24,", ",2,2,5,NaN,"),
            "in \"nodes\": unexpected 'N' in a number array",
        ),
    ]
}

#[test]
fn every_malformed_input_is_rejected_with_its_message_by_the_parser_and_the_cli() {
    let dir = TempDir::new("cli-malformed-table");
    let edits = edits::EDITS.iter().enumerate().map(|(i, edit)| {
        let name = format!("edit-{i}.heapsnapshot");
        (name, tiny_with(edit.from, edit.to), edit.message.to_owned())
    });
    let others = other_inputs()
        .into_iter()
        .flat_map(|(name, bytes, message)| {
            // The same file gzipped: read through gunzip, the same message.
            let zipped = (format!("{name}.gz"), gzip(&bytes), message.to_owned());
            [(name.to_owned(), bytes, message.to_owned()), zipped]
        });
    let mut failures = Vec::new();
    for (name, bytes, message) in edits.chain(others) {
        let file = dir.path().join(&name);
        std::fs::write(&file, &bytes).unwrap();
        assert_rejected(&gunzipped(&bytes), &message);
        // "heaplens: PATH[, once gunzipped]: [byte N: ]MESSAGE"
        let zipped = bytes.starts_with(b"\x1f\x8b");
        let (status, _, stderr) = cli(&["summary", arg(&file)]);
        let named = stderr.starts_with(&format!("heaplens: {}", arg(&file)))
            && stderr.contains(", once gunzipped: ") == zipped;
        if status.code() != Some(1) || !named || !stderr.contains(&message) {
            failures.push(format!(
                "{name}: {status}, stderr {stderr:?}, expected {message:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn gunzipped(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    if !bytes.starts_with(b"\x1f\x8b") {
        return bytes.to_vec();
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn a_heap_timeline_and_deep_but_closed_nesting_analyse_in_the_cli_as_the_plain_file() {
    let dir = TempDir::new("cli-timeline");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let plain = write("tiny.heapsnapshot", TINY.as_bytes());
    let depth = 200_000;
    let deep = format!("\"samples\":{}{}", "[".repeat(depth), "]".repeat(depth));
    let others = [
        write("tiny.heaptimeline", &timeline()),
        write("deep.heapsnapshot", &tiny_with("\"samples\":[]", &deep)),
    ];
    let summary = |file: &std::path::Path| {
        let (status, stdout, stderr) = cli(&["summary", arg(file), "--json"]);
        assert!(status.success(), "{}: {stderr}", file.display());
        let mut v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        v.as_object_mut().unwrap().remove("file");
        v
    };
    let expected = summary(&plain);
    assert_eq!(expected["info"]["nodes"], 4);
    assert_eq!(expected["info"]["totalSize"], 56);
    let names: Vec<&str> = expected["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["(string)", "Point", "Point"]);
    for file in &others {
        assert_eq!(summary(file), expected, "{}", file.display());
    }
}
