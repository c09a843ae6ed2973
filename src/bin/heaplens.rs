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
#[path = "heaplens/commands.rs"]
mod commands;
#[path = "heaplens/devtools.rs"]
mod devtools;
#[path = "heaplens/graph.rs"]
mod graph;
#[path = "heaplens/leak_text.rs"]
mod leak_text;
#[path = "heaplens/leaks.rs"]
mod leaks;
#[path = "heaplens/mcp.rs"]
mod mcp;
#[path = "heaplens/options.rs"]
mod options;
#[path = "heaplens/output.rs"]
mod output;
#[path = "heaplens/profile.rs"]
mod profile;
#[path = "heaplens/realms.rs"]
mod realms;
#[path = "heaplens/record.rs"]
mod record;
#[path = "heaplens/sessions.rs"]
mod sessions;

use heaplens::analysis::{default_threads, HeapSnapshot};
use heaplens::error::{Error, Result};
use heaplens::query::Session;
use heaplens::snapshot::{parse_twice, Graph, Parser};
use std::io::{BufRead, Read};
use std::process::ExitCode;

// What every command uses, reached as `crate::…` (`out!` expands to
// `$crate::write_line`).
use heaplens::report::size;
use heaplens::snapshot::visible as terminal_safe;
use options::{named_filter, options, usage, value, Options, USAGE};
use output::{cut_name, print_json, print_table, write_line, write_raw};

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
    if o.realm.is_some() && command != "summary" {
        return Err(Error::new(format!(
            "--realm is an option of summary and realms, not of {command}"
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
            commands::summary(&o)
        }
        "stats" => {
            want(1)?;
            commands::stats(&o)
        }
        "strings" => {
            want(1)?;
            commands::strings(&o)
        }
        "closures" => {
            want(1)?;
            commands::closures(&o)
        }
        "diff" => {
            want(2)?;
            commands::diff(&o)
        }
        "retainers" => {
            want(2)?;
            commands::retainers(&o)
        }
        "leaks" => return leaks::run(&o),
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
