//! heaplens command-line front end: the same core and queries as the page,
//! for CI pipelines and benchmarks.

// Modules of this binary live in src/bin/heaplens/ (src/bin/*.rs would
// each be a binary of their own).

/// Prints a line to stdout, [`terminal_safe`]: newlines the format string
/// starts with are its own, every other control character is escaped. A
/// closed pipe (`heaplens … | head`) ends the program quietly instead of
/// panicking.
macro_rules! out {
    ($template:literal $($arg:tt)*) => {
        $crate::write_line(&format!($template $($arg)*), $template)
    };
}

#[path = "heaplens/allocations.rs"]
mod allocations;
#[path = "heaplens/bench.rs"]
mod bench;
#[path = "heaplens/collections.rs"]
mod collections;
#[path = "heaplens/graph.rs"]
mod graph;
#[path = "heaplens/leak_text.rs"]
mod leak_text;
#[path = "heaplens/mcp.rs"]
mod mcp;
#[path = "heaplens/profile.rs"]
mod profile;
#[path = "heaplens/realms.rs"]
mod realms;
#[path = "heaplens/record.rs"]
mod record;
#[path = "heaplens/sessions.rs"]
mod sessions;

use heaplens::analysis::filters::NamedFilter;
use heaplens::analysis::leaks::LeakReport;
use heaplens::analysis::{default_threads, HeapSnapshot};
use heaplens::error::{Error, Result};
use heaplens::query::protocol::DOCUMENT_GROUPS;
use heaplens::query::{Order, Response, Scope, Session, SortBy, Window};
use heaplens::report::{render, size, Format, SnapshotFile};
use heaplens::snapshot::{parse_twice, visible as terminal_safe, Graph, Parser};
use serde_json::json;
use sessions::answer;
use sessions::Sessions;
use std::io::{BufRead, Read, Write};
use std::process::ExitCode;

/// Writes `line` for [`out!`]: the leading newlines `template` has are kept.
fn write_line(line: &str, template: &str) {
    let own = template.len() - template.trim_start_matches('\n').len();
    let (newlines, text) = line.split_at(own.min(line.len()));
    write_raw(&format!("{newlines}{}", terminal_safe(text)));
}

/// Writes `text` and a newline to stdout as they are; exits quietly when
/// the pipe is closed.
fn write_raw(text: &str) {
    if writeln!(std::io::stdout(), "{text}").is_err() {
        std::process::exit(0);
    }
}

const USAGE: &str = "\
heaplens: analyse V8 .heapsnapshot files

usage:
  heaplens summary FILE [--json] [--top N]   classes by retained size
      --filter NAME                          only the objects DevTools' named filter keeps:
                                             duplicated-strings, detached-dom, contexts,
                                             console, event-handlers
  heaplens stats FILE [--json]               memory by category
  heaplens strings FILE [--json] [--top N]   string values held more than once, most
                                             wasted bytes first
  heaplens closures FILE [--json] [--top N]  closure contexts by the bytes only their captured
                                             variables hold, with their functions and variables
  heaplens diff BASE FILE [--json] [--top N] objects new and deleted since BASE
  heaplens retainers FILE @ID [--json]       what holds an object, and its path to a root
  heaplens realms FILE [--json]              native contexts (page, iframes, vm contexts) and the
                                             bytes attributed to each, shared, and not attributed
      --realm @ID|shared|none                the Summary of those objects only
  heaplens collections S1 S2 S3 [S4 ...]     Maps, Sets, arrays, dictionaries whose entry count
                                             grew in every interval, with their paths [--json]
  heaplens graph FILE @ID [--svg OUT]        an object's retaining paths, merged (--json; limits
                                             --depth 50, --nodes 5000, --siblings 25)
  heaplens allocations FILE [@ID] [--json]   functions by the live bytes of what they allocated,
                                             with their caller stacks (a snapshot recorded with
                                             allocation stacks); @ID: that object's stack
  heaplens profile FILE.heapprofile [--json] a sampling heap profile: functions by bytes
                                             sampled (bottom-up) and the call tree (top-down)
  heaplens leaks S1 S2 S3 [S4 ...] [--json]  objects allocated between S1 and S2 still alive
                                             in the last snapshot, grouped, with their paths
                                             (or a folder: its snapshots in capture order)
      --format text|markdown|html            markdown: a table for a CI job summary;
                                             html: one self-contained file to share
      --fail-on growing                      exit status 3 when one of the program's own classes
                                             grew in every interval (needs 4+ snapshots)
      --min-count N, --min-bytes N           ... in at least N objects, N retained bytes
  heaplens record [OPTIONS] -- node APP.js   run a program, sample its heap, snapshot it, report
  heaplens record --inspect HOST:PORT        the same with a running node --inspect (see
                                             `heaplens record --help`)
  heaplens mcp                               Model Context Protocol server on stdio, for agents
  heaplens bench FILE [--threads N]          time each stage, MB/s and peak memory
";

/// Exit status of `leaks --fail-on growing` when it finds a growing class.
const LEAK_FOUND: u8 = 3;

fn usage() {
    for line in USAGE.lines() {
        out!("{line}");
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(status) => status,
        Err(e) => {
            // Messages may quote the file; their own lines are kept.
            let message: Vec<_> = e.message().split('\n').map(terminal_safe).collect();
            eprintln!("heaplens: {}", message.join("\n"));
            ExitCode::from(1)
        }
    }
}

/// Command-line options after the command name.
struct Options {
    files: Vec<String>,
    json: bool,
    top: Option<usize>,
    /// `--format markdown|html` (text when `None`).
    document: Option<Format>,
    /// `--fail-on growing`, with its thresholds.
    fail_on_growing: bool,
    min_count: u64,
    min_bytes: u64,
    /// The first option given that only `leaks` (and `record`) take.
    leak_option: Option<String>,
    /// `summary --filter NAME`.
    filter: Option<NamedFilter>,
    /// `bench --threads N`.
    threads: Option<usize>,
}

/// The value after option `flag`, parsed.
fn value<T: std::str::FromStr>(flag: &str, it: &mut std::slice::Iter<String>) -> Result<T> {
    let v = it
        .next()
        .ok_or_else(|| Error::new(format!("{flag} needs a value")))?;
    // Only numbers can fail to parse.
    v.parse()
        .map_err(|_| Error::new(format!("{flag} {v}: not a number")))
}

/// The named filter `name` (`detached-dom`, …), given as `what`.
fn named_filter(what: &str, name: &str) -> Result<NamedFilter> {
    NamedFilter::from_cli_name(name).ok_or_else(|| {
        let names = NamedFilter::ALL.map(NamedFilter::cli_name);
        Error::new(format!("{what} {name}: give one of {}", names.join(", ")))
    })
}

fn options(args: &[String]) -> Result<Options> {
    let mut o = Options {
        files: Vec::new(),
        json: false,
        top: None,
        threads: None,
        document: None,
        fail_on_growing: false,
        min_count: 1,
        min_bytes: 0,
        leak_option: None,
        filter: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if ["--format", "--fail-on", "--min-count", "--min-bytes"].contains(&a.as_str()) {
            o.leak_option.get_or_insert_with(|| a.clone());
        }
        match a.as_str() {
            "--json" => o.json = true,
            "--top" => o.top = Some(value(a, &mut it)?),
            "--threads" => o.threads = Some(value(a, &mut it)?),
            "--format" => match value::<String>(a, &mut it)?.as_str() {
                "text" => o.document = None,
                "markdown" => o.document = Some(Format::Markdown),
                "html" => o.document = Some(Format::Html),
                other => {
                    return Err(Error::new(format!(
                        "--format {other}: give text, markdown or html (--json for JSON)"
                    )))
                }
            },
            "--fail-on" => match value::<String>(a, &mut it)?.as_str() {
                "growing" => o.fail_on_growing = true,
                other => {
                    return Err(Error::new(format!(
                        "--fail-on {other}: the one gate is --fail-on growing"
                    )))
                }
            },
            "--min-count" => o.min_count = value(a, &mut it)?,
            "--min-bytes" => o.min_bytes = value(a, &mut it)?,
            "--filter" => o.filter = Some(named_filter(a, &value::<String>(a, &mut it)?)?),
            _ if a.starts_with("--") => {
                return Err(Error::new(format!("unknown option {a}\n\n{USAGE}")))
            }
            _ => o.files.push(a.clone()),
        }
    }
    Ok(o)
}

fn run(args: &[String]) -> Result<ExitCode> {
    let Some(command) = args.first() else {
        usage();
        return Ok(ExitCode::SUCCESS);
    };
    // Both take options of their own.
    match command.as_str() {
        "record" => return record::run(&args[1..]),
        "mcp" => return mcp::run(&args[1..]).map(|()| ExitCode::SUCCESS),
        "realms" => return realms::run(&args[1..]).map(|()| ExitCode::SUCCESS),
        "collections" => return collections::run(&args[1..]).map(|()| ExitCode::SUCCESS),
        "graph" => return graph::run(&args[1..]).map(|()| ExitCode::SUCCESS),
        _ => {}
    }
    let o = options(&args[1..])?;
    if let Some(flag) = o.leak_option.as_ref().filter(|_| command != "leaks") {
        return Err(Error::new(format!(
            "{flag} is an option of leaks (and record), not of {command}"
        )));
    }
    if o.filter.is_some() && command != "summary" {
        return Err(Error::new(format!(
            "--filter is an option of summary, not of {command}"
        )));
    }
    let want = |n: usize| -> Result<()> {
        if o.files.len() != n {
            return Err(Error::new(format!(
                "{command} takes {n} argument(s), got {}\n\n{USAGE}",
                o.files.len()
            )));
        }
        Ok(())
    };
    match command.as_str() {
        "summary" => {
            want(1)?;
            summary(&o)
        }
        "stats" => {
            want(1)?;
            stats(&o)
        }
        "strings" => {
            want(1)?;
            strings(&o)
        }
        "closures" => {
            want(1)?;
            closures(&o)
        }
        "diff" => {
            want(2)?;
            diff(&o)
        }
        "retainers" => {
            want(2)?;
            retainers(&o)
        }
        "leaks" => return leaks(&o),
        "allocations" => allocations::run(&o),
        "profile" => profile::run(&o),
        "bench" => {
            want(1)?;
            bench::bench(&o.files[0], o.threads.unwrap_or_else(default_threads))
        }
        "help" | "--help" | "-h" => {
            usage();
            Ok(())
        }
        _ => Err(Error::new(format!(
            "unknown command {command:?}\n\n{USAGE}"
        ))),
    }
    .map(|()| ExitCode::SUCCESS)
}

/// Reads a file through the streaming parser in 1 MiB chunks, gunzipping
/// it on the way when it starts with gzip's magic bytes (`1f 8b`). With two
/// or more `threads`, a plain file is read twice at once: `edges` by one
/// parser, the rest by another ([`parse_twice`]).
fn parse_file(path: &str, threads: usize) -> Result<Graph> {
    let failed = |what: &str, e: &dyn std::fmt::Display| Error::new(format!("{what}: {e}"));
    let file = std::fs::File::open(path).map_err(|e| failed(path, &e))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(failed(
            path,
            &"this is a directory; give a .heapsnapshot file",
        ));
    }
    let mut file = std::io::BufReader::with_capacity(1 << 20, file);
    let head = file.fill_buf().map_err(|e| failed(path, &e))?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    // Parser messages count bytes of the snapshot, after decompression.
    let (mut input, source): (Box<dyn Read>, String) = if gzip {
        let decoder = flate2::bufread::MultiGzDecoder::new(file);
        (Box::new(decoder), format!("{path}, once gunzipped"))
    } else {
        (Box::new(file), path.to_owned())
    };
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if !gzip && threads >= 2 {
        return parse_twice(&|| std::fs::File::open(path), size).map_err(|e| failed(path, &e));
    }
    let mut parser = Parser::new();
    if !gzip {
        parser.set_file_size(size);
    }
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input.read(&mut buf).map_err(|e| match gzip {
            true => Error::new(format!(
                "{path}: the gzip stream is corrupt or cut short after {} bytes of snapshot \
                 ({e}): copy or compress the file again",
                parser.bytes_read()
            )),
            false => failed(path, &e),
        })?;
        if n == 0 {
            break;
        }
        parser.push(&buf[..n]).map_err(|e| failed(&source, &e))?;
    }
    parser.finish().map_err(|e| failed(&source, &e))
}

fn open(path: &str) -> Result<Session> {
    let graph = parse_file(path, default_threads())?;
    Ok(Session::new(HeapSnapshot::analyze(graph, &mut |_| {})))
}

/// A name the core cut (`full_length` is then known) as a line shows it:
/// its start and its full length.
fn cut_name(name: &str, full_length: Option<usize>) -> String {
    match full_length {
        Some(length) => {
            let start: String = name.chars().take(30).collect();
            format!("{start}\u{2026} ({length} characters)")
        }
        None => name.to_owned(),
    }
}

/// Prints `rows` under `header`, first column left-aligned, the others
/// right-aligned, each cell [`terminal_safe`] and cut at 60 characters.
fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| fit(&terminal_safe(c))).collect())
        .collect();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut out = std::io::stdout().lock();
    let line = |cells: Vec<String>, out: &mut dyn Write| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i].saturating_sub(c.chars().count());
            if i == 0 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str("  ");
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
        }
        if writeln!(out, "{}", s.trim_end()).is_err() {
            std::process::exit(0);
        }
    };
    line(header.iter().map(|h| h.to_string()).collect(), &mut out);
    for r in rows {
        line(r, &mut out);
    }
}

/// The widest a table cell prints: a longer one keeps its start and its
/// end around an ellipsis, so both a class name's head and a location's
/// `file:line:column` survive.
const CELL_WIDTH: usize = 60;

fn fit(cell: &str) -> String {
    let chars: Vec<char> = cell.chars().collect();
    if chars.len() <= CELL_WIDTH {
        return cell.to_string();
    }
    let tail = CELL_WIDTH / 2;
    let head = CELL_WIDTH - tail - 1;
    let mut s: String = chars[..head].iter().collect();
    s.push('…');
    s.extend(&chars[chars.len() - tail..]);
    s
}

fn print_json(v: &serde_json::Value) {
    // JSON escapes controls itself; the strings in it stay exact.
    write_raw(&serde_json::to_string_pretty(v).unwrap_or_default());
}

/// The first `--top N` rows (`default` without it).
fn top_rows(o: &Options, default: usize) -> Window {
    Window {
        offset: 0,
        limit: o.top.unwrap_or(default),
    }
}

fn summary(o: &Options) -> Result<()> {
    let path = &o.files[0];
    let mut s = open(path)?;
    let top = o.top.unwrap_or(usize::MAX);
    let window = Window {
        offset: 0,
        limit: top,
    };
    if o.json {
        print_json(&sessions::summary(path, &mut s, (o.filter, ""), window)?);
        return Ok(());
    }
    let info = s.info();
    let scope = Scope {
        filter: o.filter,
        ..Scope::default()
    };
    let mut rows = s.classes(scope, "", Order::largest(SortBy::RetainedSize));
    rows.truncate(top);
    out!(
        "{path}: {} nodes, {} edges, total {}",
        info.nodes,
        info.edges,
        size(info.total_size)
    );
    if let Some(filter) = o.filter {
        out!("{}", filter.title());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                cut_name(&r.name, r.name_length),
                r.count.to_string(),
                r.distance.map_or("-".to_owned(), |d| d.to_string()),
                size(r.self_size),
                size(r.retained_size),
            ]
        })
        .collect();
    print_table(
        &["Constructor", "Count", "Distance", "Shallow", "Retained"],
        &table,
    );
    Ok(())
}

fn strings(o: &Options) -> Result<()> {
    let path = &o.files[0];
    let page = open(path)?.duplicate_strings(top_rows(o, usize::MAX));
    if o.json {
        print_json(&answer(json!({ "file": path }), &page));
        return Ok(());
    }
    out!("{path}: {} string values held more than once", page.total);
    let table: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|r| {
            vec![
                r.copies.to_string(),
                size(r.bytes_per_copy),
                size(r.wasted_bytes),
                size(r.retained_size),
                r.holders.first().map_or(String::new(), |h| {
                    let class = cut_name(&h.class_name, None);
                    let sep = if h.edge_name == "[]" { "" } else { "." };
                    format!("{class}{sep}{} \u{d7}{}", h.edge_name, h.copies)
                }),
                cut_name(&r.value, r.value_length),
            ]
        })
        .collect();
    print_table(
        &[
            "Copies",
            "Per copy",
            "Wasted",
            "Retained",
            "Mostly held by",
            "Value",
        ],
        &table,
    );
    Ok(())
}

fn closures(o: &Options) -> Result<()> {
    let path = &o.files[0];
    let page = open(path)?.closures(top_rows(o, 10));
    if o.json {
        print_json(&answer(json!({ "file": path }), &page));
        return Ok(());
    }
    let scope_tables = page.rows.iter().any(|r| r.dead_size.is_some());
    out!(
        "{path}: {} closure contexts, {}",
        page.total,
        if scope_tables {
            "most bytes in variables no live closure can read first"
        } else {
            "most bytes held only through their own variables first (the snapshot has no \
             scope tables: which variables are dead is unknown; Chromium's snapshots have them)"
        }
    );
    for r in &page.rows {
        let functions: Vec<String> = r
            .functions
            .iter()
            .map(|f| format!("{} @{}", cut_name(&f.name, f.name_length), f.id))
            .collect();
        out!(
            "\n{} @{}: holds {} only through its variables ({} not in inner contexts), \
             retains {}; functions: {}",
            cut_name(&r.context.name, r.context.name_length),
            r.context.id,
            size(r.held_size),
            size(r.own_size),
            size(r.context.retained_size),
            if functions.is_empty() {
                "none alive".to_owned()
            } else {
                functions.join(", ")
            }
        );
        let table: Vec<Vec<String>> = r
            .variables
            .iter()
            .map(|v| {
                vec![
                    cut_name(&v.name, v.name_length),
                    format!(
                        "{} @{}",
                        cut_name(&v.value.class_name, v.value.class_name_length),
                        v.value.id
                    ),
                    size(v.value.retained_size),
                    if v.held_only_here { "yes" } else { "" }.to_owned(),
                    match v.dead {
                        Some(true) => "dead",
                        Some(false) => "read",
                        None => "?",
                    }
                    .to_owned(),
                ]
            })
            .collect();
        if let (Some(dead), Some(held)) = (r.dead_size, r.dead_held_size) {
            out!(
                "dead variables retain {} ({} held only here)",
                size(dead),
                size(held)
            );
        }
        print_table(
            &["Variable", "Value", "Retained", "Only here", "Read"],
            &table,
        );
    }
    Ok(())
}

fn stats(o: &Options) -> Result<()> {
    let s = open(&o.files[0])?;
    let st = s.stats();
    if o.json {
        print_json(&answer(json!({ "file": o.files[0] }), &st));
        return Ok(());
    }
    let v = &st.v8heap;
    let other_js = v
        .total
        .saturating_sub(v.code + v.strings + v.js_arrays + v.system);
    let rows = [
        ("Code", v.code),
        ("Strings", v.strings),
        ("JS arrays", v.js_arrays),
        ("Typed arrays", st.native.typed_arrays),
        ("System objects", v.system),
        ("Other JS objects", other_js),
        (
            "Other non-JS objects",
            st.native.total.saturating_sub(st.native.typed_arrays),
        ),
        ("Total", st.total),
    ];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, b)| vec![name.to_string(), size(*b), b.to_string()])
        .collect();
    print_table(&["Category", "Size", "Bytes"], &table);
    Ok(())
}

fn diff(o: &Options) -> Result<()> {
    let (base, path) = (&o.files[0], &o.files[1]);
    let response = sessions::diff(&mut Sessions::new(2), base, path, top_rows(o, usize::MAX))?;
    if o.json {
        print_json(&answer(json!({ "base": base, "file": path }), &response));
        return Ok(());
    }
    let Response::Comparison(compared) = response else {
        return Err(Error::new("internal: no comparison"));
    };
    for warning in &compared.warnings {
        out!("warning: {warning}");
    }
    let table: Vec<Vec<String>> = compared
        .page
        .rows
        .iter()
        .map(|r| {
            vec![
                cut_name(&r.name, r.name_length),
                r.new_count.to_string(),
                r.deleted_count.to_string(),
                r.delta_count.to_string(),
                size(r.added_size),
                size(r.freed_size),
                format!(
                    "{}{}",
                    if r.size_delta < 0 { "-" } else { "" },
                    size(r.size_delta.unsigned_abs())
                ),
            ]
        })
        .collect();
    print_table(
        &[
            "Constructor",
            "# New",
            "# Deleted",
            "# Delta",
            "Alloc. Size",
            "Freed Size",
            "Size Delta",
        ],
        &table,
    );
    Ok(())
}

fn retainers(o: &Options) -> Result<()> {
    let mut s = open(&o.files[0])?;
    let id_text = o.files[1].trim_start_matches('@');
    let id: u32 = id_text
        .parse()
        .map_err(|_| Error::new(format!("{:?} is not an object id like @1234", o.files[1])))?;
    let n = sessions::node_of(&s, &o.files[0], id)?;
    if o.json {
        let all = top_rows(o, usize::MAX);
        print_json(&sessions::retainers(
            &mut s,
            &o.files[0],
            id,
            all,
            usize::MAX,
        )?);
        return Ok(());
    }
    let g = &s.snapshot.graph;
    let retainers: Vec<_> = s
        .retainer_edges(n)
        .into_iter()
        .map(|e| {
            let src = g.edge_source(e);
            (
                g.edge_type_name(e).to_owned(),
                g.edge_name(e),
                s.node_row(src),
            )
        })
        .collect();
    let path = s.retaining_path(n);
    let obj = s.node_row(n);
    out!(
        "{} @{} ({}), retained {}",
        cut_name(&obj.name, obj.name_length),
        obj.id,
        cut_name(&obj.class_name, obj.class_name_length),
        size(obj.retained_size)
    );
    out!("\nshortest path from a GC root:");
    for (i, step) in path.iter().enumerate() {
        if i == 0 {
            let name = cut_name(&step.node.name, step.node.name_length);
            out!("  {name} @{}", step.node.id);
        } else {
            out!(
                "  {}--{} ({})--> {} @{}",
                "  ".repeat(i.min(20)),
                cut_name(&step.edge_name, step.edge_name_length),
                step.edge_type,
                cut_name(&step.node.name, step.node.name_length),
                step.node.id
            );
        }
    }
    out!("\nretainers:");
    let table: Vec<Vec<String>> = retainers
        .iter()
        .map(|(t, name, node)| {
            vec![
                format!(
                    "{name} ({t}) in {} @{}",
                    node.name.chars().take(40).collect::<String>(),
                    node.id
                ),
                node.distance.map_or("-".to_owned(), |d| d.to_string()),
                size(node.self_size),
                size(node.retained_size),
            ]
        })
        .collect();
    print_table(&["Retainer", "Distance", "Shallow", "Retained"], &table);
    Ok(())
}

/// `leaks`, and the report `record` ends with: the report of `o.files` in
/// the format asked for, then the `--fail-on` gate's verdict.
fn leaks(o: &Options) -> Result<ExitCode> {
    let files = sessions::series(&o.files)?;
    check_leak_options(o, files.len())?;
    let report = sessions::leak_report(&mut Sessions::new(1), &files)?;
    if o.json {
        print_json(&answer(json!({ "files": files }), &report));
    } else if let Some(format) = o.document {
        let sizes: Vec<SnapshotFile> = files
            .iter()
            .zip(sessions::file_names(&files))
            .map(|(path, name)| SnapshotFile {
                name,
                bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
            })
            .collect();
        let text = render(&report, &sizes, format, o.top.unwrap_or(DOCUMENT_GROUPS));
        match format {
            // Markdown goes to terminals and CI logs: controls escaped per line.
            Format::Markdown => text.lines().for_each(|line| out!("{line}")),
            // HTML has its snapshot strings escaped already, and goes to a file.
            Format::Html => write_raw(text.trim_end_matches('\n')),
        }
    } else {
        leak_text::print_leaks_text(&report, o.top.unwrap_or(20));
    }
    Ok(leak_gate(&report, o))
}

/// Refuses report options that cannot work with each other or with that
/// many snapshots, before any snapshot is read (or recorded).
fn check_leak_options(o: &Options, snapshots: usize) -> Result<()> {
    if o.fail_on_growing && snapshots < 4 {
        return Err(Error::new(format!(
            "--fail-on growing needs 4 or more snapshots (growth in each of 3 intervals), got {snapshots}"
        )));
    }
    if o.json && o.document.is_some() {
        return Err(Error::new("--json and --format: choose one"));
    }
    Ok(())
}

/// `--fail-on growing`: fails when some class of the program's own grew in
/// every interval, in at least `--min-count` objects retaining at least
/// `--min-bytes`.
fn leak_gate(report: &LeakReport, o: &Options) -> ExitCode {
    if !o.fail_on_growing {
        return ExitCode::SUCCESS;
    }
    let growing: Vec<String> = report
        .groups
        .iter()
        .filter(|g| {
            g.program_class
                && g.grows_every_interval == Some(true)
                && g.count >= o.min_count
                && g.retained_size >= o.min_bytes
        })
        .map(|g| format!("{} \u{d7}{} ({})", g.name, g.count, size(g.retained_size)))
        .collect();
    if growing.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "heaplens: --fail-on growing: the program's own objects grew in every interval: {}",
        terminal_safe(&growing.join(", "))
    );
    ExitCode::from(LEAK_FOUND)
}
