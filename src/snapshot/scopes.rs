//! V8's scope tables (newest V8, e.g. Chromium 156; not Node 20): for each
//! script, its scopes as a tree written depth first, the context variables
//! each scope declares, and the variables each scope uses. DevTools'
//! `ContextAnalyzer` reads them to tell captured variables no live closure
//! can read; heaplens keeps them as the flat arrays the file has.

/// Where the fields of the three tables are, resolved by name from
/// `scope_fields`, `scope_context_var_fields` and `scope_use_fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeLayout {
    /// Values per `scopes` row.
    pub scope_stride: usize,
    /// Offset of `script_node_index` (the script's node index).
    pub script_node_index: usize,
    /// Offset of `scope_id` (unique within its script).
    pub scope_id: usize,
    /// Offset of `depth` (0 for a script's outermost scope).
    pub depth: usize,
    /// Offset of `scope_context_vars_count`.
    pub vars_count: usize,
    /// Offset of `scope_uses_count`.
    pub uses_count: usize,
    /// Values per `scope_context_vars` row.
    pub var_stride: usize,
    /// Offset of `name` (a string index).
    pub var_name: usize,
    /// Values per `scope_uses` row.
    pub use_stride: usize,
    /// Offset of `declaring_scope_id`.
    pub declaring_scope_id: usize,
    /// Offset of `slot_index` (the variable's position in its scope).
    pub slot_index: usize,
}

impl ScopeLayout {
    /// The layout the three field lists describe, or `None` when one is
    /// missing or lacks a field DevTools reads.
    pub fn from_fields(scope: &[String], var: &[String], uses: &[String]) -> Option<ScopeLayout> {
        let at = |list: &[String], name: &str| list.iter().position(|f| f == name);
        Some(ScopeLayout {
            scope_stride: scope.len(),
            script_node_index: at(scope, "script_node_index")?,
            scope_id: at(scope, "scope_id")?,
            depth: at(scope, "depth")?,
            vars_count: at(scope, "scope_context_vars_count")?,
            uses_count: at(scope, "scope_uses_count")?,
            var_stride: var.len(),
            var_name: at(var, "name")?,
            use_stride: uses.len(),
            declaring_scope_id: at(uses, "declaring_scope_id")?,
            slot_index: at(uses, "slot_index")?,
        })
    }
}

/// The three tables, as read (scope ids can be negative).
#[derive(Debug, Default)]
pub struct ScopeTables {
    /// `scopes` rows.
    pub scopes: Vec<i64>,
    /// `scope_context_vars` rows.
    pub vars: Vec<i64>,
    /// `scope_uses` rows.
    pub uses: Vec<i64>,
}

impl ScopeTables {
    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        (self.scopes.capacity() + self.vars.capacity() + self.uses.capacity()) * 8
    }
}
