//! Context menus (a row's actions: ignore a retainer, copy a link to an object): one
//! WAI-ARIA menu at a time, opened by a right click or from the keyboard (the ContextMenu
//! key, Shift+F10), its items reached with the arrow keys; Escape closes it and gives the
//! focus back to where it was.

import { el } from './dom.js';

/**
 * @typedef MenuItem
 * @property {string} label
 * @property {string} testid
 * @property {() => void} run
 */

let open = null; // { close } of the menu on screen

/**
 * Opens a menu of `items` at viewport point (x, y), inside `host` (not document.body: in a
 * <heap-lens> shadow root the body is the host page's, where the menu would lose its
 * styles; it is position: fixed anyway). `returnFocus` gets the focus back on Escape.
 * @param {HTMLElement} host
 * @param {MenuItem[]} items
 * @param {{ x: number, y: number, returnFocus?: HTMLElement, label?: string }} where
 */
export function openMenu(host, items, { x, y, returnFocus = null, label = 'Actions' }) {
  open?.close();
  if (items.length === 0) return null;
  const buttons = items.map((item) => el('button', {
    type: 'button', role: 'menuitem', tabIndex: -1, testid: item.testid,
    onclick: (e) => { e.stopPropagation(); close(); item.run(); },
  }, item.label));
  const menu = el('div', { className: 'menu', testid: 'context-menu', role: 'menu', 'aria-label': label, style: { left: `${x}px`, top: `${y}px` } }, buttons);
  // The document hears of clicks only while the menu is open.
  const outside = (e) => { if (!e.composedPath().includes(menu)) close(); };
  const onKey = (e) => {
    const at = buttons.indexOf(e.target);
    if (e.key === 'Escape' || e.key === 'Tab') {
      close();
      if (e.key === 'Escape') { e.preventDefault(); returnFocus?.focus(); }
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      buttons[(at + step + buttons.length) % buttons.length].focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      buttons[e.key === 'Home' ? 0 : buttons.length - 1].focus();
    }
    e.stopPropagation(); // keys in the menu are not the page's shortcuts
  };
  function close() {
    if (open?.menu !== menu) return;
    open = null;
    menu.remove();
    document.removeEventListener('click', outside);
    document.removeEventListener('keydown', onEscape);
  }
  // Escape also closes it when the focus is elsewhere (the menu was opened with the mouse).
  const onEscape = (e) => { if (e.key === 'Escape') close(); };
  menu.addEventListener('keydown', onKey);
  host.appendChild(menu);
  document.addEventListener('click', outside);
  document.addEventListener('keydown', onEscape);
  open = { menu, close };
  buttons[0].focus();
  return open;
}

/** Closes the menu on screen, if any (its view is going away). */
export function closeMenu() {
  open?.close();
}

/**
 * Gives `target` (a plain table's row) the menu of `items()`: a right click opens it at
 * the pointer, the ContextMenu key and Shift+F10 below the row, which gets the focus back
 * on Escape. `select()` runs first, as a right click in a tree table selects its row (a
 * link to the object names the snapshot the selection made current).
 * @param {HTMLElement} target
 * @param {() => HTMLElement} host  where the menu goes (see openMenu)
 * @param {() => MenuItem[]} items
 * @param {() => void} [select]
 */
export function attachMenu(target, host, items, select = () => {}) {
  const show = (e, x, y) => {
    const list = items();
    if (list.length === 0) return; // the browser's own menu then
    e.preventDefault();
    e.stopPropagation();
    select();
    openMenu(host(), list, { x, y, returnFocus: target, label: 'Row actions' });
  };
  target.addEventListener('contextmenu', (e) => show(e, e.clientX, e.clientY));
  target.addEventListener('keydown', (e) => {
    if (e.key !== 'ContextMenu' && !(e.key === 'F10' && e.shiftKey)) return;
    const box = target.getBoundingClientRect();
    show(e, box.left + 16, box.bottom);
  });
}
