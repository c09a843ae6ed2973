//! `heaplens mcp` driven by a scripted MCP client over stdio, as a coding
//! agent would drive it: initialize, list the tools, then find the leak in
//! real snapshots of the classic-leak program (summary → leaks → retainers);
//! realms of a program with `vm` sandboxes, the growing collections of a
//! server and the retaining paths of one, merged.

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
            "string",
            "realms",
            "collections",
            "graph"
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

/// The CLI's `--json` answer to `args`.
fn cli_json(args: &[&str]) -> Value {
    let (status, out, err) = common::cli(args);
    assert!(status.success(), "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn realms_and_a_realm_summary_answer_as_the_cli_does() {
    let file = generate("vm-realms", 1).remove(0);
    let path = arg(&file);
    let mut client = initialized();
    let cli = cli_json(&["realms", path, "--json"]);
    let realms = client.tool("realms", json!({ "path": path }));
    assert_eq!(realms["totalRealms"], 3, "{realms}");
    assert_eq!(realms["realms"], cli["realms"]);
    assert_eq!(realms["shared"], cli["shared"]);
    assert_eq!(realms["unattributed"]["size"], cli["unattributed"]["size"]);
    let one = client.tool("realms", json!({ "path": path, "top": 1, "offset": 1 }));
    assert_eq!(one["realms"], json!([cli["realms"][1]]));

    let first = &cli["realms"][0];
    let filter_name = first["filterName"].as_str().unwrap();
    let by_name = client.tool(
        "summary",
        json!({ "path": path, "realm": filter_name, "top": 5 }),
    );
    let id = format!("@{}", first["id"]);
    let by_id = client.tool("summary", json!({ "path": path, "realm": id, "top": 5 }));
    let want = cli_json(&[
        "summary",
        path,
        "--realm",
        filter_name,
        "--top",
        "5",
        "--json",
    ]);
    assert_eq!(by_name["realm"], filter_name);
    assert_eq!(by_name["rows"], want["rows"]);
    assert_eq!(by_id["rows"], want["rows"]);
    assert_eq!(by_name["rows"].as_array().unwrap().len(), 5);
    // Each plugin's state, one class per sandbox, is shared with the host.
    let shared = client.tool(
        "summary",
        json!({ "path": path, "realm": "shared", "filter": "PluginState" }),
    );
    let rows = shared["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{shared}");
    assert!(rows
        .iter()
        .all(|r| r["name"] == "PluginState" && r["count"] == 1));
    let wrong = client.call("summary", json!({ "path": path, "realm": "@1" }));
    assert_eq!(wrong["isError"], true, "{wrong}");
    let message = wrong["content"][0]["text"].as_str().unwrap();
    assert!(message.contains("shared or none"), "{message}");
}

#[test]
fn collections_and_the_graph_of_one_answer_small_pages() {
    let files = generate("growing-collections", 4);
    let paths: Vec<&str> = files.iter().map(|f| arg(f)).collect();
    let mut client = initialized();
    let cli = cli_json(&[&["collections"][..], &paths, &["--json"]].concat());
    let found = client.tool("collections", json!({ "paths": paths }));
    let listed = found["collections"].as_array().unwrap();
    let all = cli["collections"].as_array().unwrap();
    assert_eq!(found["total"], all.len(), "{found}");
    assert!(listed.len() <= 5 && all.len() > 1, "{found}");
    assert_eq!(listed[..], all[..listed.len()]);
    let cache = &listed[0];
    assert_eq!(cache["heldAs"], "responseCache", "{cache}");
    assert_eq!(cache["counts"], json!([50, 100, 150, 200]));
    let second = client.tool(
        "collections",
        json!({ "paths": paths, "top": 1, "offset": 1 }),
    );
    assert_eq!(second["collections"], json!([all[1]]));
    let two = client.call("collections", json!({ "paths": &paths[..2] }));
    assert_eq!(two["isError"], true, "{two}");

    let id = cache["id"].as_u64().unwrap();
    let graph = client.tool("graph", json!({ "path": paths[3], "id": id }));
    let nodes = graph["graph"]["nodes"].as_array().unwrap();
    assert_eq!(nodes[0]["id"], id, "node 0 is the object");
    assert!(nodes.len() <= 25, "{} nodes", nodes.len());
    assert!(nodes
        .iter()
        .all(|n| n.get("x").is_none() && n["className"].is_string()));
    let into_cache: Vec<&str> = graph["graph"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to"] == 0)
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert!(into_cache.contains(&"responseCache"), "{into_cache:?}");
    let small = client.tool("graph", json!({ "path": paths[3], "id": id, "nodes": 3 }));
    assert!(small["graph"]["nodes"].as_array().unwrap().len() <= 3);
    assert_eq!(small["graph"]["limitsReached"]["nodes"], true);
    let missing = client.call("graph", json!({ "path": paths[3], "id": 2 }));
    assert_eq!(missing["isError"], true, "{missing}");
}
