//! The app: loads snapshots (picker, drag-and-drop, demo, URLs), keeps the snapshot
//! list, and shows the selected snapshot's views. All analysis runs in one worker per
//! snapshot (lib/worker-client.js), asked through one client per snapshot
//! (lib/snapshot-client.js); this thread only renders. createApp() runs it in a document
//! (the page, main.js; the single file) or in a <heap-lens> shadow root, and everything an
//! app holds lives in its createApp() call: two apps on one page share nothing.
//! A sampling heap profile (.heapprofile) loads the same way into its own worker, but is
//! no snapshot: it shows the Profile view only, and the views over snapshots leave it out.

import { el, clear } from './lib/dom.js';
import { visible } from './lib/visible.js';
import { SnapshotWorker } from './lib/worker-client.js';
import { SnapshotClient } from './lib/snapshot-client.js';
import { formatBytes, formatCount, exactBytes } from './lib/format.js';
import { saveBlob } from './lib/chart.js';
import { summaryView } from './views/summary.js';
import { comparisonView } from './views/comparison.js';
import { containmentView } from './views/containment.js';
import { statisticsView } from './views/statistics.js';
import { dominatorsView } from './views/dominators.js';
import { stringsView } from './views/strings.js';
import { closuresView } from './views/closures.js';
import { realmsView } from './views/realms.js';
import { collectionsView } from './views/collections.js';
import { graphView } from './views/graph.js';
import { allocationsView } from './views/allocations.js';
import { profileView } from './views/profile.js';
import { leaksView } from './views/leaks.js';
import { growthView, isHeapUsageLog, createHeapLogs } from './views/growth.js';
import { droppedFolders, filesOf, fromFolder } from './lib/dropped.js';
import { retainersPane } from './views/retainers.js';
import { searchBox } from './views/search.js';
import { keyboardShortcuts } from './lib/keyboard.js';
import { closeMenu } from './lib/menu.js';
import { tabBar } from './lib/tabbar.js';

const TABS = [
  { key: 'summary', title: 'Summary', make: summaryView },
  { key: 'comparison', title: 'Comparison', make: comparisonView, multi: true },
  { key: 'containment', title: 'Containment', make: containmentView },
  { key: 'statistics', title: 'Statistics', make: statisticsView },
  { key: 'dominators', title: 'Dominators', make: dominatorsView },
  { key: 'strings', title: 'Strings', make: stringsView },
  { key: 'closures', title: 'Closures', make: closuresView },
  { key: 'realms', title: 'Realms', make: realmsView },
  { key: 'graph', title: 'Retainer Graph', make: graphView },
  { key: 'allocations', title: 'Allocation', make: allocationsView },
  // multi: the view reads every ready snapshot, so it is redrawn when that set changes.
  { key: 'leaks', title: 'Leaks', make: leaksView, multi: true },
  { key: 'collections', title: 'Collections', make: collectionsView, multi: true },
  { key: 'growth', title: 'Growth', make: growthView, multi: true },
];

/**
 * Starts heaplens in `root`: a document (the page: main.js) or a <heap-lens> shadow root,
 * holding index.html's containers (#snapshot-list, #main, #search, #file-input, #folder-input,
 * #drop-overlay, and optionally #demo-button).
 * @param {{ view?: string, deepLinks?: boolean, createWorker?: () => Worker,
 *           memoryLimit?: number, wasm?: 'auto'|'32'|'64', onLoad?: (info) => void, onError?: (message: string) => void,
 *           onSelect?: (id: number) => void }} [options]
 *   view: the first tab; deepLinks: keep the state in the URL fragment (the page only);
 *   createWorker: how each snapshot's worker starts (the single file uses a Blob URL);
 *   memoryLimit: most bytes one snapshot's worker may use (default: what the browser gives);
 *   wasm: the core's build: by file size (auto: wasm64 above ~2.5 GB), or always 32 or 64;
 *   onLoad, onError, onSelect: a snapshot finished or failed loading, an object was selected.
 * @returns {{ addFiles, addUrl, setView, showNotice, clear }}
 */
export function createApp(root, options = {}) {
  /** Everything the app knows; only the functions below change it. */
  const state = {
    snapshots: [], // { uid, name, size, status: 'loading'|'ready'|'error', bytes, stage, info, error, worker }
    selected: null,
    tab: TABS.some((t) => t.key === options.view) ? options.view : 'summary',
    nextUid: 1,
    // The rest of what a link records (see writeLink): the view's class filter and
    // comparison base, and the object in the Retainers pane.
    link: { class: '', base: null, object: null },
  };
  const isProfile = (entry) => entry?.kind === 'profile';
  const showsAllSnapshots = () => !isProfile(state.selected) && TABS.find((t) => t.key === state.tab)?.multi;
  // Heap-usage logs this app imported (the Growth view shows them).
  const heapLogs = createHeapLogs();
  // The view on screen; shown() disposes of it when another takes its place.
  let view = null;
  // A link (URL fragment) waiting for the snapshot it names to be loaded.
  let pendingLink = options.deepLinks ? readLink() : null;

  const byId = (id) => (root.getElementById ? root.getElementById(id) : root.querySelector(`#${id}`));
  const listElement = byId('snapshot-list');
  const mainElement = byId('main');
  const retainers = retainersPane({ objectMenu });
  const search = searchBox({
    getSnapshot: () => (state.selected?.status === 'ready' && !isProfile(state.selected) ? state.selected : null),
    onPick: (node) => showObject(state.selected, node.id),
  });
  byId('search').appendChild(search.element);
  // "Link copied" and the like, read out by screen readers too.
  const toast = el('div', { className: 'toast', testid: 'toast', role: 'status' });
  mainElement.parentElement.appendChild(toast);

  /** Ready snapshots in capture order (their largest JS object id grows with time). */
  function readySnapshots() {
    return state.snapshots.filter((s) => s.status === 'ready' && !isProfile(s)).sort((a, b) => a.info.maxJsId - b.info.maxJsId || a.uid - b.uid);
  }

  function listOrder() {
    const rank = (s) => (s.status === 'ready' && !isProfile(s) ? s.info.maxJsId : Number.MAX_SAFE_INTEGER);
    return [...state.snapshots].sort((a, b) => rank(a) - rank(b) || a.uid - b.uid);
  }

  // A cut name's " (N characters)" marker on an object saves the whole name, read from
  // the worker in windows (names leave the core cut after 1,000 characters).
  mainElement.addEventListener('click', (event) => {
    const marker = event.target.closest?.('[data-testid="name-length"][data-id]');
    if (marker && state.selected?.status === 'ready') saveWholeName(state.selected, Number(marker.dataset.id));
  });

  async function saveWholeName(entry, id) {
    try {
      const parts = [];
      let offset = 0;
      let length = Infinity;
      while (offset < length) {
        const window = await entry.client.string(id, offset);
        const characters = [...window.text].length; // offsets count characters, not UTF-16 units
        if (characters === 0) break;
        parts.push(window.text);
        length = window.length;
        offset = window.offset + characters;
      }
      saveBlob(new Blob(parts, { type: 'text/plain' }), `${entry.name}-@${id}-name.txt`);
    } catch (error) {
      showNotice(`Could not read the name of @${id}: ${error.message}`);
    }
  }

  // ---------------------------------------------------------------- loading

  /** `name`, or `name (2)`, `name (3)`…: the same file loaded twice stays distinguishable. */
  function uniqueName(name) {
    const taken = new Set(state.snapshots.map((s) => s.name));
    let n = 2;
    let unique = name;
    while (taken.has(unique)) unique = `${name} (${n++})`;
    return unique;
  }

  function addSnapshot(name, size, source, gzip) {
    const entry = { uid: state.nextUid++, name: uniqueName(name), size, status: 'loading', bytes: 0, stage: 'Queued', info: null, error: null, tooBig: false, worker: null };
    entry.worker = new SnapshotWorker(source, { gzip, total: size, memoryLimit: options.memoryLimit, wasm: options.wasm, createWorker: options.createWorker }, {
      onProgress(bytes) { entry.bytes = bytes; updateProgress(entry); },
      onStage(stage) { entry.stage = stage; updateProgress(entry); },
      onReady(info) {
        entry.status = 'ready';
        entry.info = info;
        entry.kind = info.kind === 'profile' ? 'profile' : 'snapshot';
        entry.client = new SnapshotClient(entry.worker, entry.name, info);
        renderList();
        if (!state.selected || state.selected.status !== 'ready') select(entry);
        else if (showsAllSnapshots()) renderMain(keptViewState());
        restoreLink();
        options.onLoad?.({ name: entry.name, ...info });
      },
      onError(message, tooBig) {
        entry.status = 'error';
        entry.error = message;
        entry.tooBig = tooBig;
        entry.worker.terminate(); // free its memory; the other snapshots keep their workers
        renderList();
        if (state.selected === entry) renderMain();
        restoreLink();
        options.onError?.(`${entry.name}: ${message}`);
      },
    });
    state.snapshots.push(entry);
    renderList();
    return entry;
  }

  function isGzip(name) {
    return /\.gz$/i.test(name);
  }

  /**
   * Opens each file: a snapshot or a sampling heap profile (the worker tells them apart by
   * their content), or a heap-usage log, unless the .json one holds a profile.
   */
  async function addFiles(files) {
    for (const file of files) {
      if (isHeapUsageLog(file.name) && !(await holdsProfile(file))) showHeapUsageLog(file);
      else addSnapshot(file.name, file.size, { kind: 'file', file }, isGzip(file.name));
    }
  }

  /** True when a file's first key is a sampling heap profile's ("head" or "samples"). */
  async function holdsProfile(file) {
    const head = await file.slice(0, 256).text().catch(() => '');
    return /^\s*\{\s*"(head|samples)"/.test(head);
  }

  /** Heap-usage logs go to the Growth view, shown on its own while no snapshot is ready. */
  function showHeapUsageLog(file) {
    heapLogs.import(file);
    state.tab = 'growth';
    if (state.selected?.status === 'ready') renderMain();
    else mainElement.replaceChildren(shown(growthView({ snapshot: null, snapshots: readySnapshots, heapLogs, selectObject: () => {} })).element);
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
        addUrl(url, { name: item.name, size: item.size ?? 0 });
      }
    } catch (error) {
      showNotice(`Could not load the demo: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  }

  /** Streams a snapshot from a URL into a new list entry (the demo, <heap-lens src>). */
  function addUrl(url, { name = decodeURIComponent(url.pathname.split('/').pop()) || url.href, size = 0 } = {}) {
    // The list entry appears at once; the Response body is piped into the worker's
    // stream as it arrives, exactly like a dropped file's stream.
    const { readable, writable } = new TransformStream();
    const abort = new AbortController();
    const entry = addSnapshot(name, size, { kind: 'stream', stream: readable }, isGzip(name));
    entry.onCancel = () => abort.abort();
    fetch(url, { signal: abort.signal })
      .then((res) => {
        if (!res.ok || !res.body) throw new Error(`could not fetch ${url.pathname}: HTTP ${res.status}`);
        if (!entry.size) entry.size = Number(res.headers.get('content-length')) || 0; // for the progress bar
        return res.body.pipeTo(writable);
      })
      .catch((error) => writable.abort(error).catch(() => {}));
    return entry;
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
    } else if (showsAllSnapshots()) renderMain(keptViewState());
    renderList();
  }

  /** Removes every snapshot (a <heap-lens> whose src changed). */
  function removeAll() {
    for (const entry of state.snapshots) {
      entry.onCancel?.();
      entry.worker.terminate();
    }
    state.snapshots = [];
    search.close();
    select(null);
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
      if (entry.status === 'ready' && isProfile(entry)) {
        meta.appendChild(el('span', { testid: 'profile-samples' }, `profile, ${formatCount(entry.info.samples)} samples`));
        meta.appendChild(el('span', { testid: 'snapshot-total', title: exactBytes(entry.info.totalSize) }, `sampled ${formatBytes(entry.info.totalSize)}`));
      } else if (entry.status === 'ready') {
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
        item.addEventListener('click', () => { pendingLink = null; select(entry); });
        item.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { pendingLink = null; select(entry); } });
      }
      listElement.appendChild(item);
      if (entry.status === 'loading') updateProgress(entry);
    }
  }

  // ---------------------------------------------------------------- object links and the keyboard

  /** The actions a row offers on object `id` (its context menu): a link to it, on the page. */
  function objectMenu(id) {
    if (!options.deepLinks || id === null || id === undefined) return [];
    return [{ label: 'Copy link to object', testid: 'menu-copy-link', run: () => copyObjectLink(id) }];
  }

  async function copyObjectLink(id) {
    const params = linkParams();
    const link = `${location.origin}${location.pathname}${location.search}#${params}&object=@${id}`;
    try {
      await navigator.clipboard.writeText(link);
      toast.textContent = `Copied a link to @${id}`;
    } catch (error) {
      showNotice(`Could not copy the link to @${id}: ${error.message}`);
    }
  }

  /** Focuses the selected view's tab (after a shortcut redrew the tab bar). */
  function focusTab() {
    mainElement.querySelector('[role="tab"][aria-selected="true"]')?.focus();
  }

  function showTab(key) {
    if (!state.selected || state.selected.status !== 'ready' || !key) return;
    pendingLink = null;
    state.tab = key;
    renderMain();
    focusTab();
  }

  // Shortcuts anywhere in the app: the page's body, or the <heap-lens> element's wrapper.
  keyboardShortcuts(root, mainElement.parentElement.parentElement, {
    view: (index) => showTab(TABS[index]?.key),
    views: () => TABS,
    go: showTab,
    stepView: (step) => showTab(TABS[(TABS.findIndex((t) => t.key === state.tab) + step + TABS.length) % TABS.length].key),
    stepSnapshot(step) {
      const ordered = readySnapshots();
      const next = ordered[ordered.indexOf(state.selected) + step];
      if (!next) return;
      pendingLink = null;
      select(next);
      focusTab();
    },
    focusSearch: () => search.element.querySelector('input[type="search"]').focus(),
    focusTable: () => (view?.table?.scroller ?? mainElement.querySelector('.view-area [tabindex="0"], .view-area button'))?.focus(),
    // The active row of the focused table is selected (its retainers show), then the pane gets the focus.
    openRetainers() {
      const table = view?.table;
      if (table && table.scroller.contains(root.activeElement) && table.active?.kind === 'row') table.select(table.active.node);
      retainers.current()?.table?.scroller.focus();
    },
  });

  // ---------------------------------------------------------------- views

  function select(entry, initial) {
    state.selected = entry;
    state.link.object = null;
    retainers.show(null);
    renderList();
    renderMain(initial);
  }

  /** The Retainers pane shows object `id` of `entry`; the <heap-lens> element hears of it. */
  function showObject(entry, id, notify = true) {
    state.link.object = id;
    retainers.show(entry, id);
    writeLink();
    if (notify) options.onSelect?.(id);
  }

  /** What a redrawn view keeps when only the list of snapshots changed. */
  function keptViewState() {
    return { class: state.link.class, base: state.link.base };
  }

  /** Makes `next` the view on screen, disposing of the one it replaces (its listeners go with it). */
  function shown(next) {
    view?.dispose?.();
    view = next;
    return next;
  }

  /** Draws the selected snapshot's current view; `initial` holds the view state to start from. */
  function renderMain(initial = {}) {
    closeMenu();
    shown(null);
    clear(mainElement);
    state.link.class = '';
    state.link.base = null;
    const entry = state.selected;
    if (!entry || entry.status !== 'ready') {
      mainElement.appendChild(welcome());
      writeLink();
      return;
    }
    if (isProfile(entry)) {
      mainElement.append(profileTabs(entry), el('div', { className: 'view-area', role: 'tabpanel', id: 'view-panel', 'aria-labelledby': 'tab-profile' }, shown(profileView({ snapshot: entry })).element));
      return;
    }
    const current = el('span', { className: 'tab-info', testid: 'current-snapshot' }, entry.name);
    const tabs = tabBar(TABS, state.tab, {
      info: current,
      pick: (key, focus) => { pendingLink = null; state.tab = key; renderMain(); if (focus) focusTab(); },
    }).element;
    const make = TABS.find((t) => t.key === state.tab).make;
    try {
      shown(make({
        snapshot: entry,
        snapshots: readySnapshots,
        heapLogs,
        initial,
        object: state.link.object, // the object the Retainers pane shows (Retainer Graph starts there)
        objectMenu,
        remember: (patch) => { Object.assign(state.link, patch); writeLink(); },
        // A view about another snapshot (Leaks: the newest) passes it; it becomes the selected one.
        selectObject: (id, owner = entry) => {
          if (owner !== state.selected) {
            state.selected = owner;
            current.textContent = visible(owner.name);
            renderList();
          }
          pendingLink = null;
          showObject(owner, id);
        },
      }));
    } catch (error) {
      shown({ element: el('p', { className: 'error', testid: 'view-error' }, error.message) });
    }
    mainElement.append(tabs, el('div', { className: 'view-area', role: 'tabpanel', id: 'view-panel', 'aria-labelledby': `tab-${state.tab}` }, view.element), retainers.element);
    writeLink();
  }

  /** The tab bar over a profile: its one view (the others need a snapshot). */
  function profileTabs(entry) {
    return el('nav', { className: 'tabs', role: 'tablist', 'aria-label': 'Views' },
      el('button', { type: 'button', role: 'tab', className: 'tab active', id: 'tab-profile', testid: 'tab-profile', 'aria-selected': 'true', 'aria-controls': 'view-panel' }, 'Profile'),
      el('span', { className: 'tab-info', testid: 'current-snapshot' }, entry.name),
      el('span', { className: 'tab-info', testid: 'profile-only' }, 'A sampling heap profile: the other views need a heap snapshot.'));
  }

  /** Shows view `key` (a TABS key); false if there is no such view. */
  function setView(key) {
    if (!TABS.some((t) => t.key === key)) return false;
    if (state.tab !== key) {
      state.tab = key;
      renderMain();
    }
    return true;
  }

  // ---------------------------------------------------------------- deep links

  /** The fragment's link: #view=summary&snapshot=NAME&class=TEXT&object=ID&base=NAME (files never go in the URL). */
  function readLink() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (!params.get('snapshot')) return null;
    // object=@123 (a copied link) or object=123 (the address bar's own).
    const object = Number(params.get('object')?.replace(/^@/, ''));
    return {
      snapshot: params.get('snapshot'),
      view: params.get('view'),
      class: params.get('class') ?? '',
      base: params.get('base'),
      object: params.get('object') && Number.isInteger(object) ? object : null,
    };
  }

  /** The view, snapshot, class filter and base of a link (not the object). */
  function linkParams() {
    const params = new URLSearchParams();
    if (state.selected?.status === 'ready') {
      params.set('view', state.tab);
      params.set('snapshot', state.selected.name);
      if (state.link.class) params.set('class', state.link.class);
      if (state.link.base) params.set('base', state.link.base);
    }
    return params;
  }

  /** Records the state in the fragment, without adding history entries. */
  function writeLink() {
    if (!options.deepLinks || pendingLink) return; // a link still waiting for its snapshot stays as it is
    const params = linkParams();
    if (state.selected?.status === 'ready' && state.link.object !== null) params.set('object', String(state.link.object));
    const hash = params.toString();
    if (hash !== location.hash.slice(1)) history.replaceState(history.state, '', hash ? `#${hash}` : `${location.pathname}${location.search}`);
  }

  /** Applies a waiting link once its snapshot, and the comparison base it names, are loaded. */
  function restoreLink() {
    const link = pendingLink;
    if (!link) return;
    const entry = state.snapshots.find((s) => s.name === link.snapshot && s.status === 'ready');
    const baseLoading = link.base && state.snapshots.some((s) => s.name === link.base && s.status === 'loading');
    if (!entry || baseLoading) return;
    pendingLink = null;
    if (TABS.some((t) => t.key === link.view)) state.tab = link.view;
    select(entry, { class: link.class, base: link.base, object: link.object, expand: link.object !== null });
    if (link.object !== null) showObject(entry, link.object, false);
  }

  function welcome() {
    return el('div', { className: 'welcome', testid: 'welcome' },
      el('h2', {}, 'Find out what keeps your memory alive'),
      el('p', {}, 'Open or drop one or more V8 heap snapshots (.heapsnapshot, or gzipped .heapsnapshot.gz) taken with Chrome DevTools, Node\u2019s --heapsnapshot-signal or v8.writeHeapSnapshot(), or drop the folder that \u201cheaplens record\u201d wrote. Sampling heap profiles (.heapprofile: node --heap-prof, DevTools\u2019 \u201cAllocation sampling\u201d) open in the Profile view.'),
      el('p', {}, 'Everything is analysed here, in this browser tab, by a WebAssembly engine: nothing is uploaded. Each snapshot gets its own worker, so one broken or huge file cannot affect the others.'),
      el('p', {}, 'Load three snapshots taken while your program repeats an action, then use Comparison (or Summary \u2192 \u201cObjects allocated between\u201d) to see what keeps growing, and the Retainers pane to see why it stays alive.'));
  }

  // ---------------------------------------------------------------- input

  const fileInput = byId('file-input');
  fileInput.addEventListener('change', () => {
    addFiles([...fileInput.files]);
    fileInput.value = '';
  });
  // A picked folder (as `heaplens record` writes one) opens whole, in capture order.
  const folderInput = byId('folder-input');
  folderInput.addEventListener('change', () => {
    addFiles(fromFolder([...folderInput.files]));
    folderInput.value = '';
  });
  const demoButton = byId('demo-button'); // none in the single file and the element
  demoButton?.addEventListener('click', () => loadDemo(demoButton));

  // Files dropped anywhere on the page (or on the element).
  const overlay = byId('drop-overlay');
  let dragDepth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  root.addEventListener('dragenter', (e) => { if (hasFiles(e)) { dragDepth++; overlay.classList.add('visible'); } });
  root.addEventListener('dragleave', () => { if (--dragDepth <= 0) { dragDepth = 0; overlay.classList.remove('visible'); } });
  root.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    dragDepth = 0;
    overlay.classList.remove('visible');
    // A folder (as `heaplens record` writes one) opens whole, in capture order.
    const folders = droppedFolders(e.dataTransfer);
    if (folders) filesOf(folders).then(addFiles, (error) => showNotice(`Could not read the dropped folder: ${error.message}`));
    else if (e.dataTransfer?.files?.length) addFiles([...e.dataTransfer.files]);
  });
  if (options.deepLinks) {
    window.addEventListener('hashchange', () => {
      pendingLink = readLink();
      restoreLink();
    });
  }

  renderList();
  renderMain();
  return { addFiles, addUrl, setView, showNotice, clear: removeAll };
}
