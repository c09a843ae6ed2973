//! Sampling heap profiles: a `.heapprofile` node writes for
//! `tests/fixtures/programs/report-cache.cjs` under `--heap-prof`, read by
//! `heaplens::profile` and checked against today's DevTools
//! (`HeapProfileView`'s model and grid trees, run in Chromium by
//! `tests/oracle/devtools-heapprofile.mjs`) and against what the program
//! keeps alive.

mod common;

use common::{arg, cli, oracle_heapprofile, repo, require_chromium, TempDir};
use heaplens::profile::{HeapProfile, OrdinalRange, ProfileRow};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The profile of one run of the fixture, written once per target dir
/// (sampling is random, so the oracle's cache needs the same file).
fn report_cache() -> PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let script = repo().join("tests/fixtures/programs/report-cache.cjs");
        let source = std::fs::read(&script).expect("the fixture is readable");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("heapprofiles")
            .join(format!("report-cache-{:x}", fnv(&source)));
        let file = dir.join("1.heapprofile");
        if file.is_file() {
            return file;
        }
        let partial = TempDir::new("heapprofile");
        let out = Command::new("node")
            .arg("--heap-prof")
            .arg(format!("--heap-prof-dir={}", arg(partial.path())))
            .arg("--heap-prof-name=1.heapprofile")
            .arg(&script)
            .output()
            .expect("node runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::create_dir_all(&dir).expect("the cache dir can be made");
        std::fs::copy(partial.path().join("1.heapprofile"), &file).expect("node wrote the profile");
        file
    })
    .clone()
}

/// A hash of the fixture's text, so an edited program is profiled again.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

fn load(file: &PathBuf) -> HeapProfile {
    HeapProfile::parse(&std::fs::read(file).expect("the profile is readable"))
        .expect("heaplens reads the profile")
}

/// Rows with siblings in a fixed order (DevTools' grid sorts them on
/// screen; the order they are built in is not the point).
fn sorted(rows: &Value) -> Value {
    let mut out: Vec<Value> = rows
        .as_array()
        .expect("rows are an array")
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r["children"] = sorted(&r["children"]);
            r
        })
        .collect();
    out.sort_by_cached_key(Value::to_string);
    Value::Array(out)
}

fn trees_of(profile: &HeapProfile, range: Option<OrdinalRange>) -> (u64, Value, Value) {
    let json = |rows: Vec<ProfileRow>| serde_json::to_value(rows).expect("rows serialize");
    (
        profile.total(range),
        json(profile.top_down(range)),
        json(profile.bottom_up(range)),
    )
}

fn assert_equals_devtools(file: &PathBuf, range: Option<OrdinalRange>) {
    require_chromium();
    let bounds: Vec<String> =
        range.map_or(Vec::new(), |r| vec![r.min.to_string(), r.max.to_string()]);
    let mut args = vec![arg(file)];
    args.extend(bounds.iter().map(String::as_str));
    let expected = oracle_heapprofile(&args);
    let (total, top_down, bottom_up) = trees_of(&load(file), range);
    assert_eq!(Some(total), expected["total"].as_u64());
    assert_eq!(sorted(&top_down), sorted(&expected["topDown"]), "top-down");
    assert_eq!(
        sorted(&bottom_up),
        sorted(&expected["bottomUp"]),
        "bottom-up"
    );
}

#[test]
fn trees_equal_devtools() {
    assert_equals_devtools(&report_cache(), None);
}

#[test]
fn an_ordinal_range_equals_devtools() {
    let file = report_cache();
    let mut ordinals: Vec<f64> = load(&file).samples.iter().map(|s| s.ordinal).collect();
    ordinals.sort_by(f64::total_cmp);
    assert!(ordinals.len() >= 6, "{} samples", ordinals.len());
    let third = ordinals.len() / 3;
    let range = OrdinalRange {
        min: ordinals[third],
        max: ordinals[2 * third],
    };
    let profile = load(&file);
    assert!(profile.total(Some(range)) < profile.total(None));
    assert_equals_devtools(&file, Some(range));
}

#[test]
fn what_the_cache_keeps_is_sampled_and_scratch_is_not() {
    let profile = load(&report_cache());
    let bottom_up = profile.bottom_up(None);
    let row = |name: &str| bottom_up.iter().find(|r| r.function_name == name);
    let report = row("renderReport").expect("renderReport kept rows");
    let render_row = row("renderRow").expect("renderRow made them");
    assert!(row("buildSection").is_some(), "the sections are kept");
    assert!(
        row("scratch").is_none(),
        "scratch's arrays are dead at exit"
    );
    // 20,000 rows of a 64-element array and more: several MB, sampled.
    assert!(
        render_row.total_size + report.self_size > 5_000_000,
        "{report:?}"
    );
    // renderRow's only caller is renderReport, which holds all it made.
    let callers: Vec<&str> = render_row
        .children
        .iter()
        .map(|c| c.function_name.as_str())
        .collect();
    assert_eq!(callers, ["renderReport"]);
    assert!(report.total_size >= render_row.total_size + report.self_size);
    assert_eq!(
        report.line, 20,
        "renderReport starts on line 20 of the fixture"
    );
    // Top-down totals add up: the root's callees hold everything sampled.
    let top: u64 = profile.top_down(None).iter().map(|r| r.total_size).sum();
    assert_eq!(top, profile.total(None));
}

#[test]
fn cli_prints_both_trees_and_json() {
    let file = report_cache();
    let (status, json, err) = cli(&["profile", arg(&file), "--json"]);
    assert!(status.success(), "{err}");
    let json: Value = serde_json::from_str(&json).expect("--json prints JSON");
    // The table starts with the most self bytes: renderRow's rows, or
    // renderReport's when V8 inlined renderRow into it before sampling.
    let most = json["bottomUp"]
        .as_array()
        .expect("bottomUp rows")
        .iter()
        .max_by_key(|r| r["selfSize"].as_u64())
        .expect("a bottom-up row");
    let name = most["functionName"].as_str().expect("a function name");
    assert!(["renderRow", "renderReport"].contains(&name), "{json}");
    let (status, out, err) = cli(&["profile", arg(&file)]);
    assert!(status.success(), "{err}");
    let first = out.lines().nth(2).expect("a bottom-up row");
    assert!(first.starts_with(&format!("{name} ")), "{out}");
    assert!(out.contains("Call tree (top-down"), "{out}");
    assert_eq!(json["schema"], heaplens::query::SCHEMA);
    let (total, top_down, bottom_up) = trees_of(&load(&file), None);
    assert_eq!(json["total"].as_u64(), Some(total));
    assert_eq!(sorted(&json["topDown"]), sorted(&top_down));
    assert_eq!(sorted(&json["bottomUp"]), sorted(&bottom_up));
}

#[test]
fn hostile_or_wrong_files_fail_with_a_message() {
    // 200,000 nested frames: parsed without recursion, cut when printed.
    let depth = 200_000;
    let mut deep = String::from(r#"{"head":"#);
    for i in 0..depth {
        deep.push_str(&format!(
            r#"{{"callFrame":{{"functionName":"f{i}","scriptId":"1","url":"a.js","lineNumber":{i},"columnNumber":0}},"selfSize":1,"id":{},"children":["#,
            i + 1
        ));
    }
    deep.push_str(&"]}".repeat(depth));
    deep.push_str(r#","samples":[]}"#);
    let profile = HeapProfile::parse(deep.as_bytes()).expect("a deep profile parses");
    assert_eq!(profile.total(None), depth as u64);
    assert!(!profile.top_down(None).is_empty());
    for (text, message) in [
        (&deep[..deep.len() / 2], "truncated"),
        (r#"{"snapshot":{}}"#, "it is not a sampling heap profile"),
        ("[1,2]", "does not start with '{'"),
        (r#"{"head":{"selfSize":-4}}"#, "not a whole number"),
    ] {
        let err = HeapProfile::parse(text.as_bytes())
            .expect_err(message)
            .to_string();
        assert!(err.contains(message), "{err}");
    }
}

#[test]
fn the_page_requests_answer_what_the_trees_and_samples_say() {
    use heaplens::profile::{ProfileRequest, ProfileResponse};
    let profile = load(&report_cache());
    let ask = |json: Value| -> Value {
        let request: ProfileRequest = serde_json::from_value(json).expect("a page request");
        serde_json::to_value(profile.answer(request)).expect("answers serialize")
    };
    let info = ask(serde_json::json!({"op": "info"}));
    assert_eq!(info["kind"], "profile");
    assert_eq!(info["samples"].as_u64(), Some(profile.samples.len() as u64));
    assert_eq!(info["totalSize"].as_u64(), Some(profile.total(None)));
    assert_eq!(info["hasOrdinals"], true);

    // The bars hold every sample once, in allocation order.
    let bars = ask(serde_json::json!({"op": "profileTimeline", "buckets": 10}));
    let bars = bars.as_array().expect("bars");
    assert!(!bars.is_empty() && bars.len() <= 10, "{} bars", bars.len());
    let field = |bar: &Value, key: &str| bar[key].as_f64().expect("a number");
    let sizes: f64 = bars.iter().map(|b| field(b, "size")).sum();
    let samples: f64 = bars.iter().map(|b| field(b, "samples")).sum();
    assert_eq!(samples as usize, profile.samples.len());
    assert_eq!(
        sizes as u64,
        profile.samples.iter().map(|s| s.size).sum::<u64>()
    );
    assert!(bars
        .windows(2)
        .all(|w| field(&w[0], "last") < field(&w[1], "first")));
    assert!(bars
        .windows(2)
        .all(|w| field(&w[0], "index") < field(&w[1], "index")));
    assert!(field(&bars[bars.len() - 1], "index") < 10.0);

    // A run of bars is a range whose total is theirs, and whose trees are the
    // profile's trees of that range.
    let run = &bars[bars.len() / 3..=bars.len() / 2];
    let range = [field(&run[0], "first"), field(&run[run.len() - 1], "last")];
    let trees = ask(serde_json::json!({"op": "profile", "range": range}));
    let in_run: f64 = run.iter().map(|b| field(b, "size")).sum();
    assert_eq!(trees["total"].as_f64(), Some(in_run));
    let selection = Some(OrdinalRange {
        min: range[0],
        max: range[1],
    });
    let (total, top_down, bottom_up) = trees_of(&profile, selection);
    assert_eq!(trees["total"].as_u64(), Some(total));
    assert_eq!(trees["topDown"], top_down);
    assert_eq!(trees["bottomUp"], bottom_up);
    assert!(matches!(
        profile.answer(ProfileRequest::Profile { range: None }),
        ProfileResponse::Trees(t) if t.total == profile.total(None)
    ));
    let refused = serde_json::from_value::<ProfileRequest>(serde_json::json!({"op": "summary"}));
    assert!(refused.is_err(), "a snapshot request is not a profile's");
}
