//! Search box: a substring of an object's name, or `@id`. Picking a result selects the
//! object (its retainers appear in the pane below the grid).

import { el, clear } from '../lib/dom.js';
import { appendObject } from '../lib/cells.js';
import { formatCount } from '../lib/format.js';

const SHOWN = 50;

export function searchBox({ getSnapshot, onPick }) {
  const input = el('input', {
    type: 'search', testid: 'search-input', placeholder: 'Search objects: text or @id  (Enter)',
    'aria-label': 'Search objects by name or @id', autocomplete: 'off', spellcheck: false,
  });
  const matchCase = el('input', { type: 'checkbox', testid: 'search-match-case' });
  const results = el('div', { className: 'search-results', testid: 'search-results', hidden: true, role: 'listbox' });
  const element = el('div', { className: 'search-box' }, input, el('label', { className: 'match-case', title: 'Match case' }, matchCase, 'Aa'), results);
  let generation = 0;

  // A click anywhere else closes the results; the document hears of clicks only while they are open.
  // composedPath: inside a <heap-lens> shadow root, the document sees the host element as target.
  const outside = (e) => { if (!e.composedPath().includes(element)) close(); };
  const open = () => {
    results.hidden = false;
    document.addEventListener('click', outside);
  };
  const close = () => {
    results.hidden = true;
    document.removeEventListener('click', outside);
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') run();
    else if (e.key === 'Escape') close();
  });

  async function run() {
    const snapshot = getSnapshot();
    const text = input.value.trim();
    if (!text) return close();
    const mine = ++generation;
    if (!snapshot) {
      // Never a silent Enter: a failed, loading or profile entry may be the selected one.
      clear(results).appendChild(el('div', { className: 'search-note', testid: 'search-unavailable' }, 'Select a loaded heap snapshot in the list to search it'));
      return open();
    }
    clear(results).appendChild(el('div', { className: 'search-note' }, 'Searching\u2026'));
    open();
    try {
      const res = await snapshot.client.search(text, { matchCase: matchCase.checked, limit: SHOWN });
      if (mine !== generation) return;
      clear(results);
      if (res.total === 0) {
        results.appendChild(el('div', { className: 'search-note', testid: 'search-empty' }, `No object matches \u201c${text}\u201d`));
        return;
      }
      results.appendChild(el('div', { className: 'search-note' }, `${formatCount(res.total)} match${res.total === 1 ? '' : 'es'}${res.total > SHOWN ? ` (first ${SHOWN} shown)` : ''}`));
      for (const node of res.rows) {
        const item = el('button', { type: 'button', className: 'search-result', testid: 'search-result', role: 'option', dataset: { id: String(node.id) } });
        appendObject(item, node);
        item.appendChild(el('span', { className: 'muted class-hint' }, `  ${node.className}`));
        item.addEventListener('click', () => { close(); onPick(node); });
        results.appendChild(item);
      }
      // "@123" names one object: select it straight away.
      if (text.startsWith('@') && res.rows.length === 1) {
        close();
        onPick(res.rows[0]);
      }
    } catch (error) {
      if (mine !== generation) return;
      clear(results).appendChild(el('div', { className: 'search-note error', testid: 'search-error' }, error.message));
    }
  }

  return { element, close };
}
