//! A virtual-scrolling tree table. Rows come from a provider in pages (offset/limit);
//! only the rows in view (plus a small margin) exist in the DOM, so a class with a
//! million instances costs the page nothing until it is scrolled to.
//!
//! It is a WAI-ARIA treegrid: the scroller holds the focus and points at the active row
//! with aria-activedescendant (rows come and go as they scroll, so they cannot hold the
//! focus themselves); aria-rowcount and aria-rowindex place the rows in the DOM within the
//! whole list. Keys: Up/Down, Home/End, PageUp/PageDown move; Right expands, then enters;
//! Left collapses, then goes to the parent; Enter selects; the ContextMenu key and
//! Shift+F10 open the row's menu.

import { el, clear } from './dom.js';
import { openMenu } from './menu.js';

const PAGE = 100;
const OVERSCAN = 10;
/** Entries the keyboard can land on: rows and "Show more". */
const isNavigable = (entry) => entry.kind === 'row' || entry.kind === 'more';

/**
 * What the table remembers of the active entry. A "Show more" is one per page: the next
 * page's "Show more" has the same node but a larger offset, so it is another entry.
 */
const activeOf = (entry) => ({ kind: entry.kind, node: entry.node, offset: entry.offset });
/** Ids of rows stay unique when two tables (or two apps) share a document. */
let tables = 0;

/**
 * @typedef Column
 * @property {string} key        used for data-testid="cell-<key>" and for sorting
 * @property {string} title
 * @property {string} width      a CSS grid track, e.g. '110px' or 'minmax(240px, 1fr)'
 * @property {string} [align]    'right' for numbers
 * @property {boolean} [sortable]
 * @property {(cell: HTMLElement, data: any, node: TreeNode) => void} render
 *
 * @typedef Provider
 * @property {(parent: any|null, offset: number, limit: number) => Promise<{total:number, rows:any[]}>} load
 *           parent is null for the top level, otherwise the parent row's data
 * @property {(data: any, node: TreeNode) => boolean} canExpand
 * @property {(data: any) => (string|number|null)} [key]  identity, used to find cycles
 */

export class TreeTable {
  /**
   * @param {{columns: Column[], provider: Provider, testid?: string, rowHeight?: number,
   *          sort?: {key: string, ascending: boolean},
   *          onSort?: (sort: {key: string, ascending: boolean}) => void,  called before the reload
   *          ascendingFirst?: (key: string) => boolean,  direction of a column's first click
   *          onSelect?: (data: any, node: TreeNode) => void,
   *          menu?: (data: any, node: TreeNode) => import("./menu.js").MenuItem[],  a row's context menu
   *          label?: string,  the grid's accessible name
   *          emptyText?: string, autoLoadTop?: boolean}} options
   */
  constructor(options) {
    this.columns = options.columns;
    this.provider = options.provider;
    this.rowHeight = options.rowHeight ?? 22;
    this.sort = options.sort ?? null;
    this.onSort = options.onSort;
    this.ascendingFirst = options.ascendingFirst ?? ((key) => key === 'name');
    this.onSelect = options.onSelect;
    this.menu = options.menu;
    this.emptyText = options.emptyText ?? 'Nothing to show';
    this.autoLoadTop = options.autoLoadTop ?? true;
    this.template = this.columns.map((c) => c.width).join(' ');
    this.generation = 0;
    this.flat = [];
    this.selected = null;
    // The row the keyboard is on ({ kind, node, offset }: a row, or a node's "Show more"
    // after its first `offset` children), and the
    // prefix of the rows' element ids.
    this.active = null;
    this.idPrefix = `tt${++tables}-`;

    this.header = el('div', { className: 'tt-header', role: 'row', 'aria-rowindex': '1', style: { gridTemplateColumns: this.template } });
    this.canvas = el('div', { className: 'tt-canvas', role: 'rowgroup' });
    this.status = el('div', { className: 'tt-status', testid: 'table-status', role: 'status' });
    this.scroller = el('div', { className: 'tt-scroller', tabIndex: 0, role: 'treegrid', 'aria-label': options.label ?? 'Objects', testid: 'treegrid' },
      el('div', { role: 'rowgroup', className: 'tt-head' }, this.header), this.canvas);
    this.element = el('div', { className: 'tt', testid: options.testid ?? 'table' }, this.scroller, this.status);
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    // Focus from the keyboard lands on the first row. Focus from a click does not: the
    // repaint it would cause could replace the clicked row between mousedown and mouseup,
    // and the click would be lost (the click itself makes its row the active one).
    this.scroller.addEventListener('focus', () => {
      if (!this.active && this.scroller.matches(':focus-visible')) this.moveTo(this.navigable()[0]);
    });
    this.resizeObserver = new ResizeObserver(() => this.schedule());
    this.resizeObserver.observe(this.scroller);
    this.renderHeader();
    this.reload();
  }

  /** Drops every loaded row and fetches the first page again (after a sort or filter change). */
  reload() {
    this.generation += 1;
    this.root = { data: null, depth: -1, parent: null, expanded: true, kids: null };
    this.selected = null;
    this.active = null;
    this.scroller.scrollTop = 0;
    this.loaded = this.loadMore(this.root);
    this.refresh();
    return this.loaded;
  }

  /** Stops watching the table's size and drops pages still in flight (the view is gone). */
  dispose() {
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.pending);
    this.pending = 0;
    this.generation += 1;
  }

  /** A header click: the same column flips direction, another starts in its natural one. */
  sortBy(key) {
    const ascending = this.sort?.key === key ? !this.sort.ascending : this.ascendingFirst(key);
    this.sort = { key, ascending };
    this.renderHeader();
    this.onSort(this.sort);
    this.reload();
  }

  renderHeader() {
    clear(this.header);
    for (const col of this.columns) {
      const active = this.sort && this.sort.key === col.key;
      const sortable = col.sortable && this.onSort;
      const cell = el('div', {
        className: `tt-hcell${col.align === 'right' ? ' right' : ''}${sortable ? ' sortable' : ''}${active ? ' active' : ''}`,
        testid: `header-${col.key}`,
        role: 'columnheader',
        title: col.tooltip ?? col.title,
        'aria-sort': active ? (this.sort.ascending ? 'ascending' : 'descending') : undefined,
      });
      // A sortable header is a button, so the keyboard reaches it too.
      const label = sortable ? el('button', { type: 'button', className: 'tt-sort-button' }, col.title) : cell;
      if (sortable) cell.appendChild(label);
      else cell.textContent = col.title;
      if (active) label.appendChild(el('span', { className: 'tt-sort', 'aria-hidden': 'true' }, this.sort.ascending ? ' \u25b2' : ' \u25bc'));
      if (sortable) cell.addEventListener('click', () => this.sortBy(col.key));
      this.header.appendChild(cell);
    }
  }

  /** Fetches the next page of a node's children. */
  async loadMore(node, limit = PAGE) {
    const generation = this.generation;
    if (!node.kids) node.kids = { total: null, items: [], loading: false, error: null };
    const kids = node.kids;
    if (kids.loading) return kids.loading;
    const offset = kids.items.length;
    kids.error = null;
    this.busy(+1);
    kids.loading = (async () => {
      try {
        const page = await this.provider.load(node.data, offset, limit, node);
        if (generation !== this.generation) return;
        kids.total = page.total;
        for (const data of page.rows) {
          kids.items.push({ data, depth: node.depth + 1, parent: node, expanded: false, kids: null, position: kids.items.length + 1 });
        }
      } catch (error) {
        if (generation !== this.generation) return;
        kids.error = error.message ?? String(error);
        if (kids.total === null) kids.total = 0;
      } finally {
        this.busy(-1);
        kids.loading = false;
        if (generation === this.generation) this.refresh();
      }
    })();
    this.refresh();
    return kids.loading;
  }

  /** Marks the table busy while pages are in flight (data-busy, for tests and styling). */
  busy(delta) {
    this.inFlight = (this.inFlight ?? 0) + delta;
    if (this.inFlight > 0) this.element.dataset.busy = 'true';
    // Cleared by paint(), once the rows that arrived are in the DOM.
  }

  canExpand(node) {
    return !!node.data && this.provider.canExpand(node.data, node);
  }

  async expand(node) {
    if (!this.canExpand(node)) return;
    node.expanded = true;
    if (!node.kids) await this.loadMore(node);
    else this.refresh();
  }

  collapse(node) {
    node.expanded = false;
    this.refresh();
  }

  toggle(node) {
    if (node.expanded) this.collapse(node);
    else this.expand(node);
  }

  /** The ancestors' data of a node, nearest first (for cycle detection). */
  ancestors(node) {
    const out = [];
    for (let p = node.parent; p && p.data; p = p.parent) out.push(p.data);
    return out;
  }

  /** Selects a row; `notify: false` only highlights it (no onSelect), e.g. when restoring a link. */
  select(node, { scroll = false, notify = true } = {}) {
    this.selected = node;
    if (scroll) {
      const index = this.flat.findIndex((r) => r.node === node);
      if (index >= 0) {
        const top = index * this.rowHeight;
        const view = this.scroller.clientHeight - this.header.offsetHeight;
        if (top < this.scroller.scrollTop || top > this.scroller.scrollTop + view - this.rowHeight) {
          this.scroller.scrollTop = Math.max(0, top - view / 2);
        }
      }
    }
    this.schedule();
    if (notify && this.onSelect && node.data) this.onSelect(node.data, node);
  }

  /** Rebuilds the flat list of visible rows from the tree and repaints. */
  refresh() {
    const flat = [];
    const walk = (node) => {
      const kids = node.kids;
      if (!kids) {
        if (node !== this.root) flat.push({ kind: 'loading', node, depth: node.depth + 1 });
        return;
      }
      for (const child of kids.items) {
        flat.push({ kind: 'row', node: child, depth: child.depth });
        if (child.expanded) walk(child);
      }
      if (kids.error) flat.push({ kind: 'error', node, depth: node.depth + 1, text: kids.error });
      else if (kids.loading) flat.push({ kind: 'loading', node, depth: node.depth + 1 });
      else if (kids.total !== null && kids.items.length < kids.total) {
        flat.push({ kind: 'more', node, depth: node.depth + 1, offset: kids.items.length, remaining: kids.total - kids.items.length });
      }
    };
    walk(this.root);
    this.flat = flat;
    // A "Show more" that loaded its page is gone (the next page's is another): the keyboard
    // lands on the row in its place, the first one loaded (while the page is in flight,
    // its "Loading…" keeps the place).
    const kept = (r) => this.isActive(r) || (r.kind === 'loading' && this.active.kind === 'more' && r.node === this.active.node);
    if (this.active && !flat.some(kept)) {
      const next = flat.slice(this.activeIndex ?? 0).find(isNavigable) ?? flat.findLast(isNavigable);
      this.active = next ? activeOf(next) : null;
    } else if (!this.active && this.hasFocus()) {
      // Focused before its first rows arrived: the keyboard starts on the first.
      const first = flat.find(isNavigable);
      if (first) this.active = activeOf(first);
    }
    const kids = this.root.kids;
    const empty = kids && !kids.loading && !kids.error && kids.total === 0;
    this.status.textContent = empty ? this.emptyText : '';
    this.canvas.style.height = `${flat.length * this.rowHeight}px`;
    this.scroller.setAttribute('aria-rowcount', String(flat.length + 1));
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.paint();
    });
  }

  paint() {
    const h = this.rowHeight;
    const top = Math.max(0, this.scroller.scrollTop - this.header.offsetHeight);
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / h) - OVERSCAN);
    const last = Math.min(this.flat.length, Math.ceil((top + height) / h) + OVERSCAN);
    const rows = [];
    for (let i = first; i < last; i++) rows.push(this.renderRow(this.flat[i], i));
    this.canvas.replaceChildren(...rows);
    const active = this.active ? this.flat.findIndex((r) => this.isActive(r)) : -1;
    if (active >= first && active < last) this.scroller.setAttribute('aria-activedescendant', this.rowId(active));
    else this.scroller.removeAttribute('aria-activedescendant');
    if (!this.inFlight) delete this.element.dataset.busy;
    // Infinite scroll at the top level: fetch the next page once its placeholder is in view.
    if (this.autoLoadTop) {
      for (let i = first; i < last; i++) {
        const entry = this.flat[i];
        if (entry.kind === 'more' && entry.node === this.root) this.loadMore(this.root);
      }
    }
  }

  rowId(index) {
    return `${this.idPrefix}${index}`;
  }

  isActive(entry) {
    return !!this.active && entry.kind === this.active.kind && entry.node === this.active.node
      && entry.offset === this.active.offset;
  }

  renderRow(entry, index) {
    const style = { top: `${index * this.rowHeight}px`, height: `${this.rowHeight}px`, gridTemplateColumns: this.template };
    const indent = { paddingLeft: `${6 + entry.depth * 16}px` };
    const aria = { id: this.rowId(index), role: 'row', 'aria-rowindex': String(index + 2), 'aria-level': String(entry.depth + 1) };
    const active = this.isActive(entry) ? ' active' : '';
    if (entry.kind !== 'row') {
      const cell = el('div', { className: 'tt-cell tt-first', style: indent, role: 'gridcell' });
      if (entry.kind === 'loading') cell.appendChild(el('span', { className: 'tt-note' }, 'Loading\u2026'));
      else if (entry.kind === 'error') cell.appendChild(el('span', { className: 'tt-error', testid: 'row-error' }, entry.text));
      else {
        const shown = Math.min(PAGE, entry.remaining);
        cell.appendChild(el('button', {
          className: 'tt-more', testid: 'show-more', type: 'button', tabIndex: -1, // the grid's Enter presses it
          onclick: (e) => { e.stopPropagation(); this.loadMore(entry.node); },
        }, `Show ${shown} more (${entry.remaining.toLocaleString('en-US')} remaining)`));
      }
      return el('div', { className: `tt-row tt-${entry.kind}${active}`, style, ...aria }, cell,
        ...this.columns.slice(1).map(() => el('div', { className: 'tt-cell', role: 'gridcell' })));
    }
    const node = entry.node;
    const expandable = this.canExpand(node);
    const row = el('div', {
      className: `tt-row${node === this.selected ? ' selected' : ''}${index % 2 ? ' odd' : ''}${active}`,
      testid: 'row',
      style,
      dataset: { depth: String(entry.depth) },
      ...aria,
      'aria-expanded': expandable ? String(node.expanded) : undefined,
      'aria-selected': String(node === this.selected),
      'aria-posinset': String(node.position),
      'aria-setsize': String(node.parent.kids?.total ?? node.parent.kids?.items.length ?? 0),
    });
    if (node.data && node.data.id !== undefined && node.data.id !== null) row.dataset.id = String(node.data.id);
    if (node.data && node.data.node && node.data.node.id !== undefined) row.dataset.id = String(node.data.node.id);
    this.columns.forEach((col, i) => {
      const cell = el('div', { className: `tt-cell${col.align === 'right' ? ' right' : ''}${i === 0 ? ' tt-first' : ''}`, testid: `cell-${col.key}`, role: 'gridcell' });
      if (i === 0) {
        cell.style.paddingLeft = indent.paddingLeft;
        const arrow = el('span', { className: `tt-arrow${expandable ? '' : ' leaf'}`, testid: expandable ? 'expander' : undefined, 'aria-hidden': 'true' }, expandable ? (node.expanded ? '\u25be' : '\u25b8') : '');
        if (expandable) arrow.addEventListener('click', (e) => { e.stopPropagation(); this.toggle(node); });
        cell.appendChild(arrow);
        const content = el('span', { className: 'tt-content' });
        col.render(content, node.data, node);
        cell.appendChild(content);
      } else {
        col.render(cell, node.data, node);
      }
      row.appendChild(cell);
    });
    row.addEventListener('click', () => { this.active = { kind: 'row', node }; this.select(node); });
    row.addEventListener('dblclick', () => this.toggle(node));
    if (this.menu) {
      row.addEventListener('contextmenu', (e) => {
        e.preventDefault();
        this.active = { kind: 'row', node };
        this.select(node);
        this.openMenu(node, e.clientX, e.clientY);
      });
    }
    return row;
  }

  /** The row's context menu at (x, y); nothing when the row has no action. */
  openMenu(node, x, y) {
    const items = this.menu?.(node.data, node) ?? [];
    openMenu(this.element, items, { x, y, returnFocus: this.scroller, label: 'Row actions' });
  }

  /** The entries the keyboard can land on: rows and "Show more". */
  navigable() {
    return this.flat.filter(isNavigable);
  }

  /** Makes `entry` the active row (the focus, for assistive technology) and scrolls to it. */
  moveTo(entry) {
    if (!entry) return;
    this.active = activeOf(entry);
    const index = this.flat.indexOf(entry);
    this.activeIndex = index;
    const top = index * this.rowHeight;
    const view = this.scroller.clientHeight - this.header.offsetHeight;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + this.rowHeight > this.scroller.scrollTop + view) this.scroller.scrollTop = top + this.rowHeight - view;
    this.schedule();
  }

  /** Whether the grid has the focus (its document's or shadow root's; the window may not). */
  hasFocus() {
    return this.scroller.getRootNode().activeElement === this.scroller;
  }

  /** Rows in one screen, for PageUp/PageDown. */
  pageRows() {
    return Math.max(1, Math.floor((this.scroller.clientHeight - this.header.offsetHeight) / this.rowHeight) - 1);
  }

  /** The active row, focused and highlighted, opens its context menu below itself. */
  openMenuAt(entry) {
    const box = this.canvas.querySelector(`#${this.rowId(this.flat.indexOf(entry))}`)?.getBoundingClientRect();
    this.openMenu(entry.node, box ? box.left + 40 : 0, box ? box.bottom : 0);
  }

  // One branch per key of the treegrid pattern (see the file's doc).
  onKey(e) {
    const rows = this.navigable();
    let at = rows.findIndex((r) => this.isActive(r));
    // No active row yet (the focus came without a focus event, say): the first one is.
    if (at < 0 && rows.length) {
      at = 0;
      this.active = activeOf(rows[0]);
    }
    const entry = rows[at];
    const node = entry?.kind === 'row' ? entry.node : null;
    const to = (i) => this.moveTo(rows[Math.max(0, Math.min(rows.length - 1, i))]);
    if (e.key === 'ArrowDown') to(at + 1);
    else if (e.key === 'ArrowUp') to(at - 1);
    else if (e.key === 'Home') to(0);
    else if (e.key === 'End') to(rows.length - 1);
    else if (e.key === 'PageDown') to(at + this.pageRows());
    else if (e.key === 'PageUp') to(at - this.pageRows());
    else if (e.key === 'ArrowRight' && node) {
      if (this.canExpand(node) && !node.expanded) this.expand(node);
      else if (node.expanded && rows[at + 1]?.node.parent === node) to(at + 1);
    } else if (e.key === 'ArrowLeft' && entry) {
      if (node?.expanded) this.collapse(node);
      else {
        const parent = entry.kind === 'more' ? entry.node : node.parent;
        if (parent?.data) this.moveTo(this.flat.find((r) => r.kind === 'row' && r.node === parent));
      }
    } else if ((e.key === 'Enter' || e.key === ' ') && entry) {
      if (entry.kind === 'more') this.loadMore(entry.node);
      else this.select(node);
    } else if ((e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) && node) this.openMenuAt(entry);
    else return;
    e.preventDefault();
    e.stopPropagation(); // the grid's keys are not the page's shortcuts
  }
}
