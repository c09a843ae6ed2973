//! `heaplens leaks` (and the report `heaplens record` ends with): the
//! report in the format asked for, and the `--fail-on growing` gate.

use crate::sessions::{self, answer, Sessions};
use crate::{leak_text, print_json, terminal_safe, write_raw, Options};
use heaplens::analysis::leaks::LeakReport;
use heaplens::error::{Error, Result};
use heaplens::query::protocol::DOCUMENT_GROUPS;
use heaplens::report::{render, size, Format, SnapshotFile};
use serde_json::json;
use std::process::ExitCode;

/// Exit status of `leaks --fail-on growing` when it finds a growing class.
pub const LEAK_FOUND: u8 = 3;

/// `leaks`, and the report `record` ends with: the report of `o.files` in
/// the format asked for, then the `--fail-on` gate's verdict.
pub fn run(o: &Options) -> Result<ExitCode> {
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
pub fn check_leak_options(o: &Options, snapshots: usize) -> Result<()> {
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
pub fn leak_gate(report: &LeakReport, o: &Options) -> ExitCode {
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
