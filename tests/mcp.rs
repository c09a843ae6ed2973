//! `heaplens mcp` driven by a scripted MCP client over stdio, as a coding
//! agent would drive it: initialize, list the tools, then find the leak in
//! real snapshots of the classic-leak program (summary → leaks → retainers).

mod common;

use common::{arg, generate};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// Longest wait for one answer (a snapshot is analysed on first use).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);
/// What "small" means for an answer with the default page sizes.
const SMALL: usize = 8 * 1024;

/// A `heaplens mcp` process and the lines it writes.
struct Client {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    next_id: u64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_heaplens"))
            .arg("mcp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("heaplens mcp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            lines,
            next_id: 0,
        }
    }

    fn send(&mut self, message: &Value) {
        writeln!(self.stdin, "{message}").expect("heaplens mcp reads stdin");
        self.stdin.flush().unwrap();
    }

    /// The next line the server writes, as JSON.
    fn receive(&mut self) -> Value {
        let line = self
            .lines
            .recv_timeout(ANSWER_TIMEOUT)
            .expect("heaplens mcp answers in time");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// Sends a request and returns its whole response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = self.receive();
        assert_eq!(response["jsonrpc"], "2.0", "{response}");
        assert_eq!(response["id"], id, "{response}");
        response
    }

    /// Calls a tool that must succeed; returns its answer, checked small.
    fn tool(&mut self, name: &str, arguments: Value) -> Value {
        let result = self.call(name, arguments);
        assert_eq!(result["isError"], false, "{name}: {result}");
        let text = result["content"][0]["text"]
            .as_str()
            .expect("a text answer");
        assert!(
            text.len() < SMALL,
            "{name} answered {} bytes: {text}",
            text.len()
        );
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{name} answered no JSON ({e})"))
    }

    /// `tools/call`'s result.
    fn call(&mut self, name: &str, arguments: Value) -> Value {
        let response = self.request(
            "tools/call",
            json!({ "name": name, "arguments": arguments }),
        );
        response["result"].clone()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn initialized() -> Client {
    let mut client = Client::start();
    let init = client.request(
        "initialize",
        json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": { "name": "heaplens-test", "version": "1" },
        }),
    );
    let result = &init["result"];
    assert_eq!(result["protocolVersion"], "2025-06-18", "{init}");
    assert_eq!(result["serverInfo"]["name"], "heaplens", "{init}");
    assert!(result["capabilities"]["tools"].is_object(), "{init}");
    client.send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));
    client
}

#[test]
fn an_agent_finds_the_classic_leak_through_summary_leaks_and_retainers() {
    let files = generate("classic-leak", 4);
    let paths: Vec<&str> = files.iter().map(|f| arg(f)).collect();
    let mut client = initialized();

    let listed = client.request("tools/list", json!({}));
    let tools = listed["result"]["tools"].as_array().expect("a tool list");
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "summary",
            "leaks",
            "retainers",
            "diff",
            "object",
            "duplicate_strings",
            "closures",
            "string"
        ]
    );
    for tool in tools {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert!(tool["description"].as_str().is_some_and(|d| !d.is_empty()));
    }

    let summary = client.tool("summary", json!({ "path": paths[3], "filter": "simple" }));
    let classes = summary["rows"].as_array().unwrap();
    assert_eq!(summary["total"], 1, "{summary}");
    assert_eq!(classes[0]["name"], "SimpleClass");
    assert_eq!(
        classes[0]["count"], 4000,
        "4 rounds of 1000 in the last snapshot"
    );
    let top = client.tool("summary", json!({ "path": paths[3], "top": 3 }));
    assert_eq!(top["rows"].as_array().unwrap().len(), 3);
    assert!(top["total"].as_u64().unwrap() > 3, "{top}");

    let leaks = client.tool("leaks", json!({ "paths": paths }));
    let first = &leaks["groups"][0];
    assert_eq!(first["name"], "SimpleClass", "{leaks}");
    assert_eq!(first["count"], 1000, "{first}");
    assert_eq!(first["growsEveryInterval"], true, "{first}");
    assert_eq!(first["programClass"], true, "{first}");
    assert!(leaks["groups"].as_array().unwrap().len() <= 5);
    assert!(leaks["totalGroups"].as_u64().unwrap() >= 1);

    let member = first["members"][0].as_u64().expect("a member id");
    let held = client.tool(
        "retainers",
        json!({ "path": paths[3], "id": format!("@{member}") }),
    );
    assert_eq!(held["object"]["className"], "SimpleClass", "{held}");
    let edges: Vec<&str> = held["path"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|step| step["edgeName"].as_str())
        .collect();
    assert!(edges.contains(&"leakyData"), "path edges: {edges:?}");
    assert!(held["retainers"]["total"].as_u64().unwrap() >= 1, "{held}");

    let object = client.tool("object", json!({ "path": paths[3], "id": member }));
    assert_eq!(object["object"]["id"], member);
    let references = object["references"]["rows"].as_array().unwrap();
    let text = references
        .iter()
        .find(|r| r["edgeName"] == "text")
        .unwrap_or_else(|| panic!("SimpleClass has its text: {object}"));
    let text_id = text["node"]["id"].as_u64().unwrap();
    let window = client.tool(
        "string",
        json!({ "path": paths[3], "id": text_id, "offset": 5, "limit": 4 }),
    );
    assert_eq!(window["offset"], 5, "{window}");
    assert_eq!(
        window["length"],
        text["node"]["name"].as_str().unwrap().len()
    );
    assert_eq!(window["text"], text["node"]["name"].as_str().unwrap()[5..9]);

    let diff = client.tool("diff", json!({ "base": paths[0], "path": paths[3] }));
    let simple = diff["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "SimpleClass")
        .expect("SimpleClass among the new classes");
    assert_eq!(simple["newCount"], 3000, "{simple}");
}

#[test]
fn a_short_retaining_path_limit_keeps_both_ends() {
    let files = generate("classic-leak", 4);
    let mut client = initialized();
    let leaks = client.tool(
        "leaks",
        json!({ "paths": files.iter().map(|f| arg(f)).collect::<Vec<_>>(), "top": 1 }),
    );
    let member = leaks["groups"][0]["members"][0].as_u64().unwrap();
    let held = client.tool(
        "retainers",
        json!({ "path": arg(&files[3]), "id": member, "depth": 2 }),
    );
    let path = held["path"].as_array().unwrap();
    assert_eq!(path.len(), 3, "root, omitted, object: {held}");
    assert!(path[1]["omitted"].as_u64().unwrap() >= 1, "{held}");
    assert_eq!(path[2]["node"]["id"], member);
}

#[test]
fn leaks_takes_the_folder_record_writes() {
    let files = generate("classic-leak", 4);
    let folder = files[0].parent().unwrap();
    let mut client = initialized();
    let leaks = client.tool("leaks", json!({ "paths": [arg(folder)], "top": 1 }));
    assert_eq!(leaks["groups"][0]["name"], "SimpleClass", "{leaks}");
    assert_eq!(leaks["groups"][0]["count"], 1000);
}

#[test]
fn closures_duplicate_strings_and_named_filters_answer_small_pages() {
    let files = generate("classic-leak", 4);
    let path = arg(&files[3]);
    let mut client = initialized();

    // The module's context holds leakyData, the 4000 SimpleClass.
    let closures = client.tool("closures", json!({ "path": path }));
    let rows = closures["rows"].as_array().unwrap();
    assert!(rows.len() <= 3 && closures["total"].as_u64().unwrap() > 3);
    let first = &rows[0];
    assert!(first["variables"].as_array().unwrap().len() <= 5);
    let variables: Vec<&str> = first["variables"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert!(variables.contains(&"leakyData"), "{first}");

    let strings = client.tool("duplicate_strings", json!({ "path": path, "top": 3 }));
    for row in strings["rows"].as_array().unwrap() {
        assert!(row["copies"].as_u64().unwrap() >= 2, "{row}");
        assert!(row["copyIds"].as_array().unwrap().len() <= 5);
    }

    let contexts = client.tool(
        "summary",
        json!({ "path": path, "named_filter": "contexts", "top": 50 }),
    );
    assert_eq!(contexts["filter"], "objectsRetainedByContexts");
    let names: Vec<&str> = contexts["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(
        names.contains(&"SimpleClass"),
        "held by runRound's context: {names:?}"
    );
    let wrong = client.call("summary", json!({ "path": path, "named_filter": "leaks" }));
    assert_eq!(wrong["isError"], true);
    let message = wrong["content"][0]["text"].as_str().unwrap();
    assert!(message.contains("detached-dom"), "{message}");
}

#[test]
fn mistakes_are_answered_not_fatal() {
    let files = generate("classic-leak", 4);
    let mut client = initialized();

    let missing = client.call("summary", json!({ "path": "/no/such.heapsnapshot" }));
    assert_eq!(missing["isError"], true, "{missing}");
    let message = missing["content"][0]["text"].as_str().unwrap();
    assert!(message.contains("/no/such.heapsnapshot"), "{message}");

    let no_object = client.call("object", json!({ "path": arg(&files[0]), "id": 2 }));
    assert_eq!(no_object["isError"], true, "{no_object}");
    let no_path = client.call("retainers", json!({ "id": 2 }));
    assert_eq!(no_path["isError"], true, "{no_path}");
    let one = client.call("leaks", json!({ "paths": [arg(&files[0])] }));
    assert_eq!(one["isError"], true, "{one}");

    let unknown = client.request("tools/call", json!({ "name": "nope", "arguments": {} }));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    let method = client.request("resources/list", json!({}));
    assert_eq!(method["error"]["code"], -32601, "{method}");

    client.send(&json!("not a message"));
    assert_eq!(client.receive()["error"]["code"], -32600);
    writeln!(client.stdin, "{{ not json").unwrap();
    assert_eq!(client.receive()["error"]["code"], -32700);

    // Still serving.
    let ping = client.request("ping", json!({}));
    assert_eq!(ping["result"], json!({}), "{ping}");
}
