//! Dead closure-context fields, as DevTools' `ContextAnalyzer.ts` finds them
//! from V8's scope tables: a captured variable of a context is dead when no
//! live closure whose context chain holds that context can read it, now or
//! through a function nested in it and not created yet. Its value is then
//! kept alive for nothing: the shared-closure-context leak.

use super::fasthash::{FastMap, FastSet};
use super::filters::is_context;
use super::HeapSnapshot;
use crate::snapshot::scopes::{ScopeLayout, ScopeTables};
use crate::snapshot::{EdgeIndex, Graph, NodeIndex};
use std::collections::hash_map::Entry;

/// One dead field: a context slot no live closure can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DeadField {
    /// The context node.
    pub context: NodeIndex,
    /// The `context` edge of the field.
    pub edge: EdgeIndex,
}

/// What the analysis found.
#[derive(Debug, Default)]
pub struct ContextAnalysis {
    /// False when the snapshot has no scope tables (older V8, Node 20):
    /// nothing can be said about which fields are dead.
    pub has_scope_tables: bool,
    /// Dead fields, by context then edge.
    pub dead: Vec<DeadField>,
    /// Scripts with contexts but no scope table rows (node ordinal, number
    /// of contexts), in node order.
    pub scripts_without_scopes: Vec<(u32, u32)>,
}

impl ContextAnalysis {
    /// True when edge `e` of context `c` is a dead field.
    pub fn is_dead(&self, c: impl Into<NodeIndex>, e: impl Into<EdgeIndex>) -> bool {
        self.dead
            .binary_search(&DeadField {
                context: c.into(),
                edge: e.into(),
            })
            .is_ok()
    }
}

/// Target of the first internal edge of `n` named `name`.
fn internal(g: &Graph, n: usize, name: &str) -> Option<usize> {
    g.edges(n)
        .find(|&e| g.edge_type[e] == g.meta.edge_kinds.internal && g.edge_name_str(e) == Some(name))
        .map(|e| g.edge_to[e] as usize)
}

/// DevTools' `nodeValueAsInt`: a `number` node named `int` whose internal
/// `value` edge names the number (JavaScript's `parseInt`).
fn int_value(g: &Graph, n: usize) -> Option<i64> {
    if g.type_name(n) != "number" || g.name(n) != "int" {
        return None;
    }
    let text = g.name(internal(g, n, "value")?).trim_start();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse::<i64>().ok().map(|v| sign * v)
}

/// One row of the `scopes` table, resolved.
struct Scope {
    script: i64,
    id: i64,
    parent: Option<u32>,
    /// First variable (row of `scope_context_vars`) and how many.
    vars: (usize, usize),
}

/// The scope tables resolved: the scope trees and which scopes use which
/// variable.
struct Scopes<'a> {
    tables: &'a ScopeTables,
    layout: ScopeLayout,
    /// By row of the `scopes` table.
    rows: Vec<Scope>,
    /// (script node index, scope id) → row.
    by_id: FastMap<(i64, i64), u32>,
    /// (variable row, using scope), sorted, once each.
    uses: Vec<(u32, u32)>,
}

impl Scopes<'_> {
    /// String index of variable row `v`'s name.
    fn var_name(&self, v: usize) -> u32 {
        self.tables.vars[v * self.layout.var_stride + self.layout.var_name] as u32
    }
}

/// Runs the analysis.
pub fn analyze_contexts(s: &HeapSnapshot) -> ContextAnalysis {
    let g = &s.graph;
    let Some(layout) = g.meta.scopes else {
        return ContextAnalysis::default();
    };
    let scopes = read_scopes(&g.scopes, layout);
    let mut heap = scan_heap(g);
    let live = live_functions(g, &heap.closures);
    heap.closures = Vec::new();
    // (4) Contexts matched with their scope, by ScopeInfo: the field names
    // are the first context's, each context's values its own.
    let mut matched: FastMap<u32, Matched> = FastMap::default();
    let scripts_with_scopes: FastSet<i64> = scopes.rows.iter().map(|sc| sc.script).collect();
    let mut without: Vec<(u32, u32)> = Vec::new();
    let mut dead: Vec<DeadField> = Vec::new();
    for &(context, info) in &heap.contexts {
        let context = context as usize;
        if let Entry::Vacant(slot) = matched.entry(info) {
            let Some(id) = internal(g, info as usize, "scope_id").and_then(|v| int_value(g, v))
            else {
                continue;
            };
            let Some(script) = script_of(g, &mut heap.info_script, info) else {
                continue;
            };
            if heap.scripts.binary_search(&script).is_err() {
                continue;
            }
            if let Some(w) = without.iter_mut().find(|w| w.0 == script) {
                w.1 += 1;
                continue;
            }
            let index = script as i64 * g.meta.node_field_count() as i64;
            if !scripts_with_scopes.contains(&index) {
                without.push((script, 1));
                continue;
            }
            let Some(&scope) = scopes.by_id.get(&(index, id)) else {
                continue;
            };
            let fields = variables(g, context).map(|e| g.edge_name[e]).collect();
            slot.insert(Matched {
                scope,
                script,
                fields,
            });
        }
        if let Some(m) = matched.get(&info) {
            dead_fields(g, &scopes, &live, context, m, &mut dead);
        }
    }
    dead.sort_unstable();
    without.sort_unstable();
    ContextAnalysis {
        has_scope_tables: true,
        dead,
        scripts_without_scopes: without,
    }
}

/// (1) The scope trees, keyed by (script node index, scope id), and the
/// uses of each variable.
fn read_scopes(t: &ScopeTables, layout: ScopeLayout) -> Scopes<'_> {
    let mut rows: Vec<Scope> = Vec::new();
    let mut by_id: FastMap<(i64, i64), u32> = FastMap::default();
    let mut stack: Vec<u32> = Vec::new();
    let mut var_start = 0;
    let var_rows = t.vars.len() / layout.var_stride.max(1);
    for row in t.scopes.chunks_exact(layout.scope_stride) {
        let (script, id) = (row[layout.script_node_index], row[layout.scope_id]);
        let depth = row[layout.depth].clamp(0, i64::from(u32::MAX)) as usize;
        // A count past the end of the table (a corrupt file) takes what is there.
        let count =
            (row[layout.vars_count].max(0) as u64).min((var_rows - var_start) as u64) as usize;
        if rows.last().is_some_and(|p| p.script != script) {
            stack.clear();
        }
        let parent = if depth > 0 {
            stack.get(depth - 1).copied()
        } else {
            None
        };
        let index = rows.len() as u32;
        rows.push(Scope {
            script,
            id,
            parent,
            vars: (var_start, count),
        });
        var_start += count;
        stack.truncate(depth);
        stack.push(index);
        by_id.insert((script, id), index);
    }
    let uses = variable_uses(t, layout, &rows, &by_id, var_rows);
    Scopes {
        tables: t,
        layout,
        rows,
        by_id,
        uses,
    }
}

/// Uses: (variable row, using scope), once each, sorted.
fn variable_uses(
    t: &ScopeTables,
    layout: ScopeLayout,
    scopes: &[Scope],
    by_id: &FastMap<(i64, i64), u32>,
    var_rows: usize,
) -> Vec<(u32, u32)> {
    let use_rows = t.uses.len() / layout.use_stride.max(1);
    let mut uses: Vec<(u32, u32)> = Vec::new();
    let mut use_row = 0;
    for row in t.scopes.chunks_exact(layout.scope_stride) {
        let script = row[layout.script_node_index];
        let count =
            (row[layout.uses_count].max(0) as u64).min((use_rows - use_row) as u64) as usize;
        if let Some(&using) = by_id.get(&(script, row[layout.scope_id])) {
            for u in use_row..use_row + count {
                let Some(fields) = t
                    .uses
                    .get(u * layout.use_stride..(u + 1) * layout.use_stride)
                else {
                    break;
                };
                let declaring = by_id.get(&(script, fields[layout.declaring_scope_id]));
                let slot = fields[layout.slot_index];
                if let Some(&d) = declaring {
                    let (start, n) = scopes[d as usize].vars;
                    if (0..n as i64).contains(&slot) && start + (slot as usize) < var_rows {
                        uses.push(((start + slot as usize) as u32, using));
                    }
                }
            }
        }
        use_row += count;
    }
    uses.sort_unstable();
    uses.dedup();
    uses
}

/// What one pass over the heap finds.
#[derive(Default)]
struct HeapScan {
    /// Script nodes, in node order.
    scripts: Vec<u32>,
    /// (context, its ScopeInfo).
    contexts: Vec<(u32, u32)>,
    /// (context, script, scope id) of each closure.
    closures: Vec<(u32, u32, i64)>,
    /// ScopeInfo → its script, as SharedFunctionInfos say (see [`script_of`]).
    info_script: FastMap<u32, Option<u32>>,
}

/// (2) One pass over the heap.
fn scan_heap(g: &Graph) -> HeapScan {
    let mut heap = HeapScan::default();
    for n in 0..g.node_count() {
        let name = g.name(n);
        if name.starts_with("system / Script") {
            heap.scripts.push(n as u32);
        } else if is_context(g, n) {
            if let Some(info) = internal(g, n, "scope_info") {
                heap.contexts.push((n as u32, info as u32));
            }
        } else if g.node_type[n] == g.meta.node_kinds.closure {
            let (Some(shared), Some(context)) =
                (internal(g, n, "shared"), internal(g, n, "context"))
            else {
                continue;
            };
            let Some(script) = internal(g, shared, "script") else {
                continue;
            };
            if let Some(id) = internal(g, shared, "scope_id").and_then(|v| int_value(g, v)) {
                heap.closures.push((context as u32, script as u32, id));
            }
        } else if name.starts_with("system / SharedFunctionInfo") {
            let info = internal(g, n, "name_or_scope_info");
            let script = internal(g, n, "script");
            if let (Some(info), Some(script)) = (info, script) {
                if g.name(info) == "system / ScopeInfo"
                    && g.name(script).starts_with("system / Script")
                {
                    heap.info_script.insert(info as u32, Some(script as u32));
                }
            }
        }
    }
    heap
}

/// (3) Live functions: (script, scope id, a context its closures reach).
fn live_functions(g: &Graph, closures: &[(u32, u32, i64)]) -> FastSet<(u32, i64, u32)> {
    let mut live: FastSet<(u32, i64, u32)> = FastSet::default();
    for &(context, script, id) in closures {
        let mut c = Some(context as usize);
        while let Some(ctx) = c {
            if !is_context(g, ctx) || !live.insert((script, id, ctx as u32)) {
                break;
            }
            c = internal(g, ctx, "previous");
        }
    }
    live
}

/// A ScopeInfo matched with its scope.
struct Matched {
    scope: u32,
    script: u32,
    /// The field names (string indexes) of the first context seen.
    fields: Vec<u32>,
}

/// The `context` edges of context `c`: its variables, in slot order.
fn variables(g: &Graph, c: usize) -> impl Iterator<Item = usize> + '_ {
    g.edges(c)
        .filter(move |&e| g.edge_type[e] == g.meta.edge_kinds.context)
}

/// (5) The dead fields of `context`: a field is dead when no use of its
/// variable sits in (or under) a live function whose context chain holds
/// this context.
fn dead_fields(
    g: &Graph,
    scopes: &Scopes,
    live: &FastSet<(u32, i64, u32)>,
    context: usize,
    m: &Matched,
    dead: &mut Vec<DeadField>,
) {
    let scope = &scopes.rows[m.scope as usize];
    for (k, e) in variables(g, context).enumerate() {
        let Some(&field) = m.fields.get(k) else {
            continue;
        };
        let (start, n) = scope.vars;
        let name = g.strings.get(field);
        let Some(var) = (start..start + n).find(|&v| g.strings.get(scopes.var_name(v)) == name)
        else {
            continue;
        };
        let from = scopes.uses.partition_point(|u| (u.0 as usize) < var);
        let used = scopes.uses[from..]
            .iter()
            .take_while(|u| u.0 as usize == var)
            .any(|&(_, using)| {
                let mut at = Some(using);
                while let Some(sc) = at {
                    let sc = &scopes.rows[sc as usize];
                    if live.contains(&(m.script, sc.id, context as u32)) {
                        return true;
                    }
                    at = sc.parent;
                }
                false
            });
        if !used {
            dead.push(DeadField {
                context: NodeIndex::new(context),
                edge: EdgeIndex::new(e),
            });
        }
    }
}

/// The script a ScopeInfo belongs to: known from a SharedFunctionInfo, or
/// found along its `outer_scope_info` chain (remembered, failures too).
fn script_of(g: &Graph, known: &mut FastMap<u32, Option<u32>>, info: u32) -> Option<u32> {
    let mut visited: Vec<u32> = Vec::new();
    let mut seen: FastSet<u32> = FastSet::default();
    let mut at = info;
    let mut script = None;
    loop {
        if let Some(&s) = known.get(&at) {
            script = s;
            break;
        }
        if !seen.insert(at) {
            break;
        }
        visited.push(at);
        match internal(g, at as usize, "outer_scope_info") {
            Some(outer) => at = outer as u32,
            None => break,
        }
    }
    for v in visited {
        known.insert(v, script);
    }
    script
}
