//! Retainers pane (under every grid): who keeps the selected object alive. Follows
//! DevTools: the shortest retainer is expanded automatically (up to 20 levels), a node
//! already among its own ancestors is a cycle (greyed, not expandable), and any
//! retainer can be ignored to see the next path.

import { el, clear } from '../lib/dom.js';
import { TreeTable } from '../lib/treetable.js';
import { appendRetainer, appendObject, fillSize, fillDistance } from '../lib/cells.js';
import { visible } from '../lib/visible.js';
import { knownDistance, frameText } from '../lib/format.js';
import { closeMenu } from '../lib/menu.js';
import { exportBar, treeRows, objectExportColumns, exportName } from '../lib/export.js';

const AUTO_EXPAND_LEVELS = 20;

/**
 * @param {{ objectMenu?: (id: number) => import('../lib/menu.js').MenuItem[] }} [options]
 *   objectMenu: the actions every row offers on its object (app.js: copy a link to it)
 */
export function retainersPane({ objectMenu = () => [] } = {}) {
  const title = el('h2', { className: 'pane-title', testid: 'retainers-title' }, 'Retainers');
  const restore = el('button', { type: 'button', testid: 'restore-ignored', hidden: true }, 'Restore ignored retainers');
  // Why the last ignore or restore failed (the pane keeps showing what it showed before).
  const failure = el('span', { className: 'error', testid: 'retainers-error', role: 'alert', hidden: true });
  const body = el('div', { className: 'pane-body' }, el('p', { className: 'placeholder' }, 'Select an object to see what keeps it alive.'));
  // Where the selected object was allocated, when the snapshot recorded allocation stacks.
  const stack = el('details', { className: 'allocation-stack', testid: 'allocation-stack', hidden: true });
  let current = null; // { snapshot, id, table }
  const exports = exportBar({
    name: () => `${exportName(current.snapshot.name, 'retainers')}-${current.id}`,
    columns: objectExportColumns((edge) => edge.node, { edge: true }),
    rows: () => treeRows(current.table),
  });
  exports.element.hidden = true;
  const element = el('section', { className: 'retainers', testid: 'retainers-pane', 'aria-label': 'Retainers' },
    el('div', { className: 'pane-head' }, title, exports.element, restore, failure), stack, body);

  /** Ignores, unignores or restores retainers (`change` asks the worker), then redraws the pane. */
  async function changeIgnored(change, what) {
    const shown = current;
    failure.hidden = true;
    try {
      const res = await change(shown.snapshot.client);
      if (current !== shown) return;
      restore.hidden = res.ignored.length === 0;
      refresh();
    } catch (error) {
      if (current !== shown) return;
      failure.textContent = visible(`Could not ${what}: ${error.message}`);
      failure.hidden = false;
    }
  }

  restore.addEventListener('click', () => {
    if (current) changeIgnored((client) => client.clearIgnored(), 'restore the ignored retainers');
  });

  function build() {
    const { snapshot, id } = current;
    // A retainer that is the selected object itself or one of its own ancestors closes a cycle.
    const isCycle = (edge, node) => {
      if (edge.node.id === id) return true;
      for (let p = node.parent; p && p.data; p = p.parent) if (p.data.node.id === edge.node.id) return true;
      return false;
    };
    const total = () => snapshot.info.totalSize;
    const provider = {
      load: (parent, offset, limit) => snapshot.client.retainers(parent === null ? id : parent.node.id, { offset, limit }),
      canExpand: (edge, node) => !isCycle(edge, node),
    };
    const columns = [
      {
        key: 'name', title: 'Object', width: 'minmax(260px, 1fr)',
        render(cell, edge) {
          appendRetainer(cell, edge);
        },
      },
      {
        key: 'distance', title: 'Distance', width: '80px', align: 'right',
        render(cell, edge) {
          if (edge.ignored) { cell.textContent = 'ignored'; cell.classList.add('muted'); } else fillDistance(cell, edge.node.distance);
        },
      },
      { key: 'selfSize', title: 'Shallow Size', width: '150px', align: 'right', render: (cell, edge) => fillSize(cell, edge.node.selfSize, total()) },
      { key: 'retainedSize', title: 'Retained Size', width: '150px', align: 'right', render: (cell, edge) => fillSize(cell, edge.node.retainedSize, total()) },
    ];
    const table = new TreeTable({
      columns,
      provider,
      testid: 'retainers-table',
      label: `Retainers of @${id}`,
      emptyText: 'No retainers: this object is a GC root or only held from the root.',
      menu: (edge) => [ignoreItem(edge), ...objectMenu(edge.node.id)],
    });
    // Row styling for cycles and unreachable retainers is added after paint.
    const paint = table.renderRow.bind(table);
    table.renderRow = (entry, index) => {
      const row = paint(entry, index);
      if (entry.kind === 'row') {
        const edge = entry.node.data;
        if (isCycle(edge, entry.node)) { row.classList.add('cycle'); row.dataset.cycle = 'true'; }
        if (edge.ignored) row.dataset.ignored = 'true';
        if (knownDistance(edge.node.distance) === null) row.classList.add('unreachable');
      }
      return row;
    };
    return table;
  }

  /** DevTools: keep expanding the first retainer while it is reachable and not at the roots. */
  async function autoExpand(table) {
    await table.loaded;
    let level = table.root;
    for (let depth = 0; depth < AUTO_EXPAND_LEVELS; depth++) {
      const first = level.kids?.items[0];
      if (!first || table !== current?.table) return;
      const distance = knownDistance(first.data.node.distance);
      if (distance === null || distance <= 1 || !table.canExpand(first)) return;
      await table.expand(first);
      level = first;
    }
  }

  /** The menu's "Ignore this retainer" (or "Stop ignoring") for a row. */
  function ignoreItem(edge) {
    const id = edge.node.id;
    if (edge.ignored) {
      return { label: 'Stop ignoring this retainer', testid: 'menu-unignore', run: () => changeIgnored((client) => client.unignoreRetainer(id), `stop ignoring @${id}`) };
    }
    return { label: 'Ignore this retainer', testid: 'menu-ignore', run: () => changeIgnored((client) => client.ignoreRetainer(id), `ignore @${id}`) };
  }

  function refresh() {
    if (!current) return;
    current.table?.dispose();
    current.table = build();
    clear(body).appendChild(current.table.element);
    autoExpand(current.table);
  }

  /** Shows the retainers of object `id` in `snapshot` (null clears the pane). */
  async function show(snapshot, id) {
    closeMenu();
    failure.hidden = true;
    stack.hidden = true;
    current?.table?.dispose();
    if (!snapshot || id === null || id === undefined) {
      current = null;
      exports.element.hidden = true;
      title.textContent = 'Retainers';
      clear(body).appendChild(el('p', { className: 'placeholder' }, 'Select an object to see what keeps it alive.'));
      return;
    }
    current = { snapshot, id, table: null };
    exports.element.hidden = false;
    title.replaceChildren('Retainers of ', el('span', { className: 'muted' }, `@${id}`));
    title.dataset.id = String(id);
    refresh();
    showStack(snapshot, id);
    try {
      const node = await snapshot.client.node(id);
      if (current?.id !== id) return;
      const label = el('span', { testid: 'selected-object' });
      appendObject(label, node);
      title.replaceChildren('Retainers of ', label);
    } catch (error) {
      title.replaceChildren('Retainers of ', el('span', { className: 'error', testid: 'selected-error' }, `@${id}: ${error.message}`));
    }
  }

  /** "Allocated at f (script:line:column)", its whole stack inside, innermost frame first. */
  async function showStack(snapshot, id) {
    let frames = null;
    try {
      frames = (await snapshot.client.allocationStack(id)).frames;
    } catch {
      return; // No stack to show: the retainers are what the pane is for.
    }
    if (current?.id !== id || current.snapshot !== snapshot || !frames?.length) return;
    stack.replaceChildren(
      el('summary', { testid: 'allocation-stack-top' }, `Allocated at ${frameText(frames[0])}`),
      el('ol', {}, ...frames.map((f) => el('li', { testid: 'allocation-frame' }, frameText(f)))));
    stack.hidden = false;
  }

  return { element, show, current: () => current };
}
