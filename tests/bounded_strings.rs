//! Strings leave heaplens bounded: a class or object name of 100 MiB is cut
//! after 1,000 characters (with `…` and its full length) in every row, the
//! CLI table and `--json`; the whole name is fetched in windows on demand;
//! and reading such a file costs little more memory than the file.

mod common;
mod hostile;

use common::{arg, cli, TempDir};
use heaplens::analysis::HeapSnapshot;
use heaplens::query::{Request, Session, STRING_PAGE_LIMIT};
use heaplens::snapshot::{Parser, NAME_LIMIT};
use hostile::{write_huge_name_snapshot, HUGE_NAME_LEN};
use serde_json::{json, Value};
use std::io::Read;
use std::path::Path;

fn cut_name() -> String {
    format!("{}\u{2026}", "A".repeat(NAME_LIMIT))
}

fn session(path: &Path) -> Session {
    let mut file = std::fs::File::open(path).unwrap();
    let mut parser = Parser::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        parser.push(&buf[..n]).unwrap();
    }
    Session::new(HeapSnapshot::analyze(parser.finish().unwrap(), &mut |_| {}))
}

fn ask(s: &mut Session, request: Value) -> Value {
    let request: Request = serde_json::from_value(request).unwrap();
    serde_json::to_value(s.query(request).unwrap()).unwrap()
}

#[test]
fn a_100_mib_class_name_is_cut_in_the_cli_json_and_table_and_the_peak_stays_near_the_file() {
    let dir = TempDir::new("huge-name-cli");
    let file = write_huge_name_snapshot(dir.path());
    let (status, stdout, stderr) = cli(&["summary", arg(&file), "--json"]);
    assert!(status.success(), "{stderr}");
    assert!(stdout.len() < 4096, "--json printed {} bytes", stdout.len());
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let huge = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] != "Small")
        .unwrap();
    assert_eq!(huge["name"], cut_name());
    assert_eq!(huge["nameLength"], HUGE_NAME_LEN);

    let (_, table, _) = cli(&["summary", arg(&file)]);
    assert!(
        table.contains(&format!("\u{2026} ({HUGE_NAME_LEN} characters)")),
        "{table}"
    );

    let (_, retainers, _) = cli(&["retainers", arg(&file), "@5", "--json"]);
    assert!(retainers.len() < 8192, "{} bytes", retainers.len());
    let v: Value = serde_json::from_str(&retainers).unwrap();
    assert_eq!(v["object"]["nameLength"], HUGE_NAME_LEN);
    assert_eq!(v["object"]["classNameLength"], HUGE_NAME_LEN);

    let (status, bench, stderr) = cli(&["bench", arg(&file)]);
    assert!(status.success(), "{stderr}");
    let times_file: f64 = bench
        .lines()
        .find_map(|l| l.strip_prefix("peak memory"))
        .and_then(|l| l.split('(').nth(1)?.split(" x").next()?.parse().ok())
        .unwrap_or_else(|| panic!("no peak in {bench}"));
    assert!(times_file <= 1.5, "peak {times_file} x the file:\n{bench}");
}

#[test]
fn rows_carry_cut_names_with_their_length_and_the_whole_name_comes_in_windows() {
    let dir = TempDir::new("huge-name-query");
    let mut s = session(&write_huge_name_snapshot(dir.path()));
    let node = ask(&mut s, json!({"op": "node", "id": 5}));
    assert_eq!(node["name"], cut_name());
    assert_eq!(node["nameLength"], HUGE_NAME_LEN);
    assert_eq!(node["className"], cut_name());
    assert_eq!(node["classNameLength"], HUGE_NAME_LEN);
    let small = ask(&mut s, json!({"op": "node", "id": 3}));
    assert!(small.get("nameLength").is_none(), "{small}");

    let summary = ask(&mut s, json!({"op": "summary"}));
    let row = summary["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["nameLength"] == HUGE_NAME_LEN)
        .expect("the huge class");
    let instances = ask(
        &mut s,
        json!({"op": "instances", "classKey": row["key"].clone()}),
    );
    assert_eq!(instances["rows"][0]["id"], 5);

    let found = ask(&mut s, json!({"op": "search", "text": "AAAA"}));
    assert_eq!(found["total"], 1);
    assert_eq!(found["rows"][0]["name"], cut_name());

    let first = ask(&mut s, json!({"op": "string", "id": 5}));
    assert_eq!(first["length"], HUGE_NAME_LEN);
    assert_eq!(first["offset"], 0);
    assert_eq!(first["text"].as_str().unwrap().len(), STRING_PAGE_LIMIT);
    let last = ask(
        &mut s,
        json!({"op": "string", "id": 5, "offset": HUGE_NAME_LEN - 3, "limit": 10}),
    );
    assert_eq!(last["text"], "AAA");
    let past = ask(
        &mut s,
        json!({"op": "string", "id": 5, "offset": HUGE_NAME_LEN + 7}),
    );
    assert_eq!(
        (&past["text"], &past["offset"]),
        (&json!(""), &json!(HUGE_NAME_LEN))
    );
}

#[test]
fn string_windows_count_characters_not_bytes() {
    let bytes = hostile::snapshot_with_classes(&["é😀ab"]);
    let dir = TempDir::new("string-window");
    let file = dir.path().join("utf8.heapsnapshot");
    std::fs::write(&file, bytes).unwrap();
    let mut s = session(&file);
    let w = ask(
        &mut s,
        json!({"op": "string", "id": 3, "offset": 1, "limit": 2}),
    );
    assert_eq!((&w["text"], &w["length"]), (&json!("😀a"), &json!(4)));
}
