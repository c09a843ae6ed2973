//! The `heaplens` command line: what it prints for a real leak, and how it
//! fails on bad input (exit code 1, one message on stderr, never a panic).

mod common;
mod hostile;

use common::{arg, cli, generate, gzip, oracle, snake, with_session, TempDir, STATISTICS_BUCKETS};
use heaplens::query::{Order, Scope, SortBy, SCHEMA};
use serde_json::Value;
use std::path::PathBuf;

/// The third snapshot of the classic leak: 3,000 `SimpleClass` held by
/// `leakyData`.
fn leak() -> PathBuf {
    generate("classic-leak", 3)[2].clone()
}

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

/// Asserts the command failed the way a user should see it: exit code 1,
/// `heaplens: ` and `message` on stderr, nothing on stdout, no panic.
fn assert_fails_with(args: &[&str], message: &str) {
    let (status, stdout, stderr) = cli(args);
    assert_eq!(
        status.code(),
        Some(1),
        "exit code of {args:?}; stderr: {stderr}"
    );
    assert!(
        stderr.starts_with("heaplens: ") && stderr.contains(message),
        "stderr of {args:?} should say {message:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert_eq!(stdout, "", "stdout of {args:?}");
}

#[test]
fn summary_json_has_the_file_its_totals_and_classes_by_retained_size_descending() {
    let file = leak();
    let (status, stdout, stderr) = cli(&["summary", arg(&file), "--json"]);
    assert!(status.success(), "{stderr}");
    let v = json_of(&stdout);
    assert_eq!(
        keys(&v),
        ["file", "info", "rows", "schema", "total", "totalSize"]
    );
    assert_eq!(v["schema"], SCHEMA);
    assert_eq!(v["file"], arg(&file));
    let devtools = oracle(&["summary", arg(&file)]);
    for total in ["nodes", "edges", "totalSize"] {
        assert_eq!(v["info"][total], devtools[snake(total)], "{total}");
    }
    let classes = v["rows"].as_array().unwrap();
    assert_eq!(classes.len(), devtools["classes"].as_array().unwrap().len());
    assert_eq!(v["total"], classes.len());
    for class in classes {
        assert_eq!(
            keys(class),
            [
                "count",
                "distance",
                "key",
                "name",
                "retainedSize",
                "selfSize"
            ]
        );
    }
    let retained: Vec<u64> = classes
        .iter()
        .map(|c| c["retainedSize"].as_u64().unwrap())
        .collect();
    assert!(
        retained.windows(2).all(|w| w[0] >= w[1]),
        "retained sizes are not descending: {retained:?}"
    );
}

#[test]
fn summary_json_simple_class_row_is_the_one_devtools_shows() {
    let file = leak();
    let (status, stdout, stderr) = cli(&["summary", arg(&file), "--json"]);
    assert!(status.success(), "{stderr}");
    // heaplens answers `rows` in camelCase, the oracle `classes` in snake_case.
    let find = |v: &Value| -> Value {
        let row = v
            .get("rows")
            .unwrap_or(&v["classes"])
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "SimpleClass")
            .expect("a SimpleClass row")
            .clone();
        let pick = ["name", "count", "distance", "selfSize", "retainedSize"];
        pick.iter()
            .map(|k| (k.to_string(), row.get(*k).unwrap_or(&row[snake(k)]).clone()))
            .collect()
    };
    let ours = find(&json_of(&stdout));
    assert_eq!(ours, find(&oracle(&["summary", arg(&file)])));
    assert_eq!(
        ours,
        serde_json::json!({"name": "SimpleClass", "count": 3000, "distance": 13,
                           "selfSize": 96000, "retainedSize": 239200})
    );
}

#[test]
fn summary_top_5_prints_only_the_5_largest_classes() {
    let file = leak();
    let (_, all, _) = cli(&["summary", arg(&file), "--json"]);
    let (status, top, stderr) = cli(&["summary", arg(&file), "--json", "--top", "5"]);
    assert!(status.success(), "{stderr}");
    let all = json_of(&all)["rows"].as_array().unwrap().clone();
    let top = json_of(&top)["rows"].as_array().unwrap().clone();
    assert_eq!(top.len(), 5);
    assert_eq!(top[..], all[..5]);
}

#[test]
fn summary_table_right_aligns_every_number_under_its_header() {
    let file = leak();
    let (status, stdout, stderr) = cli(&["summary", arg(&file), "--top", "12"]);
    assert!(status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let devtools = oracle(&["summary", arg(&file)]);
    let totals = format!(
        "{}: {} nodes, {} edges, total ",
        arg(&file),
        devtools["nodes"],
        devtools["edges"]
    );
    assert!(lines[0].starts_with(&totals), "first line: {}", lines[0]);
    let header = lines[1];
    assert!(header.starts_with("Constructor "), "header: {header}");
    let rows = &lines[2..];
    assert_eq!(rows.len(), 12, "{stdout}");
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    let h = chars(header);
    // Each label after the first ends where its column's values end.
    let mut ends = Vec::new();
    for label in ["Count", "Distance", "Shallow", "Retained"] {
        let at = header
            .find(label)
            .unwrap_or_else(|| panic!("no {label}: {header}"));
        ends.push(header[..at].chars().count() + label.len());
    }
    assert_eq!(*ends.last().unwrap(), h.len(), "Retained ends the header");
    for line in rows {
        let r = chars(line);
        assert_eq!(
            r.len(),
            h.len(),
            "row width differs from the header:\n{header}\n{line}"
        );
        assert_ne!(r[0], ' ', "names start in the first column: {line}");
        for &end in &ends {
            assert_ne!(
                r[end - 1],
                ' ',
                "a value ends at column {end}:\n{header}\n{line}"
            );
            if end < r.len() {
                assert_eq!(r[end], ' ', "a gap follows column {end}:\n{header}\n{line}");
            }
        }
    }
    let largest = devtools["classes"][0]["name"].as_str().unwrap();
    assert!(
        rows[0].starts_with(&format!("{largest} ")),
        "largest class ({largest}) first: {}",
        rows[0]
    );
}

#[test]
fn stats_json_buckets_are_the_ones_devtools_shows() {
    let file = leak();
    let (status, stdout, stderr) = cli(&["stats", arg(&file), "--json"]);
    assert!(status.success(), "{stderr}");
    let ours = json_of(&stdout);
    let devtools = oracle(&["stats", arg(&file)]);
    for bucket in STATISTICS_BUCKETS {
        assert!(devtools.pointer(bucket).is_some(), "oracle lacks {bucket}");
        assert_eq!(ours.pointer(bucket), devtools.pointer(bucket), "{bucket}");
    }
}

#[test]
fn retainers_json_path_of_a_leaked_simple_class_runs_through_leaky_data() {
    let file = leak();
    let (id, class_key) = with_session(&file, |s| {
        let rows = s.classes(
            Scope::default(),
            "SimpleClass",
            Order::largest(SortBy::RetainedSize),
        );
        let key = rows
            .iter()
            .find(|r| r.name == "SimpleClass")
            .expect("a SimpleClass row")
            .key
            .clone();
        let instances = s
            .instances(&key, Scope::default(), Order::largest(SortBy::RetainedSize))
            .unwrap();
        assert_eq!(instances.len(), 3000);
        (s.node_row(instances[0]).id, key)
    });
    let (status, stdout, stderr) = cli(&["retainers", arg(&file), &format!("@{id}"), "--json"]);
    assert!(status.success(), "{stderr}");
    let v = json_of(&stdout);
    assert_eq!(v["object"]["id"], id, "{class_key}");
    assert_eq!(v["object"]["className"], "SimpleClass");
    assert_eq!(v["object"]["distance"], 13);
    let path = v["path"].as_array().expect("a path");
    let step = |i: usize, key: &str| path[i][key].as_str().unwrap_or_default().to_owned();
    let edges: Vec<String> = (0..path.len()).map(|i| step(i, "edgeName")).collect();
    // global → Node's timer list → the server's connection-checking timer →
    // the Server → _events → request (handleRequest, a closure) → its
    // context (the module's scope) → leakyData[i].
    assert_eq!(path.len(), 13, "{edges:?}");
    assert_eq!(
        edges[8..12],
        ["_events", "request", "context", "leakyData"],
        "{edges:?}"
    );
    assert_eq!(step(0, "edgeType"), "");
    assert_eq!(path[0]["node"]["name"], "global");
    assert_eq!(path[9]["node"]["name"], "handleRequest");
    assert_eq!(step(11, "edgeType"), "context");
    assert_eq!(step(12, "edgeType"), "element");
    assert_eq!(path[12]["node"]["id"], id);
    assert!(
        v["retainers"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["node"]["name"] == "Array" && r["edgeType"] == "element"),
        "the leakyData array is among the retainers: {}",
        v["retainers"]
    );
}

#[test]
fn retainers_of_an_id_not_in_the_file_exits_1() {
    let file = leak();
    assert_fails_with(&["retainers", arg(&file), "@2"], "there is no object @2 in");
    assert_fails_with(
        &["retainers", arg(&file), "@x"],
        "is not an object id like @1234",
    );
}

#[test]
fn missing_file_exits_1_naming_the_file() {
    let dir = TempDir::new("cli-missing");
    let missing = dir.path().join("nope.heapsnapshot");
    let message = format!("{}: ", arg(&missing));
    assert_fails_with(&["summary", arg(&missing)], &message);
    assert_fails_with(&["stats", arg(&missing), "--json"], &message);
    assert_fails_with(&["retainers", arg(&missing), "@1"], &message);
}

#[test]
fn malformed_files_exit_1_with_the_parser_message() {
    let dir = TempDir::new("cli-malformed");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let empty = write("empty.heapsnapshot", b"");
    let hello = write("hello.heapsnapshot", b"hello");
    let not_snapshot = write("object.heapsnapshot", br#"{"a":1}"#);
    let real = std::fs::read(leak()).unwrap();
    let half = real.len() / 2;
    let truncated = write("truncated.heapsnapshot", &real[..half]);
    let cases = [
        (&empty, "the file is empty".to_owned()),
        (
            &hello,
            "byte 0: expected '{' but found 'h': this is not JSON, or not a heap snapshot"
                .to_owned(),
        ),
        (
            &not_snapshot,
            "the file has no \"snapshot\" header: it is not a V8 heap snapshot".to_owned(),
        ),
        (&truncated, format!("the file ends early (byte {half}, ")),
    ];
    for (file, message) in &cases {
        let message = format!("{}: {message}", arg(file));
        assert_fails_with(&["summary", arg(file), "--json"], &message);
        assert_fails_with(&["stats", arg(file)], &message);
        assert_fails_with(&["retainers", arg(file), "@1"], &message);
        assert_fails_with(&["diff", arg(file), arg(&leak())], &message);
        // The second file of a diff is read and checked too.
        assert_fails_with(&["diff", arg(&leak()), arg(file)], &message);
    }
}

#[test]
fn wrong_usage_exits_1_with_the_usage_text() {
    assert_fails_with(&["summary"], "summary takes 1 argument(s), got 0");
    assert_fails_with(&["frobnicate"], "unknown command \"frobnicate\"");
    assert_fails_with(&["summary", "x", "--color"], "unknown option --color");
    assert_fails_with(
        &["summary", "x", "--top", "many"],
        "--top many: not a number",
    );
    let (_, _, stderr) = cli(&["diff", "only-one"]);
    assert!(
        stderr.contains("usage:\n  heaplens summary FILE"),
        "{stderr}"
    );
}

#[test]
fn terminal_escapes_in_class_names_are_printed_escaped_in_every_table_and_exact_in_json() {
    let dir = TempDir::new("cli-escapes");
    let names = [
        "\u{1b}[31mRed",
        "\u{1b}]0;title\u{7}",
        "line\rforged\nline",
        "\u{202e}moc.elgoog//:sptth",
    ];
    let shown = [
        "\\x1b[31mRed",
        "\\x1b]0;title\\x07",
        "line\\rforged\\nline",
        "\\u202emoc.elgoog//:sptth",
    ];
    let file = dir.path().join("ansi.heapsnapshot");
    std::fs::write(&file, hostile::snapshot_with_classes(&names)).unwrap();
    let raw = ['\u{1b}', '\u{7}', '\r', '\u{202e}'];
    for args in [
        vec!["summary", arg(&file)],
        vec!["diff", arg(&file), arg(&file)],
        vec!["retainers", arg(&file), "@3"],
    ] {
        let (status, stdout, stderr) = cli(&args);
        assert!(status.success(), "{args:?}: {stderr}");
        assert!(
            !stdout.contains(raw),
            "{args:?} printed a raw control: {stdout:?}"
        );
        assert!(!stdout.contains("line\nforged"), "{stdout}");
    }
    let (_, summary, _) = cli(&["summary", arg(&file)]);
    for s in shown {
        assert!(summary.contains(s), "summary should show {s}: {summary}");
    }
    let (_, retainers, _) = cli(&["retainers", arg(&file), "@3"]);
    assert!(retainers.starts_with(shown[0]), "{retainers}");
    let (_, stdout, _) = cli(&["summary", arg(&file), "--json"]);
    let json = json_of(&stdout);
    let classes: Vec<&str> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for name in names {
        assert!(classes.contains(&name), "{name:?} not in {classes:?}");
    }
}

#[test]
fn gzipped_snapshot_gives_the_same_results_as_the_plain_one_in_every_command() {
    let plain = leak();
    let dir = TempDir::new("cli-gzip");
    // Found by its magic bytes, whatever the file is called.
    let gz = dir.path().join("leak.heapsnapshot");
    std::fs::write(&gz, gzip(&std::fs::read(&plain).unwrap())).unwrap();
    let json = |args: &[&str]| {
        let (status, stdout, stderr) = cli(args);
        assert!(status.success(), "{args:?}: {stderr}");
        let mut v = json_of(&stdout);
        v.as_object_mut().unwrap().remove("file");
        v
    };
    assert_eq!(
        json(&["summary", arg(&gz), "--json"]),
        json(&["summary", arg(&plain), "--json"])
    );
    assert_eq!(
        json(&["stats", arg(&gz), "--json"]),
        json(&["stats", arg(&plain), "--json"])
    );
    let (status, stdout, _) = cli(&["diff", arg(&gz), arg(&plain)]);
    assert!(status.success());
    assert_eq!(
        stdout.lines().count(),
        1,
        "no difference expected: {stdout}"
    );
}

#[test]
fn corrupt_or_cut_gzip_and_gzipped_non_json_exit_1_saying_so() {
    let dir = TempDir::new("cli-bad-gzip");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let whole = gzip(&std::fs::read(leak()).unwrap());
    let cut = write("cut.gz", &whole[..whole.len() / 2]);
    let header = write("header.gz", b"\x1f\x8bnot a gzip header at all");
    let hello = write("hello.gz", &gzip(b"hello"));
    assert_fails_with(
        &["summary", arg(&cut)],
        "the gzip stream is corrupt or cut short after ",
    );
    assert_fails_with(
        &["stats", arg(&header)],
        "header.gz: the gzip stream is corrupt or cut short after 0 bytes of snapshot",
    );
    assert_fails_with(
        &["summary", arg(&hello)],
        "hello.gz, once gunzipped: byte 0: expected '{' but found 'h': this is not JSON",
    );
}

#[test]
fn a_directory_given_as_a_snapshot_exits_1_saying_so() {
    let dir = TempDir::new("cli-directory");
    assert_fails_with(
        &["summary", arg(dir.path())],
        "this is a directory; give a .heapsnapshot file",
    );
}

#[test]
fn images_profiles_and_tiny_files_exit_1_naming_what_they_are() {
    let dir = TempDir::new("cli-formats");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let cases = [
        (
            write("image.heapsnapshot", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            "this is a PNG image, not a V8 heap snapshot",
        ),
        (
            write(
                "x.heapprofile",
                br#"{"head":{"callFrame":{}},"samples":[]}"#,
            ),
            "this is a sampling heap profile (.heapprofile), not a heap snapshot",
        ),
        (
            write("x.cpuprofile", br#"{"nodes":[{"id":1}],"startTime":0}"#),
            "(a CPU profile, .cpuprofile, starts this way)",
        ),
        (write("one-byte.heapsnapshot", b"x"), "byte 0: expected '{'"),
    ];
    for (file, message) in &cases {
        assert_fails_with(&["summary", arg(file)], message);
    }
}
