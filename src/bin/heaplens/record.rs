//! `heaplens record`: drives a Node process (started here or already running
//! with `--inspect`) or a Chromium tab over the DevTools protocol: samples
//! the heap used after a forced GC, takes heap snapshots streamed to disk
//! chunk by chunk, then prints the leak report of the folder it wrote.

use heaplens::bail;
use heaplens::error::{Error, Result};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tungstenite::{Message, WebSocket};

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

/// How long the target may take to answer one message, or a started node
/// to print its inspector's address.
const READ_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest a single protocol call may run (a snapshot of a big heap).
const CALL_TIMEOUT: Duration = Duration::from_secs(1800);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const HTTP_LIMIT: u64 = 1 << 20;

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
    crate::check_leak_options(&report, plan.snapshots)?;
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
    crate::leaks(&report)
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

/// Copies a child's output to our stderr, on a thread of its own.
fn to_stderr(pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut BufReader::new(pipe), &mut std::io::stderr());
    })
}

/// A node process started by `record`, killed when the recording ends.
struct Started {
    child: Child,
    name: String,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `command` (node and its arguments) with an inspector on a free
/// loopback port; returns it and the inspector's WebSocket URL, read from
/// the "Debugger listening on ws://…" line node prints on stderr.
fn start(command: &[String]) -> Result<(Started, String)> {
    let program = &command[0];
    let file_name = Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !file_name.starts_with("node") {
        bail!("record starts node programs (-- node app.js, got {program:?}); start anything else with node's --inspect and attach with --inspect HOST:PORT");
    }
    let mut child = Command::new(program)
        .arg("--inspect=127.0.0.1:0")
        .args(&command[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::new(format!("cannot start {program:?}: {e}")))?;
    if let Some(out) = child.stdout.take() {
        to_stderr(out);
    }
    let (found, url) = mpsc::channel();
    if let Some(err) = child.stderr.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                match line.split_once("Debugger listening on ") {
                    Some((_, url)) => {
                        let _ = found.send(url.trim().to_owned());
                    }
                    // node's own notes about the inspector are noise here.
                    None if line.starts_with("For help, see: https://nodejs.org")
                        || line == "Debugger attached."
                        || line.starts_with("Debugger ending on ")
                        || line.starts_with("Waiting for the debugger to disconnect") => {}
                    None => eprintln!("{}", crate::terminal_safe(&line)),
                }
            }
        });
    }
    let mut started = Started {
        child,
        name: command.join(" "),
    };
    match url.recv_timeout(READ_TIMEOUT) {
        Ok(url) => Ok((started, url)),
        Err(_) => {
            let status = started.child.try_wait().ok().flatten();
            match status {
                Some(status) => bail!(
                    "{} exited ({status}) before its inspector started",
                    started.name
                ),
                None => bail!(
                    "{} printed no \"Debugger listening on ws://…\" line in {} s: is it node?",
                    started.name,
                    READ_TIMEOUT.as_secs()
                ),
            }
        }
    }
}

/// The loopback socket address of `host:port`; any other host is refused:
/// the DevTools protocol runs code in its target.
fn loopback(address: &str) -> Result<SocketAddr> {
    let addrs: Vec<SocketAddr> = address
        .to_socket_addrs()
        .map_err(|e| Error::new(format!("{address}: not a HOST:PORT address ({e})")))?
        .collect();
    match addrs.iter().find(|a| a.ip().is_loopback()) {
        Some(a) if addrs.iter().all(|a| a.ip().is_loopback()) => Ok(*a),
        _ => bail!("{address} is not this machine: record attaches over loopback only (127.0.0.1); for a remote target, forward its port first (ssh -L 9229:127.0.0.1:9229 HOST)"),
    }
}

/// GET `path` from the inspector's HTTP endpoint, as JSON.
fn http_json(address: SocketAddr, path: &str) -> Result<Value> {
    let failed = |e: &dyn std::fmt::Display| Error::new(format!("http://{address}{path}: {e}"));
    let mut stream =
        TcpStream::connect_timeout(&address, CONNECT_TIMEOUT).map_err(|e| failed(&e))?;
    stream
        .set_read_timeout(Some(CONNECT_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(CONNECT_TIMEOUT)))
        .map_err(|e| failed(&e))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| failed(&e))?;
    // Node's inspector keeps the connection open: read what Content-Length says.
    let mut response = Vec::new();
    let mut buf = [0u8; 8192];
    let answer = loop {
        let n = stream.read(&mut buf).map_err(|e| failed(&e))?;
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            });
            if n == 0 || length.is_some_and(|l| body.len() >= l) {
                break (head.to_owned(), body.to_owned());
            }
        }
        if n == 0 || response.len() as u64 > HTTP_LIMIT {
            return Err(failed(&"no HTTP answer: is this a DevTools endpoint?"));
        }
    };
    let (head, body) = answer;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        return Err(failed(&head.lines().next().unwrap_or_default()));
    }
    serde_json::from_str(&body).map_err(|e| failed(&format!("not JSON ({e})")))
}

/// The WebSocket URL of the target at `address` (`/json/list`): the tab
/// whose URL contains `tab`, else the one node target.
fn find_target(address: &str, tab: Option<&str>) -> Result<(String, Value)> {
    let list = http_json(loopback(address)?, "/json/list")?;
    let targets = list.as_array().map_or(&[][..], Vec::as_slice);
    let field = |t: &Value, k: &str| t.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let of_type = |kind: &str| -> Vec<&Value> {
        targets
            .iter()
            .filter(|t| field(t, "type") == kind)
            .collect()
    };
    let chosen = match tab {
        Some(text) => of_type("page")
            .into_iter()
            .filter(|t| field(t, "url").contains(text))
            .collect(),
        None => match of_type("node") {
            nodes if nodes.is_empty() => of_type("page"),
            nodes => nodes,
        },
    };
    let [target] = chosen[..] else {
        let listed: Vec<String> = targets
            .iter()
            .take(10)
            .map(|t| format!("  {} {}", field(t, "type"), field(t, "url")))
            .collect();
        bail!(
            "{} of the {} targets at {address} match{}: pick one with --tab URL-TEXT\n{}",
            chosen.len(),
            targets.len(),
            tab.map_or(String::new(), |t| format!(" --tab {t:?}")),
            listed.join("\n")
        );
    };
    let url = field(target, "webSocketDebuggerUrl");
    if url.is_empty() {
        bail!("the target at {address} has no webSocketDebuggerUrl: is a debugger already attached to it?");
    }
    let about = json!({
        "inspect": address,
        "type": field(target, "type"),
        "title": field(target, "title"),
        "url": field(target, "url"),
    });
    Ok((url, about))
}

/// A DevTools protocol connection, and the process behind it when `record`
/// started it.
struct Connection {
    socket: WebSocket<TcpStream>,
    address: SocketAddr,
    next_id: u64,
    process: Option<Started>,
}

impl Connection {
    fn open(url: &str, process: Option<Started>) -> Result<Connection> {
        let host = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| Error::new(format!("{url}: not a ws:// URL")))?;
        let address = loopback(host)?;
        let failed = |e: &dyn std::fmt::Display| Error::new(format!("{url}: {e}"));
        let stream =
            TcpStream::connect_timeout(&address, CONNECT_TIMEOUT).map_err(|e| failed(&e))?;
        stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .map_err(|e| failed(&e))?;
        let (socket, _) = tungstenite::client::client(url, stream).map_err(|e| failed(&e))?;
        Ok(Connection {
            socket,
            address,
            next_id: 0,
            process,
        })
    }

    /// Fails when the process `record` started has exited.
    fn alive(&mut self) -> Result<()> {
        if let Some(p) = &mut self.process {
            if let Ok(Some(status)) = p.child.try_wait() {
                bail!("{} exited ({status}) during the recording", p.name);
            }
        }
        Ok(())
    }

    fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        self.call_with(method, params, &mut |_, _| Ok(()))
    }

    /// Sends one command and waits for its answer, passing the events that
    /// come before it to `event`.
    fn call_with(
        &mut self,
        method: &str,
        params: Value,
        event: &mut dyn FnMut(&str, &Value) -> Result<()>,
    ) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let lost = |e: tungstenite::Error| {
            let why = match &e {
                tungstenite::Error::Io(io)
                    if matches!(
                        io.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    format!("no answer in {} s", READ_TIMEOUT.as_secs())
                }
                _ => format!("the connection closed ({e}): did the process exit?"),
            };
            Error::new(format!("{method}: {why}"))
        };
        let request = json!({ "id": id, "method": method, "params": params });
        self.socket
            .send(Message::text(request.to_string()))
            .map_err(lost)?;
        let start = Instant::now();
        while start.elapsed() < CALL_TIMEOUT {
            let text = match self.socket.read().map_err(lost)? {
                Message::Text(text) => text,
                Message::Close(_) => bail!("{method}: the target closed the connection"),
                _ => continue,
            };
            let message: Value = serde_json::from_str(text.as_str())
                .map_err(|e| Error::new(format!("{method}: the target sent no JSON ({e})")))?;
            if message.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(error) = message.get("error") {
                    bail!("{method} failed: {error}");
                }
                return Ok(message.get("result").cloned().unwrap_or(Value::Null));
            }
            match message.get("method").and_then(Value::as_str) {
                Some("NodeRuntime.waitingForDisconnect") => {
                    bail!("{method}: the process is exiting (its program ended)")
                }
                Some(name) => event(name, message.get("params").unwrap_or(&Value::Null))?,
                None => {}
            }
        }
        bail!("{method}: no answer in {} s", CALL_TIMEOUT.as_secs())
    }

    /// Takes a heap snapshot into `path`, chunk by chunk as the target
    /// sends it; a snapshot cut short is removed. Returns its size.
    fn snapshot(&mut self, path: &Path, label: &str) -> Result<u64> {
        let failed = |e: std::io::Error| Error::new(format!("{}: {e}", path.display()));
        let mut file = BufWriter::new(std::fs::File::create(path).map_err(failed)?);
        let mut bytes = 0u64;
        let mut shown = 0u64;
        let live = std::io::stderr().is_terminal();
        let taken = self
            .call_with(
                "HeapProfiler.takeHeapSnapshot",
                json!({ "reportProgress": false }),
                &mut |name, params| {
                    if name != "HeapProfiler.addHeapSnapshotChunk" {
                        return Ok(());
                    }
                    let chunk = params.get("chunk").and_then(Value::as_str).unwrap_or("");
                    file.write_all(chunk.as_bytes()).map_err(failed)?;
                    bytes += chunk.len() as u64;
                    if live && bytes - shown >= 1 << 20 {
                        shown = bytes;
                        eprint!("\r{label}: {}", crate::size(bytes));
                    }
                    Ok(())
                },
            )
            .and_then(|_| file.flush().map_err(failed));
        if live {
            eprint!("\r");
        }
        if let Err(e) = taken {
            drop(file);
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        eprintln!("{label}: {} ({})", path.display(), crate::size(bytes));
        Ok(bytes)
    }
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
