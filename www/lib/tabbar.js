//! The tab bar: a WAI-ARIA tablist of the views (one Tab stop; the arrow keys, Home and
//! End switch views; each tab's tooltip names its `g` shortcut). Thirteen and more views do not fit
//! in one row beside the snapshot list at 1280 px: the tabs wrap onto a second row
//! (style.css) rather than hide behind a "More" menu, so that every view stays one click
//! away and every tab stays where a test or a user last saw it.

import { el } from './dom.js';
import { viewLetters } from './keyboard.js';

/**
 * @param {{ key: string, title: string }[]} tabs  the views, in order
 * @param {string} selected  the key of the view shown
 * @param {{ pick: (key: string, focus: boolean) => void, info: HTMLElement }} options
 *   pick: show that view (focus: give its tab the focus, the keyboard moved); info: what
 *   the bar shows at its end (the snapshot's name)
 * @returns {{ element: HTMLElement }}
 */
export function tabBar(tabs, selected, { pick, info }) {
  const letters = viewLetters(tabs);
  const buttons = tabs.map((tab) => {
    const on = tab.key === selected;
    const letter = letters.get(tab.key);
    return el('button', {
      type: 'button', role: 'tab', className: `tab${on ? ' active' : ''}`, id: `tab-${tab.key}`,
      testid: `tab-${tab.key}`, 'aria-selected': String(on), 'aria-controls': 'view-panel', tabIndex: on ? 0 : -1,
      // aria-keyshortcuts cannot say "g, then s" (it lists alternatives): the tooltip does.
      title: letter ? `${tab.title} (g, then ${letter})` : undefined, dataset: letter ? { shortcut: `g ${letter}` } : undefined,
      onclick: () => pick(tab.key, false),
    }, tab.title);
  });
  const list = el('div', { className: 'tab-list', role: 'tablist', 'aria-label': 'Views' }, buttons);
  list.addEventListener('keydown', (e) => {
    const at = tabs.findIndex((t) => t.key === selected);
    const to = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    pick(tabs[(to + tabs.length) % tabs.length].key, true);
  });
  const element = el('nav', { className: 'tabs', 'aria-label': 'Views' }, list, info);
  return { element };
}
