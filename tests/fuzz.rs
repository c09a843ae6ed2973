//! Fuzzing on stable Rust: a deterministic mutational harness with two
//! targets (see `fuzz/targets.rs`) seeded by real snapshots written by
//! node and cut small (`common::shrink_snapshot`), hostile hand-written
//! ones, and the committed corpus of past findings (`tests/fuzz/corpus`;
//! `*.heapsnapshot` is git-ignored, so corpus files are added with `git add -f`).
//!
//! `cargo test --test fuzz` replays the corpus and runs a short campaign of
//! each target; `scripts/fuzz.sh` runs long ones through the ignored
//! `campaign` test. Execution `n` of campaign `seed` draws from its own
//! generator, so `HEAPLENS_FUZZ_START=n HEAPLENS_FUZZ_EXECS=1` replays it.
//! Fatal findings (a hang, memory past the ceiling) abort the process
//! after writing the input to the report file; a panic is caught, its
//! input saved next to it, and the campaign goes on.

mod common;
#[path = "fuzz/guard.rs"]
mod guard;
mod hostile;
#[path = "fuzz/model.rs"]
mod model;
#[path = "fuzz/mutate.rs"]
mod mutate;
#[path = "fuzz/requests.rs"]
mod requests;
#[path = "fuzz/rng.rs"]
mod rng;
#[path = "fuzz/targets.rs"]
mod targets;

use common::{generate, shrink_snapshot};
use heaplens::analysis::HeapSnapshot;
use heaplens::query::{Request, Session};
use model::Model;
use rng::Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: guard::Counting = guard::Counting;

/// Memory one execution may take beyond what was live before it: a
/// constant for the analyses' tables plus a multiple of the input.
fn allowance(input: usize) -> usize {
    (64 << 20) + 32 * input
}

/// Seed snapshots: real ones from node cut to a few sizes, and valid
/// hostile ones (escape sequences and bidi overrides as class names).
fn seeds() -> &'static [(String, Vec<u8>)] {
    static SEEDS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds = Vec::new();
        for (program, keep) in [
            ("mixed-heap", 400),
            ("closure-leak", 150),
            ("strings-and-closures", 60),
        ] {
            let real = std::fs::read(&generate(program, 1)[0]).expect("reading a node snapshot");
            seeds.push((format!("{program}-{keep}"), shrink_snapshot(&real, keep)));
        }
        let names = [
            "\u{1b}[31mRed\u{1b}]0;title\u{7}",
            "\u{202e}moc.elgoog//:sptth",
            "Point",
            "",
        ];
        seeds.push((
            "hostile-names".into(),
            hostile::snapshot_with_classes(&names),
        ));
        seeds.extend(
            corpus()
                .into_iter()
                .filter(|(_, b)| Model::read(b).is_some()),
        );
        seeds
    })
}

/// The seeds the parser accepts (a corpus file may be a finding).
fn valid_seeds() -> &'static [(String, Vec<u8>)] {
    static VALID: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    VALID.get_or_init(|| {
        let valid = |bytes: &[u8]| common::parse_chunked(bytes, bytes.len()).is_ok();
        seeds().iter().filter(|(_, b)| valid(b)).cloned().collect()
    })
}

/// The committed corpus: hostile cases of issue 10 and past findings.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = common::repo().join("tests/fuzz/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// Findings and counts of one campaign.
#[derive(Default, Debug)]
struct Tally {
    execs: u64,
    accepted: u64,
    requests: u64,
    rejected_requests: u64,
    peak: usize,
    panics: Vec<String>,
}

/// Runs `f` on one input, catching a panic as a finding saved under
/// `findings/` (named by target, seed and execution).
fn run_one(
    tally: &mut Tally,
    target: &'static str,
    seed: u64,
    exec: u64,
    input: &[u8],
    f: impl FnOnce() -> bool,
) {
    let live = guard::live();
    guard::begin(target, exec, input, allowance(input.len()));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    tally.peak = tally.peak.max(guard::end(live));
    tally.execs += 1;
    match outcome {
        Ok(accepted) => tally.accepted += accepted as u64,
        Err(_) => {
            let dir = findings_dir();
            let file = dir.join(format!("{target}-{seed}-{exec}.bin"));
            std::fs::write(&file, input).expect("saving a finding");
            tally.panics.push(file.display().to_string());
        }
    }
}

/// Where findings go: `HEAPLENS_FUZZ_FINDINGS`, or `fuzz-findings` in
/// cargo's temp dir.
fn findings_dir() -> PathBuf {
    let dir = std::env::var_os("HEAPLENS_FUZZ_FINDINGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Executions `start..start + execs` of the structure-aware target.
fn snapshot_campaign(seed: u64, start: u64, execs: u64) -> Tally {
    let seeds: Vec<(&str, Model)> = seeds()
        .iter()
        .filter_map(|(name, bytes)| Some((name.as_str(), Model::read(bytes)?)))
        .collect();
    let mut tally = Tally::default();
    for exec in start..start + execs {
        let mut rng = Rng::for_exec(seed, exec);
        let (_, model) = rng.pick(&seeds);
        let input = mutate::mutate(model, &mut rng);
        run_one(&mut tally, "snapshot", seed, exec, &input, || {
            targets::snapshot(&input, &mut rng)
        });
    }
    tally
}

/// Executions `start..start + execs` of the query target: every 256
/// executions start again from a fresh session of a seed chosen by the
/// block's number, so execution `n` replays from its block's start.
fn query_campaign(seed: u64, start: u64, execs: u64) -> Tally {
    const BLOCK: u64 = 256;
    let mut tally = Tally::default();
    let mut loaded: Option<(u64, Session, requests::Pools)> = None;
    for exec in start..start + execs {
        let block = exec / BLOCK;
        if loaded.as_ref().is_none_or(|(b, _, _)| *b != block) {
            let mut rng = Rng::for_exec(seed ^ 0x5e55_1011, block);
            let (_, bytes) = rng.pick(valid_seeds());
            let session = targets::load(bytes, &mut rng).expect("seeds are valid");
            let pools = targets::pools(&session, &mut rng);
            loaded = Some((block, session, pools));
            // Replaying execution n runs its block from the start.
            for earlier in block * BLOCK..exec {
                let (_, session, pools) = loaded.as_mut().unwrap();
                targets::queries(session, pools, &mut Rng::for_exec(seed, earlier));
            }
        }
        let (_, session, pools) = loaded.as_mut().unwrap();
        let mut rng = Rng::for_exec(seed, exec);
        let marker = format!("query block {block} exec {exec}");
        let (mut sent, mut total) = (0, 0);
        run_one(&mut tally, "query", seed, exec, marker.as_bytes(), || {
            (sent, total) = targets::queries(session, pools, &mut rng);
            true
        });
        tally.requests += total as u64;
        tally.rejected_requests += (total - sent) as u64;
    }
    tally
}

/// The tests of this file share the allocator's counters: one at a time.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    static ARMED: OnceLock<()> = OnceLock::new();
    ARMED.get_or_init(|| {
        let report = findings_dir().join("fatal.txt");
        let hang = std::env::var("HEAPLENS_FUZZ_HANG_SECS")
            .ok()
            .and_then(|s| s.parse().ok());
        guard::arm(&report, Duration::from_secs(hang.unwrap_or(20)));
    });
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

#[track_caller]
fn assert_clean(target: &str, tally: &Tally) {
    assert!(
        tally.panics.is_empty(),
        "{target}: {} panics, inputs saved: {:?}",
        tally.panics.len(),
        tally.panics
    );
}

#[test]
fn corpus_replays_without_panic_hang_or_runaway_memory() {
    let _serial = serial();
    let mut tally = Tally::default();
    for (i, (name, bytes)) in corpus().iter().enumerate() {
        // Each file whole, in 1-byte pieces' worth of borders and others.
        for round in 0..4 {
            let mut rng = Rng::for_exec(i as u64, round);
            run_one(&mut tally, "corpus", 0, i as u64, bytes, || {
                targets::snapshot(bytes, &mut rng)
            });
        }
        assert!(tally.panics.is_empty(), "{name} panicked");
    }
    assert!(tally.execs >= 4 * 10, "{} corpus executions", tally.execs);
}

/// Findings whose requests matter, each a corpus file and the requests
/// that failed on it.
const REGRESSIONS: &[(&str, &str)] = &[
    (
        // A line or column of u32::MAX overflowed when made 1-based for the
        // leak report's "defined at".
        "location-max-line.heapsnapshot",
        r#"{"op":"leaks","facts":[{"name":"1","maxJsId":1,"classCounts":{},"totalSize":0},{"name":"2","maxJsId":9,"classCounts":{},"totalSize":0}]}"#,
    ),
    (
        // Class counts near u64::MAX in the facts: the growth per interval
        // overflowed i64.
        "tiny.heapsnapshot",
        r#"{"op":"leaks","facts":[{"name":"1","maxJsId":0,"classCounts":{"Point":9223372036854775808},"totalSize":0},{"name":"2","maxJsId":9,"classCounts":{"Point":0},"totalSize":0},{"name":"3","maxJsId":10,"classCounts":{"Point":1},"totalSize":0},{"name":"4","maxJsId":11,"classCounts":{"Point":2},"totalSize":0}]}"#,
    ),
];

#[test]
fn regressions_answer_without_panicking() {
    let _serial = serial();
    for (file, request) in REGRESSIONS {
        let bytes = std::fs::read(common::repo().join("tests/fuzz/corpus").join(file)).unwrap();
        let graph = common::parse_chunked(&bytes, bytes.len()).unwrap();
        let mut session = Session::new(HeapSnapshot::analyze(graph, &mut |_| {}));
        let parsed: Request = serde_json::from_str(request).unwrap();
        assert!(session.query(parsed).is_ok(), "{file}: {request}");
    }
}

#[test]
fn snapshot_target_short_run() {
    let _serial = serial();
    let tally = snapshot_campaign(1, 0, 2000);
    eprintln!("snapshot target: {tally:?}");
    assert_clean("snapshot", &tally);
    // The mutations must leave enough files valid to reach the analyses.
    assert!(tally.accepted * 5 > tally.execs, "{tally:?}");
}

#[test]
fn query_target_short_run() {
    let _serial = serial();
    let tally = query_campaign(1, 0, 2000);
    eprintln!("query target: {tally:?}");
    assert_clean("query", &tally);
    // Most requests are well-formed, so they reach the session.
    assert!(tally.rejected_requests * 4 < tally.requests, "{tally:?}");
}

/// The long campaign of `scripts/fuzz.sh`: `HEAPLENS_FUZZ_TARGET`
/// (`snapshot` or `query`), `HEAPLENS_FUZZ_SEED`, `HEAPLENS_FUZZ_START`,
/// `HEAPLENS_FUZZ_EXECS`; prints one line of counts.
#[test]
#[ignore = "long; run by scripts/fuzz.sh"]
fn campaign() {
    let _serial = serial();
    let var = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let target = std::env::var("HEAPLENS_FUZZ_TARGET").unwrap_or_else(|_| "snapshot".into());
    let (seed, start, execs) = (
        var("HEAPLENS_FUZZ_SEED", 1),
        var("HEAPLENS_FUZZ_START", 0),
        var("HEAPLENS_FUZZ_EXECS", 100_000),
    );
    let clock = Instant::now();
    let tally = match target.as_str() {
        "snapshot" => snapshot_campaign(seed, start, execs),
        "query" => query_campaign(seed, start, execs),
        other => panic!("no fuzz target {other:?}"),
    };
    let secs = clock.elapsed().as_secs_f64();
    println!(
        "FUZZ target={target} seed={seed} start={start} execs={} accepted={} requests={} rejected_requests={} panics={} peak_bytes={} seconds={secs:.1} execs_per_sec={:.0}",
        tally.execs,
        tally.accepted,
        tally.requests,
        tally.rejected_requests,
        tally.panics.len(),
        tally.peak,
        tally.execs as f64 / secs
    );
    for file in &tally.panics {
        println!("FUZZ finding {file}");
    }
    assert_clean(&target, &tally);
}
