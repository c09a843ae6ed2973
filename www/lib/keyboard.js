//! The page's keyboard shortcuts and the "?" overlay that lists them. Keys typed into a
//! text field, a select or a menu are the field's; keys the tree tables handle (arrows,
//! Enter, Home/End, PageUp/PageDown) stop there.

import { el } from './dom.js';

/** What the overlay lists: keys (as shown) and what they do. */
const SHORTCUTS = [
  ['?', 'Show or hide this list'],
  ['1 \u2026 9', 'Switch to the view at that place in the tab bar'],
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
 *           focusTable: () => void, openRetainers: () => void }} actions
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
    const rows = SHORTCUTS.map(([keys, what]) => el('tr', {}, el('th', { scope: 'row' }, el('kbd', {}, keys)), el('td', {}, what)));
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

  const onKey = (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e)) return;
    const key = e.key;
    if (key === '?') openHelp();
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
