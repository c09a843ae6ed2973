//! Helpers shared by the integration tests: private temp dirs, real
//! snapshots written by node, Chrome DevTools' own numbers (the oracle), and
//! the two front doors of heaplens (the streaming parser and the CLI binary).
//!
//! Each test binary compiles this module separately and uses a different
//! part of it, hence the `dead_code` allowance.
#![allow(dead_code)]

use heaplens::analysis::HeapSnapshot;
use heaplens::query::Session;
use heaplens::snapshot::{Graph, Parser};
use std::collections::HashMap;
use std::hash::Hash;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A prime chunk size, so chunk borders fall at a different place in every
/// row, number and string of a snapshot.
pub const ODD_CHUNK: usize = 7919;

const SETUP_HINT: &str = "run scripts/setup.sh --test";
const TEMP_PREFIX: &str = "heaplens-test-";

/// The crate root (where `tests/` and `Cargo.toml` are).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A private directory under the system temp dir, removed on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Makes a fresh, empty directory whose name holds the process id, a
    /// per-process counter and `label`, so parallel tests never share one.
    pub fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        static SWEPT: OnceLock<()> = OnceLock::new();
        SWEPT.get_or_init(sweep_stale_dirs);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("{TEMP_PREFIX}{}-{n}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create temp dir {}: {e}", path.display()));
        TempDir { path }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A test that fails leaves its directories behind; they are removed by the
/// next test run instead, once their process is gone.
fn sweep_stale_dirs() {
    // Liveness is read from /proc; elsewhere leave everything in place.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A table of values computed once per key.
type Memo<K, V> = OnceLock<Mutex<HashMap<K, Arc<OnceLock<V>>>>>;

/// Computes `make(key)` once per key per test binary; concurrent callers of
/// the same key wait for the first, different keys run in parallel.
fn memo<K, V>(table: &'static Memo<K, V>, key: K, make: impl FnOnce(&K) -> V) -> V
where
    K: Eq + Hash + Clone,
    V: Clone,
{
    let cell = {
        let mut map = table
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        map.entry(key.clone()).or_default().clone()
    };
    cell.get_or_init(|| make(&key)).clone()
}

/// Fails the test with the set-up hint unless Debian's Chromium and npm
/// playwright-core (which drives it) are installed.
pub fn require_chromium() {
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: {SETUP_HINT}"
    );
    assert!(
        repo().join("tests/node_modules/playwright-core").is_dir(),
        "tests/node_modules/playwright-core is missing: {SETUP_HINT}"
    );
}

/// Fails the test with the set-up hint unless node and the test-only npm
/// packages are installed.
fn require_node() {
    let node = Command::new("node").arg("--version").output();
    if !matches!(&node, Ok(o) if o.status.success()) {
        panic!("node is not installed or does not run: {SETUP_HINT}");
    }
    let toolkit = repo().join("tests/node_modules/heap-snapshot-toolkit");
    if !toolkit.is_dir() {
        panic!("{} is missing: {SETUP_HINT}", toolkit.display());
    }
}

/// Runs `tests/fixtures/programs/{program}.cjs` under node to write `count`
/// real heap snapshots, once per test binary, and returns their paths in
/// capture order (`1.heapsnapshot` first).
pub fn generate(program: &str, count: usize) -> Vec<PathBuf> {
    let script = repo().join(format!("tests/fixtures/programs/{program}.cjs"));
    write_snapshots(&script, &["--expose-gc"], program, count)
}

/// Runs `node [NODE_ARGS] SCRIPT DIR COUNT`, a script that writes
/// `DIR/1.heapsnapshot` … `DIR/COUNT.heapsnapshot`, and returns the files
/// (see [`write_snapshots_with`]).
pub fn write_snapshots(
    script: &Path,
    node_args: &[&str],
    label: &str,
    count: usize,
) -> Vec<PathBuf> {
    write_snapshots_with(script, node_args, &[], label, count)
}

/// Runs Chrome DevTools' heap snapshot worker on snapshots:
/// `node tests/oracle/devtools.mjs ARGS…`, parsed as JSON. Memoised per
/// argument list, since several tests ask for the same numbers.
pub fn oracle(args: &[&str]) -> serde_json::Value {
    run_oracle("devtools.mjs", args)
}

/// The same with today's DevTools worker (chrome-devtools-frontend, bundled
/// by `tests/oracle/devtools-today.mjs`): named filters, duplicated strings.
pub fn oracle_today(args: &[&str]) -> serde_json::Value {
    run_oracle("devtools-today.mjs", args)
}

/// DevTools' `HeapProfileView` trees of a `.heapprofile`, run in Chromium
/// by `tests/oracle/devtools-heapprofile.mjs`.
pub fn oracle_heapprofile(args: &[&str]) -> serde_json::Value {
    run_oracle("devtools-heapprofile.mjs", args)
}

fn run_oracle(script: &str, args: &[&str]) -> serde_json::Value {
    static RESULTS: Memo<Vec<String>, serde_json::Value> = OnceLock::new();
    let key: Vec<String> = std::iter::once(script)
        .chain(args.iter().copied())
        .map(str::to_owned)
        .collect();
    memo(&RESULTS, key, |key| {
        let (script, args) = (&key[0], &key[1..]);
        require_node();
        // Kept across runs beside the cached snapshots (see
        // `write_snapshots_with`), keyed by the oracle's code and arguments
        // and by the size and time of every file it reads.
        let cached = oracle_cache_file(key);
        if let Some(value) = std::fs::read(&cached)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        {
            return value;
        }
        let mut node = Command::new("node");
        node.arg("--max-old-space-size=4000")
            .arg(repo().join("tests/oracle").join(script))
            .args(args);
        let out = run_node(node, &format!("(the DevTools oracle) on {args:?}"));
        let value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("the DevTools oracle printed no JSON for {args:?}: {e}"));
        let _ = std::fs::create_dir_all(cached.parent().unwrap_or(Path::new(".")));
        let partial = cached.with_extension(format!("partial-{}", std::process::id()));
        if std::fs::write(&partial, &out.stdout).is_ok() {
            let _ = std::fs::rename(&partial, &cached);
        }
        value
    })
}

/// The file that keeps one oracle answer across runs.
fn oracle_cache_file(key: &[String]) -> PathBuf {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    let mut oracle_files = Vec::new();
    collect_files(&repo().join("tests/oracle"), &mut oracle_files);
    oracle_files.sort();
    for file in oracle_files {
        h.write(&std::fs::read(&file).unwrap_or_default());
    }
    for arg in key {
        if let Ok(meta) = std::fs::metadata(arg) {
            meta.len().hash(&mut h);
            meta.modified().ok().hash(&mut h);
        }
    }
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("oracle")
        .join(format!("{:016x}.json", h.finish()))
}

/// Path as a `&str` argument for the oracle and the CLI.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// Feeds `bytes` to a fresh streaming parser in `chunk`-byte pieces.
pub fn parse_chunked(bytes: &[u8], chunk: usize) -> heaplens::Result<Graph> {
    let mut parser = Parser::new();
    for piece in bytes.chunks(chunk.max(1)) {
        parser.push(piece)?;
    }
    parser.finish()
}

/// Feeds `bytes` split at the given ascending offsets.
pub fn parse_split(bytes: &[u8], splits: &[usize]) -> heaplens::Result<Graph> {
    let mut parser = Parser::new();
    let mut start = 0;
    for &at in splits.iter().chain(std::iter::once(&bytes.len())) {
        parser.push(&bytes[start..at])?;
        start = at;
    }
    parser.finish()
}

/// Parses a snapshot file through the streaming parser in [`ODD_CHUNK`]
/// pieces and runs every analysis.
pub fn open(path: &Path) -> Session {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let graph = parse_chunked(&bytes, ODD_CHUNK)
        .unwrap_or_else(|e| panic!("heaplens rejected {}: {e}", path.display()));
    Session::new(HeapSnapshot::analyze(graph, &mut |_| {}))
}

/// Runs `f` on the file's session, [`open`]ed once per test binary and
/// shared by every test that reads the same file.
pub fn with_session<R>(path: &Path, f: impl FnOnce(&mut Session) -> R) -> R {
    static SESSIONS: Memo<PathBuf, Arc<Mutex<Session>>> = OnceLock::new();
    let session = memo(&SESSIONS, path.to_owned(), |path| {
        Arc::new(Mutex::new(open(path)))
    });
    let mut guard = session.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut guard)
}

/// Runs the `heaplens` binary; returns its exit status, stdout and stderr.
pub fn cli(args: &[&str]) -> (ExitStatus, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_heaplens"))
        .args(args)
        .output()
        .expect("the heaplens binary runs");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the `heaplens` binary but gives up after `limit`: `None` when it
/// had not finished by then (it is killed).
pub fn cli_within(args: &[&str], limit: Duration) -> Option<(ExitStatus, String, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_heaplens"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the heaplens binary runs");
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waiting for heaplens") {
            return Some((status, stdout.join().unwrap(), stderr.join().unwrap()));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A small snapshot cut from a real one: the first `keep` nodes in
/// breadth-first order from the root, the edges among them, and the strings
/// they name, written in V8's own layout (one node or edge row per line).
/// The header (meta, field and type lists) is V8's, byte for byte, apart
/// from the two counts.
pub fn shrink_snapshot(real: &[u8], keep: usize) -> Vec<u8> {
    let v: serde_json::Value = serde_json::from_slice(real).expect("a real snapshot is JSON");
    let meta = &v["snapshot"]["meta"];
    let names = |list: &serde_json::Value| -> Vec<String> {
        list.as_array()
            .expect("a field list")
            .iter()
            .map(|s| s.as_str().expect("a field name").to_owned())
            .collect()
    };
    let node_fields = names(&meta["node_fields"]);
    let edge_fields = names(&meta["edge_fields"]);
    let edge_types = names(&meta["edge_types"][0]);
    let nf = node_fields.len();
    let ef = edge_fields.len();
    let pos = |list: &[String], name: &str| list.iter().position(|f| f == name).unwrap();
    let (n_name, n_edges) = (pos(&node_fields, "name"), pos(&node_fields, "edge_count"));
    let (e_type, e_name, e_to) = (
        pos(&edge_fields, "type"),
        pos(&edge_fields, "name_or_index"),
        pos(&edge_fields, "to_node"),
    );
    let numeric_name = [pos(&edge_types, "element"), pos(&edge_types, "hidden")];
    let ints = |key: &str| -> Vec<u64> {
        v[key]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_u64().unwrap()).collect())
            .unwrap_or_default()
    };
    let (nodes, edges, locations) = (ints("nodes"), ints("edges"), ints("locations"));
    let strings: Vec<&str> = v["strings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let node_count = nodes.len() / nf;
    let mut first_edge = vec![0usize; node_count + 1];
    for n in 0..node_count {
        first_edge[n + 1] = first_edge[n] + nodes[n * nf + n_edges] as usize;
    }

    // Breadth-first from the root; `new_of[old]` is the kept ordinal.
    let mut new_of = vec![usize::MAX; node_count];
    let mut order = vec![0usize];
    new_of[0] = 0;
    let mut head = 0;
    while head < order.len() && order.len() < keep {
        let n = order[head];
        head += 1;
        for e in first_edge[n]..first_edge[n + 1] {
            let to = edges[e * ef + e_to] as usize / nf;
            if new_of[to] == usize::MAX && order.len() < keep {
                new_of[to] = order.len();
                order.push(to);
            }
        }
    }

    let mut string_of: HashMap<u64, usize> = HashMap::new();
    let mut kept_strings: Vec<&str> = Vec::new();
    let mut string = |old: u64| -> u64 {
        *string_of.entry(old).or_insert_with(|| {
            kept_strings.push(strings[old as usize]);
            kept_strings.len() - 1
        }) as u64
    };
    let mut node_rows = Vec::new();
    let mut edge_rows = Vec::new();
    for &old in &order {
        let mut row: Vec<u64> = nodes[old * nf..(old + 1) * nf].to_vec();
        row[n_name] = string(row[n_name]);
        let mut kept_edges = 0;
        for e in first_edge[old]..first_edge[old + 1] {
            let mut erow: Vec<u64> = edges[e * ef..(e + 1) * ef].to_vec();
            let to = new_of[erow[e_to] as usize / nf];
            if to == usize::MAX {
                continue;
            }
            erow[e_to] = (to * nf) as u64;
            if !numeric_name.contains(&(erow[e_type] as usize)) {
                erow[e_name] = string(erow[e_name]);
            }
            edge_rows.push(erow);
            kept_edges += 1;
        }
        row[n_edges] = kept_edges;
        node_rows.push(row);
    }
    let mut location_rows = Vec::new();
    if let Some(lf) = meta["location_fields"].as_array().map(Vec::len) {
        let object = pos(&names(&meta["location_fields"]), "object_index");
        for row in locations.chunks_exact(lf) {
            let to = new_of[row[object] as usize / nf];
            if to != usize::MAX {
                let mut row = row.to_vec();
                row[object] = (to * nf) as u64;
                location_rows.push(row);
            }
        }
    }

    let mut header = serde_json::to_string(&v["snapshot"]).unwrap();
    // Keep V8's own header text where possible: only the counts change.
    if let Some(text) = header_text(real) {
        header = text;
    }
    header = replace_count(&header, "node_count", node_rows.len());
    header = replace_count(&header, "edge_count", edge_rows.len());

    let rows = |rows: &[Vec<u64>]| -> String {
        rows.iter()
            .map(|r| r.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
            .join("\n,")
    };
    let strings_json = kept_strings
        .iter()
        .map(|s| serde_json::to_string(s).unwrap())
        .collect::<Vec<_>>()
        .join(",\n");
    format!(
        "{{\"snapshot\":{header},\n\"nodes\":[{}],\n\"edges\":[{}],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":[{}],\n\"strings\":[{strings_json}]}}",
        rows(&node_rows),
        rows(&edge_rows),
        rows(&location_rows),
    )
    .into_bytes()
}

/// The `snapshot` header object exactly as it appears in the file.
fn header_text(real: &[u8]) -> Option<String> {
    let head = &real[..real.len().min(64 * 1024)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
    };
    let start = text.find("\"snapshot\":")? + "\"snapshot\":".len();
    let end = text.find(",\n\"nodes\"")?;
    Some(text[start..end].to_owned())
}

fn replace_count(header: &str, key: &str, value: usize) -> String {
    let tag = format!("\"{key}\":");
    let at = header.find(&tag).expect("the header has its counts") + tag.len();
    let digits = header[at..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(header.len() - at);
    format!("{}{value}{}", &header[..at], &header[at + digits..])
}

/// The Statistics buckets DevTools' `getStatistics()` returns, as JSON pointers.
pub const STATISTICS_BUCKETS: [&str; 8] = [
    "/total",
    "/native/total",
    "/native/typedArrays",
    "/v8heap/total",
    "/v8heap/code",
    "/v8heap/jsArrays",
    "/v8heap/strings",
    "/v8heap/system",
];

/// Runs `node [NODE_ARGS] SCRIPT DIR COUNT [SCRIPT_ARGS]`, a script that
/// writes `DIR/1.heapsnapshot` … `DIR/COUNT.heapsnapshot`, once per test
/// binary, and returns the files in capture order.
///
/// The files are kept across runs under cargo's `CARGO_TARGET_TMPDIR`, keyed
/// by every file of the script's fixture folder, the arguments and node's
/// version: a warm run reuses them, an edit to any fixture makes them anew,
/// and `HEAPLENS_FRESH_SNAPSHOTS=1` forces it.
pub fn write_snapshots_with(
    script: &Path,
    node_args: &[&str],
    script_args: &[&str],
    label: &str,
    count: usize,
) -> Vec<PathBuf> {
    type Key = (PathBuf, Vec<String>, Vec<String>, usize);
    static SETS: Memo<Key, Vec<PathBuf>> = OnceLock::new();
    let owned = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let key = (
        script.to_owned(),
        owned(node_args),
        owned(script_args),
        count,
    );
    memo(&SETS, key, |key| {
        require_node();
        let (script, node_args, script_args, count) = key;
        let dir = cache_dir(label, key);
        let files = |dir: &Path| -> Vec<PathBuf> {
            (1..=*count)
                .map(|k| dir.join(format!("{k}.heapsnapshot")))
                .collect()
        };
        let fresh = std::env::var_os("HEAPLENS_FRESH_SNAPSHOTS").is_some_and(|v| v == "1");
        if !fresh && files(&dir).iter().all(|f| f.is_file()) {
            return files(&dir);
        }
        // Written beside the cache and moved in whole, so a run cut short
        // never leaves half a set behind.
        let partial = dir.with_extension(format!("partial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&partial);
        std::fs::create_dir_all(&partial)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", partial.display()));
        let mut node = Command::new("node");
        node.args(node_args)
            .arg(script)
            .arg(&partial)
            .arg(count.to_string())
            .args(script_args);
        run_node(node, &format!("{} {script_args:?}", script.display()));
        for file in files(&partial) {
            assert!(file.is_file(), "{label} did not write {}", file.display());
        }
        let _ = std::fs::remove_dir_all(&dir);
        move_into_place(&partial, &dir);
        files(&dir)
    })
}

/// A snapshot of about `size` bytes (`"8M"`) written by
/// `scripts/make-synthetic-snapshot.mjs` (deterministic: long linked lists,
/// random object graphs, weak refs, objects shared between neighbours), kept
/// like the fixture programs' snapshots.
pub fn synthetic_snapshot(size: &str) -> PathBuf {
    let script = repo().join("scripts/make-synthetic-snapshot.mjs");
    static FILES: Memo<String, PathBuf> = OnceLock::new();
    memo(&FILES, size.to_owned(), |size| {
        require_node();
        let key = (script.clone(), Vec::new(), vec![size.clone()], 1);
        let file = cache_dir("synthetic", &key).with_extension("heapsnapshot");
        if file.is_file() {
            return file;
        }
        let _ = std::fs::create_dir_all(file.parent().unwrap_or(Path::new(".")));
        let partial = file.with_extension(format!("partial-{}", std::process::id()));
        let mut node = Command::new("node");
        node.arg(&script).arg(size).arg(&partial);
        run_node(node, &format!("{} {size}", script.display()));
        move_into_place(&partial, &file);
        file
    })
}

/// Runs `node` (a `Command` for it, from the repository) and returns what
/// it wrote, panicking with its stderr when it fails; `what` names the run.
fn run_node(mut node: Command, what: &str) -> std::process::Output {
    let out = node
        .current_dir(repo())
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): {SETUP_HINT}"));
    assert!(
        out.status.success(),
        "node {what} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Moves what a run wrote beside the cache (`partial`) to `done`, so a run
/// cut short never leaves half a result behind.
fn move_into_place(partial: &Path, done: &Path) {
    std::fs::rename(partial, done)
        .unwrap_or_else(|e| panic!("cannot move {} into place: {e}", partial.display()));
}

/// Where a set of generated snapshots is kept: a folder named after the set
/// and a hash of what makes it (the script's fixture folder, byte for byte,
/// the arguments and node's version).
fn cache_dir(label: &str, key: &(PathBuf, Vec<String>, Vec<String>, usize)) -> PathBuf {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    let node = Command::new("node").arg("--version").output();
    h.write(&node.map(|o| o.stdout).unwrap_or_default());
    let folder = key.0.parent().unwrap_or(Path::new("."));
    let mut files = Vec::new();
    collect_files(folder, &mut files);
    files.sort();
    for file in files {
        file.hash(&mut h);
        h.write(&std::fs::read(&file).unwrap_or_default());
    }
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("snapshots")
        .join(format!("{label}-{:016x}", h.finish()))
}

/// Every file below `dir` (but `node_modules`).
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != "node_modules" {
                collect_files(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

/// A camelCase key of heaplens' JSON as the oracles spell it (snake_case).
pub fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `bytes` gzip-compressed, as a user's `.heapsnapshot.gz`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut out = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    out.write_all(bytes).unwrap();
    out.finish().unwrap()
}
