//! `heaplens record`: drives a Node process (started here or already running
//! with `--inspect`) or a Chromium tab over the DevTools protocol: samples
//! the heap used after a forced GC, takes heap snapshots streamed to disk
//! chunk by chunk, then prints the leak report of the folder it wrote.

use crate::devtools::{find_target, http_json, start, to_stderr, Connection};
use heaplens::bail;
use heaplens::error::{Error, Result};
use serde_json::{json, Value};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const USAGE: &str = "\
heaplens record: sample a running program's heap, snapshot it, report its leaks

usage:
  heaplens record [OPTIONS] -- node APP.js [ARGS...]   start APP.js with --inspect=127.0.0.1:0
  heaplens record [OPTIONS] --inspect HOST:PORT        attach to node --inspect (or to
                                                       chromium --remote-debugging-port)

options:
  --interval SECS   seconds between samples (force GC, read heap used); default 5
  --snapshots N     heap snapshots to take; default 4
  --every K         a snapshot every K samples; default 1
  --every enter     a snapshot each time Enter is pressed (samples go on meanwhile)
  --between 'CMD'   run `sh -c CMD` before each snapshot (a load script, a test suite)
  --out DIR         where to write; default heaplens-record-YYYYMMDD-HHMMSS (UTC)
  --tab TEXT        with --inspect on Chromium: the tab whose URL contains TEXT
  --json, --top N, --format text|markdown, --fail-on growing, --min-count N, --min-bytes N
                    the leak report's options, as `heaplens leaks` takes them

DIR gets 1.heapsnapshot ... N.heapsnapshot, heap-usage.json (bytes used after each forced GC,
a JSON array the page's Growth view imports) and record.json (target, versions, timings).
";

/// What to record.
enum Target {
    /// Start this command (node and its arguments) with an inspector.
    Start(Vec<String>),
    /// Attach to the inspector at this address, a tab by URL if given.
    Attach {
        address: String,
        tab: Option<String>,
    },
}

struct Plan {
    target: Target,
    interval: Duration,
    snapshots: usize,
    /// Samples per snapshot; `None`: a snapshot on each Enter.
    every: Option<usize>,
    between: Option<String>,
    out: PathBuf,
    /// The leak report's options, for `crate::options`.
    report: Vec<String>,
}

fn plan(args: &[String]) -> Result<Option<Plan>> {
    let mut inspect = None;
    let mut tab = None;
    let mut interval = 5.0;
    let mut snapshots = 4;
    let mut every = Some(1);
    let mut between = None;
    let mut out = None;
    let mut report = Vec::new();
    let mut command = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--help" | "-h" => return Ok(None),
            "--" => command = it.by_ref().cloned().collect(),
            "--inspect" => inspect = Some(crate::value::<String>(a, &mut it)?),
            "--tab" => tab = Some(crate::value::<String>(a, &mut it)?),
            "--interval" => interval = crate::value::<f64>(a, &mut it)?,
            "--snapshots" => snapshots = crate::value(a, &mut it)?,
            "--every" => {
                every = match crate::value::<String>(a, &mut it)?.as_str() {
                    "enter" => None,
                    k => match k.parse() {
                        Ok(k) if k >= 1 => Some(k),
                        _ => bail!("--every {k}: give a number of samples (1 or more) or enter"),
                    },
                }
            }
            "--between" => between = Some(crate::value::<String>(a, &mut it)?),
            "--out" => out = Some(PathBuf::from(crate::value::<String>(a, &mut it)?)),
            "--json" => report.push(a.clone()),
            "--top" | "--format" | "--fail-on" | "--min-count" | "--min-bytes" => {
                report.push(a.clone());
                report.push(crate::value::<String>(a, &mut it)?);
            }
            _ => bail!(
                "record: unknown argument {a:?} (the program to start goes after --)\n\n{USAGE}"
            ),
        }
    }
    if !(0.01..=3600.0).contains(&interval) {
        bail!("--interval {interval}: give seconds between 0.01 and 3600");
    }
    if snapshots < 2 {
        bail!("--snapshots {snapshots}: a leak report needs 2 or more (4 to see growth in every interval)");
    }
    let target = match (inspect, command.is_empty()) {
        (Some(address), true) => Target::Attach { address, tab },
        (None, false) if tab.is_none() => Target::Start(command),
        (None, true) => bail!("record what? give -- node APP.js, or --inspect HOST:PORT\n\n{USAGE}"),
        _ => bail!("record starts a program (-- node APP.js) or attaches to one (--inspect HOST:PORT, --tab), not both"),
    };
    let out = out.unwrap_or_else(|| {
        let (y, mo, d, h, mi, s) = utc(SystemTime::now());
        PathBuf::from(format!(
            "heaplens-record-{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}"
        ))
    });
    Ok(Some(Plan {
        target,
        interval: Duration::from_secs_f64(interval),
        snapshots,
        every,
        between,
        out,
        report,
    }))
}

/// `heaplens record …`: records, then prints the leak report (its exit
/// status is the report's, `--fail-on` included).
pub fn run(args: &[String]) -> Result<ExitCode> {
    let Some(plan) = plan(args)? else {
        for line in USAGE.lines() {
            crate::write_raw(line);
        }
        return Ok(ExitCode::SUCCESS);
    };
    let mut report = crate::options(&plan.report)?;
    crate::leaks::check_leak_options(&report, plan.snapshots)?;
    check_folder(&plan.out)?;
    let (mut target, description) = match &plan.target {
        Target::Start(command) => {
            let (process, url) = start(command)?;
            (
                Connection::open(&url, Some(process))?,
                json!({ "command": command }),
            )
        }
        Target::Attach { address, tab } => {
            let (url, about) = find_target(address, tab.as_deref())?;
            (Connection::open(&url, None)?, about)
        }
    };
    std::fs::create_dir_all(&plan.out)
        .map_err(|e| Error::new(format!("{}: {e}", plan.out.display())))?;
    let versions = http_json(target.address, "/json/version").unwrap_or(Value::Null);
    let mut rec = Recording::default();
    let outcome = record(&mut target, &plan, &mut rec);
    drop(target);
    let written = rec.write(&plan, description, versions, outcome.as_ref().err());
    let dir = plan.out.display();
    if let Err(e) = outcome {
        let kept = rec.snapshots.len();
        let next = match kept {
            0 | 1 => String::new(),
            _ => format!(" (heaplens leaks {dir} reports on them)"),
        };
        bail!(
            "{e}\nkept {kept} snapshot(s) and {} heap-usage sample(s) in {dir}{next}",
            rec.samples.len()
        );
    }
    written?;
    eprintln!(
        "recorded {} snapshots and {} heap-usage samples in {dir}",
        rec.snapshots.len(),
        rec.samples.len()
    );
    report.files = rec.snapshots.iter().map(|s| s.path.clone()).collect();
    crate::leaks::run(&report)
}

/// Refuses a folder that already holds files: a recording never mixes
/// with another's snapshots.
fn check_folder(dir: &Path) -> Result<()> {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    if entries.next().is_some() {
        bail!(
            "{} is not empty: give --out a new or empty folder",
            dir.display()
        );
    }
    Ok(())
}

/// What a recording has written so far.
#[derive(Default)]
struct Recording {
    /// Milliseconds since the start, bytes used after GC.
    samples: Vec<(u64, u64)>,
    snapshots: Vec<Written>,
    started: Option<(Instant, SystemTime)>,
}

struct Written {
    path: String,
    at_ms: u64,
    seconds: f64,
    bytes: u64,
}

impl Recording {
    fn elapsed_ms(&self) -> u64 {
        self.started
            .map_or(0, |(at, _)| at.elapsed().as_millis() as u64)
    }

    /// Writes `heap-usage.json` and `record.json` (also after a failure).
    fn write(
        &self,
        plan: &Plan,
        target: Value,
        versions: Value,
        failure: Option<&Error>,
    ) -> Result<()> {
        let started_at = self.started.map(|(_, at)| {
            let (y, mo, d, h, mi, s) = utc(at);
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
        });
        let usage: Vec<u64> = self.samples.iter().map(|s| s.1).collect();
        let record = json!({
            "heaplens": env!("CARGO_PKG_VERSION"),
            "target": target,
            "versions": versions,
            "started_at": started_at,
            "interval_seconds": plan.interval.as_secs_f64(),
            "every": plan.every.map_or(json!("enter"), |k| json!(k)),
            "between": plan.between,
            "sample_times_ms": self.samples.iter().map(|s| s.0).collect::<Vec<_>>(),
            "snapshots": self.snapshots.iter().map(|s| json!({
                "file": Path::new(&s.path).file_name().map(|f| f.to_string_lossy()),
                "at_ms": s.at_ms,
                "seconds": s.seconds,
                "bytes": s.bytes,
            })).collect::<Vec<_>>(),
            "error": failure.map(Error::message),
        });
        for (name, value) in [("heap-usage.json", json!(usage)), ("record.json", record)] {
            let path = plan.out.join(name);
            let text = serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
            std::fs::write(&path, text)
                .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
        }
        Ok(())
    }
}

/// The recording itself: a sample every interval, a snapshot every
/// `every` samples or on Enter (after the `--between` command).
fn record(target: &mut Connection, plan: &Plan, rec: &mut Recording) -> Result<()> {
    target.call("HeapProfiler.enable", json!({}))?;
    // A node that ends while a debugger is attached waits for it to let go,
    // silently unless asked to say so (Chromium has no such domain).
    let _ = target.call(
        "NodeRuntime.notifyWhenWaitingForDisconnect",
        json!({ "enabled": true }),
    );
    let trigger = match plan.every {
        Some(k) => Trigger::Samples(k),
        None => Trigger::Enter(enter_presses()),
    };
    rec.started = Some((Instant::now(), SystemTime::now()));
    let mut next = Instant::now();
    while rec.snapshots.len() < plan.snapshots {
        let n = rec.snapshots.len() + 1;
        next += plan.interval;
        let wait = next.saturating_duration_since(Instant::now());
        let snapshot = match &trigger {
            Trigger::Enter(presses) => match presses.recv_timeout(wait) {
                Ok(()) => true,
                Err(mpsc::RecvTimeoutError::Timeout) => false,
                Err(mpsc::RecvTimeoutError::Disconnected) => bail!(
                    "stdin closed before snapshot {n}/{}: --every enter takes one per Enter",
                    plan.snapshots
                ),
            },
            Trigger::Samples(k) => {
                std::thread::sleep(wait);
                (rec.samples.len() + 1).is_multiple_of(*k)
            }
        };
        if let (Some(command), true) = (&plan.between, snapshot) {
            target.alive()?;
            between(command)?;
        }
        target.alive()?;
        target.call("HeapProfiler.collectGarbage", json!({}))?;
        let usage = target.call("Runtime.getHeapUsage", json!({}))?;
        let Some(used) = usage.get("usedSize").and_then(Value::as_f64) else {
            bail!("Runtime.getHeapUsage answered without usedSize: {usage}");
        };
        rec.samples.push((rec.elapsed_ms(), used as u64));
        if snapshot {
            let path = plan.out.join(format!("{n}.heapsnapshot"));
            let at_ms = rec.elapsed_ms();
            let start = Instant::now();
            let bytes = target.snapshot(&path, &format!("snapshot {n}/{}", plan.snapshots))?;
            rec.snapshots.push(Written {
                path: path.to_string_lossy().into_owned(),
                at_ms,
                seconds: start.elapsed().as_secs_f64(),
                bytes,
            });
        }
        next = next.max(Instant::now());
    }
    Ok(())
}

/// When to take the next snapshot.
enum Trigger {
    /// With every K-th sample.
    Samples(usize),
    /// When a line comes from [`enter_presses`].
    Enter(mpsc::Receiver<()>),
}

/// A message per line read on stdin (per Enter), from a thread of its own;
/// the channel closes with stdin.
fn enter_presses() -> mpsc::Receiver<()> {
    eprintln!("press Enter to take each heap snapshot");
    let (press, presses) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if line.is_err() || press.send(()).is_err() {
                break;
            }
        }
    });
    presses
}

/// Runs the `--between` command; its output goes to stderr (stdout is the
/// report's).
fn between(command: &str) -> Result<()> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Error::new(format!("--between: cannot run sh ({e})")))?;
    let copied = child.stdout.take().map(to_stderr);
    let status = child
        .wait()
        .map_err(|e| Error::new(format!("--between {command:?}: {e}")))?;
    if let Some(copied) = copied {
        let _ = copied.join();
    }
    if !status.success() {
        bail!("--between {command:?} failed ({status}): fix the command, or record without it");
    }
    Ok(())
}

/// Year, month, day, hour, minute, second of `at`, in UTC.
fn utc(at: SystemTime) -> (i64, u32, u32, u32, u32, u32) {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400) as u32);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, rest / 3600, rest / 60 % 60, rest % 60)
}
