//! Containment view: the graph from the root, one level of outgoing edges at a time,
//! labelled `edge :: Object @id` as in DevTools.

import { el } from '../lib/dom.js';
import { TreeTable } from '../lib/treetable.js';
import { appendEdge, objectColumns } from '../lib/cells.js';
import { exportBar, treeRows, objectExportColumns, exportName } from '../lib/export.js';

export function containmentView(ctx) {
  const { client, info } = ctx.snapshot;
  const provider = {
    async load(parent, offset, limit) {
      const id = parent === null ? info.rootId : parent.node.id;
      return client.edges(id, { offset, limit });
    },
    canExpand: (edge) => edge.node.edgeCount > 0,
  };
  const table = new TreeTable({
    columns: objectColumns((edge) => edge.node, () => info.totalSize, 'Object', (cell, edge) => appendEdge(cell, edge)),
    provider,
    testid: 'containment-table',
    label: 'Containment: the graph from the root',
    menu: (edge) => ctx.objectMenu(edge.node.id),
    onSelect: (edge) => ctx.selectObject(edge.node.id),
  });
  const exports = exportBar({
    name: () => exportName(ctx.snapshot.name, 'containment'),
    columns: objectExportColumns((edge) => edge.node, { edge: true }),
    rows: () => treeRows(table),
  });
  const element = el('section', { className: 'view', testid: 'view-containment' }, el('div', { className: 'toolbar' }, exports.element), table.element);
  return { element, table, dispose: () => table.dispose() };
}
