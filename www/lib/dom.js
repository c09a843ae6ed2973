//! Tiny DOM helpers. Every string goes in through textContent or a text node, never
//! parsed as HTML: snapshot-derived text (class names, strings) is untrusted. Text and
//! titles pass through visible(), so a bidi override or a control character in them is
//! shown as an escape instead of acting.

import { visible } from './visible.js';

/**
 * el('div', { className: 'x', testid: 'y', title: 't', onclick: fn }, 'text', child, …)
 * Attributes: className, testid (→ data-testid), dataset, style (object), on* handlers,
 * anything else via setAttribute.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') node.className = value;
    else if (key === 'testid') node.dataset.testid = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'style') Object.assign(node.style, value);
    else if (key === 'text') node.textContent = visible(value);
    else if (key === 'title') node.setAttribute('title', visible(value));
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(visible(child)));
  }
}

/** SVG element with attributes (used by the Statistics chart). */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'testid') node.dataset.testid = value;
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** A search-type input that calls onChange(value) once typing pauses. */
export function filterInput(attrs, onChange, delay = 200) {
  const input = el('input', { type: 'search', ...attrs });
  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => onChange(input.value), delay);
  });
  return input;
}
