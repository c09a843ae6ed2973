//! Comparison view: objects new and deleted since a base snapshot, by class (ids are
//! matched across snapshots). The two snapshots live in two workers: the current one's
//! interface definitions go to the base, the base's id lists come back to the current
//! (SnapshotClient.compare, shared with the ES-module API).

import { el } from '../lib/dom.js';
import { visible } from '../lib/visible.js';
import { TreeTable } from '../lib/treetable.js';
import { classFilterInput, sortInState } from '../lib/class-table.js';
import { appendObject, appendEdge, appendNameLength } from '../lib/cells.js';
import { formatCount, formatSigned, formatBytes, formatSignedBytes, exactBytes } from '../lib/format.js';
import { exportBar, treeRows, column, edgeColumn, exportName } from '../lib/export.js';

export function comparisonView(ctx) {
  const current = ctx.snapshot;
  const others = ctx.snapshots().filter((s) => s !== current);
  const element = el('section', { className: 'view', testid: 'view-comparison' });
  if (others.length === 0) {
    element.appendChild(el('p', { className: 'placeholder', testid: 'comparison-empty' }, 'Load a second snapshot to compare it with this one.'));
    return { element, dispose() {} };
  }
  const ordered = ctx.snapshots();
  const at = ordered.indexOf(current);
  // DevTools' default base: the snapshot taken just before this one (unless a link names one).
  let base = others.find((s) => s.name === ctx.initial?.base) ?? (at > 0 ? ordered[at - 1] : others[0]);
  const state = { sortBy: 'addedSize', ascending: false, classFilter: ctx.initial?.class ?? '' };
  ctx.remember?.({ base: base.name, class: state.classFilter });

  const select = el('select', { testid: 'base-select', 'aria-label': 'Base snapshot' });
  for (const s of others) select.appendChild(el('option', { value: String(s.uid), selected: s === base }, s.name));
  select.addEventListener('change', () => {
    base = others.find((s) => String(s.uid) === select.value);
    ctx.remember?.({ base: base.name });
    table.reload();
  });
  const filter = classFilterInput(ctx, state, () => table.reload());
  // E.g. the base and this snapshot look like two processes: shown above the table.
  const warnings = el('div', { className: 'notice warning', testid: 'comparison-warnings', hidden: true });
  function showWarnings(list) {
    warnings.replaceChildren(...list.map((w) => el('p', {}, w)));
    warnings.hidden = list.length === 0;
  }

  const provider = {
    async load(parent, offset, limit) {
      if (parent === null) {
        const res = await current.client.compare(base.client, { sortBy: state.sortBy, ascending: state.ascending, classFilter: state.classFilter, offset, limit });
        showWarnings(res.warnings ?? []);
        return { total: res.total, rows: res.rows.map((row) => ({ kind: 'class', row })) };
      }
      if (parent.kind === 'class') {
        const res = await current.client.compareInstances(base.client, parent.row.key, { offset, limit });
        return { total: res.total, rows: res.rows.map((row) => ({ kind: 'instance', row })) };
      }
      const id = parent.kind === 'instance' ? parent.row.id : parent.edge.node.id;
      const res = await current.client.edges(id, { offset, limit });
      return { total: res.total, rows: res.rows.map((edge) => ({ kind: 'edge', edge })) };
    },
    canExpand(d) {
      if (d.kind === 'class') return true;
      if (d.kind === 'instance') return d.row.status === 'new';
      return d.edge.node.edgeCount > 0;
    },
  };

  const classCell = (render) => (cell, d) => { if (d.kind === 'class') render(cell, d.row); };
  // Class rows show their totals; a new object's size goes under Alloc. Size, a deleted one's under Freed Size.
  const sizeCell = (field, status) => (cell, d) => {
    let bytes = null;
    if (d.kind === 'class') bytes = d.row[field];
    else if (d.kind === 'instance' && d.row.status === status) bytes = d.row.selfSize;
    if (bytes === null) return;
    cell.textContent = formatBytes(bytes);
    cell.title = exactBytes(bytes);
  };
  const columns = [
    {
      key: 'name', title: 'Constructor', width: 'minmax(260px, 1fr)', sortable: true,
      render(cell, d) {
        if (d.kind === 'class') {
          cell.appendChild(el('span', { className: 'class-name', testid: 'class-name' }, d.row.name));
          appendNameLength(cell, d.row.nameLength);
          cell.title = visible(d.row.name);
        } else if (d.kind === 'instance') {
          const row = d.row;
          if (row.status === 'deleted') cell.appendChild(el('span', { className: 'deleted-mark', title: 'Deleted: only in the base snapshot' }, '\u2022 '));
          appendObject(cell, { ...row, type: row.type ?? 'object' });
        } else appendEdge(cell, d.edge);
      },
    },
    { key: 'newCount', title: '# New', width: '80px', align: 'right', sortable: true, render: classCell((c, r) => { c.textContent = formatCount(r.newCount); }) },
    { key: 'deletedCount', title: '# Deleted', width: '90px', align: 'right', sortable: true, render: classCell((c, r) => { c.textContent = formatCount(r.deletedCount); }) },
    { key: 'deltaCount', title: '# Delta', width: '80px', align: 'right', sortable: true, render: classCell((c, r) => { c.textContent = formatSigned(r.deltaCount); }) },
    { key: 'addedSize', title: 'Alloc. Size', width: '105px', align: 'right', sortable: true, render: sizeCell('addedSize', 'new') },
    { key: 'freedSize', title: 'Freed Size', width: '105px', align: 'right', sortable: true, render: sizeCell('freedSize', 'deleted') },
    {
      key: 'sizeDelta', title: 'Size Delta', width: '105px', align: 'right', sortable: true,
      render: classCell((c, r) => { c.textContent = formatSignedBytes(r.sizeDelta); c.title = exactBytes(r.sizeDelta); }),
    },
  ];

  const table = new TreeTable({
    columns,
    provider,
    testid: 'comparison-table',
    label: 'Comparison: objects new and deleted by class',
    menu: (d) => {
      if (d.kind === 'instance' && d.row.status === 'new') return ctx.objectMenu(d.row.id);
      return d.kind === 'edge' ? ctx.objectMenu(d.edge.node.id) : [];
    },
    ...sortInState(state),
    emptyText: 'No objects were allocated or freed between these snapshots',
    onSelect(d) {
      if (d.kind === 'instance' && d.row.status === 'new') ctx.selectObject(d.row.id);
      else if (d.kind === 'edge') ctx.selectObject(d.edge.node.id);
    },
  });

  // Class rows carry the comparison's counts; objects their id, status and size.
  const classField = (key) => (d) => (d.kind === 'class' ? d.row[key] : null);
  const object = (d) => (d.kind === 'instance' ? d.row : d.kind === 'edge' ? d.edge.node : null);
  const exports = exportBar({
    name: () => exportName(current.name, `comparison-${base.name.replace(/\.heapsnapshot(\.gz)?$/i, '')}`),
    columns: [
      column('name', (d) => (d.kind === 'class' ? d.row.name : object(d).name)),
      edgeColumn((d) => (d.kind === 'edge' ? d.edge : null)),
      column('id', (d) => object(d)?.id ?? null),
      column('status', (d) => (d.kind === 'instance' ? d.row.status : null)),
      ...['newCount', 'deletedCount', 'deltaCount', 'addedSize', 'freedSize', 'sizeDelta'].map((key) => column(key, classField(key))),
      column('selfSize', (d) => object(d)?.selfSize ?? null),
    ],
    rows: () => treeRows(table),
  });

  element.append(
    el('div', { className: 'toolbar' }, el('label', {}, 'Base snapshot ', select), filter, exports.element),
    warnings,
    table.element,
  );
  return { element, table, dispose: () => table.dispose() };
}

