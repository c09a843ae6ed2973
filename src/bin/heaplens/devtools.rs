//! The DevTools protocol as `heaplens record` speaks it: a node started
//! with an inspector on a loopback port, the target found over HTTP
//! (`/json/list`), a WebSocket connection, and heap snapshots streamed to
//! disk chunk by chunk.

use heaplens::bail;
use heaplens::error::{Error, Result};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// How long the target may take to answer one message, or a started node
/// to print its inspector's address.
pub const READ_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest a single protocol call may run (a snapshot of a big heap).
const CALL_TIMEOUT: Duration = Duration::from_secs(1800);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const HTTP_LIMIT: u64 = 1 << 20;

/// Copies a child's output to our stderr, on a thread of its own.
pub fn to_stderr(pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut BufReader::new(pipe), &mut std::io::stderr());
    })
}

/// A node process started by `record`, killed when the recording ends.
pub struct Started {
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
pub fn start(command: &[String]) -> Result<(Started, String)> {
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
pub fn loopback(address: &str) -> Result<SocketAddr> {
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
pub fn http_json(address: SocketAddr, path: &str) -> Result<Value> {
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
pub fn find_target(address: &str, tab: Option<&str>) -> Result<(String, Value)> {
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
pub struct Connection {
    socket: WebSocket<TcpStream>,
    pub address: SocketAddr,
    next_id: u64,
    process: Option<Started>,
}

impl Connection {
    pub fn open(url: &str, process: Option<Started>) -> Result<Connection> {
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
    pub fn alive(&mut self) -> Result<()> {
        if let Some(p) = &mut self.process {
            if let Ok(Some(status)) = p.child.try_wait() {
                bail!("{} exited ({status}) during the recording", p.name);
            }
        }
        Ok(())
    }

    pub fn call(&mut self, method: &str, params: Value) -> Result<Value> {
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
    pub fn snapshot(&mut self, path: &Path, label: &str) -> Result<u64> {
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
