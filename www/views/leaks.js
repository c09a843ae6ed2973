//! Leaks view: the 3-snapshot leak report (src/analysis/leaks/), computed by the newest
//! snapshot's worker from every ready snapshot's facts and read (camelCase) through
//! lib/snapshot-client.js. Each group (one class, one retaining path) expands into its
//! path from a GC root and its members; clicking either shows that object's retainers in
//! the newest snapshot.

import { el } from '../lib/dom.js';
import { appendObject, fillSize } from '../lib/cells.js';
import { formatCount, formatBytes, exactBytes, edgeLabel, isQuietEdge, frameText } from '../lib/format.js';
import { SnapshotClient } from '../lib/snapshot-client.js';
import { saveBlob } from '../lib/chart.js';
import { exportBar, listRows, column, exportName } from '../lib/export.js';

/** Groups shown before "Show more". */
const GROUP_PAGE = 200;
/** Members whose name and size are fetched at a time. */
const MEMBER_PAGE = 100;
/** Paths longer than this show their two ends until expanded. */
const LONG_PATH = 24;

function explain() {
  return el('div', { className: 'leaks-intro', testid: 'leaks-empty' },
    el('h3', {}, 'Find leaks with three snapshots'),
    el('ol', {},
      el('li', {}, 'Take a heap snapshot.'),
      el('li', {}, 'Repeat the action you suspect leaks (open and close a dialog, send a request, \u2026).'),
      el('li', {}, 'Take a second snapshot, repeat the action again, and take a third.')),
    el('p', {}, 'Load all three here. Objects allocated between the first and the second snapshot that are still alive in the third are leak suspects: this view groups them by constructor and by the path that keeps them alive. With four or more snapshots it also marks the classes that grew in every interval.'));
}

/** Edges as a reader names them: "[3]" for elements, the name otherwise. */
function edgeText(step) {
  return edgeLabel({ edgeName: step.edge, edgeType: step.edgeType });
}

/** A step's repeat mark: "×29" for one hop, "×29 (3 steps)" for a repeated run of hops. */
function repeatText(step) {
  if (!step.repeat) return '';
  const span = step.repeatSpan ? ` (${step.repeatSpan} steps)` : '';
  return ` \u00d7${formatCount(step.repeat)}${span}`;
}

/** The whole path as text, root side first: "global › setTimeout › … › request › context › leakyData › [1022]". */
function pathText(path) {
  return path.map((step, i) => (i === 0 ? step.node : `${edgeText(step)}${repeatText(step)}`)).join(' \u203a ');
}

/** "onTick() ×200, Timeout ×200": the runtime objects leaking with a group, folded into it. */
function holdersText(group) {
  return group.holders.map((h) => `${h.node} \u00d7${formatCount(h.count)}`).join(', ');
}

/**
 * The last few program edges that hold the group ("… _events › request › leakyData › […]"): V8's
 * internal edges (a closure's context, a map's descriptors) are left out, and the
 * member's own index becomes […] since each member sits at a different one.
 */
function shortPath(group) {
  const edges = [];
  group.path.forEach((step, i) => {
    if (i === 0 || step.edgeType === 'internal' || step.edgeType === 'hidden') return;
    const last = i === group.path.length - 1;
    const text = last && step.edgeType === 'element' && group.count > 1 ? '[\u2026]' : edgeText(step);
    edges.push(text + repeatText(step));
  });
  const shown = edges.length === 0 ? (group.path[0]?.node ?? '') : edges.slice(-3).join(' \u203a ');
  const held = edges.length > 3 ? `\u2026 ${shown}` : shown;
  return group.holders.length ? `${held} (with ${holdersText(group)})` : held;
}

/** A stack on one line, innermost frame first, each after an arrow from its caller (as the CLI prints it). */
function stackText(site) {
  return site.frames.map(frameText).join(' \u2190 ');
}

/** Where a group's members were allocated: the commonest stacks, with how many each made. */
function allocationSites(sites) {
  return el('div', { testid: 'leak-allocated' },
    el('p', {}, 'Allocated at (the commonest stacks, innermost frame first):'),
    el('ul', { className: 'leak-sites' }, ...sites.map((site) => el('li', { testid: 'leak-site' },
      el('span', { className: 'num' }, `\u00d7${formatCount(site.count)} `),
      el('code', { title: 'Select to copy' }, stackText(site))))));
}

/** "app.js:12:5": a constructor location as editors show it (1-based). */
function locationText(at) {
  return `${at.script || `script #${at.scriptId}`}:${at.line}:${at.column}`;
}

function growsCell(group, names) {
  const counts = group.counts.map((c, i) => `${names[i]}: ${formatCount(c)}`).join('\n');
  if (group.growsEveryInterval === true) return { text: '\u2713', title: `Grew in every interval\n${counts}`, className: 'grows-yes' };
  if (group.growsEveryInterval === false) return { text: 'no', title: `Did not grow in every interval\n${counts}`, className: 'grows-no' };
  return { text: '\u2013', title: `Needs 4 or more snapshots to tell\n${counts}`, className: 'grows-unknown' };
}

export function leaksView(ctx) {
  const element = el('section', { className: 'view leaks', testid: 'view-leaks' });
  const series = ctx.snapshots();
  if (series.length < 2) {
    element.appendChild(el('div', { className: 'leaks-body' }, explain()));
    return { element, dispose() {} };
  }
  const newest = series[series.length - 1];
  const status = el('p', { className: 'placeholder', testid: 'leaks-status' }, `Collecting class counts from ${series.length} snapshots and building the report on ${newest.name}\u2026`);
  const body = el('div', { className: 'leaks-body' }, status);
  element.appendChild(body);
  // The path step or member last clicked (highlighted; the Retainers pane shows it).
  let picked = null;
  const pick = (button, id) => {
    picked?.classList.remove('picked');
    picked = button;
    button.classList.add('picked');
    ctx.selectObject(id, newest);
  };

  // Set by dispose(): a report or members arriving after the view was left are not drawn.
  let disposed = false;
  SnapshotClient.leakReport(series.map((s) => s.client)).then((report) => {
    if (!disposed) body.replaceChildren(...renderReport(report));
  }).catch((error) => {
    if (!disposed) body.replaceChildren(el('p', { className: 'error', testid: 'view-error' }, `Could not build the leak report: ${error.message}`));
  });

  function renderReport(report) {
    const names = series.map((s) => s.name);
    const [low, high] = report.idRange;
    const out = [];
    const summary = el('p', { className: 'hint leaks-summary', testid: 'leaks-summary' },
      'Objects allocated between ', el('b', {}, names[0]), ' and ', el('b', {}, names[1]),
      ' that are still alive in ', el('b', {}, newest.name), ' (newest): ',
      el('span', { className: 'num', testid: 'leak-id-range', dataset: { min: String(low), max: String(high) }, title: 'DevTools\u2019 \u201callocated between\u201d filter: object ids in (maxJsId of the first, maxJsId of the second]' },
        `ids @${low} < id \u2264 @${high}`),
      `, in ${formatCount(report.groups.length)} group${report.groups.length === 1 ? '' : 's'} by constructor and retaining path, most suspicious first.`,
      series.length < 4 ? ' Load a fourth snapshot to see which classes grew in every interval.' : '');
    out.push(summary, shareBar());
    if (report.warnings.length) {
      out.push(el('div', { className: 'notice warning leaks-warnings', testid: 'leak-warnings', role: 'status' },
        ...report.warnings.map((w) => el('p', { testid: 'leak-warning' }, w))));
    }
    if (report.groups.length === 0) {
      out.push(el('p', { className: 'placeholder', testid: 'leaks-none' }, `Nothing allocated between ${names[0]} and ${names[1]} is still alive in ${newest.name}.`));
      return out;
    }
    out.push(groupExports(report.groups), groupTable(report.groups, names));
    return out;
  }

  /** The groups as TSV, CSV or JSON: one row per group, every group (not only those shown). */
  function groupExports(groups) {
    return exportBar({
      name: () => exportName(newest.name, 'leaks'),
      columns: [
        ...['name', 'count', 'selfSize', 'retainedSize'].map((key) => column(key)),
        column('growsEveryInterval', (g) => g.growsEveryInterval ?? null),
        column('countsPerSnapshot', (g) => g.counts.join(' ')),
        column('location', (g) => (g.location ? locationText(g.location) : null)),
        column('allocatedAt', (g) => (g.allocatedAt?.length ? stackText(g.allocatedAt[0]) : null)),
        column('path', (g) => pathText(g.path)),
      ],
      rows: () => listRows(groups),
    }).element;
  }

  /** "Download report" (one HTML file) and "Copy as Markdown": the core renders both, as the CLI does. */
  function shareBar() {
    const note = el('span', { className: 'muted', testid: 'leak-share-status', role: 'status' });
    const files = series.map((s) => ({ name: s.name, bytes: s.size ?? 0 }));
    const render = (format) => SnapshotClient.leakDocument(series.map((s) => s.client), format, files);
    const action = (label, testid, run) => {
      const button = el('button', { type: 'button', className: 'button small', testid }, label);
      button.addEventListener('click', async () => {
        note.textContent = '';
        note.classList.remove('error');
        try {
          note.textContent = await run();
        } catch (error) {
          note.classList.add('error');
          note.textContent = `${label} failed: ${error.message}`;
        }
      });
      return button;
    };
    return el('div', { className: 'leak-share', testid: 'leak-share' },
      action('Download report (HTML)', 'leak-download-html', async () => {
        const doc = await render('html');
        saveBlob(new Blob([doc.text], { type: doc.mediaType }), `heaplens-leaks-${newest.name.replace(/\.heapsnapshot(\.gz)?$/, '')}.html`);
        return 'Saved: one self-contained file (no script, no request).';
      }),
      action('Copy as Markdown', 'leak-copy-markdown', async () => {
        const doc = await render('markdown');
        await navigator.clipboard.writeText(doc.text);
        return 'Copied: paste into a ticket or pull request.';
      }),
      note);
  }

  function groupTable(groups, names) {
    const total = newest.info.totalSize;
    const tbody = el('tbody');
    const table = el('table', { className: 'leak-table', testid: 'leak-table' },
      el('colgroup', {},
        el('col', { className: 'c-name' }), el('col', { className: 'c-count' }), el('col', { className: 'c-size' }),
        el('col', { className: 'c-size' }), el('col', { className: 'c-grows' }), el('col', { className: 'c-held' })),
      el('thead', {}, el('tr', {},
        el('th', {}, 'Constructor'),
        el('th', { className: 'right', title: 'Objects in the group (allocated between the first two snapshots, alive in the newest)' }, 'Count'),
        el('th', { className: 'right' }, 'Shallow Size'),
        el('th', { className: 'right', title: 'Memory freed if the whole group went (no byte counted twice)' }, 'Retained Size'),
        el('th', { className: 'center', title: 'Did the class grow in every interval? (needs 4 or more snapshots)' }, 'Grows'),
        el('th', {}, 'Held by'))),
      tbody);
    let shown = 0;
    const more = el('button', { type: 'button', className: 'button small', testid: 'leaks-more' });
    const moreRow = el('tr', { className: 'leak-more' }, el('td', { colSpan: 6 }, more));
    const showMore = () => {
      moreRow.remove();
      for (const group of groups.slice(shown, shown + GROUP_PAGE)) tbody.append(...groupRows(group, names, total));
      shown = Math.min(groups.length, shown + GROUP_PAGE);
      if (shown < groups.length) {
        more.textContent = `Show ${formatCount(Math.min(GROUP_PAGE, groups.length - shown))} more (${formatCount(groups.length - shown)} remaining)`;
        tbody.appendChild(moreRow);
      }
    };
    more.addEventListener('click', showMore);
    showMore();
    return el('div', { className: 'leak-table-wrap' }, table);
  }

  function groupRows(group, names, total) {
    const arrow = el('span', { className: 'tt-arrow', 'aria-hidden': 'true' }, '\u25b8');
    const toggle = el('button', { type: 'button', className: 'leak-toggle', testid: 'leak-toggle', 'aria-expanded': 'false' },
      arrow, el('span', { className: 'class-name', testid: 'leak-name' }, group.name));
    const grows = growsCell(group, names);
    const self = el('td', { className: 'right', testid: 'leak-self-size' });
    fillSize(self, group.selfSize, total);
    const retained = el('td', { className: 'right', testid: 'leak-retained-size' });
    fillSize(retained, group.retainedSize, total);
    const row = el('tr', {
      className: 'leak-row', testid: 'leak-row',
      dataset: { name: group.name, count: String(group.count), selfSize: String(group.selfSize), retainedSize: String(group.retainedSize) },
    },
    el('td', { className: 'leak-name-cell', title: `${group.name}\n${group.why}` }, toggle),
    el('td', { className: 'right num', testid: 'leak-count' }, formatCount(group.count)),
    self,
    retained,
    el('td', { className: `center ${grows.className}`, testid: 'leak-grows', title: grows.title }, grows.text),
    el('td', { className: 'leak-held', testid: 'leak-held', title: pathText(group.path) }, shortPath(group)));
    const detailCell = el('td', { colSpan: 6 });
    const detail = el('tr', { className: 'leak-detail', testid: 'leak-detail', hidden: true }, detailCell);
    const flip = () => {
      const open = detail.hidden;
      detail.hidden = !open;
      row.classList.toggle('open', open);
      toggle.setAttribute('aria-expanded', String(open));
      arrow.textContent = open ? '\u25be' : '\u25b8';
      if (open && !detailCell.firstChild) detailCell.appendChild(groupDetail(group, names));
    };
    row.addEventListener('click', flip);
    return [row, detail];
  }

  function groupDetail(group, names) {
    const facts = el('div', { className: 'leak-facts' },
      el('p', { className: 'leak-why', testid: 'leak-why' }, el('b', {}, 'Why here: '), group.why),
      group.location ? el('p', {}, 'Defined at ', el('code', { className: 'leak-location', testid: 'leak-location', title: 'The constructor\u2019s source location (select to copy)' }, locationText(group.location))) : null,
      group.allocatedAt?.length ? allocationSites(group.allocatedAt) : null,
      group.holders.length ? el('p', { testid: 'leak-holders' }, 'Leaking with it and holding it (folded into this group): ', el('span', { className: 'leak-holder-list' }, holdersText(group))) : null);
    return el('div', { className: 'leak-detail-body' }, facts,
      el('div', { className: 'leak-path-col' },
        el('h3', {}, 'Retaining path', el('span', { className: 'muted' }, ` from a GC root to one of the ${formatCount(group.count)}`)),
        pathChain(group.path)),
      el('div', { className: 'leak-members-col' },
        el('h3', {}, `Objects (${formatCount(group.count)})`,
          el('span', { className: 'muted', testid: 'leak-counts' }, ` \u00b7 ${group.name} per snapshot: ${group.counts.map(formatCount).join(' \u2192 ')}`)),
        memberList(group)));
  }

  function pathChain(path) {
    const list = el('ol', { className: 'leak-path', testid: 'leak-path' });
    const items = [];
    path.forEach((step, i) => {
      if (i > 0) {
        const quiet = isQuietEdge(step.edgeType);
        items.push(el('li', { className: 'leak-edge', testid: 'leak-edge', dataset: { edge: step.edge } },
          el('span', { className: `edge-name${quiet ? ' quiet' : ''}`, testid: 'edge-name', title: step.edgeType }, edgeText(step)),
          el('span', { className: 'leak-edge-type' }, step.edgeType),
          step.repeat ? el('span', { className: 'leak-repeat', testid: 'leak-repeat', title: step.repeatSpan
            ? `These ${step.repeatSpan} steps repeat ${formatCount(step.repeat)} times in a row (a chain: each object keeps the previous one)`
            : `This hop repeats ${formatCount(step.repeat)} times in a row (a linked list)` }, repeatText(step).trim()) : null));
      }
      const last = i === path.length - 1;
      const box = el('button', {
        type: 'button', className: `leak-node${last ? ' target' : ''}${i === 0 ? ' root' : ''}`, testid: 'leak-step',
        dataset: { id: String(step.id) }, title: `Show the retainers of @${step.id}`,
      },
      el('span', { className: 'leak-node-name' }, step.node),
      el('span', { className: 'obj-id' }, `@${step.id}`),
      last ? el('span', { className: 'leak-node-tag' }, 'leaked') : null);
      box.addEventListener('click', () => pick(box, step.id));
      items.push(el('li', { className: 'leak-step' }, box));
    });
    // A long chain shows both ends; the middle opens on demand.
    if (items.length > LONG_PATH * 2) {
      const head = items.slice(0, 12);
      const middle = items.slice(12, -24);
      const tail = items.slice(-24);
      const open = el('button', { type: 'button', className: 'link', onclick: () => gap.replaceWith(...middle) }, `Show ${formatCount(Math.ceil(middle.length / 2))} more steps`);
      const gap = el('li', { className: 'leak-gap' }, open);
      list.append(...head, gap, ...tail);
    } else list.append(...items);
    return list;
  }

  function memberList(group) {
    const tbody = el('tbody');
    const table = el('table', { className: 'leak-members', testid: 'leak-members' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Object'), el('th', { className: 'right' }, 'Shallow'), el('th', { className: 'right' }, 'Retained'))),
      tbody);
    const more = el('button', { type: 'button', className: 'button small', testid: 'members-more' });
    const foot = el('div', { className: 'leak-members-foot' });
    let shown = 0;
    const load = async () => {
      if (disposed) return;
      const ids = group.members.slice(shown, shown + MEMBER_PAGE);
      shown += ids.length;
      more.remove();
      const rows = ids.map((id) => {
        const button = el('button', { type: 'button', className: 'leak-member', testid: 'leak-member', dataset: { id: String(id) } }, el('span', { className: 'obj-id' }, `@${id}`));
        button.addEventListener('click', () => pick(button, id));
        const selfCell = el('td', { className: 'right' });
        const retainedCell = el('td', { className: 'right' });
        tbody.appendChild(el('tr', {}, el('td', {}, button), selfCell, retainedCell));
        return { id, button, selfCell, retainedCell };
      });
      try {
        const found = new Map((await newest.client.nodes(ids)).rows.map((node) => [node.id, node]));
        for (const { id, button, selfCell, retainedCell } of rows) {
          const node = found.get(id);
          if (!node) {
            selfCell.appendChild(el('span', { className: 'error' }, `@${id} is not in this snapshot`));
            continue;
          }
          button.replaceChildren();
          appendObject(button, node);
          // One object is bytes, not kB: "32 B" says more than "0.0 kB".
          for (const [cell, bytes] of [[selfCell, node.selfSize], [retainedCell, node.retainedSize]]) {
            cell.textContent = formatBytes(bytes);
            cell.title = exactBytes(bytes);
          }
        }
      } catch (error) {
        foot.prepend(el('span', { className: 'error' }, error.message));
      }
      const listed = group.members.length;
      const notes = [];
      if (shown < listed) {
        more.textContent = `Show ${formatCount(Math.min(MEMBER_PAGE, listed - shown))} more`;
        notes.push(more);
      }
      notes.push(el('span', { className: 'muted' }, ` ${formatCount(shown)} of ${formatCount(group.count)} shown`
        + (listed < group.count ? ` (the report lists the first ${formatCount(listed)})` : '')));
      foot.replaceChildren(...notes);
    };
    more.addEventListener('click', load);
    load();
    return el('div', {}, el('div', { className: 'leak-members-scroll' }, table), foot);
  }

  return { element, dispose() { disposed = true; } };
}
