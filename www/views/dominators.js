//! Dominators view (DevTools dropped it; users keep asking for it): the dominator tree
//! from the root, children by retained size, so the biggest owners are on top.

import { el } from '../lib/dom.js';
import { TreeTable } from '../lib/treetable.js';
import { appendObject, objectColumns } from '../lib/cells.js';
import { exportBar, treeRows, objectExportColumns, exportName } from '../lib/export.js';

export function dominatorsView(ctx) {
  const { client, info } = ctx.snapshot;
  const provider = {
    load: (parent, offset, limit) => client.dominated(parent === null ? info.rootId : parent.id, { offset, limit }),
    // A node dominates something exactly when it retains more than itself.
    canExpand: (node) => node.retainedSize > node.selfSize,
  };
  const table = new TreeTable({
    columns: objectColumns((node) => node, () => info.totalSize, 'Object', (cell, node) => appendObject(cell, node)),
    provider,
    testid: 'dominators-table',
    label: 'Dominator tree',
    menu: (node) => ctx.objectMenu(node.id),
    onSelect: (node) => ctx.selectObject(node.id),
  });
  const exports = exportBar({
    name: () => exportName(ctx.snapshot.name, 'dominators'),
    columns: objectExportColumns((node) => node),
    rows: () => treeRows(table),
  });
  const element = el('section', { className: 'view', testid: 'view-dominators' },
    el('div', { className: 'toolbar' }, exports.element),
    el('p', { className: 'hint' }, 'Each object is listed under the one object that every path from the root to it goes through (its immediate dominator). Freeing a parent frees its whole subtree.'),
    table.element);
  return { element, table, dispose: () => table.dispose() };
}
