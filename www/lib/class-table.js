//! What the class-grouped tables (Summary, Comparison) share: the "Filter by class" box
//! and a sort that lives in the view's state, where the worker queries read it.

import { filterInput } from './dom.js';

/** The "Filter by class" box: keeps state.classFilter and the page's link in step, then calls reload(). */
export function classFilterInput(ctx, state, reload) {
  return filterInput({ className: 'filter', placeholder: 'Filter by class', testid: 'class-filter', 'aria-label': 'Filter by class', value: state.classFilter },
    (value) => { state.classFilter = value; ctx.remember?.({ class: value }); reload(); });
}

/** TreeTable options (sort, onSort) that start from state.sortBy/state.ascending and write a new sort back there. */
export function sortInState(state) {
  return {
    sort: { key: state.sortBy, ascending: state.ascending },
    onSort(sort) { state.sortBy = sort.key; state.ascending = sort.ascending; },
  };
}
