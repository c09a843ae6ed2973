//! The page's keyboard shortcuts and the "?" overlay that lists them. Keys typed into a
//! text field, a select or a menu are the field's; keys the tree tables handle (arrows,
//! Enter, Home/End, PageUp/PageDown) stop there. Every view has a two-key shortcut, `g`
//! then its letter (the digits reach only the first nine tabs); plain tables (Realms,
//! Collections, the Retainer Graph's objects) move their focus row by row with rowKeys().

import { el } from './dom.js';

/** What the overlay lists: keys (as shown) and what they do. */
const SHORTCUTS = [
  ['?', 'Show or hide this list'],
  ['1 \u2026 9', 'Switch to the view at that place in the tab bar'],
  ['g, then a letter', 'Switch to a view (the letters are listed below)'],
  ['[  ]', 'Previous / next view'],
  ['p  n', 'Previous / next snapshot (in capture order)'],
  ['/', 'Focus the search box'],
  ['t', 'Focus the view\u2019s table'],
  ['r', 'Open the retainers of the table\u2019s active row (focus the Retainers pane)'],
  ['\u2191  \u2193', 'In a table: previous / next row'],
  ['\u2192  \u2190', 'In a table: expand (then enter) / collapse (then go to the parent)'],
  ['Home  End  PgUp  PgDn', 'In a table: first / last row, one screen up / down'],
  ['Enter', 'In a table: select the row (its retainers show below)'],
  ['Shift+F10, \u2630 Menu', 'In a table: the row\u2019s actions (copy a link to the object, ignore a retainer)'],
  ['Esc', 'Close a menu or this list'],
];

/**
 * The letter after `g` for each view, by its key. Fixed, so that a view added to the tab
 * bar does not move the others' letters; a view missing here gets the first free letter
 * of its title (viewLetters).
 */
const VIEW_LETTERS = {
  summary: 's', comparison: 'c', containment: 'o', statistics: 't', dominators: 'd', strings: 'i', closures: 'l',
  realms: 'r', graph: 'g', allocations: 'a', leaks: 'k', collections: 'e', growth: 'w',
};

/**
 * Each view's letter: its VIEW_LETTERS entry, or the first letter of its title (then of the
 * alphabet) no other view has.
 * @param {{ key: string, title: string }[]} views
 * @returns {Map<string, string>} view key → letter
 */
export function viewLetters(views) {
  const letters = new Map();
  const taken = new Set();
  for (const v of views) {
    const fixed = VIEW_LETTERS[v.key];
    if (fixed && !taken.has(fixed)) { letters.set(v.key, fixed); taken.add(fixed); }
  }
  for (const v of views) {
    if (letters.has(v.key)) continue;
    const free = [...`${v.title.toLowerCase()}abcdefghijklmnopqrstuvwxyz`].find((c) => /[a-z]/.test(c) && !taken.has(c));
    if (!free) continue;
    letters.set(v.key, free);
    taken.add(free);
  }
  return letters;
}

/** Rows PageUp and PageDown move by in a plain table (they hold tens of rows, not thousands). */
const PAGE_ROWS = 10;

/**
 * Arrow keys, Home/End and PageUp/PageDown move the focus between the rows of a plain
 * table body (one Tab stop: the row last focused); Enter and Space click the row.
 * @param {HTMLElement} body  a <tbody> whose rows are the table's entries
 */
export function rowKeys(body) {
  const rows = () => [...body.children];
  const focus = (row) => {
    if (!row) return;
    for (const other of rows()) other.tabIndex = other === row ? 0 : -1;
    row.focus();
  };
  rows().forEach((row, i) => { row.tabIndex = i === 0 ? 0 : -1; });
  body.addEventListener('focusin', (e) => {
    const row = e.target.closest('tr');
    if (row?.parentElement === body) for (const other of rows()) other.tabIndex = other === row ? 0 : -1;
  });
  body.addEventListener('keydown', (e) => {
    const row = e.target.closest('tr');
    if (!row || row.parentElement !== body || e.target !== row) return;
    const all = rows();
    const at = all.indexOf(row);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1, PageDown: at + PAGE_ROWS, PageUp: at - PAGE_ROWS }[e.key];
    if (to !== undefined) focus(all[Math.max(0, Math.min(all.length - 1, to))]);
    else if (e.key === 'Enter' || e.key === ' ') row.click();
    else return;
    e.preventDefault();
    e.stopPropagation(); // the table's keys, not the page's shortcuts
  });
}

/** True when the key belongs to what has the focus (typing, choosing, a menu). */
function isTyping(event) {
  const target = event.composedPath()[0];
  if (!(target instanceof Element)) return false;
  return target.matches('input, select, textarea, [contenteditable], [contenteditable] *') || !!target.closest('[role="menu"]');
}

/**
 * Listens for the shortcuts on `host`, the app's outermost element (the page's body, a
 * <heap-lens>'s wrapper; not the document, which hears of keys only while a menu is
 * open), and opens the overlay there. `root` (the document or the shadow root) says what
 * has the focus.
 * @param {Document|ShadowRoot} root
 * @param {HTMLElement} host
 * @param {{ view: (index: number) => void, stepView: (step: number) => void,
 *           stepSnapshot: (step: number) => void, focusSearch: () => void,
 *           focusTable: () => void, openRetainers: () => void,
 *           views: () => { key: string, title: string }[], go: (key: string) => void }} actions
 *   views: the tab bar's views, in order; go: switch to one (after `g` and its letter)
 */
export function keyboardShortcuts(root, host, actions) {
  let overlay = null;
  let before = null; // what had the focus when the overlay opened

  function closeHelp() {
    overlay?.remove();
    overlay = null;
    before?.focus?.();
  }

  function openHelp() {
    before = root.activeElement;
    const close = el('button', { type: 'button', className: 'button small', testid: 'shortcuts-close', onclick: closeHelp }, 'Close');
    const letters = viewLetters(actions.views());
    const views = actions.views().filter((v) => letters.has(v.key)).map((v) => [`g ${letters.get(v.key)}`, `Switch to ${v.title}`]);
    const rows = [...SHORTCUTS, ...views].map(([keys, what]) => el('tr', {}, el('th', { scope: 'row' }, el('kbd', {}, keys)), el('td', {}, what)));
    overlay = el('div', { className: 'shortcuts-backdrop', onclick: (e) => { if (e.target === overlay) closeHelp(); } },
      el('div', { className: 'shortcuts', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'shortcuts-title', testid: 'shortcuts' },
        el('div', { className: 'shortcuts-head' }, el('h2', { id: 'shortcuts-title' }, 'Keyboard shortcuts'), close),
        el('table', { className: 'shortcuts-table' },
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Keys'), el('th', { scope: 'col' }, 'Action'))),
          el('tbody', {}, rows))));
    // The dialog keeps the focus: Tab stays on its one button.
    overlay.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' || e.key === '?') { e.preventDefault(); closeHelp(); }
      if (e.key === 'Tab') { e.preventDefault(); close.focus(); }
      e.stopPropagation();
    });
    host.appendChild(overlay);
    close.focus();
  }

  let going = false; // `g` was pressed: the next key names a view
  const onKey = (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e)) return;
    const key = e.key;
    if (going && key !== 'Shift') {
      going = false;
      const letters = viewLetters(actions.views());
      const view = [...letters].find(([, letter]) => letter === key.toLowerCase());
      if (view) { e.preventDefault(); actions.go(view[0]); }
      return;
    }
    if (key === 'g') going = true;
    else if (key === '?') openHelp();
    else if (/^[1-9]$/.test(key)) actions.view(Number(key) - 1);
    else if (key === '[' || key === ']') actions.stepView(key === ']' ? 1 : -1);
    else if (key === 'p' || key === 'n') actions.stepSnapshot(key === 'n' ? 1 : -1);
    else if (key === '/') actions.focusSearch();
    else if (key === 't') actions.focusTable();
    else if (key === 'r') actions.openRetainers();
    else return;
    e.preventDefault();
  };
  host.addEventListener('keydown', onKey);
  return { openHelp, closeHelp };
}
