//! Allocation timeline (DevTools' allocation timeline overview): for each sample interval
//! of a recording with allocation tracking, the bytes of what was allocated in it that are
//! still alive, as SVG bars; the user selects a run of bars by dragging over them or with
//! the keyboard (arrows move the selection, Shift+arrows extend it, Home/End jump, Escape
//! clears), and the selection becomes an object-id range: bar i holds the objects with
//! ids in (lastAssignedId of bar i−1, lastAssignedId of bar i]. A table below holds the
//! same numbers for screen readers and for copying.

import { el, svg } from './dom.js';
import { formatBytes, formatCount } from './format.js';

/** Each bar's width in the SVG's own units (it stretches to the width of the view). */
const BAR = 10;
const HEIGHT = 60;

/** A recording time: milliseconds below a second, seconds above. */
export function formatTime(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * @param {{ timeMs: number, lastAssignedId: number, liveSize: number }[]} bars
 * @param {(selection: { from: number, to: number, idRange: [number, number], label: string } | null) => void} onSelect
 *   called with the bars selected (inclusive), their id range and a sentence naming them; null when cleared
 */
export function timeline(bars, onSelect) {
  const width = bars.length * BAR;
  // Square-root heights: the first bar holds everything made before tracking began and
  // would flatten the others on a linear scale.
  const most = Math.sqrt(Math.max(1, ...bars.map((b) => b.liveSize)));
  const band = svg('rect', { x: 0, y: 0, width: 0, height: HEIGHT, testid: 'timeline-band' });
  band.style.fill = 'var(--accent-soft)';
  const rects = bars.map((b, i) => {
    const h = b.liveSize ? Math.max(1, (Math.sqrt(b.liveSize) / most) * (HEIGHT - 2)) : 0;
    const rect = svg('rect', { x: i * BAR + 1, y: HEIGHT - h, width: BAR - 2, height: h, testid: 'timeline-bar' },
      svg('title', {}, `${formatTime(b.timeMs)}: ${formatBytes(b.liveSize)} live`));
    rect.style.fill = 'var(--muted)';
    return rect;
  });
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${HEIGHT}`, preserveAspectRatio: 'none', width: '100%', height: HEIGHT,
    'aria-hidden': 'true', testid: 'timeline-chart',
  }, band, ...rects);
  chart.style.display = 'block';
  chart.style.touchAction = 'none';
  chart.style.cursor = 'crosshair';

  const status = el('p', { className: 'hint', testid: 'timeline-selection', role: 'status', 'aria-live': 'polite' });
  const frame = el('div', {
    tabIndex: 0, role: 'group', testid: 'timeline',
    'aria-label': 'Allocation timeline: live bytes allocated per interval. Arrow keys select an interval, Shift+arrows extend the selection, Escape clears it.',
  }, chart);
  frame.style.padding = '4px 10px';
  frame.style.borderBottom = '1px solid var(--border)';

  let selection = null; // { from, to, anchor }
  function draw() {
    rects.forEach((r, i) => { r.style.fill = selection && i >= selection.from && i <= selection.to ? 'var(--accent)' : 'var(--muted)'; });
    band.setAttribute('x', String(selection ? selection.from * BAR : 0));
    band.setAttribute('width', String(selection ? (selection.to - selection.from + 1) * BAR : 0));
    status.textContent = selection ? `${describe(selection)}: ${formatBytes(sum(selection))} live` : 'Drag over the bars, or focus them and use the arrow keys, to see what was allocated in an interval.';
  }
  const sum = ({ from, to }) => bars.slice(from, to + 1).reduce((s, b) => s + b.liveSize, 0);
  const describe = ({ from, to }) => (from === 0
    ? `Objects allocated up to ${formatTime(bars[to].timeMs)}`
    : `Objects allocated between ${formatTime(bars[from - 1].timeMs)} and ${formatTime(bars[to].timeMs)}`);
  function select(anchor, other, notify = true) {
    const [from, to] = [Math.min(anchor, other), Math.max(anchor, other)];
    selection = { from, to, anchor };
    draw();
    if (notify) {
      const low = from === 0 ? 0 : bars[from - 1].lastAssignedId;
      onSelect({ from, to, idRange: [low, bars[to].lastAssignedId], label: describe(selection) });
    }
  }
  function clearSelection(notify = true) {
    selection = null;
    draw();
    if (notify) onSelect(null);
  }

  // Dragging: the bar under the pointer when it went down to the one under it now.
  const barAt = (e) => {
    const box = chart.getBoundingClientRect();
    return Math.min(bars.length - 1, Math.max(0, Math.floor(((e.clientX - box.left) / box.width) * bars.length)));
  };
  let dragFrom = null;
  chart.addEventListener('pointerdown', (e) => {
    dragFrom = barAt(e);
    chart.setPointerCapture(e.pointerId);
    select(dragFrom, dragFrom, false);
  });
  chart.addEventListener('pointermove', (e) => { if (dragFrom !== null) select(dragFrom, barAt(e), false); });
  chart.addEventListener('pointerup', (e) => {
    if (dragFrom === null) return;
    select(dragFrom, barAt(e));
    dragFrom = null;
  });

  frame.addEventListener('keydown', (e) => {
    const last = bars.length - 1;
    const step = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
    if (e.key === 'Escape' && selection) clearSelection();
    else if (step && !selection) select(step > 0 ? 0 : last, step > 0 ? 0 : last);
    else if (step && e.shiftKey) {
      // The end away from where the selection began moves.
      const end = selection.anchor === selection.from ? selection.to : selection.from;
      select(selection.anchor, Math.min(last, Math.max(0, end + step)));
    } else if (step) {
      const from = Math.min(last - (selection.to - selection.from), Math.max(0, selection.from + step));
      select(from, from + selection.to - selection.from);
    } else if (e.key === 'Home' || e.key === 'End') select(e.key === 'Home' ? 0 : last, e.key === 'Home' ? 0 : last);
    else return;
    e.preventDefault();
  });

  const table = el('table', { testid: 'timeline-table' },
    el('caption', {}, 'Live bytes allocated per sample interval'),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Interval ends at'), el('th', { scope: 'col' }, 'Last object id'), el('th', { scope: 'col' }, 'Live size'))),
    el('tbody', {}, bars.map((b) => el('tr', {},
      el('td', {}, formatTime(b.timeMs)), el('td', { className: 'right' }, `@${b.lastAssignedId}`), el('td', { className: 'right' }, formatBytes(b.liveSize))))));
  const details = el('details', { testid: 'timeline-details' },
    el('summary', {}, `Timeline as a table (${formatCount(bars.length)} intervals)`), table);
  details.style.padding = '0 10px';
  draw();
  return {
    element: el('div', { testid: 'timeline-section' }, frame, status, details),
    clear: () => clearSelection(false),
  };
}
