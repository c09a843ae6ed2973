//! Script names by V8 script id, and source locations a user can read.
//!
//! The `locations` section gives `(script id, line, column)` for objects (their
//! constructor's) and functions, but names no script. Every function that has
//! a location also leads to its script: `closure --shared--> SharedFunctionInfo
//! --script_or_debug_info--> Script`, and V8 names that Script node after the
//! script's URL (older V8 writes `system / Script` with a `name` edge instead).

use super::fasthash::FastMap;
use crate::snapshot::strings::StringIndex;
use crate::snapshot::Graph;
use serde::Serialize;

/// Names of the scripts that functions of a snapshot come from.
#[derive(Debug, Default)]
pub struct Scripts {
    names: FastMap<u32, StringIndex>,
}

/// Where a class or function was defined, 1-based as editors count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceLocation {
    /// V8's script id.
    pub script_id: u32,
    /// The script's name or URL (empty when the snapshot does not say).
    pub script: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.script.is_empty() {
            write!(f, "script #{}", self.script_id)?;
        } else {
            f.write_str(&self.script)?;
        }
        write!(f, ":{}:{}", self.line, self.column)
    }
}

impl Scripts {
    /// Finds the script of every function that has a location.
    pub fn find(g: &Graph) -> Scripts {
        let closure = g.meta.node_kinds.closure;
        let mut names = FastMap::default();
        for l in &g.locations {
            let n = l.node as usize;
            if g.node_type[n] != closure || names.contains_key(&l.script_id) {
                continue;
            }
            let script = edge_to(g, n, "shared").and_then(|sfi| {
                edge_to(g, sfi, "script_or_debug_info").or(edge_to(g, sfi, "script"))
            });
            if let Some(name) = script.and_then(|s| script_name(g, s)) {
                names.insert(l.script_id, name);
            }
        }
        Scripts { names }
    }

    /// The name of script `id`, if a function of the snapshot comes from it.
    pub fn name<'g>(&self, g: &'g Graph, id: u32) -> Option<&'g str> {
        self.names.get(&id).map(|&s| g.strings.get(s))
    }

    /// A readable location from a `(script id, 0-based line, 0-based column)`.
    pub fn location(
        &self,
        g: &Graph,
        (script_id, line, column): (u32, u32, u32),
    ) -> SourceLocation {
        SourceLocation {
            script_id,
            script: self.name(g, script_id).unwrap_or_default().to_owned(),
            // Saturating: found by fuzzing, a file's u32::MAX overflowed.
            line: line.saturating_add(1),
            column: column.saturating_add(1),
        }
    }

    /// True when script `id` is the program's own code: named, and not the
    /// runtime's (Node's `node:` modules, V8 and Blink built-ins, extensions).
    pub fn is_program(&self, g: &Graph, id: u32) -> bool {
        self.name(g, id).is_some_and(is_program_script)
    }
}

/// True for a script name that belongs to the program rather than to the
/// runtime that runs it.
pub fn is_program_script(name: &str) -> bool {
    const RUNTIME: [&str; 8] = [
        "node:",
        "internal/",
        "extensions::",
        "chrome://",
        "chrome-extension://",
        "devtools://",
        "v8/",
        "native ",
    ];
    !name.is_empty() && !RUNTIME.iter().any(|p| name.starts_with(p))
}

/// The target of `n`'s first edge named `name`.
fn edge_to(g: &Graph, n: usize, name: &str) -> Option<usize> {
    g.edges(n)
        .find(|&e| g.edge_name_str(e) == Some(name))
        .map(|e| g.edge_to[e] as usize)
}

/// A Script node's name: the node's own, or its `name` string's in older V8.
fn script_name(g: &Graph, script: usize) -> Option<StringIndex> {
    let own = g.node_name[script];
    if !g.strings.get(own).starts_with("system / ") {
        return Some(own);
    }
    edge_to(g, script, "name").map(|s| g.node_name[s])
}

#[cfg(test)]
mod tests {
    use super::is_program_script;

    #[test]
    fn runtime_scripts_are_not_the_program() {
        assert!(is_program_script("/srv/app/server.js"));
        assert!(is_program_script("file:///srv/app/main.mjs"));
        assert!(is_program_script("http://127.0.0.1:8080/app.js"));
        assert!(!is_program_script("node:internal/timers"));
        assert!(!is_program_script("node:events"));
        assert!(!is_program_script("extensions::SafeBuiltins"));
        assert!(!is_program_script(""));
    }
}
