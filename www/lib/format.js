//! Display formats copied from DevTools (spec/devtools.md §5 "Display formats"):
//! sizes, percentages, object and edge labels. Pure functions, no DOM.

const grouped = new Intl.NumberFormat('en-US');
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Grid sizes: decimal kB, one decimal below 100 kB, integer above ("12.3 kB", "1,234 kB"). */
export function formatKb(bytes) {
  const kb = bytes / 1000;
  return kb < 100 ? `${oneDecimal.format(kb)}\u00a0kB` : `${grouped.format(Math.round(kb))}\u00a0kB`;
}

/** Adaptive decimal units (tooltips, Comparison, snapshot list): B, kB, MB, GB. */
export function formatBytes(bytes) {
  const sign = bytes < 0 ? '\u2212' : '';
  let value = Math.abs(bytes);
  if (value < 1000) return `${sign}${value}\u00a0B`;
  for (const unit of ['kB', 'MB', 'GB']) {
    value /= 1000;
    if (value < 1000 || unit === 'GB') {
      return `${sign}${value < 100 ? oneDecimal.format(value) : grouped.format(Math.round(value))}\u00a0${unit}`;
    }
  }
  return `${sign}${value}`;
}

/** DevTools' bytesToString (its filter titles): formatBytes, but megabytes never become gigabytes. */
export function bytesToString(bytes) {
  return bytes < 1e9 ? formatBytes(bytes) : `${grouped.format(Math.round(bytes / 1e6))}\u00a0MB`;
}

/** Exact byte count for tooltips: "1,234,567 bytes". */
export function exactBytes(bytes) {
  return `${grouped.format(bytes)} bytes`;
}

/** Integer percent followed by a non-breaking space, as DevTools prints it. */
export function formatPercent(part, total) {
  if (!total) return '0\u00a0%';
  return `${Math.round((part * 100) / total)}\u00a0%`;
}

export function formatCount(n) {
  return grouped.format(n);
}

/** Signed count for "# Delta": "+3", "−2", "0". */
export function formatSigned(n) {
  if (n > 0) return `+${grouped.format(n)}`;
  if (n < 0) return `\u2212${grouped.format(-n)}`;
  return '0';
}

/** Signed size for "Size Delta". */
export function formatSignedBytes(n) {
  return n > 0 ? `+${formatBytes(n)}` : formatBytes(n);
}

/** A distance as sent by the core: the number of edges from a GC root, or null (unreachable, or none). */
export function knownDistance(distance) {
  return distance === undefined ? null : distance;
}

/** An allocation stack frame as the core's Frame prints it: "f (script:line:column)". */
export function frameText(f) {
  const where = f.line ? `${f.scriptName || `script #${f.scriptId}`}:${f.line}:${f.column}` : f.scriptName;
  return `${f.functionName || '(anonymous)'}${where ? ` (${where})` : ''}`;
}

/** Distance column: a number, or "−" where DevTools shows that (unreachable). */
export function formatDistance(distance) {
  const known = knownDistance(distance);
  return known === null ? '\u2212' : String(known);
}

const MAX_NAME = 200;

function clip(text) {
  return text.length > MAX_NAME ? `${text.slice(0, MAX_NAME)}\u2026` : text;
}

/**
 * The object label DevTools shows for a node: strings in quotes, regexps as /…/,
 * functions as name(), arrays as name[] (or "(internal array)[]").
 * Returns { text, style } where style names a CSS class for colouring.
 */
export function objectLabel(node) {
  const name = node.name ?? '';
  switch (node.type) {
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return { text: `"${clip(name)}"`, style: 'v-string' };
    case 'regexp':
      return { text: `/${clip(name)}/`, style: 'v-regexp' };
    case 'closure':
      return { text: `${clip(name)}()`, style: 'v-function' };
    case 'array':
      return { text: name ? `${clip(name)}[]` : '(internal array)[]', style: 'v-array' };
    case 'number':
    case 'heap number':
    case 'bigint':
      return { text: clip(name), style: 'v-number' };
    case 'hidden':
    case 'object shape':
    case 'code':
      return { text: clip(name), style: 'v-system' };
    default:
      return { text: clip(name), style: 'v-object' };
  }
}

/** Edge name as DevTools prints it: "[3]" for elements and hidden edges, the name otherwise. */
export function edgeLabel(edge) {
  const name = edge.edgeName ?? '';
  if (edge.edgeType === 'element' || edge.edgeType === 'hidden') return `[${name}]`;
  return clip(name);
}

/** Edge types whose names DevTools greys out. */
export function isQuietEdge(edgeType) {
  return edgeType === 'internal' || edgeType === 'hidden' || edgeType === 'weak' || edgeType === 'shortcut';
}
