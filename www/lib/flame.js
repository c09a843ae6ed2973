//! A flame chart of a sampling heap profile: each stack's allocated bytes as a bar as
//! wide as its total, callees under their caller (the top-down tree laid out as DevTools'
//! heap flame chart lays it out: x is bytes, y is depth). A click on a frame zooms to it
//! and selects it; the selected frame's `function script:line:column` is text to copy.
//! The frames drawn are also a table (the chart's accessible alternative). Names come
//! from the file: they go in as text only.

import { el, svg, clear } from './dom.js';
import { formatBytes, exactBytes } from './format.js';

const ROW = 18;
/** Frames narrower than this (pixels) at the current zoom are not drawn. */
const NARROWEST = 1;
/** Most frames drawn (and listed in the table) at one zoom. */
const MOST_FRAMES = 2000;
/** Pixels per character of the frame labels (11px monospace). */
const CHAR = 6.7;

/** `script:line:column` (1-based), the script alone without a line, '' without a script. */
export function frameLocation(row) {
  if (!row.url) return '';
  return row.line ? `${row.url}:${row.line}:${row.column}` : row.url;
}

/** `function script:line:column`, as the chart shows the selected frame. */
function frameText(row) {
  const at = frameLocation(row);
  return at ? `${row.functionName} ${at}` : row.functionName;
}

/**
 * Every frame of `topDown` with its place: x and width in bytes, depth; callees left to
 * right in the tree's order. Iterative: a profile's stacks may be deep.
 */
function layout(topDown) {
  const frames = [];
  const todo = [];
  let x = 0;
  for (const row of topDown) {
    todo.push({ row, x, depth: 0 });
    x += row.totalSize;
  }
  todo.reverse();
  while (todo.length) {
    const frame = todo.pop();
    frames.push(frame);
    let at = frame.x;
    const children = [];
    for (const child of frame.row.children) {
      children.push({ row: child, x: at, depth: frame.depth + 1, parent: frame });
      at += child.totalSize;
    }
    todo.push(...children.reverse());
  }
  return { frames, total: x };
}

/** A light fill per function name: the same function keeps its colour across zooms. */
function fill(name) {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360} 65% 78%)`;
}

/**
 * @param {{ onSelect?: (row: object|null) => void }} [options]
 * @returns {{ element: HTMLElement, show: (topDown: object[]) => void, dispose: () => void }}
 */
export function flameChart({ onSelect } = {}) {
  let frames = [];
  let total = 0;
  let zoom = null; // the frame zoomed to, or null for everything
  let selected = null;
  const chart = el('div', { className: 'flame-chart', testid: 'flame-chart', style: { overflowX: 'hidden', overflowY: 'auto', maxHeight: '360px', border: '1px solid var(--border)' } });
  const detail = el('code', { testid: 'flame-selected', style: { userSelect: 'all' } });
  const copy = el('button', {
    type: 'button', className: 'link', testid: 'flame-copy', hidden: true,
    onclick: () => navigator.clipboard.writeText(detail.textContent).catch(() => {}),
  }, 'Copy');
  const reset = el('button', { type: 'button', className: 'link', testid: 'flame-reset', disabled: true, onclick: () => zoomTo(null) }, 'Show everything');
  const sizes = el('span', { testid: 'flame-sizes', style: { color: 'var(--muted)' } });
  const tableBody = el('tbody');
  const table = el('details', { testid: 'flame-table' },
    el('summary', {}, 'The flame chart as a table'),
    el('table', { className: 'stats-table' },
      el('thead', {}, el('tr', {}, ...['Function', 'Location', 'Depth', 'Self', 'Total'].map((t) => el('th', { scope: 'col' }, t)))),
      tableBody));
  const element = el('div', { className: 'flame', testid: 'flame' },
    el('div', { className: 'toolbar' }, reset, el('span', {}, 'Selected: '), detail, copy, sizes),
    chart, table);

  function zoomTo(frame) {
    zoom = frame;
    selected = frame;
    reset.disabled = !frame;
    detail.textContent = frame ? frameText(frame.row) : '';
    copy.hidden = !frame;
    sizes.textContent = frame ? ` self ${formatBytes(frame.row.selfSize)}, total ${formatBytes(frame.row.totalSize)}` : '';
    onSelect?.(frame?.row ?? null);
    draw();
  }

  /** The frames shown at this zoom: inside the zoomed frame's span, or its callers. */
  function visibleFrames(x0, x1, width) {
    const scale = width / Math.max(1, x1 - x0);
    const out = [];
    for (const frame of frames) {
      if (out.length >= MOST_FRAMES) break;
      const from = Math.max(frame.x, x0);
      const to = Math.min(frame.x + frame.row.totalSize, x1);
      if ((to - from) * scale >= NARROWEST) out.push({ frame, left: (from - x0) * scale, width: (to - from) * scale });
    }
    return out;
  }

  function draw() {
    clear(chart);
    clear(tableBody);
    if (!frames.length) {
      chart.appendChild(el('p', { className: 'hint', testid: 'flame-empty' }, 'Nothing was sampled in this range.'));
      return;
    }
    drawnWidth = chart.clientWidth;
    const width = Math.max(300, chart.clientWidth || 900);
    const [x0, x1] = zoom ? [zoom.x, zoom.x + zoom.row.totalSize] : [0, total];
    const shown = visibleFrames(x0, x1, width);
    const depth = shown.reduce((d, s) => Math.max(d, s.frame.depth), 0) + 1;
    const chartSvg = svg('svg', {
      width, height: depth * ROW, role: 'img', testid: 'flame-svg',
      'aria-label': `Flame chart of ${formatBytes(x1 - x0)} sampled: ${shown.length} frames; the table below lists them`,
      style: 'display:block; font: 11px var(--mono)',
    });
    for (const { frame, left, width: w } of shown) {
      const { row } = frame;
      const label = w > 3 * CHAR ? row.functionName.slice(0, Math.floor((w - 6) / CHAR)) : '';
      const g = svg('g', { testid: 'flame-frame', 'data-function': row.functionName, 'data-total': row.totalSize, cursor: 'pointer' },
        svg('title', {}, `${frameText(row)}\nself ${exactBytes(row.selfSize)}, total ${exactBytes(row.totalSize)}`),
        svg('rect', {
          x: left, y: frame.depth * ROW, width: Math.max(w - 0.5, 0.5), height: ROW - 1, fill: fill(row.functionName),
          stroke: frame === selected ? 'var(--accent)' : 'none', 'stroke-width': 2,
        }),
        svg('text', { x: left + 3, y: frame.depth * ROW + 13, fill: '#111' }, label));
      g.addEventListener('click', () => zoomTo(frame));
      chartSvg.appendChild(g);
      tableBody.appendChild(el('tr', { testid: 'flame-row' },
        el('td', {}, el('button', { type: 'button', className: 'link', onclick: () => zoomTo(frame) }, row.functionName)),
        el('td', {}, frameLocation(row)),
        el('td', { className: 'right' }, String(frame.depth)),
        el('td', { className: 'right', title: exactBytes(row.selfSize) }, formatBytes(row.selfSize)),
        el('td', { className: 'right', title: exactBytes(row.totalSize) }, formatBytes(row.totalSize))));
    }
    chart.appendChild(chartSvg);
  }

  // Redrawn when the width changes (not the height a draw itself changes).
  let drawnWidth = 0;
  const resized = new ResizeObserver(() => {
    if (chart.clientWidth !== drawnWidth) draw();
  });
  resized.observe(chart);
  return {
    element,
    /** Lays out and draws the top-down tree `topDown` (zoomed out). */
    show(topDown) {
      ({ frames, total } = layout(topDown));
      zoom = null;
      selected = null;
      zoomTo(null);
    },
    dispose: () => resized.disconnect(),
  };
}
