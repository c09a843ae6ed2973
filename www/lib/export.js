//! Exports from the tables: "Copy as TSV" (pastes into a spreadsheet), "Download CSV" and
//! "Download JSON" of the rows a view shows (its filter, sort and expansion), with exact
//! values (bytes, counts, ids: numbers as the core sends them, never formatted). A table
//! is read a page at a time from the snapshot's worker and each page becomes one part of
//! a Blob, so a large table never becomes one huge string on this thread.

import { el } from './dom.js';
import { saveBlob } from './chart.js';

/** Rows asked of the worker at a time while exporting. */
const EXPORT_PAGE = 1000;

/**
 * @typedef ExportColumn
 * @property {string} key    the JSON key and the TSV/CSV header
 * @property {(data: any) => (string|number|boolean|null|undefined)} value  the exact value
 *
 * @typedef {{ depth: number, data: any }} ExportRecord  a row and its level in the tree (0: top)
 */

/** A column whose value is `data[key]`'s exact value, or what `value(data)` returns. */
export function column(key, value = (d) => d[key]) {
  return { key, value };
}

/**
 * The "edge" column: the name of the edge `getEdge(data)` (an EdgeRow, or null for rows
 * that are no edge) as the tables show it ("[3]" for elements), but never clipped.
 */
export function edgeColumn(getEdge) {
  return column('edge', (d) => {
    const edge = getEdge(d);
    if (!edge) return null;
    return edge.edgeType === 'element' || edge.edgeType === 'hidden' ? `[${edge.edgeName}]` : edge.edgeName;
  });
}

/**
 * The columns of a row that is an object (`getNode(data)` is a NodeRow): the edge that
 * leads to it (when `edge`), its name, type, id, distance and sizes.
 */
export function objectExportColumns(getNode, { edge = false } = {}) {
  return [
    edge ? edgeColumn((d) => d) : null,
    column('name', (d) => getNode(d).name),
    column('type', (d) => getNode(d).type),
    column('id', (d) => getNode(d).id),
    column('distance', (d) => getNode(d).distance ?? null),
    column('selfSize', (d) => getNode(d).selfSize),
    column('retainedSize', (d) => getNode(d).retainedSize),
  ].filter(Boolean);
}

/**
 * The rows a TreeTable shows, in its order: every row of the top level and of each
 * expanded row (pages not loaded yet are read from its provider, with its filter and
 * sort), a page at a time.
 * @param {import('./treetable.js').TreeTable} table
 * @returns {AsyncGenerator<ExportRecord[]>}
 */
export async function* treeRows(table) {
  yield* childRows(table, table.root);
}

async function* childRows(table, node) {
  const loaded = node.kids?.items ?? [];
  let total = node.kids?.total ?? null;
  for (let offset = 0; total === null || offset < total;) {
    let items = loaded.slice(offset, offset + EXPORT_PAGE);
    if (items.length === 0) {
      const page = await table.provider.load(node.data, offset, EXPORT_PAGE, node);
      total = page.total;
      items = page.rows.map((data) => ({ data, depth: node.depth + 1, parent: node, expanded: false, kids: null }));
      if (items.length === 0) break;
    } else if (total === null) total = loaded.length;
    offset += items.length;
    // An expanded row's children follow it, before its next sibling.
    let out = [];
    for (const item of items) {
      out.push({ depth: item.depth, data: item.data });
      if (item.expanded && item.kids) {
        yield out;
        out = [];
        yield* childRows(table, item);
      }
    }
    if (out.length) yield out;
  }
}

/** An array of rows as one page of records at depth 0 (Statistics, Leaks). */
export async function* listRows(rows) {
  yield rows.map((data) => ({ depth: 0, data }));
}

// ---------------------------------------------------------------- formats

/**
 * A text cell for a spreadsheet: a string that starts like a formula gets a leading
 * apostrophe (names come from the snapshot: "=HYPERLINK(…)" must stay text).
 */
function textCell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  return /^[=+\-@]/.test(value) ? `'${value}` : value;
}

/** TSV: no quoting, so tabs and line breaks inside a value become spaces. */
function tsvCell(value) {
  return textCell(value).replace(/[\t\r\n]/g, ' ');
}

/** CSV (RFC 4180): quoted when it holds a comma, a quote or a line break. */
function csvCell(value) {
  const text = textCell(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const FORMATS = {
  // text/plain: the type the clipboard takes.
  tsv: { type: 'text/plain', line: (cells) => `${cells.map(tsvCell).join('\t')}\n` },
  csv: { type: 'text/csv', line: (cells) => `${cells.map(csvCell).join(',')}\r\n` },
};

/**
 * The Blob of every record `rows()` yields, in `format` ('tsv', 'csv' or 'json'): one
 * part per page. Resolves to { blob, count }.
 */
export async function exportBlob(format, columns, rows) {
  const keys = ['depth', ...columns.map((c) => c.key)];
  const values = (record) => [record.depth, ...columns.map((c) => c.value(record.data) ?? null)];
  const parts = [];
  let count = 0;
  if (format === 'json') {
    parts.push(`{"columns":${JSON.stringify(keys)},"rows":[`);
    for await (const page of rows()) {
      if (page.length === 0) continue;
      const objects = page.map((r) => JSON.stringify(Object.fromEntries(values(r).map((v, i) => [keys[i], v]))));
      parts.push(`${count ? ',' : ''}\n${objects.join(',\n')}`);
      count += page.length;
    }
    parts.push('\n]}\n');
    return { blob: new Blob(parts, { type: 'application/json' }), count };
  }
  const { type, line } = FORMATS[format];
  parts.push(line(keys));
  for await (const page of rows()) {
    parts.push(page.map((r) => line(values(r))).join(''));
    count += page.length;
  }
  return { blob: new Blob(parts, { type }), count };
}

// ---------------------------------------------------------------- the buttons

/**
 * "Copy as TSV", "Download CSV", "Download JSON" for one table.
 * @param {{ name: () => string, columns: ExportColumn[], rows: () => AsyncIterable<ExportRecord[]> }} options
 *   name: the file name without extension; rows: a fresh walk over the rows shown
 * @returns {{ element: HTMLElement }}
 */
export function exportBar({ name, columns, rows }) {
  const status = el('span', { className: 'export-status', testid: 'export-status', role: 'status' });
  const action = (label, testid, run) => el('button', {
    type: 'button', className: 'button small', testid,
    onclick: async (e) => {
      const button = e.currentTarget;
      button.disabled = true;
      status.classList.remove('error');
      status.textContent = 'Exporting\u2026';
      try {
        status.textContent = await run();
      } catch (error) {
        status.classList.add('error');
        status.textContent = `${label} failed: ${error.message ?? error}`;
      } finally {
        button.disabled = false;
      }
    },
  }, label);
  const rowsText = (count) => `${count.toLocaleString('en-US')} row${count === 1 ? '' : 's'}`;
  const download = (format) => async () => {
    const { blob, count } = await exportBlob(format, columns, rows);
    const file = `${name()}.${format}`;
    saveBlob(blob, file);
    return `Saved ${file} (${rowsText(count)})`;
  };
  const copy = async () => {
    // The clipboard takes the Blob as it is built: the write starts within the click.
    const built = exportBlob('tsv', columns, rows);
    const blob = built.then((b) => b.blob);
    if (typeof ClipboardItem === 'function') await navigator.clipboard.write([new ClipboardItem({ 'text/plain': blob })]);
    else await navigator.clipboard.writeText(await (await blob).text());
    return `Copied ${rowsText((await built).count)} as TSV`;
  };
  const element = el('div', { className: 'export-bar', testid: 'export-bar', role: 'group', 'aria-label': 'Export the rows shown' },
    action('Copy as TSV', 'export-tsv', copy),
    action('Download CSV', 'export-csv', download('csv')),
    action('Download JSON', 'export-json', download('json')),
    status);
  return { element };
}

/** A file name for a view's export: "heaplens-summary-app-3" for app-3.heapsnapshot. */
export function exportName(snapshotName, view) {
  return `heaplens-${view}-${snapshotName.replace(/\.heapsnapshot(\.gz)?$/i, '')}`;
}
