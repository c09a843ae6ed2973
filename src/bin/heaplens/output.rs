//! How the CLI prints: lines made terminal-safe, JSON as it is, tables
//! with cut cells. A closed pipe (`heaplens … | head`) ends the program
//! quietly.

use heaplens::snapshot::visible as terminal_safe;
use std::io::Write;

/// Writes `line` for [`out!`]: the leading newlines `template` has are kept.
pub fn write_line(line: &str, template: &str) {
    let own = template.len() - template.trim_start_matches('\n').len();
    let (newlines, text) = line.split_at(own.min(line.len()));
    write_raw(&format!("{newlines}{}", terminal_safe(text)));
}

/// Writes `text` and a newline to stdout as they are; exits quietly when
/// the pipe is closed.
pub fn write_raw(text: &str) {
    if writeln!(std::io::stdout(), "{text}").is_err() {
        std::process::exit(0);
    }
}

/// A name the core cut (`full_length` is then known) as a line shows it:
/// its start and its full length.
pub fn cut_name(name: &str, full_length: Option<usize>) -> String {
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
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
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
pub const CELL_WIDTH: usize = 60;

pub fn fit(cell: &str) -> String {
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

pub fn print_json(v: &serde_json::Value) {
    // JSON escapes controls itself; the strings in it stay exact.
    write_raw(&serde_json::to_string_pretty(v).unwrap_or_default());
}
