//! The leak report as the command line prints it: a text table and the
//! first group's retaining path, or Markdown for CI job summaries and tickets.

use crate::{print_table, size, terminal_safe};
use heaplens::analysis::leaks::{LeakGroup, LeakReport};

/// What the report says it covers: the id range, or why it is empty.
fn leak_range(report: &LeakReport) -> String {
    let (low, high) = report.id_range;
    if low < high {
        format!(
            "objects allocated between the first two snapshots (ids {}..{}) and still alive in the last:",
            low + 1,
            high
        )
    } else {
        "no object was allocated between the first two snapshots (their newest ids are equal)"
            .to_owned()
    }
}

fn grows(g: &LeakGroup) -> &'static str {
    match g.grows_every_interval {
        Some(true) => "every interval",
        Some(false) => "no",
        None => "-",
    }
}

/// A group's retaining path, one line per step, root first, indented.
fn path_lines(g: &LeakGroup) -> Vec<String> {
    g.path
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let repeat = match (st.repeat, st.repeat_span) {
                (Some(n), Some(span)) => format!("  (these {span} steps \u{d7}{n})"),
                (Some(n), None) => format!("  (\u{d7}{n})"),
                _ => String::new(),
            };
            if i == 0 {
                format!("{} @{}", st.node, st.id)
            } else {
                format!(
                    "{}--{}--> {} @{}{repeat}",
                    "  ".repeat(i.min(20)),
                    st.edge,
                    st.node,
                    st.id
                )
            }
        })
        .collect()
}

pub fn print_leaks_text(report: &LeakReport, top: usize) {
    for w in &report.warnings {
        eprintln!("warning: {}", terminal_safe(w));
    }
    out!("{}", leak_range(report));
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
        out!("  why: {}", g.why);
        out!("  retaining path:");
        for line in path_lines(g) {
            out!("    {line}");
        }
    }
}

/// `text` as one cell of a Markdown table: on one line, with what Markdown
/// or HTML would act on escaped.
fn markdown_cell(text: &str) -> String {
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

/// The report as Markdown, for a CI job summary (`>> $GITHUB_STEP_SUMMARY`):
/// a table of the groups and the first group's retaining path.
pub fn print_leaks_markdown(report: &LeakReport, top: usize) {
    out!("### heaplens leak report");
    out!("\n{}", markdown_cell(&leak_range(report)));
    for w in &report.warnings {
        out!("\n> **warning:** {}", markdown_cell(w));
    }
    out!("\n| Class | Count | Retained | Grows | Location | Why |");
    out!("|---|--:|--:|---|---|---|");
    for g in report.groups.iter().take(top) {
        let location = g.location.as_ref().map_or(String::new(), |l| l.to_string());
        out!(
            "| {} | {} | {} | {} | {} | {} |",
            markdown_cell(&g.name),
            g.count,
            size(g.retained_size),
            grows(g),
            markdown_cell(&location),
            markdown_cell(&g.why)
        );
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
        out!(
            "\nRetaining path of {} \u{d7}{}:",
            markdown_cell(&g.name),
            g.count
        );
        out!("\n{fence}text");
        for line in lines {
            out!("{line}");
        }
        out!("{fence}");
    }
}

/// The program edges that hold a group, root side first, with the holders
/// folded into it: "requestCache › table › [] (held by Function ×30)".
fn held_by(g: &LeakGroup) -> String {
    let mut text = g
        .path
        .iter()
        .skip(1)
        .map(|s| match s.repeat {
            Some(n) => format!("{} \u{d7}{n}", s.edge),
            None => s.edge.clone(),
        })
        .collect::<Vec<_>>()
        .join(" > ");
    if !g.holders.is_empty() {
        let holders: Vec<String> = g
            .holders
            .iter()
            .map(|h| format!("{} \u{d7}{}", h.node, h.count))
            .collect();
        text = format!("{text} (with {})", holders.join(", "));
    }
    text
}
