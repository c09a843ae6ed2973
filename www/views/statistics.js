//! Statistics view: where the heap goes, in DevTools' seven slices (spec §3.9), as an
//! SVG donut with the numbers in a table beside it.

import { el, svg } from '../lib/dom.js';
import { formatBytes, exactBytes, formatPercent } from '../lib/format.js';
import { exportBar, listRows, column, exportName } from '../lib/export.js';

const COLORS = ['#f4a261', '#2a9d8f', '#e9c46a', '#8ab17d', '#9b8ec4', '#4f86c6', '#d4d4d4'];

/** The seven slices from a `stats` response, in DevTools' order. */
export function slices(stats) {
  const v8 = stats.v8heap;
  const other = v8.total - v8.code - v8.strings - v8.jsArrays - v8.system;
  return [
    ['Code', v8.code],
    ['Strings', v8.strings],
    ['JS arrays', v8.jsArrays],
    ['Typed arrays', stats.native.typedArrays],
    ['System objects', v8.system],
    ['Other JS objects', other],
    ['Other non-JS objects (such as HTML and CSS)', stats.native.total - stats.native.typedArrays],
  ].map(([name, bytes], i) => ({ name, bytes: Math.max(0, bytes), color: COLORS[i] }));
}

function donut(parts, total) {
  const size = 240;
  const r = 90;
  const inner = 55;
  const c = size / 2;
  const chart = svg('svg', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', 'aria-label': 'Heap composition', testid: 'stats-chart' });
  const sum = parts.reduce((a, p) => a + p.bytes, 0) || 1;
  let angle = -Math.PI / 2;
  const point = (radius, a) => `${(c + radius * Math.cos(a)).toFixed(3)} ${(c + radius * Math.sin(a)).toFixed(3)}`;
  for (const part of parts) {
    if (part.bytes <= 0) continue;
    const sweep = (part.bytes / sum) * Math.PI * 2;
    let shape;
    if (sweep >= Math.PI * 2 - 1e-6) {
      shape = svg('circle', { cx: c, cy: c, r: (r + inner) / 2, fill: 'none', stroke: part.color, 'stroke-width': r - inner });
    } else {
      const end = angle + sweep;
      const large = sweep > Math.PI ? 1 : 0;
      const d = `M ${point(r, angle)} A ${r} ${r} 0 ${large} 1 ${point(r, end)} L ${point(inner, end)} A ${inner} ${inner} 0 ${large} 0 ${point(inner, angle)} Z`;
      shape = svg('path', { d, fill: part.color, class: 'donut-slice' }); // outlined in the background colour (style.css)
    }
    shape.appendChild(svg('title', {}, `${part.name}: ${exactBytes(part.bytes)}`));
    chart.appendChild(shape);
    angle += sweep;
  }
  chart.appendChild(svg('text', { x: c, y: c - 4, 'text-anchor': 'middle', class: 'donut-total' }, formatBytes(total)));
  chart.appendChild(svg('text', { x: c, y: c + 14, 'text-anchor': 'middle', class: 'donut-label' }, 'Total'));
  return chart;
}

export function statisticsView(ctx) {
  const element = el('section', { className: 'view stats', testid: 'view-statistics' }, el('p', { className: 'placeholder' }, 'Loading\u2026'));
  // Set by dispose(): statistics arriving after the view was left are not drawn.
  let disposed = false;
  ctx.snapshot.client.stats().then((stats) => {
    if (disposed) return;
    const parts = slices(stats);
    const rows = parts.map((p) => el('tr', { testid: 'stats-row' },
      el('td', {}, el('span', { className: 'swatch', style: { background: p.color }, 'aria-hidden': 'true' })),
      el('td', { testid: 'stats-name' }, p.name),
      el('td', { className: 'right num', title: exactBytes(p.bytes), testid: 'stats-bytes', dataset: { bytes: String(p.bytes) } }, formatBytes(p.bytes)),
      el('td', { className: 'right num' }, formatPercent(p.bytes, stats.total))));
    const table = el('table', { className: 'stats-table', testid: 'stats-table' },
      el('thead', {}, el('tr', {}, el('th', {}, el('span', { className: 'visually-hidden' }, 'Colour')), el('th', {}, 'Category'), el('th', { className: 'right' }, 'Size'), el('th', { className: 'right' }, 'Share'))),
      el('tbody', {}, rows),
      el('tfoot', {}, el('tr', {}, el('td'), el('td', {}, 'Total'), el('td', { className: 'right num', title: exactBytes(stats.total), testid: 'stats-total' }, formatBytes(stats.total)), el('td'))));
    const notes = [];
    if (stats.extraNativeBytes) notes.push(el('p', { className: 'hint' }, `Includes ${formatBytes(stats.extraNativeBytes)} of native memory reported by V8 outside the object graph (extra_native_bytes).`));
    const exports = exportBar({
      name: () => exportName(ctx.snapshot.name, 'statistics'),
      columns: [column('category', (p) => p.name), column('bytes')],
      rows: () => listRows([...parts, { name: 'Total', bytes: stats.total }]),
    });
    element.replaceChildren(el('div', { className: 'toolbar' }, exports.element),
      // Focusable: where it scrolls (a small <heap-lens>), the keyboard scrolls it.
      el('div', { className: 'stats-layout', tabIndex: 0, role: 'region', 'aria-label': 'Heap statistics' }, donut(parts, stats.total), el('div', {}, table, notes)));
  }).catch((error) => {
    if (!disposed) element.replaceChildren(el('p', { className: 'error', testid: 'view-error' }, error.message));
  });
  return { element, dispose() { disposed = true; } };
}
