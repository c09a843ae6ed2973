//! The command line: usage text and the options shared by the commands
//! (`record` passes its report options through here too).

use heaplens::analysis::filters::NamedFilter;
use heaplens::error::{Error, Result};
use heaplens::report::Format;

pub const USAGE: &str = "\
heaplens: analyse V8 .heapsnapshot files

usage:
  heaplens summary FILE [--json] [--top N]   classes by retained size
      --filter NAME                          only the objects DevTools' named filter keeps:
                                             duplicated-strings, detached-dom, contexts,
                                             console, event-handlers
      --realm @ID|shared|none                only the objects attributed to one native context
                                             (or a filterName; see `heaplens realms FILE`)
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

pub fn usage() {
    for line in USAGE.lines() {
        out!("{line}");
    }
}

/// Command-line options after the command name.
pub struct Options {
    pub files: Vec<String>,
    pub json: bool,
    pub top: Option<usize>,
    /// `--format markdown|html` (text when `None`).
    pub document: Option<Format>,
    /// `--fail-on growing`, with its thresholds.
    pub fail_on_growing: bool,
    pub min_count: u64,
    pub min_bytes: u64,
    /// The first option given that only `leaks` (and `record`) take.
    pub leak_option: Option<String>,
    /// `summary --filter NAME`.
    pub filter: Option<NamedFilter>,
    /// `summary --realm @ID|shared|none|FILTERNAME`, as given.
    pub realm: Option<String>,
    /// `bench --threads N`.
    pub threads: Option<usize>,
}

/// The value after option `flag`, parsed.
pub fn value<T: std::str::FromStr>(flag: &str, it: &mut std::slice::Iter<String>) -> Result<T> {
    let v = it
        .next()
        .ok_or_else(|| Error::new(format!("{flag} needs a value")))?;
    // Only numbers can fail to parse.
    v.parse()
        .map_err(|_| Error::new(format!("{flag} {v}: not a number")))
}

/// The named filter `name` (`detached-dom`, …), given as `what`.
pub fn named_filter(what: &str, name: &str) -> Result<NamedFilter> {
    NamedFilter::from_cli_name(name).ok_or_else(|| {
        let names = NamedFilter::ALL.map(NamedFilter::cli_name);
        Error::new(format!("{what} {name}: give one of {}", names.join(", ")))
    })
}

pub fn options(args: &[String]) -> Result<Options> {
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
        realm: None,
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
            "--realm" => o.realm = Some(value(a, &mut it)?),
            _ if a.starts_with("--") => {
                return Err(Error::new(format!("unknown option {a}\n\n{USAGE}")))
            }
            _ => o.files.push(a.clone()),
        }
    }
    Ok(o)
}
