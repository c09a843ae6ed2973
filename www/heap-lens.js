//! <heap-lens>: the whole heaplens page as a custom element, for dashboards and portals.
//! It lives in a shadow root with its own copy of style.css, so the host page's styles
//! and heaplens' styles never meet; each snapshot still gets its own worker.
//!
//!   <script type="module" src="heaplens/heap-lens.js"></script>
//!   <heap-lens src="snapshots/a.heapsnapshot snapshots/b.heapsnapshot" view="comparison" theme="dark"></heap-lens>
//!
//! Attributes: src (space-separated URLs on this page's origin; others are refused),
//! view (summary | comparison | containment | statistics | dominators | strings | closures | realms | graph | leaks | collections | growth),
//! theme (light | dark; default: the system's). Events: load (detail: the snapshot's
//! info and name), error (detail: the message), select (detail: the object id).

import { createApp } from './app.js';
import { el } from './lib/dom.js';

const STYLESHEET = new URL('style.css', import.meta.url).href;

/** The page's containers (see index.html), minus the demo button. */
function skeleton() {
  return el('div', { className: 'embedded', hidden: true },
    el('header', { className: 'topbar' },
      el('div', { className: 'logo' }, 'heap', el('span', {}, 'lens')),
      el('label', { className: 'button primary', for: 'file-input' }, 'Open snapshots\u2026'),
      el('input', { id: 'file-input', testid: 'file-input', type: 'file', multiple: true, accept: '.heapsnapshot,.heapprofile,.gz,application/json,application/gzip' }),
      el('label', { className: 'button', for: 'folder-input' }, 'Open a folder\u2026'),
      el('input', { id: 'folder-input', testid: 'folder-input', type: 'file', webkitdirectory: true }),
      el('div', { className: 'search', id: 'search' })),
    el('div', { className: 'layout' },
      el('aside', { className: 'sidebar' },
        el('h2', {}, 'Snapshots'),
        el('ol', { className: 'snapshot-list', id: 'snapshot-list', testid: 'snapshot-list' }),
        el('p', { className: 'drop-hint' }, 'Files are analysed in this tab and never uploaded.')),
      // Not a <main>: the host page has its own main landmark.
      el('div', { className: 'main', id: 'main' })),
    el('div', { className: 'drop-overlay', id: 'drop-overlay', testid: 'drop-overlay' }, 'Drop heap snapshots to analyse them'));
}

export class HeapLensElement extends HTMLElement {
  static get observedAttributes() { return ['src', 'view']; }

  #app = null;
  #sources = null; // the src value currently loaded

  connectedCallback() {
    if (!this.#app) this.#start();
    this.#loadSources();
  }

  disconnectedCallback() {
    // Moving the element reconnects it in the same task; only a real removal frees the workers.
    queueMicrotask(() => {
      if (this.isConnected || !this.#app) return;
      this.#app.clear();
      this.#sources = null;
    });
  }

  attributeChangedCallback(name) {
    if (!this.#app) return;
    if (name === 'src') this.#loadSources();
    if (name === 'view') this.#setView();
  }

  /** Loads more snapshots (File objects), as the element's own file picker does. */
  addFiles(files) {
    if (!this.#app) this.#start();
    this.#app.addFiles([...files]);
  }

  #start() {
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const shell = skeleton();
    const sheet = el('link', { rel: 'stylesheet', href: STYLESHEET });
    // Shown once styled, so the host page never sees a flash of unstyled controls.
    sheet.addEventListener('load', () => { shell.hidden = false; });
    sheet.addEventListener('error', () => { shell.hidden = false; this.#emit('error', `heap-lens: could not load ${STYLESHEET}`); });
    root.replaceChildren(sheet, shell);
    this.#app = createApp(root, {
      view: this.getAttribute('view') || undefined,
      onLoad: (info) => this.#emit('load', info),
      onError: (message) => this.#emit('error', message),
      onSelect: (id) => this.#emit('select', id),
    });
    this.#setView();
  }

  #setView() {
    const view = this.getAttribute('view');
    if (view && !this.#app.setView(view)) this.#refuse(`heap-lens: unknown view "${view}"`);
  }

  #loadSources() {
    const src = (this.getAttribute('src') ?? '').trim();
    if (src === this.#sources) return;
    this.#sources = src;
    this.#app.clear();
    for (const token of src.split(/\s+/).filter(Boolean)) {
      let url;
      try {
        url = new URL(token, document.baseURI);
      } catch {
        this.#refuse(`heap-lens: src "${token}" is not a URL`);
        continue;
      }
      // Snapshots hold a program's memory: fetch them only from the page's own server.
      if (url.origin !== location.origin) {
        this.#refuse(`heap-lens: refused ${url.href}: snapshots are only fetched from this page's origin (${location.origin})`);
        continue;
      }
      this.#app.addUrl(url);
    }
  }

  /** Shows the problem in the element and reports it a task later, as native elements do:
   *  the element may be upgraded before the page's own scripts have added listeners. */
  #refuse(message) {
    this.#app.showNotice(message);
    setTimeout(() => this.#emit('error', message), 0);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

if (!customElements.get('heap-lens')) customElements.define('heap-lens', HeapLensElement);
