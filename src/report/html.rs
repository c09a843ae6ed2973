//! The leak report as one self-contained HTML file: styles inline, no
//! script, and a Content-Security-Policy that forbids every request, so it
//! opens anywhere (`file://`, an attachment, a ticket) and shows only what
//! the report holds. Every snapshot string is escaped text in a `<bdi>`.

use super::SnapshotFile;
use super::{allocated_cell, covers, grows, has_sites, held_by, path_lines, size, stack_text};
use crate::analysis::leaks::{LeakGroup, LeakReport};
use crate::snapshot::visible;
use std::fmt::Write;

/// Groups whose path and members are shown in full (the rest: one row).
const DETAILED: usize = 10;

/// `text` as HTML text or attribute value, controls and bidi overrides
/// written as visible escapes (also what the retainer graph's SVG writes).
pub(crate) fn esc(text: &str) -> String {
    let text = visible(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A snapshot-derived string: escaped and isolated from the text around it.
fn bdi(text: &str) -> String {
    format!("<bdi>{}</bdi>", esc(text))
}

const STYLE: &str = "\
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1b1f24;background:#fff}\
h1{font-size:20px}h2{font-size:16px;margin-top:28px}\
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.warn{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px;margin:8px 0}\
pre{background:#f6f8fa;padding:8px;overflow:auto}.muted{color:#57606a}\
svg text{font:11px system-ui,sans-serif;fill:#1b1f24}\
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}th,td{border-color:#30363d}\
pre{background:#161b22}.muted{color:#9da7b3}.warn{background:#3b2e00;border-color:#9e6a03}svg text{fill:#e6edf3}}";

/// The report as a self-contained HTML document, its first `top` groups;
/// `files` gives the snapshots' sizes by name.
pub fn html(report: &LeakReport, files: &[SnapshotFile], top: usize) -> String {
    let mut out = String::with_capacity(16 << 10);
    out.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width\">");
    out.push_str("<title>heaplens leak report</title><style>");
    out.push_str(STYLE);
    out.push_str("</style></head><body>\n<h1>heaplens leak report</h1>\n");
    let _ = writeln!(out, "<p>{}</p>", esc(&covers(report)));
    for w in &report.warnings {
        let _ = writeln!(
            out,
            "<p class=\"warn\" role=\"note\"><strong>Warning:</strong> {}</p>",
            esc(w)
        );
    }
    snapshots(&mut out, report, files);
    groups(&mut out, report, top);
    for (i, g) in report.groups.iter().take(top.min(DETAILED)).enumerate() {
        detail(&mut out, i, g, &report.snapshots);
    }
    out.push_str("<p class=\"muted\">Written by heaplens from V8 heap snapshots; nothing in this file loads anything.</p>\n</body></html>\n");
    out
}

/// The snapshots (name, size, heap total) and a bar chart of the totals.
fn snapshots(out: &mut String, report: &LeakReport, files: &[SnapshotFile]) {
    let count = report.snapshots.len().max(report.totals.len());
    if count == 0 {
        return;
    }
    out.push_str("<h2>Snapshots, in capture order</h2>\n");
    let most = report.totals.iter().copied().max().unwrap_or(0).max(1);
    let (bar, gap, height) = (48usize, 24usize, 120u64);
    let width = count * (bar + gap) + gap;
    let _ = write!(
        out,
        "<svg role=\"img\" aria-labelledby=\"growth-title\" width=\"{width}\" height=\"{}\" viewBox=\"0 0 {width} {}\"><title id=\"growth-title\">Heap size of each snapshot</title>",
        height + 40,
        height + 40
    );
    for (i, &total) in report.totals.iter().enumerate() {
        let h = (total * height / most).max(1);
        let x = gap + i * (bar + gap);
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" fill=\"#2f81f7\"><title>{}: {}</title></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            height + 10 - h,
            i + 1,
            esc(&size(total)),
            x + bar / 2,
            height + 26,
            esc(&size(total))
        );
    }
    out.push_str("</svg>\n<table><thead><tr><th>#</th><th>File</th><th class=\"n\">File size</th><th class=\"n\">Heap size</th></tr></thead><tbody>\n");
    for i in 0..count {
        let name = report.snapshots.get(i).map_or("", String::as_str);
        let bytes = files
            .iter()
            .find(|f| f.name == name)
            .map_or(String::new(), |f| size(f.bytes));
        let heap = report.totals.get(i).map_or(String::new(), |&t| size(t));
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            i + 1,
            bdi(name),
            bytes,
            esc(&heap)
        );
    }
    out.push_str("</tbody></table>\n");
}

/// The groups, one row each, most suspicious first.
fn groups(out: &mut String, report: &LeakReport, top: usize) {
    let _ = writeln!(
        out,
        "<h2>Leak groups ({} of {})</h2>",
        report.groups.len().min(top),
        report.groups.len()
    );
    if report.groups.is_empty() {
        out.push_str("<p>Nothing allocated between the first two snapshots is still alive in the last.</p>\n");
        return;
    }
    // The allocation column only when the last snapshot recorded stacks.
    let sites = has_sites(report);
    let _ = writeln!(
        out,
        "<table><thead><tr><th>Class</th><th class=\"n\">Count</th><th class=\"n\">Retained</th><th>Grows</th><th>Held by</th><th>Defined at</th>{}</tr></thead><tbody>",
        if sites { "<th>Allocated at</th>" } else { "" }
    );
    for (i, g) in report.groups.iter().take(top).enumerate() {
        let name = match i < DETAILED {
            true => format!("<a href=\"#group-{}\">{}</a>", i + 1, bdi(&g.name)),
            false => bdi(&g.name),
        };
        let location = g.location.as_ref().map_or(String::new(), |l| l.to_string());
        let allocated = match sites {
            true => format!("<td>{}</td>", bdi(&allocated_cell(g))),
            false => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr><td>{name}</td><td class=\"n\">{}</td><td class=\"n\" title=\"{} bytes\">{}</td><td>{}</td><td>{}</td><td>{}</td>{allocated}</tr>",
            g.count,
            g.retained_size,
            size(g.retained_size),
            grows(g),
            bdi(&held_by(g)),
            bdi(&location)
        );
    }
    out.push_str("</tbody></table>\n");
}

/// One group in full: why, counts per snapshot, where it is defined, its
/// retaining path, where it was allocated and the folded holders.
fn detail(out: &mut String, i: usize, g: &LeakGroup, snapshots: &[String]) {
    let _ = writeln!(
        out,
        "<h2 id=\"group-{}\">{}. {} \u{d7}{}</h2>\n<p>{}</p>",
        i + 1,
        i + 1,
        bdi(&g.name),
        g.count,
        esc(&g.why)
    );
    if let Some(at) = &g.location {
        let _ = writeln!(
            out,
            "<p>Defined at <code>{}</code></p>",
            bdi(&at.to_string())
        );
    }
    out.push_str("<table><thead><tr><th>Snapshot</th><th class=\"n\">Objects of the class</th></tr></thead><tbody>");
    for (k, count) in g.counts.iter().enumerate() {
        let name = snapshots
            .get(k)
            .cloned()
            .unwrap_or_else(|| format!("#{}", k + 1));
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{count}</td></tr>",
            bdi(&name)
        );
    }
    out.push_str("</tbody></table>\n<p>Retaining path, from a GC root:</p>\n<pre>");
    for line in path_lines(g) {
        let _ = writeln!(out, "{}", esc(&line));
    }
    out.push_str("</pre>\n");
    if !g.allocated_at.is_empty() {
        out.push_str("<p>Allocated at (the commonest stacks, innermost frame first):</p><ul>");
        for site in &g.allocated_at {
            let _ = write!(
                out,
                "<li>\u{d7}{} <code>{}</code></li>",
                site.count,
                bdi(&stack_text(site))
            );
        }
        out.push_str("</ul>\n");
    }
    if !g.holders.is_empty() {
        out.push_str("<p>Leaking with them and holding them:</p><ul>");
        for h in &g.holders {
            let _ = write!(
                out,
                "<li>{} ({}) \u{d7}{}</li>",
                bdi(&h.node),
                bdi(&h.name),
                h.count
            );
        }
        out.push_str("</ul>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::html;
    use crate::analysis::allocations::{AllocationSite, Frame};
    use crate::analysis::leaks::{Holder, LeakGroup, LeakReport, PathStep};
    use crate::report::SnapshotFile;

    fn step(node: &str, edge: &str, id: u32) -> PathStep {
        PathStep {
            node: node.to_owned(),
            edge: edge.to_owned(),
            edge_type: "property".to_owned(),
            id,
            repeat: None,
            repeat_span: None,
        }
    }

    /// A report whose strings are a hostile program's: markup, a bidi
    /// override, a terminal escape.
    fn hostile() -> LeakReport {
        let name = "<img src=x onerror=alert(1)>\u{202e}lmth.exe";
        LeakReport {
            groups: vec![LeakGroup {
                name: name.to_owned(),
                count: 3,
                self_size: 96,
                retained_size: 4096,
                grows_every_interval: Some(true),
                counts: vec![0, 1, 2, 3],
                path: vec![step("global", "", 1), step(name, "\u{1b}[31mkey\"'", 7)],
                members: vec![7, 8, 9],
                held_by_other_groups: false,
                program_class: true,
                location: None,
                holders: vec![Holder {
                    name: "Function".to_owned(),
                    node: "<script>x()</script>".to_owned(),
                    count: 3,
                }],
                allocated_at: vec![AllocationSite {
                    count: 3,
                    frames: vec![Frame {
                        function_name: name.to_owned(),
                        script_name: "<svg onload=x>.js".to_owned(),
                        script_id: 9,
                        line: 4,
                        column: 2,
                    }],
                }],
                why: "grew in every interval".to_owned(),
            }],
            warnings: vec!["<b>warn</b>".to_owned()],
            id_range: (10, 20),
            totals: vec![1000, 2000, 3000, 4000],
            snapshots: (1..=4).map(|i| format!("{i}.heapsnapshot")).collect(),
        }
    }

    #[test]
    fn snapshot_strings_stay_text_in_the_html_report() {
        let files = [SnapshotFile {
            name: "4.heapsnapshot".to_owned(),
            bytes: 2_500_000,
        }];
        let page = html(&hostile(), &files, 20);
        assert!(!page.contains("<img") && !page.contains("<script") && !page.contains("<b>"));
        assert!(
            page.contains("<bdi>&lt;img src=x onerror=alert(1)&gt;\\u202elmth.exe</bdi> \u{d7}3")
        );
        assert!(
            page.contains("\\x1b[31mkey&quot;&#39;"),
            "the escape is shown, not sent"
        );
        assert!(page.contains("&lt;script&gt;x()&lt;/script&gt;"));
        assert!(!page.contains("<svg onload"));
        assert!(page.contains(
            "<li>\u{d7}3 <code><bdi>&lt;img src=x onerror=alert(1)&gt;\\u202elmth.exe (&lt;svg onload=x&gt;.js:4:2)</bdi></code></li>"
        ));
        assert!(!page.contains('\u{202e}') && !page.contains('\u{1b}'));
        assert!(page.contains("<td><bdi>4.heapsnapshot</bdi></td><td class=\"n\">2.5 MB</td><td class=\"n\">4.0 kB</td>"));
        assert!(page.contains("default-src 'none'"), "nothing may load");
    }
}
