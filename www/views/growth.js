//! Growth view: how the heap grows across the loaded snapshots (total size, and the
//! classes whose object counts grew most), plus imported heap-usage logs (the bytes a
//! program prints after each forced GC), kept per app by createHeapLogs(). Charts come
//! from lib/chart.js.

import { el } from '../lib/dom.js';
import { lineChart, bytesAxis, countAxis } from '../lib/chart.js';
import { formatCount, formatSigned, formatSignedBytes, exactBytes } from '../lib/format.js';

/** Classes charted: the ones whose object count grew most from first to last snapshot. */
const TOP_CLASSES = 8;
/** A heap-usage log is text; anything bigger is not one (a snapshot named .json, say). */
const MAX_LOG_BYTES = 64 * 1024 * 1024;

// ---------------------------------------------------------------- heap-usage logs

/** File names routed to the heap-usage importer instead of the snapshot loader. */
export function isHeapUsageLog(name) {
  return /\.(json|txt|log)$/i.test(name);
}

/**
 * Heap sizes from a log: a JSON array of numbers, or every line with a number followed
 * by "bytes" ("Program is using 3783656 bytes of Heap."). Throws when a JSON array holds
 * something else; returns [] when the text has no such line.
 */
export function parseHeapUsage(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed = null;
    try { parsed = JSON.parse(trimmed); } catch { /* not JSON: read it as lines */ }
    if (Array.isArray(parsed)) {
      const bad = parsed.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v) || v < 0);
      if (bad >= 0) throw new Error(`item ${bad + 1} of the JSON array is ${JSON.stringify(parsed[bad])?.slice(0, 40)}, not a number of bytes`);
      return parsed;
    }
  }
  const values = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /(\d[\d,_]*(?:\.\d+)?)\s*bytes\b/i.exec(line);
    if (match) values.push(Number(match[1].replace(/[,_]/g, '')));
  }
  return values;
}

/** The heap sizes in a heap-usage log file; throws, with a message for the user, when it holds none. */
async function readHeapUsageLog(file) {
  if (file.size > MAX_LOG_BYTES) {
    throw new Error(`${file.name} is ${formatCount(file.size)} bytes: too big for a heap-usage log. A heap snapshot must be named .heapsnapshot to be analysed.`);
  }
  const text = await file.text();
  if (/^\s*\{\s*"snapshot"\s*:/.test(text.slice(0, 200))) {
    throw new Error(`${file.name} is a heap snapshot, not a heap-usage log: rename it to .heapsnapshot to analyse it.`);
  }
  let values;
  try {
    values = parseHeapUsage(text);
  } catch (error) {
    throw new Error(`${file.name}: ${error.message}.`);
  }
  if (values.length === 0) {
    throw new Error(`${file.name} holds no heap sizes. Expected a JSON array of byte counts ([3783656, 3790112, \u2026]) or text with a number followed by \u201cbytes\u201d on each line, like \u201cProgram is using 3783656 bytes of Heap.\u201d`);
  }
  return values;
}

/**
 * The heap-usage logs one app has imported (app.js adds dropped files, the Growth view
 * picked ones): each app has its own, so two <heap-lens> on a page keep theirs apart.
 * subscribe(listener) returns the function that unsubscribes it.
 */
export function createHeapLogs() {
  let items = [];
  const errors = new Map(); // file name → message
  const listeners = new Set();
  const changed = () => { for (const listener of [...listeners]) listener(); };
  return {
    items: () => items,
    errors: () => errors,
    /** Reads a heap-usage log into the list (or records why it could not). */
    async import(file) {
      try {
        items = [...items, { name: file.name, values: await readHeapUsageLog(file) }];
        errors.delete(file.name);
      } catch (error) {
        errors.set(file.name, error.message);
      }
      changed();
    },
    dismiss(name) { errors.delete(name); changed(); },
    clear() { items = []; errors.clear(); changed(); },
    subscribe(listener) { listeners.add(listener); return () => listeners.delete(listener); },
  };
}

// ---------------------------------------------------------------- charts

/** A snapshot's name on an axis: without the extension every one of them shares. */
function shortName(name) {
  return name.replace(/\.heapsnapshot(\.gz)?$/i, '');
}

/** Bytes in a tooltip: exact, and the change since the previous point. */
function bytesDetail(values) {
  return (i) => {
    const delta = i > 0 && values[i - 1] !== null ? ` (${formatSignedBytes(values[i] - values[i - 1])})` : '';
    return `${exactBytes(values[i])}${delta}`;
  };
}

function heapChart(series, facts) {
  const totals = facts.map((f) => f.totalSize);
  return lineChart({
    title: 'Total heap size per snapshot',
    testid: 'growth-heap-chart',
    fileName: 'heaplens-heap-size',
    labels: series.map((s) => shortName(s.name)),
    axisLabel: 'Snapshot',
    fullLabels: series.map((s) => s.name),
    series: [{ name: 'Total heap size', values: totals, detail: bytesDetail(totals) }],
    axis: bytesAxis,
    legend: false,
    caption: `${formatSignedBytes(totals[totals.length - 1] - totals[0])} from ${series[0].name} to ${series[series.length - 1].name}.`,
  });
}

/** The classes whose counts grew most from the first snapshot to the last. */
export function topGrowingClasses(facts, limit = TOP_CLASSES) {
  const first = facts[0].classCounts;
  const last = facts[facts.length - 1].classCounts;
  return Object.keys(last)
    .map((name) => ({ name, growth: last[name] - (first[name] ?? 0) }))
    .filter((c) => c.growth > 0)
    .sort((a, b) => b.growth - a.growth || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit);
}

/** The class chart, or a note standing in for it (same shape) when no class grew. */
function classChart(series, facts) {
  const top = topGrowingClasses(facts);
  if (top.length === 0) {
    const element = el('p', { className: 'placeholder chart-empty', testid: 'growth-classes-none' },
      `No class has more objects in ${series[series.length - 1].name} than in ${series[0].name}.`);
    return { element, dispose() {} };
  }
  // Each line starts at 0: objects added since the first snapshot, so classes of very
  // different sizes share one readable axis; the tooltip gives the real counts.
  return lineChart({
    title: top.length === 1 ? 'The class that grew' : `The ${top.length} classes that grew most`,
    testid: 'growth-class-chart',
    fileName: 'heaplens-class-growth',
    labels: series.map((s) => shortName(s.name)),
    axisLabel: 'Snapshot',
    fullLabels: series.map((s) => s.name),
    series: top.map(({ name, growth }) => {
      const counts = facts.map((f) => f.classCounts[name] ?? 0);
      return {
        name,
        note: formatSigned(growth),
        values: counts.map((c) => c - counts[0]),
        detail: (i) => `${formatCount(counts[i])} (${formatSigned(counts[i] - counts[0])})`,
      };
    }),
    axis: countAxis({ signed: true }),
    zero: true,
    caption: `Objects added since ${series[0].name}. Click a legend entry to hide or show its line.`,
  });
}

function logChart(logs) {
  const longest = Math.max(...logs.map((log) => log.values.length));
  const labels = Array.from({ length: longest }, (_, i) => String(i + 1));
  const only = logs.length === 1 ? logs[0] : null;
  return lineChart({
    title: only ? `Heap used: ${only.name} (${formatCount(only.values.length)} samples)` : `Heap used: ${logs.length} logs`,
    testid: 'growth-log-chart',
    fileName: 'heaplens-heap-usage',
    labels,
    axisLabel: 'Sample',
    fullLabels: labels.map((l) => `Sample ${l}`),
    series: logs.map((log) => {
      const values = labels.map((_, i) => log.values[i] ?? null);
      return { name: log.name, values, note: `${formatCount(log.values.length)} samples`, detail: bytesDetail(values) };
    }),
    axis: bytesAxis,
    legend: !only,
    caption: 'x: sample number in the log; y: bytes of heap in use.',
  });
}

// ---------------------------------------------------------------- the view

export function growthView(ctx) {
  const { heapLogs } = ctx;
  const element = el('section', { className: 'view growth', testid: 'view-growth' });
  const input = el('input', { type: 'file', className: 'visually-hidden', testid: 'heap-log-input', accept: '.json,.txt,.log,text/plain,application/json', multiple: true });
  input.addEventListener('change', async () => {
    const files = [...input.files];
    input.value = '';
    for (const file of files) await heapLogs.import(file);
  });
  const clearButton = el('button', { type: 'button', className: 'button small', testid: 'heap-log-clear', onclick: () => heapLogs.clear() }, 'Clear logs');
  const toolbar = el('div', { className: 'toolbar' },
    el('label', { className: 'button small' }, 'Import heap-usage log\u2026', input),
    clearButton,
    el('span', { className: 'muted' }, 'A JSON array of byte counts, or a text log with lines like \u201cProgram is using 3783656 bytes of Heap.\u201d'));
  const snapshotsPart = el('div', { className: 'growth-charts', testid: 'growth-snapshots' });
  const logsPart = el('div', { className: 'growth-logs', testid: 'growth-logs' });
  element.append(toolbar, el('div', { className: 'growth-body' }, snapshotsPart, logsPart));

  // The charts on screen (each follows its width until disposed); once the view is
  // disposed, class counts that arrive late draw no chart.
  let snapshotCharts = [];
  let logChartShown = null;
  let disposed = false;
  const series = ctx.snapshots();
  if (series.length < 2) {
    snapshotsPart.appendChild(el('div', { className: 'growth-intro', testid: 'growth-empty' },
      el('h3', {}, 'Chart how the heap grows'),
      el('p', {}, series.length === 0
        ? 'Load two or more heap snapshots of the same program, taken while it repeats an action, to chart its heap size and the classes that grow from one snapshot to the next.'
        : 'Load at least one more heap snapshot of the same program, taken after it repeated the action, to chart its heap size and the classes that grow from one snapshot to the next.'),
      el('p', {}, 'Or import a heap-usage log (the heap size your program prints after each forced GC) to chart it without any snapshot.')));
  } else {
    snapshotsPart.appendChild(el('p', { className: 'placeholder', testid: 'growth-loading' }, `Collecting class counts from ${series.length} snapshots\u2026`));
    Promise.all(series.map((s) => s.client.facts())).then((facts) => {
      if (disposed) return;
      snapshotCharts = [heapChart(series, facts), classChart(series, facts)];
      snapshotsPart.replaceChildren(...snapshotCharts.map((chart) => chart.element));
    }).catch((error) => {
      snapshotsPart.replaceChildren(el('p', { className: 'error', testid: 'view-error' }, `Could not read the snapshots\u2019 class counts: ${error.message}`));
    });
  }

  function renderLogs() {
    const parts = [];
    for (const [name, message] of heapLogs.errors()) {
      const dismiss = () => heapLogs.dismiss(name);
      parts.push(el('div', { className: 'notice error', testid: 'heap-log-error', role: 'alert' }, message, ' ',
        el('button', { type: 'button', className: 'link', testid: 'heap-log-dismiss', onclick: dismiss }, 'Dismiss')));
    }
    const logs = heapLogs.items();
    logChartShown?.dispose();
    logChartShown = logs.length ? logChart(logs) : null;
    if (logChartShown) parts.push(logChartShown.element);
    clearButton.hidden = logs.length === 0 && heapLogs.errors().size === 0;
    logsPart.replaceChildren(...parts);
  }
  const unsubscribe = heapLogs.subscribe(renderLogs);
  renderLogs();
  function dispose() {
    disposed = true;
    unsubscribe();
    for (const chart of [...snapshotCharts, logChartShown]) chart?.dispose();
  }
  return { element, dispose };
}
