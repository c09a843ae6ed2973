//! Summary view: objects grouped by class (Constructor, Distance, Shallow and Retained
//! Size); a class expands into its instances, an instance into its outgoing edges.
//! The Allocation view embeds one, scoped to what a timeline range or a function
//! allocated (DevTools shows its Summary grid under the allocation grid): the active
//! scopes are named above the table, each with a button that clears it. The
//! "Objects to include" menu also lists DevTools' realm filters (one per native context,
//! then the shared and unattributed objects), asked for when the menu is first focused.

import { el } from '../lib/dom.js';
import { visible } from '../lib/visible.js';
import { TreeTable } from '../lib/treetable.js';
import { classFilterInput, sortInState } from '../lib/class-table.js';
import { appendObject, appendEdge, appendNameLength, fillSize, fillDistance } from '../lib/cells.js';
import { formatCount, bytesToString } from '../lib/format.js';
import { exportBar, treeRows, column, edgeColumn, exportName } from '../lib/export.js';

/** DevTools' named filters: the query layer's `filter` value and DevTools' title. */
const NAMED_FILTERS = [
  ['duplicatedStrings', 'Duplicated strings'],
  ['objectsRetainedByDetachedDomNodes', 'Objects retained by detached DOM nodes'],
  ['objectsRetainedByContexts', 'Objects retained by contexts'],
  ['objectsRetainedByConsole', 'Objects retained by DevTools Console'],
  ['objectsRetainedByEventHandlers', 'Objects retained by event handlers'],
];

/** DevTools' realm filters (HeapSnapshotView's updateNativeContextFilters): [filterName, title]. */
function realmFilters(r) {
  return [
    // The core lists realms as DevTools does: largest attributed size first.
    ...r.realms.map((x) => [x.filterName, `Native context ${x.name ? `${x.name} ` : ''}@${x.id} (${bytesToString(x.attributed.size)})`]),
    ['sharedNativeContext', `Objects shared between native contexts (${bytesToString(r.shared.size)})`],
    ['noNativeContext', `Objects not attributed to a native context (${bytesToString(r.unattributed.size)})`],
  ];
}

/**
 * @param {object} ctx  the view context
 * @param {{ onClear?: (kind: 'idRange'|'allocatedBy') => void }} [embedded]  set when another view
 *   holds this Summary and chooses its scope (setScope); without the snapshot-range menu
 */
export function summaryView(ctx, embedded) {
  const { client, info } = ctx.snapshot;
  const state = { sortBy: 'retainedSize', ascending: false, classFilter: ctx.initial?.class ?? '', idRange: null, filter: null, allocatedBy: null, realm: null };
  const scope = () => ({ idRange: state.idRange, filter: state.filter, allocatedBy: state.allocatedBy, realm: state.realm });
  const total = () => info.totalSize;
  ctx.remember?.({ class: state.classFilter });

  const filter = classFilterInput(ctx, state, () => table.reload());

  const range = el('select', { className: 'range', testid: 'range-filter', 'aria-label': 'Objects to include' },
    el('option', { value: '' }, 'All objects'));
  // The realm filters cost a pass over the snapshot: asked for when the menu is first used.
  const realms = { filters: null, pending: false, error: null };
  const loadRealms = () => {
    if (realms.filters || realms.pending || realms.error) return;
    realms.pending = true;
    client.realms().then((r) => { realms.filters = realmFilters(r); }, (error) => { realms.error = error.message; })
      .finally(() => { realms.pending = false; fillRanges(); });
  };
  // DevTools §3.11: "between X and Y" keeps ids in (maxJsId(X), maxJsId(Y)] of this snapshot.
  // The options follow the snapshot list, which can change while this view is open.
  const fillRanges = () => {
    const keep = range.value;
    range.replaceChildren(el('option', { value: '' }, 'All objects'));
    const ordered = ctx.snapshots();
    ordered.forEach((s, i) => {
      const min = i === 0 ? 0 : ordered[i - 1].info.maxJsId;
      const label = i === 0 ? `Objects allocated before ${s.name}` : `Objects allocated between ${ordered[i - 1].name} and ${s.name}`;
      range.appendChild(el('option', { value: `${min},${s.info.maxJsId}` }, label));
    });
    // Then, below a separator, DevTools' named filters (the worker's `filter` values).
    range.appendChild(el('option', { disabled: true, value: '-' }, '\u2500'.repeat(12)));
    for (const [name, label] of NAMED_FILTERS) range.appendChild(el('option', { value: `filter:${name}` }, label));
    // Then DevTools' realm filters, once the core has attributed the objects.
    const note = realms.pending ? 'Native contexts: attributing objects\u2026' : realms.error && `Native contexts: ${realms.error}`;
    if (realms.filters || note) range.appendChild(el('option', { disabled: true, value: '-' }, '\u2500'.repeat(12)));
    if (note) range.appendChild(el('option', { disabled: true, value: '-', testid: 'realm-filters-note' }, note));
    for (const [name, label] of realms.filters ?? []) range.appendChild(el('option', { value: `realm:${name}` }, label));
    range.value = [...range.options].some((o) => o.value === keep) ? keep : '';
  };
  fillRanges();
  range.addEventListener('focus', () => { loadRealms(); fillRanges(); });
  range.addEventListener('pointerdown', loadRealms);
  range.addEventListener('change', () => {
    // One choice at a time, as in DevTools: an id range, a named filter or a realm.
    const [kind, value] = range.value.includes(':') ? range.value.split(/:(.*)/s) : ['', range.value];
    state.filter = kind === 'filter' ? value : null;
    state.realm = kind === 'realm' ? value : null;
    state.idRange = kind === '' && value ? value.split(',').map(Number) : null;
    table.reload();
  });

  const provider = {
    async load(parent, offset, limit) {
      if (parent === null) {
        const res = await client.summary({ sortBy: state.sortBy, ascending: state.ascending, classFilter: state.classFilter, ...scope(), offset, limit });
        return { total: res.total, rows: res.rows.map((row) => ({ kind: 'class', row })) };
      }
      if (parent.kind === 'class') {
        const sortBy = state.sortBy === 'count' ? 'retainedSize' : state.sortBy;
        const res = await client.instances(parent.row.key, { ...scope(), sortBy, ascending: state.ascending, offset, limit });
        return { total: res.total, rows: res.rows.map((node) => ({ kind: 'node', node })) };
      }
      const id = parent.kind === 'node' ? parent.node.id : parent.edge.node.id;
      const res = await client.edges(id, { offset, limit });
      return { total: res.total, rows: res.rows.map((edge) => ({ kind: 'edge', edge })) };
    },
    canExpand(data) {
      if (data.kind === 'class') return data.row.count > 0;
      const node = data.kind === 'node' ? data.node : data.edge.node;
      return node.edgeCount > 0;
    },
  };

  const nodeOf = (d) => (d.kind === 'node' ? d.node : d.edge.node);
  const columns = [
    {
      key: 'name', title: 'Constructor', width: 'minmax(280px, 1fr)', sortable: true,
      render(cell, d) {
        if (d.kind === 'class') {
          cell.appendChild(el('span', { className: 'class-name', testid: 'class-name' }, d.row.name));
          appendNameLength(cell, d.row.nameLength);
          if (d.row.count > 1) cell.appendChild(el('span', { className: 'count', testid: 'class-count' }, ` \u00d7${formatCount(d.row.count)}`));
          cell.title = visible(d.row.name);
        } else if (d.kind === 'node') appendObject(cell, d.node);
        else appendEdge(cell, d.edge);
      },
    },
    { key: 'distance', title: 'Distance', width: '80px', align: 'right', sortable: true, render: (cell, d) => fillDistance(cell, d.kind === 'class' ? d.row.distance : nodeOf(d).distance) },
    { key: 'selfSize', title: 'Shallow Size', width: '150px', align: 'right', sortable: true, render: (cell, d) => fillSize(cell, d.kind === 'class' ? d.row.selfSize : nodeOf(d).selfSize, total()) },
    { key: 'retainedSize', title: 'Retained Size', width: '150px', align: 'right', sortable: true, render: (cell, d) => fillSize(cell, d.kind === 'class' ? d.row.retainedSize : nodeOf(d).retainedSize, total()) },
  ];

  const table = new TreeTable({
    columns,
    provider,
    testid: 'summary-table',
    label: 'Summary: objects by class',
    menu: (d) => (d.kind === 'class' ? [] : ctx.objectMenu(nodeOf(d).id)),
    ...sortInState(state),
    emptyText: 'No objects match',
    ascendingFirst: (key) => key === 'name' || key === 'distance',
    onSelect(d) {
      if (d.kind !== 'class') ctx.selectObject(nodeOf(d).id);
    },
  });

  // A link that names a class and an object: open that class and highlight the object.
  if (ctx.initial?.expand && state.classFilter) reveal(state.classFilter, ctx.initial.object);
  async function reveal(className, objectId) {
    await table.loaded;
    const row = table.root.kids?.items.find((n) => n.data.kind === 'class' && n.data.row.name === className);
    if (!row) return;
    await table.expand(row);
    const instance = row.kids?.items.find((n) => n.data.node?.id === objectId);
    if (instance) table.select(instance, { scroll: true, notify: false });
  }

  // Class rows carry the class's numbers, object rows the object's: one column each.
  const field = (key) => (d) => (d.kind === 'class' ? d.row[key] : nodeOf(d)[key]) ?? null;
  const exports = exportBar({
    name: () => exportName(ctx.snapshot.name, 'summary'),
    columns: [
      column('name', field('name')),
      edgeColumn((d) => (d.kind === 'edge' ? d.edge : null)),
      column('id', (d) => (d.kind === 'class' ? null : nodeOf(d).id)),
      column('count', (d) => (d.kind === 'class' ? d.row.count : null)),
      column('distance', field('distance')),
      column('selfSize', field('selfSize')),
      column('retainedSize', field('retainedSize')),
    ],
    rows: () => treeRows(table),
  });

  // The scopes another view chose, each named, with a button that clears it.
  const scopes = el('div', { className: 'toolbar', testid: 'summary-scopes', hidden: true, role: 'status' });
  const labels = { idRange: '', allocatedBy: '' };
  const showScopes = () => {
    const kinds = Object.keys(labels).filter((kind) => state[kind] !== null);
    scopes.hidden = kinds.length === 0;
    scopes.replaceChildren(...kinds.map((kind) => el('span', { testid: `summary-scope-${kind}` },
      labels[kind], ' ',
      el('button', {
        type: 'button', testid: `clear-${kind}`, 'aria-label': `Clear: ${labels[kind]}`,
        onclick: () => { setScope(kind, null); embedded?.onClear?.(kind); },
      }, 'Clear'))));
  };
  /** Scopes the Summary to objects in an id range or allocated by a bottom-up node (null: all), named `label`. */
  function setScope(kind, value, label = '') {
    state[kind] = value;
    labels[kind] = label;
    showScopes();
    table.reload();
  }

  const element = el('section', { className: 'view', testid: 'view-summary' },
    el('div', { className: 'toolbar' }, embedded ? [] : range, filter, exports.element),
    scopes,
    table.element);
  return { element, table, setScope, dispose: () => table.dispose() };
}
