//! Line charts drawn as SVG (used by the Growth view): series over categories, "nice"
//! axis ticks, a hover crosshair with exact values, a legend that toggles series, and
//! SVG/PNG downloads. The SVG carries its own colours and fonts as attributes, so a
//! downloaded file stands alone (light theme); on the page, style.css overrides the
//! neutral colours through the c-* classes, and the series colours through the
//! --series-N variables (lighter in dark mode), to follow the page's theme. Each chart
//! has its numbers in a table too, for screen readers and for reading exact values.

import { el, svg } from './dom.js';
import { formatCount, formatSigned, exactBytes } from './format.js';

/** Series colours: distinct, readable on white, the first one the page's accent. */
export const PALETTE = ['#1a73e8', '#e8710a', '#188038', '#d93025', '#9334e6', '#12a4b8', '#e52592', '#a77b00'];

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif';
const INK = '#1f2328';
const MUTED = '#6a737d';
const GRID = '#eceff3';
const AXIS = '#c4cad1';
/** Above this many points a series is drawn as a line only (markers would merge). */
const MAX_MARKERS = 80;
const CHAR_WIDTH = 6.6; // average width of an 11px label character, for layout estimates

/**
 * Ticks at round values covering [min, max]: about `count` steps of 1, 2, 2.5 or 5 × 10^k
 * (integer axes skip 2.5 and never step below 1).
 */
export function niceTicks(min, max, count = 5, integer = false) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) { min = 0; max = 1; }
  if (min === max) {
    const pad = Math.abs(min) * 0.05 || 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const steps = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  let step = steps.map((m) => m * power).find((s) => s >= raw * 0.999) ?? 10 * power;
  if (integer) step = Math.max(1, Math.round(step));
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks = [];
  for (let i = 0; lo + i * step <= hi + step / 2; i++) ticks.push(Number((lo + i * step).toPrecision(12)));
  return { min: lo, max: ticks[ticks.length - 1], step, ticks };
}

const BYTE_UNITS = [[1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB'], [1, 'B']];

/** Fewest decimals (0–3) that show `x` exactly enough. */
function decimalsFor(x) {
  for (let d = 0; d < 3; d++) {
    const scaled = x * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 3;
}

/** A y axis in bytes: one unit and one precision for every tick ("3.05 MB"). */
export const bytesAxis = {
  integer: true,
  tick(value, scale) {
    if (value === 0) return '0';
    const top = Math.max(Math.abs(scale.min), Math.abs(scale.max));
    const [unit, name] = BYTE_UNITS.find(([u]) => top >= u) ?? [1, 'B'];
    const digits = unit === 1 ? 0 : decimalsFor(scale.step / unit);
    const text = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Math.abs(value) / unit);
    return `${value < 0 ? '\u2212' : ''}${text}\u00a0${name}`;
  },
  exact: exactBytes,
};

/** A y axis of object counts; `signed` labels show "+1,000" (growth since a baseline). */
export function countAxis({ signed = false } = {}) {
  return {
    integer: true,
    tick: (value) => (signed ? formatSigned(value) : formatCount(value)),
    exact: (value) => (signed ? formatSigned(value) : formatCount(value)),
  };
}

function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}\u2026` : text;
}

/** Clips the middle, where names that share a prefix and a suffix differ least. */
function clipMiddle(text, max) {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  return `${text.slice(0, head)}\u2026${text.slice(text.length - (max - 1 - head))}`;
}

/** Saves a Blob under a file name (an object URL on a temporary link: no network). */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: name, hidden: true });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/**
 * A line chart.
 * @param {{
 *   title: string, testid?: string, fileName?: string,  (downloads: fileName.svg / .png)
 *   labels: string[],                                    x categories in order (shown clipped)
 *   axisLabel?: string,                                  what a category is (the data table's first header)
 *   fullLabels?: string[],                               their full text, for tooltips
 *   series: {name: string, values: (number|null)[], color?: string, hidden?: boolean,
 *            note?: string, detail?: (index: number) => string}[],
 *   axis: {tick(value, scale): string, exact(value): string, integer?: boolean},
 *   zero?: boolean,        include 0 in the y range
 *   height?: number, legend?: boolean, caption?: string
 * }} options
 * @returns {{element: HTMLElement, svgText: () => string, downloadSvg: () => void, downloadPng: () => Promise<void>, redraw: () => void,
 *            dispose: () => void}}  dispose: stop following the chart's width (it left the page)
 */
export function lineChart(options) {
  const { labels, axis } = options;
  const fullLabels = options.fullLabels ?? labels;
  // `paint`: the colour on the page, the theme's variant of a palette colour; a standalone
  // SVG (no variable defined) falls back to the light one.
  const series = options.series.map((s, i) => ({
    ...s,
    color: s.color ?? PALETTE[i % PALETTE.length],
    paint: s.color ?? `var(--series-${i % PALETTE.length}, ${PALETTE[i % PALETTE.length]})`,
    hidden: !!s.hidden,
  }));
  const height = options.height ?? 240;
  const fileName = options.fileName ?? 'heaplens-chart';
  const n = labels.length;

  const body = el('div', { className: 'chart-body' });
  const tip = el('div', { className: 'chart-tip', role: 'status', hidden: true, testid: 'chart-tip' });
  // Why the last download failed, shown next to the buttons.
  const failure = el('span', { className: 'error', testid: 'download-error', role: 'alert', hidden: true });
  /** Runs a download; a failure shows in the chart instead of escaping as an unhandled rejection. */
  const download = async (save) => {
    failure.hidden = true;
    try {
      await save();
    } catch (error) {
      failure.textContent = `Could not download the chart: ${error.message ?? error}`;
      failure.hidden = false;
    }
  };
  const downloadSvgButton = el('button', { type: 'button', className: 'button small', testid: 'download-svg', onclick: () => download(downloadSvg) }, 'Download SVG');
  const downloadPngButton = el('button', { type: 'button', className: 'button small', testid: 'download-png', onclick: () => download(downloadPng) }, 'Download PNG');
  const legend = el('div', { className: 'chart-legend', testid: 'chart-legend' });
  const element = el('figure', { className: 'chart', testid: options.testid ?? 'chart' },
    el('figcaption', { className: 'chart-head' },
      el('span', { className: 'chart-title', testid: 'chart-title' }, options.title),
      el('span', { className: 'chart-actions' }, downloadSvgButton, downloadPngButton, failure)),
    options.caption ? el('p', { className: 'chart-caption' }, options.caption) : null,
    body,
    options.legend === false ? null : legend,
    dataTable());
  body.appendChild(tip);

  let root = null; // the current <svg>
  let layout = null; // geometry of the last drawing, for hover
  let width = 0;
  let hoverIndex = -1;

  // ------------------------------------------------------------ legend

  function renderLegend() {
    legend.replaceChildren();
    series.forEach((s) => {
      const item = el('button', {
        type: 'button', className: `chart-legend-item${s.hidden ? ' off' : ''}`, testid: 'legend-item',
        'aria-pressed': String(!s.hidden), title: s.hidden ? `Show ${s.name}` : `Hide ${s.name}`,
        dataset: { name: s.name },
        onclick: () => { s.hidden = !s.hidden; renderLegend(); draw(); },
      },
      el('span', { className: 'chart-swatch', style: { background: s.paint } }),
      el('span', { className: 'chart-legend-name' }, s.name),
      s.note ? el('span', { className: 'chart-legend-note' }, s.note) : null);
      legend.appendChild(item);
    });
  }

  // ------------------------------------------------------------ drawing

  /** Geometry for the visible series at the current width. */
  function measure() {
    const visible = series.filter((s) => !s.hidden);
    let min = Infinity;
    let max = -Infinity;
    for (const s of visible) {
      for (const v of s.values) {
        if (v === null || v === undefined) continue;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    if (min === Infinity) { min = 0; max = 1; }
    if (options.zero) { min = Math.min(0, min); max = Math.max(0, max); }
    const scale = niceTicks(min, max, Math.max(2, Math.round(height / 55)), axis.integer);
    const tickLabels = scale.ticks.map((t) => axis.tick(t, scale));
    const left = Math.max(...tickLabels.map((t) => t.length)) * CHAR_WIDTH + 16;
    const margin = { top: 12, right: 18, bottom: 30, left };
    const plot = { x0: margin.left, x1: width - margin.right, y0: margin.top, y1: height - margin.bottom };
    const band = (plot.x1 - plot.x0) / Math.max(1, n);
    return {
      visible, scale, tickLabels, plot, band,
      xAt: (i) => plot.x0 + (i + 0.5) * band,
      yAt: (v) => plot.y1 - ((v - scale.min) / (scale.max - scale.min || 1)) * (plot.y1 - plot.y0),
    };
  }

  /** Which x labels fit: every `stride`-th, with stride 1, 2, 5, 10, 20, 50, … */
  function labelStride(band) {
    const longest = Math.min(18, Math.max(1, ...labels.map((l) => l.length)));
    const need = Math.ceil((longest * CHAR_WIDTH + 12) / Math.max(band, 0.01));
    for (let s = 1; ; s *= 10) {
      for (const m of [1, 2, 5]) if (s * m >= need) return s * m;
    }
  }

  function draw() {
    const w = width || 720;
    width = w;
    layout = measure();
    const { visible, scale, tickLabels, plot, band, xAt, yAt } = layout;
    const chart = svg('svg', {
      width: w, height, viewBox: `0 0 ${w} ${height}`, role: 'img', 'aria-label': `${options.title} (its values are in the data table below)`,
      'font-family': FONT, 'font-size': 11, testid: 'chart-svg', tabindex: 0,
    });
    // Grid and y labels.
    const grid = svg('g', { testid: 'y-axis' });
    scale.ticks.forEach((t, i) => {
      const y = yAt(t).toFixed(1);
      grid.appendChild(svg('line', { x1: plot.x0, x2: plot.x1, y1: y, y2: y, stroke: t === 0 && scale.min < 0 ? AXIS : GRID, 'stroke-width': 1, class: t === 0 && scale.min < 0 ? 'c-axis' : 'c-grid' }));
      grid.appendChild(svg('text', { x: plot.x0 - 8, y, 'text-anchor': 'end', 'dominant-baseline': 'middle', fill: MUTED, class: 'c-label', testid: 'y-label' }, tickLabels[i]));
    });
    chart.appendChild(grid);
    // X axis and labels.
    const xAxis = svg('g', { testid: 'x-axis' });
    xAxis.appendChild(svg('line', { x1: plot.x0, x2: plot.x1, y1: plot.y1, y2: plot.y1, stroke: AXIS, 'stroke-width': 1, class: 'c-axis' }));
    const stride = labelStride(band);
    for (let i = 0; i < n; i++) {
      if (i % stride !== 0) continue;
      const x = xAt(i).toFixed(1);
      xAxis.appendChild(svg('line', { x1: x, x2: x, y1: plot.y1, y2: plot.y1 + 4, stroke: AXIS, class: 'c-axis' }));
      xAxis.appendChild(svg('text', {
        x, y: plot.y1 + 17, 'text-anchor': 'middle', fill: MUTED, class: 'c-label', testid: 'x-label', 'data-label': fullLabels[i],
      }, clipMiddle(labels[i], 18)));
    }
    chart.appendChild(xAxis);
    // Lines and markers.
    for (const s of visible) {
      const group = svg('g', { testid: 'series', 'data-name': s.name, 'data-points': s.values.filter((v) => v !== null && v !== undefined).length });
      let d = '';
      let pen = false;
      s.values.forEach((v, i) => {
        if (v === null || v === undefined) { pen = false; return; }
        d += `${pen ? 'L' : 'M'}${xAt(i).toFixed(1)} ${yAt(v).toFixed(1)} `;
        pen = true;
      });
      group.appendChild(svg('path', { d: d.trim() || 'M0 0', fill: 'none', stroke: s.color, style: `stroke: ${s.paint}`, 'stroke-width': 2, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }));
      if (n <= MAX_MARKERS) {
        s.values.forEach((v, i) => {
          if (v === null || v === undefined) return;
          group.appendChild(svg('circle', {
            cx: xAt(i).toFixed(1), cy: yAt(v).toFixed(1), r: 3.5, fill: '#ffffff', class: 'c-point', stroke: s.color, style: `stroke: ${s.paint}`, 'stroke-width': 2,
            testid: 'point', 'data-index': i, 'data-value': v,
          }));
        });
      }
      chart.appendChild(group);
    }
    if (visible.length === 0) {
      chart.appendChild(svg('text', { x: (plot.x0 + plot.x1) / 2, y: (plot.y0 + plot.y1) / 2, 'text-anchor': 'middle', fill: MUTED, class: 'c-label', 'font-size': 12 }, 'Every series is hidden: click a legend entry to show it'));
    }
    // Hover: a crosshair at the nearest x, dots on each visible series (not exported).
    const hover = svg('g', { 'data-export': 'omit', 'pointer-events': 'none', visibility: 'hidden', testid: 'hover' });
    chart.appendChild(hover);
    const overlay = svg('rect', {
      x: plot.x0, y: plot.y0, width: Math.max(0, plot.x1 - plot.x0), height: Math.max(0, plot.y1 - plot.y0),
      fill: 'transparent', 'data-export': 'omit', testid: 'chart-overlay',
    });
    overlay.addEventListener('pointermove', (e) => {
      const box = chart.getBoundingClientRect();
      showAt(Math.floor((e.clientX - box.left - plot.x0) / band));
    });
    overlay.addEventListener('pointerleave', hideHover);
    chart.appendChild(overlay);
    chart.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        e.preventDefault();
        const step = e.key === 'ArrowRight' ? 1 : -1;
        showAt(hoverIndex < 0 ? (step > 0 ? 0 : n - 1) : hoverIndex + step);
      } else if (e.key === 'Escape') hideHover();
    });
    chart.addEventListener('blur', hideHover);
    if (root) root.replaceWith(chart);
    else body.prepend(chart);
    root = chart;
    if (hoverIndex >= 0) showAt(hoverIndex);
  }

  function hideHover() {
    hoverIndex = -1;
    tip.hidden = true;
    root?.querySelector('[data-testid="hover"]')?.setAttribute('visibility', 'hidden');
  }

  function showAt(index) {
    if (!layout || n === 0) return;
    const i = Math.max(0, Math.min(n - 1, index));
    hoverIndex = i;
    const { visible, plot, xAt, yAt } = layout;
    const hover = root.querySelector('[data-testid="hover"]');
    hover.replaceChildren();
    const x = xAt(i);
    hover.appendChild(svg('line', { x1: x, x2: x, y1: plot.y0, y2: plot.y1, stroke: '#9aa3ad', 'stroke-dasharray': '3 3', class: 'c-cross' }));
    tip.replaceChildren(el('div', { className: 'chart-tip-title' }, fullLabels[i]));
    for (const s of visible) {
      const v = s.values[i];
      if (v === null || v === undefined) continue;
      hover.appendChild(svg('circle', { cx: x, cy: yAt(v), r: 5, fill: s.color, style: `fill: ${s.paint}`, stroke: '#ffffff', 'stroke-width': 2, class: 'c-dot' }));
      tip.appendChild(el('div', { className: 'chart-tip-row', testid: 'tip-row' },
        el('span', { className: 'chart-swatch', style: { background: s.paint } }),
        el('span', { className: 'chart-tip-name' }, s.name),
        el('span', { className: 'chart-tip-value' }, s.detail ? s.detail(i) : axis.exact(v))));
    }
    hover.setAttribute('visibility', 'visible');
    tip.hidden = false;
    // Beside the crosshair, on whichever side has room.
    const tipWidth = tip.offsetWidth || 220;
    const left = x + 14 + tipWidth <= width ? x + 14 : Math.max(0, x - 14 - tipWidth);
    tip.style.left = `${left}px`;
    tip.style.top = `${plot.y0 + 4}px`;
  }

  /** Every series' exact values by category, under a disclosure: the chart for screen readers. */
  function dataTable() {
    const head = el('tr', {}, el('th', { scope: 'col' }, options.axisLabel ?? 'Point'), ...series.map((s) => el('th', { scope: 'col' }, s.name)));
    const rows = fullLabels.map((label, i) => el('tr', {}, el('th', { scope: 'row' }, label),
      ...series.map((s) => {
        const v = s.values[i];
        return el('td', {}, v === null || v === undefined ? '' : s.detail ? s.detail(i) : axis.exact(v));
      })));
    return el('details', { className: 'chart-data', testid: 'chart-data' },
      el('summary', {}, 'Data table'),
      el('table', { testid: 'chart-table' }, el('caption', { className: 'visually-hidden' }, options.title), el('thead', {}, head), el('tbody', {}, rows)));
  }

  // ------------------------------------------------------------ export

  /** A standalone SVG document: white background, title on top, legend of shown series below. */
  function svgText() {
    if (!root) draw();
    const titleHeight = 30;
    const shown = series.filter((s) => !s.hidden);
    const columns = Math.max(1, Math.floor((width - 32) / 230));
    const rows = series.length > 1 ? Math.ceil(shown.length / columns) : 0;
    const legendHeight = rows ? rows * 18 + 12 : 0;
    const total = titleHeight + height + legendHeight;
    const out = svg('svg', { xmlns: 'http://www.w3.org/2000/svg', width, height: total, viewBox: `0 0 ${width} ${total}`, 'font-family': FONT, 'font-size': 11 });
    out.appendChild(svg('rect', { x: 0, y: 0, width, height: total, fill: '#ffffff' }));
    out.appendChild(svg('text', { x: 16, y: 20, fill: INK, 'font-size': 14, 'font-weight': 600 }, options.title));
    const plot = svg('g', { transform: `translate(0 ${titleHeight})` });
    for (const child of root.children) {
      if (child.getAttribute('data-export') === 'omit') continue;
      plot.appendChild(child.cloneNode(true));
    }
    out.appendChild(plot);
    shown.forEach((s, k) => {
      if (!rows) return;
      const x = 16 + (k % columns) * 230;
      const y = titleHeight + height + 8 + Math.floor(k / columns) * 18;
      out.appendChild(svg('rect', { x, y: y + 1, width: 10, height: 10, rx: 2, fill: s.color }));
      out.appendChild(svg('text', { x: x + 16, y: y + 10, fill: INK }, clip(`${s.name}${s.note ? `  ${s.note}` : ''}`, 34)));
    });
    for (const node of out.querySelectorAll('*')) {
      for (const name of ['data-testid', 'tabindex', 'class', 'role', 'style', 'aria-label']) node.removeAttribute(name);
    }
    return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(out)}\n`;
  }

  function downloadSvg() {
    saveBlob(new Blob([svgText()], { type: 'image/svg+xml' }), `${fileName}.svg`);
  }

  /** The same SVG drawn on a canvas at twice the size (the image comes from a data: URL). */
  async function downloadPng() {
    const text = svgText();
    const image = new Image();
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
    await image.decode();
    const ratio = 2;
    const canvas = el('canvas', { width: image.naturalWidth * ratio, height: image.naturalHeight * ratio });
    const context = canvas.getContext('2d');
    context.scale(ratio, ratio);
    context.drawImage(image, 0, 0);
    const blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
    saveBlob(blob, `${fileName}.png`);
  }

  // Draw at the width the page gives the chart, and again when it changes.
  const resizeObserver = new ResizeObserver(() => {
    const w = Math.floor(body.clientWidth);
    if (w > 0 && w !== width) {
      width = w;
      draw();
    }
  });
  resizeObserver.observe(body);
  if (options.legend !== false) renderLegend();
  draw();

  return { element, svgText, downloadSvg, downloadPng, redraw: draw, dispose: () => resizeObserver.disconnect() };
}
