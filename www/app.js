//! The page: loads snapshots (picker, drag-and-drop, demo), keeps the snapshot list,
//! and shows the selected snapshot's views. All analysis runs in one worker per
//! snapshot (lib/worker-client.js); this thread only renders.

import { el, clear } from './lib/dom.js';
import { SnapshotWorker } from './lib/worker-client.js';
import { formatBytes, formatCount, exactBytes } from './lib/format.js';
import { summaryView } from './views/summary.js';
import { comparisonView } from './views/comparison.js';
import { containmentView } from './views/containment.js';
import { statisticsView } from './views/statistics.js';
import { dominatorsView } from './views/dominators.js';
import { retainersPane } from './views/retainers.js';
import { searchBox } from './views/search.js';

const TABS = [
  { key: 'summary', title: 'Summary', make: summaryView },
  { key: 'comparison', title: 'Comparison', make: comparisonView },
  { key: 'containment', title: 'Containment', make: containmentView },
  { key: 'statistics', title: 'Statistics', make: statisticsView },
  { key: 'dominators', title: 'Dominators', make: dominatorsView },
];

/** Everything the page knows; only the functions below change it. */
const state = {
  snapshots: [], // { uid, name, size, status: 'loading'|'ready'|'error', bytes, stage, info, error, worker }
  selected: null,
  tab: 'summary',
  nextUid: 1,
};

const listElement = document.getElementById('snapshot-list');
const mainElement = document.getElementById('main');
const retainers = retainersPane();
const search = searchBox({
  getSnapshot: () => (state.selected?.status === 'ready' ? state.selected : null),
  onPick: (node) => retainers.show(state.selected, node.id),
});
document.getElementById('search').appendChild(search.element);

/** Ready snapshots in capture order (their largest JS object id grows with time). */
function readySnapshots() {
  return state.snapshots.filter((s) => s.status === 'ready').sort((a, b) => a.info.maxJsId - b.info.maxJsId || a.uid - b.uid);
}

function listOrder() {
  const rank = (s) => (s.status === 'ready' ? s.info.maxJsId : Number.MAX_SAFE_INTEGER);
  return [...state.snapshots].sort((a, b) => rank(a) - rank(b) || a.uid - b.uid);
}

// ---------------------------------------------------------------- loading

function addSnapshot(name, size, source, gzip) {
  const entry = { uid: state.nextUid++, name, size, status: 'loading', bytes: 0, stage: 'Queued', info: null, error: null, tooBig: false, worker: null };
  entry.worker = new SnapshotWorker(source, { gzip, total: size }, {
    onProgress(bytes) { entry.bytes = bytes; updateProgress(entry); },
    onStage(stage) { entry.stage = stage; updateProgress(entry); },
    onReady(info) {
      entry.status = 'ready';
      entry.info = info;
      renderList();
      if (!state.selected || state.selected.status !== 'ready') select(entry);
      else if (state.tab === 'comparison') renderMain();
    },
    onError(message, tooBig) {
      entry.status = 'error';
      entry.error = message;
      entry.tooBig = tooBig;
      entry.worker.terminate(); // free its memory; the other snapshots keep their workers
      renderList();
      if (state.selected === entry) renderMain();
    },
  });
  state.snapshots.push(entry);
  renderList();
  return entry;
}

function isGzip(name) {
  return /\.gz$/i.test(name);
}

function addFiles(files) {
  for (const file of files) addSnapshot(file.name, file.size, { kind: 'file', file }, isGzip(file.name));
}

async function loadDemo(button) {
  button.disabled = true;
  try {
    const response = await fetch('demo/index.json');
    if (!response.ok) throw new Error(`demo/index.json: HTTP ${response.status} (run scripts/build.sh to generate the demo)`);
    const index = await response.json();
    for (const item of index.snapshots) {
      const url = new URL(item.url ?? item.name, new URL('demo/', location.href));
      if (url.origin !== location.origin) continue; // the demo must come from this server
      // The list entry appears at once; the Response body is piped into the worker's
      // stream as it arrives, exactly like a dropped file's stream.
      const { readable, writable } = new TransformStream();
      const abort = new AbortController();
      const entry = addSnapshot(item.name, item.size ?? 0, { kind: 'stream', stream: readable }, isGzip(item.name));
      entry.onCancel = () => abort.abort();
      fetch(url, { signal: abort.signal })
        .then((res) => {
          if (!res.ok || !res.body) throw new Error(`could not fetch ${url.pathname}: HTTP ${res.status}`);
          return res.body.pipeTo(writable);
        })
        .catch((error) => writable.abort(error).catch(() => {}));
    }
  } catch (error) {
    showNotice(`Could not load the demo: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

function showNotice(text) {
  const notice = el('div', { className: 'notice error', testid: 'notice', role: 'alert' }, text,
    el('button', { type: 'button', className: 'link', onclick: () => notice.remove() }, 'Dismiss'));
  listElement.before(notice);
}

function cancel(entry) {
  entry.onCancel?.();
  entry.worker.terminate();
  entry.status = 'error';
  entry.error = 'Cancelled';
  renderList();
}

function remove(entry) {
  entry.onCancel?.();
  entry.worker.terminate();
  state.snapshots = state.snapshots.filter((s) => s !== entry);
  if (state.selected === entry) {
    state.selected = null;
    const next = readySnapshots()[0];
    if (next) select(next);
    else renderMain();
  } else if (state.tab === 'comparison') renderMain();
  renderList();
}

// ---------------------------------------------------------------- snapshot list

function progressText(entry) {
  if (entry.size && entry.bytes < entry.size) return `${formatBytes(entry.bytes)} of ${formatBytes(entry.size)}`;
  return entry.stage;
}

function updateProgress(entry) {
  const item = listElement.querySelector(`[data-uid="${entry.uid}"]`);
  if (!item) return;
  const bar = item.querySelector('progress');
  const label = item.querySelector('.stage');
  if (entry.size && entry.bytes < entry.size) {
    bar.max = entry.size;
    bar.value = entry.bytes;
  } else {
    bar.removeAttribute('value'); // indeterminate while the analyses run
  }
  label.textContent = progressText(entry);
}

function renderList() {
  clear(listElement);
  for (const entry of listOrder()) {
    const item = el('li', {
      className: `snapshot is-${entry.status}${entry === state.selected ? ' selected' : ''}`,
      testid: 'snapshot-item',
      dataset: { uid: String(entry.uid), status: entry.status, name: entry.name },
      tabIndex: entry.status === 'ready' ? 0 : -1,
      'aria-current': entry === state.selected ? 'true' : undefined,
    });
    const close = el('button', {
      type: 'button', className: 'icon', testid: 'remove-snapshot', title: `Remove ${entry.name}`, 'aria-label': `Remove ${entry.name}`,
      onclick: (e) => { e.stopPropagation(); remove(entry); },
    }, '\u00d7');
    item.appendChild(el('div', { className: 'snapshot-head' }, el('span', { className: 'snapshot-name', testid: 'snapshot-name', title: entry.name }, entry.name), close));
    const meta = el('div', { className: 'snapshot-meta', testid: 'snapshot-meta' });
    meta.appendChild(el('span', { title: exactBytes(entry.size) }, `file ${formatBytes(entry.size)}`));
    if (entry.status === 'ready') {
      meta.appendChild(el('span', { testid: 'snapshot-nodes', dataset: { nodes: String(entry.info.nodes) } }, `${formatCount(entry.info.nodes)} nodes`));
      meta.appendChild(el('span', { testid: 'snapshot-total', title: exactBytes(entry.info.totalSize) }, `heap ${formatBytes(entry.info.totalSize)}`));
    }
    item.appendChild(meta);
    if (entry.status === 'loading') {
      const bar = el('progress', { testid: 'snapshot-progress' });
      item.appendChild(el('div', { className: 'loading-row' }, bar,
        el('button', { type: 'button', className: 'link', testid: 'cancel-load', onclick: (e) => { e.stopPropagation(); cancel(entry); } }, 'Cancel')));
      item.appendChild(el('div', { className: 'stage', testid: 'snapshot-stage' }));
    }
    if (entry.status === 'error') {
      item.appendChild(el('p', { className: `error${entry.tooBig ? ' too-big' : ''}`, testid: 'snapshot-error', role: 'alert' }, entry.error));
    }
    if (entry.status === 'ready') {
      item.addEventListener('click', () => select(entry));
      item.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') select(entry); });
    }
    listElement.appendChild(item);
    if (entry.status === 'loading') updateProgress(entry);
  }
}

// ---------------------------------------------------------------- views

function select(entry) {
  state.selected = entry;
  retainers.show(null);
  renderList();
  renderMain();
}

function renderMain() {
  clear(mainElement);
  const entry = state.selected;
  if (!entry || entry.status !== 'ready') {
    mainElement.appendChild(welcome());
    return;
  }
  const tabs = el('nav', { className: 'tabs', role: 'tablist' });
  for (const tab of TABS) {
    tabs.appendChild(el('button', {
      type: 'button', role: 'tab', className: `tab${tab.key === state.tab ? ' active' : ''}`,
      testid: `tab-${tab.key}`, 'aria-selected': String(tab.key === state.tab),
      onclick: () => { state.tab = tab.key; renderMain(); },
    }, tab.title));
  }
  tabs.appendChild(el('span', { className: 'tab-info', testid: 'current-snapshot' }, entry.name));
  const make = TABS.find((t) => t.key === state.tab).make;
  let view;
  try {
    view = make({
      snapshot: entry,
      snapshots: readySnapshots,
      selectObject: (id) => retainers.show(entry, id),
    });
  } catch (error) {
    view = { element: el('p', { className: 'error', testid: 'view-error' }, error.message) };
  }
  mainElement.append(tabs, el('div', { className: 'view-area' }, view.element), retainers.element);
}

function welcome() {
  return el('div', { className: 'welcome', testid: 'welcome' },
    el('h2', {}, 'Find out what keeps your memory alive'),
    el('p', {}, 'Open or drop one or more V8 heap snapshots (.heapsnapshot, or gzipped .heapsnapshot.gz) taken with Chrome DevTools, Node\u2019s --heapsnapshot-signal or v8.writeHeapSnapshot().'),
    el('p', {}, 'Everything is analysed here, in this browser tab, by a WebAssembly engine: nothing is uploaded. Each snapshot gets its own worker, so one broken or huge file cannot affect the others.'),
    el('p', {}, 'Load three snapshots taken while your program repeats an action, then use Comparison (or Summary \u2192 \u201cObjects allocated between\u201d) to see what keeps growing, and the Retainers pane to see why it stays alive.'));
}

// ---------------------------------------------------------------- input

const fileInput = document.getElementById('file-input');
fileInput.addEventListener('change', () => {
  addFiles([...fileInput.files]);
  fileInput.value = '';
});
const demoButton = document.getElementById('demo-button');
demoButton.addEventListener('click', () => loadDemo(demoButton));

const overlay = document.getElementById('drop-overlay');
let dragDepth = 0;
const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
document.addEventListener('dragenter', (e) => { if (hasFiles(e)) { dragDepth++; overlay.classList.add('visible'); } });
document.addEventListener('dragleave', () => { if (--dragDepth <= 0) { dragDepth = 0; overlay.classList.remove('visible'); } });
document.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
document.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  overlay.classList.remove('visible');
  if (e.dataTransfer?.files?.length) addFiles([...e.dataTransfer.files]);
});

renderList();
renderMain();
