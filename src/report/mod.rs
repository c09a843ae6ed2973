//! The leak report as a document to share: Markdown for tickets and CI job
//! summaries, one self-contained HTML file for anyone. The command line and
//! the page render the same document from the same report, so a file made
//! in either says the same as the Leaks view.

mod html;
mod markdown;

pub(crate) use html::esc as html_escape;
pub use html::html;
pub use markdown::markdown;

use crate::analysis::allocations::AllocationSite;
use crate::analysis::leaks::{LeakGroup, LeakReport};
use serde::{Deserialize, Serialize};

/// A snapshot file of the series, as the document lists it (capture order).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotFile {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The formats a leak report is written in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Format {
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One HTML file: no script, no request, styles inline.
    Html,
}

/// `report` in `format`, its first `top` groups; `files` in capture order.
pub fn render(report: &LeakReport, files: &[SnapshotFile], format: Format, top: usize) -> String {
    match format {
        Format::Markdown => markdown(report, top),
        Format::Html => html(report, files, top),
    }
}

/// Decimal sizes as DevTools writes them: B, kB, MB, GB.
pub fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b < 1e3 {
        format!("{bytes} B")
    } else if b < 1e6 {
        format!("{:.1} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}

/// What the report says it covers: the id range, or why it is empty.
pub fn covers(report: &LeakReport) -> String {
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

/// Whether a group grew: in every interval, not, or unknown (3 snapshots).
pub fn grows(g: &LeakGroup) -> &'static str {
    match g.grows_every_interval {
        Some(true) => "every interval",
        Some(false) => "no",
        None => "-",
    }
}

/// A group's retaining path, one line per step, root first, indented.
pub fn path_lines(g: &LeakGroup) -> Vec<String> {
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

/// The program edges that hold a group, root side first, with the holders
/// folded into it: "requestCache > table > [] (with onTick() ×30)".
pub fn held_by(g: &LeakGroup) -> String {
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

/// An allocation site on one line: its frames, innermost first, each
/// after an arrow from its caller (one Markdown does not escape).
pub fn stack_text(site: &AllocationSite) -> String {
    let frames: Vec<String> = site.frames.iter().map(|f| f.to_string()).collect();
    frames.join(" \u{2190} ")
}

/// Where most of a group was allocated, in a table cell: the innermost
/// frame of its commonest stack and how many members it made ("" when the
/// snapshot has no allocation traces).
pub fn allocated_cell(g: &LeakGroup) -> String {
    g.allocated_at
        .first()
        .and_then(|site| Some(format!("{} \u{d7}{}", site.frames.first()?, site.count)))
        .unwrap_or_default()
}

/// Whether any group of the report says where it was allocated (documents
/// without traces keep their columns).
pub fn has_sites(report: &LeakReport) -> bool {
    report.groups.iter().any(|g| !g.allocated_at.is_empty())
}
