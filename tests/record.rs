//! `heaplens record` against real processes (a leaking node HTTP server
//! driven by a `--between` load script, its fixed control, one already
//! running under `--inspect`, one that exits mid-recording, a headless
//! Chromium tab), and the CI gate `leaks --fail-on growing` and `--format
//! markdown` that record feeds.

mod common;

use common::{arg, cli, cli_within, generate, repo, TempDir};
use serde_json::Value;
use std::io::Write;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A recording of 4 rounds at 0.2 s takes seconds; this is the give-up time.
const LIMIT: Duration = Duration::from_secs(180);
/// Requests per round of load.
const PER_ROUND: usize = 100;

fn fixture(name: &str) -> String {
    arg(&repo().join("tests/fixtures/record").join(name)).to_owned()
}

/// `--between` for a round of load on the server whose port is in `port_file`.
fn load(port_file: &Path) -> String {
    format!(
        "node '{}' '{}' {PER_ROUND}",
        fixture("load.cjs"),
        arg(port_file)
    )
}

/// Runs `heaplens record ARGS`; returns its status, stdout and stderr.
fn record(args: &[&str]) -> (ExitStatus, String, String) {
    let mut all = vec!["record"];
    all.extend_from_slice(args);
    cli_within(&all, LIMIT).expect("heaplens record finishes")
}

/// Records the fixture server (with `server_flags`) for 4 snapshots under
/// load, with the leak report as JSON and the CI gate on.
fn record_server(dir: &Path, server_flags: &[&str]) -> (ExitStatus, Value, String) {
    let port_file = dir.join("port");
    let out = dir.join("out");
    let between = load(&port_file);
    let server = fixture("leaky-server.cjs");
    let mut args = vec![
        "--interval",
        "0.2",
        "--snapshots",
        "4",
        "--between",
        &between,
        "--out",
        arg(&out),
        "--json",
        "--fail-on",
        "growing",
        "--",
        "node",
        &server,
        arg(&port_file),
    ];
    args.extend_from_slice(server_flags);
    let (status, stdout, stderr) = record(&args);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}); stderr: {stderr}"));
    (status, report, stderr)
}

fn json_file(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn snapshot_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "heapsnapshot"))
        .collect();
    files.sort();
    files
}

#[test]
fn recording_a_leaking_server_writes_the_folder_and_the_report_names_its_class() {
    let dir = TempDir::new("record-leak");
    let (status, report, stderr) = record_server(dir.path(), &[]);
    assert_eq!(
        status.code(),
        Some(3),
        "the gate fails on the leak; {stderr}"
    );
    assert!(stderr.contains("RequestTrace"), "{stderr}");

    let out = dir.path().join("out");
    let names: Vec<String> = snapshot_files(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "1.heapsnapshot",
            "2.heapsnapshot",
            "3.heapsnapshot",
            "4.heapsnapshot"
        ]
    );
    for file in snapshot_files(&out) {
        let (status, _, stderr) = cli(&["summary", arg(&file), "--top", "1"]);
        assert!(status.success(), "{}: {stderr}", file.display());
    }

    let usage = json_file(&out.join("heap-usage.json"));
    let samples = usage.as_array().expect("heap-usage.json is a JSON array");
    assert!(samples.len() >= 4, "{usage}");
    assert!(samples.iter().all(|s| s.as_u64().is_some_and(|b| b > 0)));

    let about = json_file(&out.join("record.json"));
    assert_eq!(about["target"]["command"][0], "node", "{about}");
    assert!(about["versions"]["Browser"]
        .as_str()
        .is_some_and(|b| b.starts_with("node.js/")));
    assert_eq!(
        about["sample_times_ms"].as_array().unwrap().len(),
        samples.len()
    );
    assert_eq!(about["snapshots"].as_array().unwrap().len(), 4);
    assert_eq!(about["error"], Value::Null);

    let first = &report["groups"][0];
    assert_eq!(first["name"], "RequestTrace", "{report}");
    assert_eq!(first["count"], PER_ROUND as u64, "one round of requests");
    assert_eq!(first["growsEveryInterval"], true);
    let path: Vec<&str> = first["path"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["edge"].as_str())
        .collect();
    assert!(path.contains(&"traces"), "{path:?}");

    // The folder is what `leaks` takes again.
    let (status, again, stderr) = cli(&["leaks", arg(&out), "--json"]);
    assert!(status.success(), "{stderr}");
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["groups"][0]["name"], "RequestTrace");
}

#[test]
fn recording_the_fixed_server_passes_the_gate() {
    let dir = TempDir::new("record-fixed");
    let (status, report, stderr) = record_server(dir.path(), &["fixed"]);
    assert!(status.success(), "{stderr}");
    let groups = report["groups"].as_array().unwrap();
    assert!(
        groups.iter().all(|g| g["name"] != "RequestTrace"),
        "{report}"
    );
}

/// `node --inspect=127.0.0.1:0 leaky-server.cjs PORTFILE`, and the port its
/// inspector listens on (from its "Debugger listening on" line).
fn inspected_server(port_file: &Path) -> (Child, String) {
    let mut child = Command::new("node")
        .arg("--inspect=127.0.0.1:0")
        .arg(fixture("leaky-server.cjs"))
        .arg(port_file)
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let line = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("Debugger listening on ws://"))
        .expect("node prints its inspector's address");
    // Keep draining stderr so node never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let address = line
        .split("ws://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    (child, address)
}

#[test]
fn attaching_to_a_running_inspect_process_records_it_and_leaves_it_running() {
    let dir = TempDir::new("record-attach");
    let port_file = dir.path().join("port");
    let (mut server, address) = inspected_server(&port_file);
    let out = dir.path().join("out");
    let between = load(&port_file);
    let (status, stdout, stderr) = record(&[
        "--inspect",
        &address,
        "--interval",
        "0.2",
        "--snapshots",
        "4",
        "--between",
        &between,
        "--out",
        arg(&out),
        "--top",
        "3",
    ]);
    let still_running = server.try_wait().unwrap().is_none();
    let _ = server.kill();
    let _ = server.wait();
    assert!(status.success(), "{stderr}");
    assert!(
        still_running,
        "record leaves a process it attached to running"
    );
    assert_eq!(snapshot_files(&out).len(), 4);
    let first = stdout.lines().nth(2).unwrap_or_default();
    assert!(first.starts_with("RequestTrace "), "{stdout}");
    assert_eq!(
        json_file(&out.join("record.json"))["target"]["inspect"],
        address
    );
}

/// Headless Chromium on a free debugging port with `page` open, killed on drop.
struct Chromium {
    child: Child,
    port: String,
}

impl Chromium {
    fn open(profile: &Path, page: &str) -> Chromium {
        let child = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", arg(profile)))
            .arg(page)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium runs: run scripts/setup.sh --test");
        let mut chromium = Chromium {
            child,
            port: String::new(),
        };
        // Chromium writes the port it chose into the profile.
        let active = profile.join("DevToolsActivePort");
        for _ in 0..300 {
            let text = std::fs::read_to_string(&active).unwrap_or_default();
            if let Some(port) = text.lines().next().filter(|_| text.contains('\n')) {
                chromium.port = port.to_owned();
                return chromium;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromium wrote no {} in 30 s", active.display());
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn recording_a_chromium_tab_picked_by_url_names_the_leaking_class() {
    let dir = TempDir::new("record-tab");
    let page = format!("file://{}", fixture("leaky-page.html"));
    let chromium = Chromium::open(&dir.path().join("profile"), &page);
    let out = dir.path().join("out");
    let address = format!("127.0.0.1:{}", chromium.port);
    let (status, stdout, stderr) = record(&[
        "--inspect",
        &address,
        "--tab",
        "leaky-page",
        "--interval",
        "0.2",
        "--out",
        arg(&out),
        "--json",
    ]);
    assert!(status.success(), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("a JSON report");
    let first = &report["groups"][0];
    assert_eq!(first["name"], "Widget", "{report}");
    assert_eq!(first["growsEveryInterval"], true, "{first}");
    assert_eq!(snapshot_files(&out).len(), 4);
    let about = json_file(&out.join("record.json"));
    assert_eq!(about["target"]["type"], "page", "{about}");
    assert!(about["target"]["url"]
        .as_str()
        .unwrap()
        .ends_with("leaky-page.html"));

    let (status, _, stderr) = record(&["--inspect", &address, "--tab", "no-such-tab"]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("0 of the"), "{stderr}");
}

#[test]
fn a_process_that_exits_mid_recording_keeps_the_snapshots_written_so_far() {
    let dir = TempDir::new("record-exit");
    let port_file = dir.path().join("port");
    let out = dir.path().join("out");
    let between = load(&port_file);
    let server = fixture("leaky-server.cjs");
    // The server exits once the second round's last request is answered.
    let exit_after = format!("exit-after={}", 2 * PER_ROUND);
    let (status, stdout, stderr) = record(&[
        "--interval",
        "0.2",
        "--between",
        &between,
        "--out",
        arg(&out),
        "--",
        "node",
        &server,
        arg(&port_file),
        &exit_after,
    ]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("exit"), "says the process exited: {stderr}");
    assert!(
        stderr.contains(&format!(
            "kept 1 snapshot(s) and 1 heap-usage sample(s) in {}",
            arg(&out)
        )),
        "{stderr}"
    );
    assert_eq!(snapshot_files(&out), [out.join("1.heapsnapshot")]);
    let (summary, _, summary_err) = cli(&["summary", arg(&out.join("1.heapsnapshot"))]);
    assert!(
        summary.success(),
        "the kept snapshot is whole: {summary_err}"
    );
    assert_eq!(
        json_file(&out.join("heap-usage.json"))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let about = json_file(&out.join("record.json"));
    assert!(
        about["error"].as_str().is_some_and(|e| e.contains("exit")),
        "{about}"
    );
}

/// Runs `heaplens record ARGS`, pressing Enter `presses` times half a
/// second apart, then closing its stdin.
fn record_pressing_enter(args: &[&str], presses: usize) -> (ExitStatus, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_heaplens"))
        .arg("record")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the heaplens binary runs");
    let mut stdin = child.stdin.take().unwrap();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    for _ in 0..presses {
        std::thread::sleep(Duration::from_millis(500));
        let _ = writeln!(stdin);
    }
    drop(stdin);
    let out = finished
        .recv_timeout(LIMIT)
        .expect("heaplens record finishes")
        .unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_enter_takes_a_snapshot_per_enter_and_stops_when_stdin_closes_early() {
    let dir = TempDir::new("record-enter");
    let server = fixture("leaky-server.cjs");
    let port_file = dir.path().join("port");
    let out = dir.path().join("out");
    let args = [
        "--every",
        "enter",
        "--snapshots",
        "2",
        "--interval",
        "0.1",
        "--out",
        arg(&out),
        "--",
        "node",
        &server,
        arg(&port_file),
    ];
    let (status, _, stderr) = record_pressing_enter(&args, 2);
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("press Enter"), "{stderr}");
    assert_eq!(snapshot_files(&out).len(), 2);
    let about = json_file(&out.join("record.json"));
    assert_eq!(about["every"], "enter", "{about}");
    assert!(about["sample_times_ms"].as_array().unwrap().len() >= 2);

    let early = dir.path().join("early");
    let mut args = args;
    args[7] = arg(&early);
    let (status, _, stderr) = record_pressing_enter(&args, 1);
    assert_eq!(status.code(), Some(1));
    assert!(
        stderr.contains("stdin closed before snapshot 2/2"),
        "{stderr}"
    );
    assert_eq!(snapshot_files(&early).len(), 1);
}

#[test]
fn record_attaches_over_loopback_only_and_says_what_to_give() {
    let (status, _, stderr) = record(&["--inspect", "10.1.2.3:9229"]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("loopback only"), "{stderr}");
    let (_, _, stderr) = record(&["--", "python3", "app.py"]);
    assert!(stderr.contains("record starts node programs"), "{stderr}");
    let (_, _, stderr) = record(&[]);
    assert!(stderr.contains("record what?"), "{stderr}");
    let (_, _, stderr) = record(&["--snapshots", "3", "--fail-on", "growing", "--", "node"]);
    assert!(stderr.contains("needs 4 or more snapshots"), "{stderr}");
}

/// `heaplens leaks FILES… OPTIONS…`.
fn leaks(files: &[PathBuf], options: &[&str]) -> (ExitStatus, String, String) {
    let mut args = vec!["leaks"];
    args.extend(files.iter().map(|f| arg(f)));
    args.extend_from_slice(options);
    cli(&args)
}

#[test]
fn fail_on_growing_exits_3_on_the_classic_leak_and_0_on_steady_allocation() {
    let leak = generate("classic-leak", 4);
    let gate = ["--fail-on", "growing"];
    let (status, stdout, stderr) = leaks(&leak, &gate);
    assert_eq!(status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("SimpleClass \u{d7}1000"), "{stderr}");
    assert!(
        stdout.contains("first group: SimpleClass"),
        "text stays the default"
    );

    // Thresholds: 1000 objects of 80 kB retained pass a higher bar.
    let (status, _, _) = leaks(&leak, &[&gate[..], &["--min-count", "1001"]].concat());
    assert!(status.success());
    let (status, _, _) = leaks(&leak, &[&gate[..], &["--min-bytes", "1000000"]].concat());
    assert!(status.success());

    let (status, _, stderr) = leaks(&generate("steady-allocation", 4), &gate);
    assert!(status.success(), "{stderr}");
}

#[test]
fn fail_on_growing_needs_four_snapshots_and_only_leaks_takes_it() {
    let leak = generate("classic-leak", 4);
    let (status, _, stderr) = leaks(&leak[..3], &["--fail-on", "growing"]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("needs 4 or more snapshots"), "{stderr}");
    let (status, _, stderr) = cli(&["summary", arg(&leak[0]), "--fail-on", "growing"]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("an option of leaks"), "{stderr}");
}

#[test]
fn markdown_format_is_a_job_summary_table_with_the_first_path() {
    let leak = generate("classic-leak", 4);
    let (status, stdout, stderr) = leaks(&leak, &["--format", "markdown"]);
    assert!(status.success(), "{stderr}");
    assert!(
        stdout.contains("| Class | Count | Retained | Grows | Location | Why |"),
        "{stdout}"
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("| SimpleClass |"))
        .unwrap_or_else(|| panic!("no SimpleClass row: {stdout}"));
    assert!(
        row.contains("| 1000 |") && row.contains("every interval"),
        "{row}"
    );
    assert!(row.contains("classic-leak.cjs:"), "the location: {row}");
    assert!(stdout.contains("--leakyData--> Array"), "{stdout}");
    assert!(stdout.contains("\n```text\n"), "{stdout}");
}

#[test]
fn leaks_of_a_folder_reads_its_snapshots_in_numeric_order() {
    let leak = generate("classic-leak", 4);
    let dir = TempDir::new("leaks-folder");
    // A shell glob would put 10, 11 and 12 before 9.
    for (file, n) in leak.iter().zip(9..) {
        std::fs::copy(file, dir.path().join(format!("{n}.heapsnapshot"))).unwrap();
    }
    std::fs::write(dir.path().join("heap-usage.json"), "[1, 2]").unwrap();
    let (status, stdout, stderr) = cli(&["leaks", arg(dir.path()), "--json"]);
    assert!(status.success(), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["warnings"],
        serde_json::json!([]),
        "in capture order"
    );
    assert_eq!(report["groups"][0]["name"], "SimpleClass");

    let empty = TempDir::new("leaks-empty");
    let (status, _, stderr) = cli(&["leaks", arg(empty.path())]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("holds no .heapsnapshot file"), "{stderr}");
}
