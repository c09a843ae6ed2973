//! Realms view: the native contexts of the snapshot (the page, its iframes, extensions,
//! Node `vm` contexts) and the objects attributed to each as today's DevTools attributes
//! them (src/analysis/realms.rs), with the objects several realms share and those none
//! reaches; selecting a part lists its classes (DevTools' realm filters of the Summary).
//! Both tables export their rows; a realm's row offers a link to its native context.

import { el } from '../lib/dom.js';
import { fillSize } from '../lib/cells.js';
import { formatCount, formatDistance } from '../lib/format.js';
import { exportBar, listRows, column, exportName } from '../lib/export.js';
import { rowKeys } from '../lib/keyboard.js';
import { attachMenu } from '../lib/menu.js';

/** The Statistics buckets shown per part, in the Statistics view's order. */
const BUCKETS = [['code', 'Code'], ['strings', 'Strings'], ['jsArrays', 'JS arrays'], ['system', 'System'], ['native', 'Native'], ['other', 'Other JS']];

/** The export columns of a part: `heaplens realms --json`'s fields, the stats flattened. */
const PART_COLUMNS = [
  column('name', (p) => p.name), column('id', (p) => p.id ?? null), column('filterName', (p) => p.filter), column('nodeName', (p) => p.nodeName ?? null),
  ...['count', 'size', ...BUCKETS.map(([key]) => key)].map((key) => column(key, (p) => p.stats[key])),
];

/** The export columns of a realm's classes: `heaplens realms FILE --realm … --json`'s rows. */
const CLASS_COLUMNS = ['name', 'count', 'distance', 'selfSize', 'retainedSize'].map((key) => column(key, (c) => c[key] ?? null));

/** Classes listed for a selected part. */
const CLASS_ROWS = 100;

export function realmsView(ctx) {
  const { client, info } = ctx.snapshot;
  const total = info.totalSize;
  const status = el('p', { className: 'placeholder', testid: 'realms-status' }, 'Attributing every object to its native context\u2026');
  const classes = el('div', { className: 'realm-classes', testid: 'realm-classes' });
  const element = el('section', { className: 'view', testid: 'view-realms' },
    el('p', { className: 'hint' }, 'Each native context (a page, an iframe, an extension, a Node vm context) and the objects attributed to it: an object belongs to a context through its map, or else to the one context it is reached from; objects reached from two or more are shared. Select a row for its classes.'),
    el('div', { className: 'leaks-body' }, status, classes));
  client.realms().then((r) => status.replaceWith(...table(r))).catch((error) => {
    status.replaceWith(el('p', { className: 'error', testid: 'view-error' }, `Could not attribute the objects: ${error.message}`));
  });

  function table(r) {
    const parts = [
      ...r.realms.map((x) => ({ label: x.name || '(no URL)', name: x.name, nodeName: x.nodeName, title: `${x.nodeName} @${x.id}`, id: x.id, filter: x.filterName, stats: x.attributed })),
      { label: 'Shared between realms', name: 'shared', title: 'Objects reached from two or more native contexts', filter: 'sharedNativeContext', stats: r.shared },
      { label: 'Not attributed', name: 'none', title: 'Objects no native context reaches', filter: 'noNativeContext', stats: r.unattributed },
    ];
    const tbody = el('tbody');
    let picked = null;
    for (const part of parts) {
      const size = el('td', { className: 'right', testid: 'realm-size' });
      fillSize(size, part.stats.size, total);
      const cells = BUCKETS.map(([key]) => {
        const cell = el('td', { className: 'right' });
        fillSize(cell, part.stats[key]);
        return cell;
      });
      const row = el('tr', { className: 'realm-row', testid: 'realm-row', dataset: { filter: part.filter, count: String(part.stats.count), size: String(part.stats.size) } },
        el('td', { title: part.title }, el('span', { className: 'class-name', testid: 'realm-name' }, part.label),
          part.id === undefined ? null : el('span', { className: 'obj-id' }, ` @${part.id}`)),
        el('td', { className: 'right num', testid: 'realm-count' }, formatCount(part.stats.count)),
        size, ...cells);
      row.addEventListener('click', () => {
        picked?.classList.remove('picked');
        picked = row;
        row.classList.add('picked');
        if (part.id !== undefined) ctx.selectObject(part.id);
        showClasses(part);
      });
      attachMenu(row, () => element, () => (part.id === undefined ? [] : ctx.objectMenu(part.id)), () => row.click());
      tbody.appendChild(row);
    }
    rowKeys(tbody);
    const exports = exportBar({ name: () => exportName(ctx.snapshot.name, 'realms'), columns: PART_COLUMNS, rows: () => listRows(parts) });
    return [exports.element, el('table', { className: 'leak-table', testid: 'realms-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Realm'), el('th', { className: 'right' }, 'Objects'), el('th', { className: 'right' }, 'Size'),
        ...BUCKETS.map(([, title]) => el('th', { className: 'right' }, title)))),
      tbody)];
  }

  async function showClasses(part) {
    classes.replaceChildren(el('p', { className: 'placeholder' }, `Listing the classes of ${part.label}\u2026`));
    try {
      const page = await client.realmSummary(part.filter, { limit: CLASS_ROWS });
      const rows = page.rows.map((c) => {
        const self = el('td', { className: 'right' });
        fillSize(self, c.selfSize, total);
        const retained = el('td', { className: 'right' });
        fillSize(retained, c.retainedSize, total);
        return el('tr', { testid: 'realm-class' },
          el('td', { className: 'class-name', testid: 'class-name' }, c.name),
          el('td', { className: 'right num', testid: 'class-count' }, formatCount(c.count)),
          el('td', { className: 'right' }, formatDistance(c.distance)), self, retained);
      });
      const exports = exportBar({ name: () => exportName(ctx.snapshot.name, `realm-${part.filter}`), columns: CLASS_COLUMNS, rows: () => listRows(page.rows) });
      classes.replaceChildren(
        el('h3', {}, `${part.label}: ${formatCount(page.total)} classes`, page.total > CLASS_ROWS ? `, the ${CLASS_ROWS} that retain most` : ''),
        exports.element,
        el('table', { className: 'leak-table', testid: 'realm-class-table' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Constructor'), el('th', { className: 'right' }, 'Count'), el('th', { className: 'right' }, 'Distance'),
            el('th', { className: 'right' }, 'Shallow Size'), el('th', { className: 'right' }, 'Retained Size'))),
          el('tbody', {}, ...rows)));
    } catch (error) {
      classes.replaceChildren(el('p', { className: 'error' }, error.message));
    }
  }

  return { element };
}
