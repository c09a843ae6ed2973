//! Allocation view (DevTools' Allocation perspective): for a snapshot recorded with
//! allocation stacks, the functions that allocated, with how many of their objects and
//! bytes are still alive; a function expands into its callers, and they into theirs (the
//! bottom-up tree the query layer's allocationCallers answers). Above, the allocation
//! timeline; below, a Summary of the objects allocated in the selected interval and/or
//! by the selected row (DevTools: the timeline's id range, the row's allocationNodeId).

import { el } from '../lib/dom.js';
import { TreeTable } from '../lib/treetable.js';
import { fillSize } from '../lib/cells.js';
import { formatCount } from '../lib/format.js';
import { exportBar, treeRows, column, exportName } from '../lib/export.js';
import { timeline } from '../lib/timeline.js';
import { summaryView } from './summary.js';

/** `script:line:column` as a user can copy it (1-based), the script alone without a line. */
function location(row) {
  if (!row.scriptName) return '';
  return row.line ? `${row.scriptName}:${row.line}:${row.column}` : row.scriptName;
}

export function allocationsView(ctx) {
  const { client, info } = ctx.snapshot;
  const total = () => info.totalSize;
  const note = el('p', { className: 'hint', testid: 'allocations-note' });
  const answer = client.allocations();
  const provider = {
    async load(parent, offset, limit) {
      if (parent === null) {
        const res = await answer;
        note.textContent = res.hasStacks
          ? 'Functions by the bytes they allocated; Live: what is still in the snapshot. Expand a function for who called it.'
          : 'This snapshot has no allocation stacks: record it with allocation tracking (DevTools\u2019 \u201cAllocations on timeline\u201d with stack traces, or HeapProfiler.startTrackingHeapObjects({trackAllocations: true})).';
        return { total: res.functions.length, rows: res.functions.slice(offset, offset + limit) };
      }
      // A function's callers come with its tree; deeper levels are already in it.
      const callers = parent.callers ?? (await client.allocationCallers(parent.function))?.callers ?? [];
      return { total: callers.length, rows: callers.slice(offset, offset + limit) };
    },
    canExpand: (row) => row.callers === undefined || row.callers.length > 0,
  };
  const columns = [
    {
      key: 'name', title: 'Function', width: 'minmax(260px, 1fr)',
      render(cell, row) {
        cell.appendChild(el('span', { className: 'class-name', testid: 'allocation-function' }, row.name || '(anonymous)'));
        const at = location(row);
        if (at) cell.appendChild(el('span', { className: 'alloc-location', testid: 'allocation-location' }, ` ${at}`));
        cell.title = at;
      },
    },
    { key: 'liveCount', title: 'Live Count', width: '110px', align: 'right', render: (cell, row) => cell.appendChild(el('span', { testid: 'live-count' }, formatCount(row.liveCount))) },
    { key: 'count', title: 'Count', width: '110px', align: 'right', render: (cell, row) => cell.appendChild(el('span', { testid: 'count' }, formatCount(row.count))) },
    { key: 'liveSize', title: 'Live Size', width: '140px', align: 'right', render: (cell, row) => fillSize(cell, row.liveSize, total()) },
    { key: 'size', title: 'Size', width: '140px', align: 'right', render: (cell, row) => fillSize(cell, row.size) },
  ];
  // The Summary below: scoped by the timeline's selection and the selected row.
  const summary = summaryView({ ...ctx, initial: {}, remember: undefined }, {
    onClear: (kind) => { if (kind === 'idRange') bars?.clear(); },
  });
  let bars = null;
  const table = new TreeTable({
    columns,
    provider,
    testid: 'allocations-table',
    label: 'Allocations by function',
    emptyText: 'No function allocated anything this snapshot recorded',
    onSelect(row, node) {
      // The row's path from the allocating function out through its callers.
      const path = [...table.ancestors(node).reverse(), row];
      const names = path.map((r) => r.name || '(anonymous)').join(' \u2190 ');
      summary.setScope('allocatedBy', { function: path[0].function, callers: path.slice(1).map((r) => r.function) }, `Objects allocated by ${names}`);
    },
  });
  const timelineArea = el('div', {});
  const summaryTitle = el('h2', { className: 'hint', testid: 'allocations-summary-title' }, 'Objects allocated in the selected interval or by the selected function');
  answer.then((res) => {
    // Without stacks nor samples there is nothing to scope a Summary by.
    summaryTitle.hidden = summary.element.hidden = !res.hasStacks && !res.timeline.length;
    if (!res.timeline.length) return;
    bars = timeline(res.timeline, (selection) => summary.setScope('idRange', selection?.idRange ?? null, selection?.label));
    timelineArea.appendChild(bars.element);
  }, () => {});
  const exports = exportBar({
    name: () => exportName(ctx.snapshot.name, 'allocations'),
    columns: [column('name'), column('location', location), ...['liveCount', 'count', 'liveSize', 'size'].map((key) => column(key))],
    rows: () => treeRows(table),
  });
  // Two tables share the view: each keeps room for a few rows, and the view scrolls when the
  // timeline's table is open on a short window.
  table.element.style.minHeight = '150px';
  summary.element.style.minHeight = '220px';
  const element = el('section', { className: 'view', testid: 'view-allocations', style: { overflowY: 'auto' } },
    el('div', { className: 'toolbar' }, exports.element), note, timelineArea, table.element,
    summaryTitle, summary.element);
  return { element, table, dispose: () => { table.dispose(); summary.dispose(); } };
}
