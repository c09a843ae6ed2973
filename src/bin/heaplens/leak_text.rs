//! The leak report as the command line prints it: a text table and the
//! first group's retaining path (the documents are the core's: `report`).

use crate::{print_table, terminal_safe};
use heaplens::analysis::leaks::LeakReport;
use heaplens::report::{covers, grows, held_by, path_lines, size};

pub fn print_leaks_text(report: &LeakReport, top: usize) {
    for w in &report.warnings {
        eprintln!("warning: {}", terminal_safe(w));
    }
    out!("{}", covers(report));
    let table: Vec<Vec<String>> = report
        .groups
        .iter()
        .take(top)
        .map(|g| {
            vec![
                g.name.clone(),
                g.count.to_string(),
                size(g.retained_size),
                grows(g).to_owned(),
                held_by(g),
            ]
        })
        .collect();
    print_table(
        &["Constructor", "Count", "Retained", "Grows", "Held by"],
        &table,
    );
    if let Some(g) = report.groups.first() {
        out!("\nfirst group: {} \u{d7}{}", g.name, g.count);
        if let Some(at) = &g.location {
            out!("  defined at {at}");
        }
        for site in &g.allocated_at {
            let frames: Vec<String> = site.frames.iter().map(|f| f.to_string()).collect();
            out!(
                "  allocated \u{d7}{} at {}",
                site.count,
                frames.join(" <- ")
            );
        }
        out!("  why: {}", g.why);
        out!("  retaining path:");
        for line in path_lines(g) {
            out!("    {line}");
        }
    }
}
