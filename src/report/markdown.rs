//! The leak report in Markdown: a table of the groups and the first group's
//! retaining path, every snapshot string escaped so it stays text.

use super::{allocated_cell, covers, grows, has_sites, path_lines, size, stack_text};
use crate::analysis::leaks::LeakReport;
use std::fmt::Write;

/// `text` as one cell of a Markdown table: on one line, with what Markdown
/// or HTML would act on escaped.
fn cell(text: &str) -> String {
    let mut cell = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => cell.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '!' => {
                cell.push('\\');
                cell.push(c);
            }
            _ => cell.push(c),
        }
    }
    cell
}

/// The report as Markdown (for a CI job summary, `>> $GITHUB_STEP_SUMMARY`,
/// a ticket or a pull request), its first `top` groups.
pub fn markdown(report: &LeakReport, top: usize) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line("### heaplens leak report".to_owned());
    line(format!("\n{}", cell(&covers(report))));
    for w in &report.warnings {
        line(format!("\n> **warning:** {}", cell(w)));
    }
    // The allocation column only when the last snapshot recorded stacks.
    let sites = has_sites(report);
    let (head, rule) = match sites {
        true => (" Allocated at |", "---|"),
        false => ("", ""),
    };
    line(format!(
        "\n| Class | Count | Retained | Grows | Location |{head} Why |"
    ));
    line(format!("|---|--:|--:|---|---|{rule}---|"));
    for g in report.groups.iter().take(top) {
        let location = g.location.as_ref().map_or(String::new(), |l| l.to_string());
        let allocated = match sites {
            true => format!(" {} |", cell(&allocated_cell(g))),
            false => String::new(),
        };
        line(format!(
            "| {} | {} | {} | {} | {} |{allocated} {} |",
            cell(&g.name),
            g.count,
            size(g.retained_size),
            grows(g),
            cell(&location),
            cell(&g.why)
        ));
    }
    if let Some(g) = report.groups.first() {
        let lines = path_lines(g);
        // A fence longer than any run of backticks in the path.
        let longest = lines
            .iter()
            .flat_map(|l| l.split(|c| c != '`'))
            .map(str::len)
            .max()
            .unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let mut block = format!(
            "\nRetaining path of {} \u{d7}{}:\n\n{fence}text\n",
            cell(&g.name),
            g.count
        );
        for l in lines {
            let _ = writeln!(block, "{l}");
        }
        block.push_str(&fence);
        line(block);
        if !g.allocated_at.is_empty() {
            line(format!("\nWhere {} was allocated:\n", cell(&g.name)));
        }
        for site in &g.allocated_at {
            line(format!(
                "- \u{d7}{} {}",
                site.count,
                cell(&stack_text(site))
            ));
        }
    }
    out
}
