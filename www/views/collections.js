//! Collections view: the Maps, Sets, WeakMaps, arrays and dictionaries whose entry count
//! grew in every interval of three or more snapshots (src/analysis/collections.rs): every
//! snapshot's worker counts its collections' entries, the newest one's matches them by
//! object id and ranks them, most entries gained first. Selecting one shows its retainers;
//! its context menu copies a link to it; the table exports its rows.

import { el } from '../lib/dom.js';
import { fillSize } from '../lib/cells.js';
import { formatCount } from '../lib/format.js';
import { SnapshotClient } from '../lib/snapshot-client.js';
import { exportBar, listRows, column, exportName } from '../lib/export.js';
import { rowKeys } from '../lib/keyboard.js';
import { attachMenu } from '../lib/menu.js';

/** A path as text, root first: "(Stack roots) › 48 › responseCache". */
function pathText(path) {
  return path.map((step, i) => (i === 0 ? step.node : step.edge)).join(' \u203a ');
}

/** The export columns: `heaplens collections --json`'s fields (lists space-separated, the path as text). */
const COLUMNS = [
  ...['id', 'heldAs', 'kind', 'className'].map((key) => column(key)),
  column('counts', (c) => c.counts.join(' ')),
  column('perInterval', (c) => c.perInterval.join(' ')),
  ...['growth', 'selfSize', 'retainedSize', 'detachedDom'].map((key) => column(key)),
  column('path', (c) => pathText(c.path)),
];

export function collectionsView(ctx) {
  const element = el('section', { className: 'view', testid: 'view-collections' });
  const series = ctx.snapshots();
  if (series.length < 3) {
    element.appendChild(el('p', { className: 'placeholder', testid: 'collections-empty' },
      'Load three or more snapshots of one process, taken as it runs (after each batch of work): this view lists the collections whose entry count grew in every interval.'));
    return { element };
  }
  const newest = series[series.length - 1];
  const status = el('p', { className: 'placeholder', testid: 'collections-status' }, `Counting collection entries in ${series.length} snapshots\u2026`);
  element.append(el('p', { className: 'hint' }, `Collections alive in all ${series.length} snapshots whose entries grew in each interval, in ${newest.name} (newest). Map and WeakMap entries are key\u2013value pairs, Set entries keys, array entries elements, dictionary entries properties; small integers are no objects in a snapshot and do not count.`),
    el('div', { className: 'leaks-body' }, status));
  SnapshotClient.growingCollections(series.map((s) => s.client))
    .then((found) => status.replaceWith(...table(found)))
    .catch((error) => status.replaceWith(el('p', { className: 'error', testid: 'view-error' }, `Could not compare the collections: ${error.message}`)));

  function table(found) {
    if (found.length === 0) return [el('p', { className: 'placeholder', testid: 'collections-none' }, 'No collection grew in every interval.')];
    let picked = null;
    const rows = found.map((c) => {
      const retained = el('td', { className: 'right', testid: 'collection-retained' });
      fillSize(retained, c.retainedSize, newest.info.totalSize);
      const row = el('tr', { className: 'leak-row', testid: 'collection-row', dataset: { id: String(c.id), heldAs: c.heldAs, counts: c.counts.join(',') } },
        el('td', {}, el('span', { className: 'class-name', testid: 'collection-name' }, c.heldAs || '(unnamed)'), el('span', { className: 'obj-id' }, ` @${c.id}`)),
        el('td', { testid: 'collection-kind', title: c.className }, c.kind),
        el('td', { className: 'num', testid: 'collection-counts' }, c.counts.map(formatCount).join(' \u2192 ')),
        el('td', { className: 'right num', testid: 'collection-growth', title: `per interval: ${c.perInterval.join(', ')}` }, `+${formatCount(c.growth)}`),
        retained,
        el('td', { className: 'leak-held', title: pathText(c.path) }, pathText(c.path.slice(-3)),
          c.detachedDom ? el('span', { className: 'badge detached' }, `${formatCount(c.detachedDom)} detached`) : null));
      row.addEventListener('click', () => {
        picked?.classList.remove('picked');
        picked = row;
        row.classList.add('picked');
        ctx.selectObject(c.id, newest);
      });
      attachMenu(row, () => element, () => ctx.objectMenu(c.id), () => row.click());
      return row;
    });
    const body = el('tbody', {}, ...rows);
    rowKeys(body);
    const exports = exportBar({ name: () => exportName(newest.name, 'collections'), columns: COLUMNS, rows: () => listRows(found) });
    return [exports.element, el('table', { className: 'leak-table', testid: 'collections-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Collection'), el('th', {}, 'Kind'), el('th', {}, 'Entries per snapshot'),
        el('th', { className: 'right' }, 'Gained'), el('th', { className: 'right' }, 'Retained Size'), el('th', {}, 'Held by'))),
      body)];
  }

  return { element };
}
