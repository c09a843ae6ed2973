//! Profile view: a sampling heap profile (.heapprofile) as DevTools' HeapProfileView shows
//! it: the bottom-up (heavy) and top-down trees of the bytes sampled at each stack, a
//! flame chart of the top-down tree, and, when the samples carry ordinals, a range
//! selector over allocation order: a range recomputes the trees and the chart from its
//! samples only (SamplingHeapProfileModel with a min and max ordinal).

import { el, svg, clear } from '../lib/dom.js';
import { TreeTable } from '../lib/treetable.js';
import { fillSize } from '../lib/cells.js';
import { formatBytes, formatCount, exactBytes } from '../lib/format.js';
import { flameChart, frameLocation } from '../lib/flame.js';
import { exportBar, treeRows, column, exportName } from '../lib/export.js';

/** Bars of the range selector. */
const BARS = 100;
const BAR_HEIGHT = 60;

/**
 * Siblings as the table lists them: bottom-up by self size, top-down by total (DevTools'
 * default sorts), then by name and place, so equal sizes keep one order.
 */
function ordered(rows, bySelf) {
  const key = bySelf ? 'selfSize' : 'totalSize';
  const other = bySelf ? 'totalSize' : 'selfSize';
  return [...rows].sort((a, b) => b[key] - a[key] || b[other] - a[other]
    || a.functionName.localeCompare(b.functionName) || a.url.localeCompare(b.url) || a.line - b.line || a.column - b.column);
}

/**
 * The range selector: the samples' bytes in BARS bars of equal spans of allocation order
 * (empty spans stay gaps); a drag over the bars, or the two ordinal fields, picks a range;
 * `onChange([min, max] | null)`.
 */
function rangeSelector(bars, onChange) {
  const width = 800;
  const step = width / BARS;
  const tallest = Math.max(1, ...bars.map((b) => b.size));
  const chosen = svg('rect', { x: 0, y: 0, width: 0, height: BAR_HEIGHT, fill: 'var(--select)', 'pointer-events': 'none' });
  const plot = svg('svg', {
    viewBox: `0 0 ${width} ${BAR_HEIGHT}`, preserveAspectRatio: 'none', testid: 'range-bars', role: 'img',
    'aria-label': `Bytes sampled over allocation order, in ${bars.length} bars; drag to select a range, or type its first and last ordinals`,
    style: 'width:100%; height:60px; display:block; cursor:crosshair; touch-action:none',
  }, chosen);
  for (const bar of bars) {
    const h = Math.max(1, (bar.size / tallest) * (BAR_HEIGHT - 2));
    plot.appendChild(svg('rect', { testid: 'range-bar', x: bar.index * step, y: BAR_HEIGHT - h, width: Math.max(step - 1, 0.5), height: h, fill: 'var(--series-0)', 'pointer-events': 'none' },
      svg('title', {}, `ordinals ${bar.first}\u2013${bar.last}: ${exactBytes(bar.size)} in ${formatCount(bar.samples)} samples`)));
  }
  const first = el('input', { type: 'number', step: 'any', testid: 'range-first', 'aria-label': 'First ordinal of the range' });
  const last = el('input', { type: 'number', step: 'any', testid: 'range-last', 'aria-label': 'Last ordinal of the range' });
  const apply = el('button', { type: 'button', testid: 'range-apply', onclick: () => pick(Number(first.value), Number(last.value)) }, 'Select');
  const whole = el('button', { type: 'button', className: 'link', testid: 'range-clear', onclick: () => pick(null) }, 'Whole profile');

  /** Shades bar places `a`..`b` (none when a is null). */
  function shade(a, b) {
    chosen.setAttribute('x', String(a === null ? 0 : a * step));
    chosen.setAttribute('width', String(a === null ? 0 : (b - a + 1) * step));
  }

  /** Shades the bars of [min, max] and reports the range. */
  function pick(min, max) {
    const inside = min === null ? [] : bars.filter((b) => b.last >= min && b.first <= max);
    shade(inside.length ? inside[0].index : null, inside.length ? inside[inside.length - 1].index : null);
    first.value = min === null ? '' : String(min);
    last.value = min === null ? '' : String(max);
    onChange(min === null ? null : [min, max]);
  }

  /** The bar place under a pointer event. */
  const placeAt = (e) => {
    const box = plot.getBoundingClientRect();
    return Math.min(BARS - 1, Math.max(0, Math.floor(((e.clientX - box.left) / box.width) * BARS)));
  };
  let from = null;
  const spanTo = (e) => {
    const [a, b] = [from, placeAt(e)].sort((x, y) => x - y);
    shade(a, b);
    return [a, b];
  };
  plot.addEventListener('pointerdown', (e) => {
    from = placeAt(e);
    plot.setPointerCapture(e.pointerId);
    spanTo(e);
  });
  plot.addEventListener('pointermove', (e) => { if (from !== null) spanTo(e); });
  plot.addEventListener('pointerup', (e) => {
    if (from === null) return;
    const [a, b] = spanTo(e);
    from = null;
    const inside = bars.filter((bar) => bar.index >= a && bar.index <= b);
    if (inside.length) pick(inside[0].first, inside[inside.length - 1].last);
    else shade(null);
  });
  return el('div', { className: 'profile-range', testid: 'profile-range' }, plot,
    el('div', { className: 'toolbar' }, el('span', {}, 'Samples from ordinal'), first, el('span', {}, 'to'), last, apply, whole));
}

export function profileView(ctx) {
  const { client, info } = ctx.snapshot;
  let trees = { total: 0, range: null, bottomUp: [], topDown: [] };
  let bottomUp = true;
  const total = el('span', { testid: 'profile-total' });
  const mode = el('select', { testid: 'profile-mode', 'aria-label': 'Tree' },
    el('option', { value: 'bottomUp' }, 'Heavy (bottom-up)'),
    el('option', { value: 'topDown' }, 'Tree (top-down)'));
  const flame = flameChart();
  const provider = {
    async load(parent, offset, limit) {
      const rows = ordered(parent === null ? (bottomUp ? trees.bottomUp : trees.topDown) : parent.children, bottomUp);
      return { total: rows.length, rows: rows.slice(offset, offset + limit) };
    },
    canExpand: (row) => row.children.length > 0,
  };
  const columns = [
    {
      key: 'name', title: 'Function', width: 'minmax(260px, 1fr)',
      render(cell, row) {
        cell.appendChild(el('span', { className: 'class-name', testid: 'profile-function' }, row.functionName));
        const at = frameLocation(row);
        if (at) cell.appendChild(el('span', { className: 'alloc-location', testid: 'profile-location' }, ` ${at}`));
        cell.title = at;
      },
    },
    { key: 'selfSize', title: 'Self Size', width: '150px', align: 'right', render: (cell, row) => { cell.dataset.bytes = String(row.selfSize); fillSize(cell, row.selfSize, trees.total); } },
    { key: 'totalSize', title: 'Total Size', width: '150px', align: 'right', render: (cell, row) => { cell.dataset.bytes = String(row.totalSize); fillSize(cell, row.totalSize, trees.total); } },
  ];
  const table = new TreeTable({ columns, provider, testid: 'profile-table', label: 'Sampled allocations by function', emptyText: 'Nothing was sampled in this range' });
  mode.addEventListener('change', () => {
    bottomUp = mode.value === 'bottomUp';
    table.reload();
  });
  const exports = exportBar({
    name: () => exportName(ctx.snapshot.name, 'profile'),
    columns: [column('functionName'), column('location', frameLocation), column('selfSize'), column('totalSize')],
    rows: () => treeRows(table),
  });
  const element = el('section', { className: 'view', testid: 'view-profile' });

  /** Asks for the trees of `range` (null: every sample) and redraws. */
  async function showRange(range) {
    element.dataset.busy = 'true';
    try {
      trees = await client.profile({ range });
      total.textContent = `${range ? `Ordinals ${range[0]}\u2013${range[1]}: ` : ''}${formatBytes(trees.total)} sampled`;
      total.title = exactBytes(trees.total);
      total.dataset.total = String(trees.total);
      element.dataset.rangeMin = range ? String(range[0]) : '';
      element.dataset.rangeMax = range ? String(range[1]) : '';
      flame.show(trees.topDown);
      await table.reload();
    } catch (error) {
      total.textContent = `Could not read the profile: ${error.message}`;
    } finally {
      delete element.dataset.busy;
    }
  }

  const range = el('div', { testid: 'profile-range-slot' });
  element.append(
    el('div', { className: 'toolbar' }, total, el('span', { style: { color: 'var(--muted)' } }, `${formatCount(info.samples)} samples`), mode, exports.element),
    range, flame.element, table.element);
  /** The range selector first (nothing moves under the pointer once the rows are drawn), then every sample. */
  async function start() {
    element.dataset.busy = 'true';
    if (info.hasOrdinals) {
      try {
        clear(range).appendChild(rangeSelector(await client.profileTimeline(BARS), showRange));
      } catch (error) {
        range.textContent = `No range selector: ${error.message}`;
      }
    }
    await showRange(null);
  }
  start();
  return { element, table, dispose: () => { table.dispose(); flame.dispose(); } };
}
