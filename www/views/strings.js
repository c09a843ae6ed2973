//! Strings view: each string value held more than once (the query layer's
//! duplicateStrings), most wasted bytes first; a value expands into its first copies,
//! and selecting a copy shows what keeps it alive.

import { el } from '../lib/dom.js';
import { visible } from '../lib/visible.js';
import { TreeTable } from '../lib/treetable.js';
import { appendNameLength, appendObject, fillSize } from '../lib/cells.js';
import { formatCount } from '../lib/format.js';
import { exportBar, treeRows, column, exportName } from '../lib/export.js';

export function stringsView(ctx) {
  const { client, info } = ctx.snapshot;
  const total = () => info.totalSize;
  const provider = {
    async load(parent, offset, limit) {
      if (parent === null) {
        const res = await client.duplicateStrings({ offset, limit });
        return { total: res.total, rows: res.rows.map((row) => ({ kind: 'value', row })) };
      }
      // The first copies, by id (the row lists up to 20 of them).
      const ids = parent.row.copyIds.slice(offset, offset + limit);
      const { rows: nodes } = await client.nodes(ids);
      return { total: parent.row.copyIds.length, rows: nodes.map((node) => ({ kind: 'copy', node })) };
    },
    canExpand: (d) => d.kind === 'value',
  };
  const sizeOf = (d, key, nodeKey) => (d.kind === 'value' ? d.row[key] : d.node[nodeKey]);
  const columns = [
    {
      key: 'name', title: 'Value', width: 'minmax(280px, 1fr)',
      render(cell, d) {
        if (d.kind === 'copy') return appendObject(cell, d.node);
        cell.appendChild(el('span', { className: 'class-name', testid: 'string-value' }, d.row.value));
        appendNameLength(cell, d.row.valueLength);
        cell.appendChild(el('span', { className: 'count', testid: 'string-copies' }, ` \u00d7${formatCount(d.row.copies)}`));
        cell.title = visible(d.row.value);
      },
    },
    { key: 'bytesPerCopy', title: 'Per Copy', width: '110px', align: 'right', render: (cell, d) => fillSize(cell, sizeOf(d, 'bytesPerCopy', 'selfSize')) },
    { key: 'wastedBytes', title: 'Wasted', width: '150px', align: 'right', render: (cell, d) => d.kind === 'value' && fillSize(cell, d.row.wastedBytes, total()) },
    {
      key: 'holders', title: 'Mostly Held By', width: '200px',
      render(cell, d) {
        const h = d.kind === 'value' && d.row.holders[0];
        if (!h) return;
        cell.textContent = visible(`${h.className}${h.edgeName === '[]' ? '' : '.'}${h.edgeName} \u00d7${formatCount(h.copies)}`);
        cell.title = d.row.holders.map((x) => visible(`${x.className}${x.edgeName === '[]' ? '' : '.'}${x.edgeName} \u00d7${x.copies}`)).join('\n');
      },
    },
    { key: 'retainedSize', title: 'Retained Size', width: '150px', align: 'right', render: (cell, d) => fillSize(cell, sizeOf(d, 'retainedSize', 'retainedSize'), total()) },
  ];
  const table = new TreeTable({
    columns,
    provider,
    testid: 'strings-table',
    emptyText: 'No string is held twice',
    label: 'Duplicated strings',
    menu: (d) => (d.kind === 'copy' ? ctx.objectMenu(d.node.id) : []),
    onSelect(d) {
      if (d.kind === 'copy') ctx.selectObject(d.node.id);
    },
  });
  const value = (key) => (d) => (d.kind === 'value' ? d.row[key] : null);
  const exports = exportBar({
    name: () => exportName(ctx.snapshot.name, 'strings'),
    columns: [
      column('value', (d) => (d.kind === 'value' ? d.row.value : d.node.name)),
      column('id', (d) => (d.kind === 'copy' ? d.node.id : null)),
      column('copies', value('copies')),
      column('bytesPerCopy', (d) => sizeOf(d, 'bytesPerCopy', 'selfSize')),
      column('wastedBytes', value('wastedBytes')),
      column('retainedSize', (d) => sizeOf(d, 'retainedSize', 'retainedSize')),
    ],
    rows: () => treeRows(table),
  });
  const element = el('section', { className: 'view', testid: 'view-strings' },
    el('div', { className: 'toolbar' }, exports.element),
    el('p', { className: 'hint' }, 'Each string value held by more than one string object, most wasted bytes first (all copies but the smallest). Expand a value for its copies; select one to see what keeps it alive.'),
    table.element);
  return { element, table, dispose: () => table.dispose() };
}
