//! The lists of the Strings and Closures views: duplicated string values
//! and closure contexts, each analysed once per session and paged.

use super::protocol::{Page, Window};
use super::rows::{
    ContextRow, HolderRow, StringRow, VariableRow, CONTEXT_ITEMS, COPY_IDS, HOLDERS,
};
use super::Session;
use crate::analysis::closures::{closures, held_only_by, variables};
use crate::analysis::contexts::analyze_contexts;
use crate::analysis::duplicates::{costs, duplicate_strings, holders};
use crate::analysis::names::display_name;
use crate::snapshot::bounded;

impl Session {
    /// The `window` of the string values held more than
    /// once, most wasted bytes first.
    pub fn duplicate_strings(&self, window: Window) -> Page<StringRow> {
        let s = &self.snapshot;
        let (groups, costs) = self.duplicates.get_or_init(|| {
            let groups = duplicate_strings(s);
            let costs = costs(s, &groups);
            (groups, costs)
        });
        Page::of(costs.len(), window, |i| {
            let c = &costs[i];
            let members = groups.group(c.group as usize);
            let (value, value_length) = display_name(&s.graph, members[0] as usize);
            StringRow {
                value,
                value_length,
                copies: c.copies,
                bytes_per_copy: c.bytes_per_copy,
                wasted_bytes: c.wasted,
                total_size: c.total_size,
                retained_size: c.retained_size,
                copy_ids: members
                    .iter()
                    .take(COPY_IDS)
                    .map(|&n| s.graph.node_id[n as usize])
                    .collect(),
                holders: holders(s, members, HOLDERS)
                    .into_iter()
                    .map(|h| HolderRow {
                        class_name: s.classes.name_of_key(h.class_key).to_owned(),
                        edge_name: h.edge_name,
                        copies: h.copies,
                    })
                    .collect(),
            }
        })
    }

    /// The `window` of the closure contexts, most bytes
    /// held only through their own variables first.
    pub fn closures(&self, window: Window) -> Page<ContextRow> {
        let s = &self.snapshot;
        let g = &s.graph;
        let (analysis, report) = self.closures.get_or_init(|| {
            let analysis = analyze_contexts(s);
            let report = closures(s, &analysis);
            (analysis, report)
        });
        let known = |v| analysis.has_scope_tables.then_some(v);
        Page::of(report.contexts.len(), window, |i| {
            let c = report.contexts[i].index();
            let functions = report.functions_of(i);
            let mut variables: Vec<usize> = variables(s, c).collect();
            let value = |e: usize| g.edge_to[e] as usize;
            variables.sort_by_key(|&e| std::cmp::Reverse(s.dominators.retained.get(value(e))));
            ContextRow {
                context: self.node_row(c),
                held_size: report.held[i],
                own_size: report.own[i],
                dead_size: known(report.dead[i]),
                dead_held_size: known(report.dead_held[i]),
                function_count: functions.len(),
                functions: functions
                    .iter()
                    .take(CONTEXT_ITEMS)
                    .map(|&f| self.node_row(f.index()))
                    .collect(),
                variable_count: variables.len(),
                variables: variables
                    .into_iter()
                    .take(CONTEXT_ITEMS)
                    .map(|e| {
                        let label = g.edge_label(e);
                        let (name, name_length) = bounded(&label);
                        VariableRow {
                            name: name.into_owned(),
                            name_length,
                            value: self.node_row(value(e)),
                            held_only_here: held_only_by(s, c, e),
                            dead: analysis.has_scope_tables.then(|| analysis.is_dead(c, e)),
                        }
                    })
                    .collect(),
            }
        })
    }
}
