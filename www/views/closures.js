//! Closures view: closure contexts (the query layer's closures), those whose captured
//! variables no live closure can read first (where the snapshot has V8's scope tables;
//! the Dead column: what only those variables hold), else by the bytes only their own
//! variables hold; a context expands into its functions and its variables.

import { el } from '../lib/dom.js';
import { TreeTable } from '../lib/treetable.js';
import { appendObject, fillSize } from '../lib/cells.js';
import { exactBytes } from '../lib/format.js';
import { exportBar, treeRows, column, exportName } from '../lib/export.js';

export function closuresView(ctx) {
  const { client, info } = ctx.snapshot;
  const total = () => info.totalSize;
  let scopeTables = null;
  const note = el('p', { className: 'hint', testid: 'closures-note' });
  const provider = {
    async load(parent, offset, limit) {
      if (parent === null) {
        const res = await client.closures({ offset, limit });
        if (scopeTables === null && res.rows.length) {
          scopeTables = res.rows.some((r) => r.deadSize !== undefined);
          note.textContent = scopeTables
            ? 'Contexts whose captured variables no live closure can read come first: those values are kept alive for nothing.'
            : 'This snapshot has no scope tables (Node and older Chromium write none), so which variables are dead is unknown: contexts are ranked by the bytes only their own variables hold.';
        }
        return { total: res.total, rows: res.rows.map((row) => ({ kind: 'context', row })) };
      }
      const items = [
        ...parent.row.functions.map((node) => ({ kind: 'function', node })),
        ...parent.row.variables.map((variable) => ({ kind: 'variable', variable, node: variable.value })),
      ];
      return { total: items.length, rows: items.slice(offset, offset + limit) };
    },
    canExpand: (d) => d.kind === 'context',
  };
  const nodeOf = (d) => (d.kind === 'context' ? d.row.context : d.node);
  const columns = [
    {
      key: 'name', title: 'Context', width: 'minmax(300px, 1fr)',
      render(cell, d) {
        if (d.kind === 'context') {
          appendObject(cell, d.row.context);
          const names = d.row.functions.map((f) => f.name || '(anonymous)');
          const more = d.row.functionCount > names.length ? ', …' : '';
          cell.appendChild(el('span', { className: 'count', testid: 'context-functions' }, ` of ${names.length ? names.join(', ') + more : 'no live function'}`));
        } else if (d.kind === 'function') {
          cell.appendChild(el('span', { className: 'edge-name quiet' }, 'function'));
          cell.appendChild(el('span', { className: 'edge-sep' }, ' :: '));
          appendObject(cell, d.node);
        } else {
          cell.appendChild(el('span', { className: 'edge-name', testid: 'variable-name' }, d.variable.name));
          cell.appendChild(el('span', { className: 'edge-sep' }, ' :: '));
          appendObject(cell, d.node);
        }
      },
    },
    {
      key: 'dead', title: 'Dead', width: '150px', align: 'right',
      render(cell, d) {
        if (d.kind === 'context' && d.row.deadSize !== undefined) {
          fillSize(cell, d.row.deadHeldSize, total());
          cell.title = `${exactBytes(d.row.deadHeldSize)} held only here; all its dead variables retain ${exactBytes(d.row.deadSize)}`;
        }
        if (d.kind === 'variable' && d.variable.dead !== undefined) {
          cell.appendChild(el('span', { testid: 'variable-dead' }, d.variable.dead ? 'dead' : 'read'));
        }
      },
    },
    {
      key: 'held', title: 'Held Only Here', width: '150px', align: 'right',
      render(cell, d) {
        if (d.kind === 'context') fillSize(cell, d.row.ownSize, total());
        else if (d.kind === 'variable' && d.variable.heldOnlyHere) cell.textContent = 'yes';
      },
    },
    { key: 'retainedSize', title: 'Retained Size', width: '150px', align: 'right', render: (cell, d) => fillSize(cell, nodeOf(d).retainedSize, total()) },
  ];
  const table = new TreeTable({
    columns,
    provider,
    testid: 'closures-table',
    emptyText: 'No closure context',
    label: 'Closure contexts',
    menu: (d) => ctx.objectMenu(nodeOf(d).id),
    onSelect: (d) => ctx.selectObject(nodeOf(d).id),
  });
  const context = (key) => (d) => (d.kind === 'context' ? d.row[key] ?? null : null);
  const exports = exportBar({
    name: () => exportName(ctx.snapshot.name, 'closures'),
    columns: [
      column('kind', (d) => d.kind),
      column('variable', (d) => (d.kind === 'variable' ? d.variable.name : null)),
      column('name', (d) => nodeOf(d).name),
      column('id', (d) => nodeOf(d).id),
      column('deadHeldSize', context('deadHeldSize')),
      column('deadSize', context('deadSize')),
      column('ownSize', context('ownSize')),
      column('dead', (d) => (d.kind === 'variable' ? d.variable.dead ?? null : null)),
      column('retainedSize', (d) => nodeOf(d).retainedSize),
    ],
    rows: () => treeRows(table),
  });
  const element = el('section', { className: 'view', testid: 'view-closures' }, el('div', { className: 'toolbar' }, exports.element), note, table.element);
  return { element, table, dispose: () => table.dispose() };
}
