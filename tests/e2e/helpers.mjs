// Shared set-up for the browser tests (and scripts/bench-browser.mjs): a static server
// for www/, headless Chromium, snapshots generated into a private temp dir, and the CLI
// as the reference.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, mkdirSync, copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(repo, 'tests', 'e2e', 'artifacts');
const require = createRequire(join(repo, 'tests', 'package.json'));

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Serves `directory` (default www/) on a free 127.0.0.1 port; resolves to { origin, pid, stop }. */
export async function startServer(directory = join(repo, 'www')) {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', directory, String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  // Never outlive the test process, even when a test crashes before stop().
  process.once('exit', () => child.kill('SIGTERM'));
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${origin}/`);
      if (res.ok) {
        await res.arrayBuffer();
        return {
          origin,
          pid: child.pid,
          stop: () => new Promise((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
        };
      }
    } catch { /* not up yet */ }
    if (child.exitCode !== null) throw new Error(`http.server exited: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`http.server did not start on ${origin}: ${log}`);
}

/** Playwright's Chromium driver, loaded on first use so that importing this file needs no tests/node_modules. */
export function chromium() {
  try {
    return require('playwright-core').chromium;
  } catch {
    throw new Error('tests/node_modules/playwright-core is missing: run scripts/setup.sh --test');
  }
}

/** Headless Chromium; `options` go to Playwright's launch() (e.g. `env`). */
export function launchBrowser(options = {}) {
  return chromium().launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, ...options });
}

/** A private temp dir (Chromium and the fixture programs write there); remove() deletes it. */
export function makeTempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'heaplens-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a fixture program; returns the snapshot paths in capture order. */
export function generateSnapshots(program, outDir, count) {
  execFileSync(process.execPath, ['--expose-gc', join(repo, 'tests', 'fixtures', 'programs', program), outDir, String(count)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return Array.from({ length: count }, (_, i) => join(outDir, `${i + 1}.heapsnapshot`));
}

/**
 * Snapshots of tests/fixtures/browser/PAGE taken in headless Chromium after each round
 * (take-snapshots.mjs), copied into `dir` under `names` (one snapshot per name, in
 * capture order, so the page lists them by those names); returns their paths.
 */
export function chromiumSnapshots(dir, page, names) {
  const out = join(dir, `${page}-rounds`);
  execFileSync(process.execPath, [join(repo, 'tests', 'fixtures', 'browser', 'take-snapshots.mjs'), out, String(names.length), page], { stdio: 'ignore' });
  return names.map((name, i) => {
    const file = join(dir, name);
    copyFileSync(join(out, `${i + 1}.heapsnapshot`), file);
    return file;
  });
}

/** The CLI's `COMMAND FILE… --json`, e.g. cliJson('summary', file) (the reference numbers for the page). */
export function cliJson(command, ...files) {
  return cliJsonOf('debug', command, files);
}

/** cliJson from the release build, for files of gigabytes (cargo builds it first when it is missing). */
export function releaseCliJson(command, ...files) {
  return cliJsonOf('release', command, files);
}

function cliJsonOf(profile, command, files) {
  const args = [command, ...files, '--json'];
  const binary = join(repo, 'target', profile, 'heaplens');
  const cargo = ['run', '-q', ...(profile === 'release' ? ['--release'] : []), '--', ...args];
  const out = existsSync(binary)
    ? execFileSync(binary, args, { maxBuffer: 1 << 28 })
    : execFileSync('cargo', cargo, { cwd: repo, maxBuffer: 1 << 28 });
  return JSON.parse(out.toString());
}

/**
 * Peak resident memory (VmHWM, bytes) of the largest renderer process started by this
 * test process's browser (the tab and its workers live in one), or 0 when not on Linux.
 */
export function rendererPeak() {
  const root = process.pid;
  const read = (pid, file) => { try { return readFileSync(`/proc/${pid}/${file}`, 'latin1'); } catch { return ''; } };
  const parent = (pid) => Number(/PPid:\s+(\d+)/.exec(read(pid, 'status'))?.[1] ?? 0);
  const ours = (pid) => { for (let p = pid; p > 1; p = parent(p)) if (p === root) return true; return false; };
  let peak = 0;
  for (const pid of existsSync('/proc') ? readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number) : []) {
    if (!read(pid, 'cmdline').includes('--type=renderer') || !ours(pid)) continue;
    peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(read(pid, 'status'))?.[1] ?? 0) * 1024);
  }
  return peak;
}

/**
 * The set-up of a browser suite, for before(): a private temp dir, a static server and
 * Chromium. `programs` maps a name to [fixture program, count]: its snapshots are copied
 * into the temp dir under the names the page shows, NAME-1.heapsnapshot… (NAME.heapsnapshot
 * when count is 1), and listed in capture order in `snapshots[NAME]`. `site(dir)` may build
 * the folder to serve inside the temp dir and return it (default: www/).
 * Resolves to { dir, snapshots, browser, origin, openPage(), teardown() }; teardown() is
 * for after(). A set-up that fails undoes what it did before rethrowing.
 */
export async function setUpBrowserSuite({ programs = {}, site } = {}) {
  const tmp = makeTempDir();
  let server = null;
  const suite = {
    dir: tmp.dir,
    snapshots: {},
    browser: null,
    origin: null,
    openPage: () => openPage(suite.browser, suite.origin),
    async teardown() {
      await suite.browser?.close();
      await server?.stop();
      tmp.remove();
    },
  };
  try {
    for (const [name, [program, count]] of Object.entries(programs)) {
      suite.snapshots[name] = generateSnapshots(program, join(tmp.dir, name), count).map((file, i) => {
        const named = join(tmp.dir, count === 1 ? `${name}.heapsnapshot` : `${name}-${i + 1}.heapsnapshot`);
        copyFileSync(file, named);
        return named;
      });
    }
    server = await startServer(site?.(tmp.dir));
    suite.origin = server.origin;
    suite.browser = await launchBrowser();
    return suite;
  } catch (error) {
    await suite.teardown();
    throw error;
  }
}

/**
 * Opens the page with a fresh context. Records every request URL (page and workers)
 * and every dialog, and refuses requests to any other origin.
 */
export async function openPage(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const requests = [];
  const dialogs = [];
  const errors = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    if (url.startsWith(`${origin}/`)) route.continue();
    else route.abort();
  });
  context.on('request', (req) => requests.push(req.url()));
  const page = await context.newPage();
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/index.html`);
  return { context, page, requests, dialogs, errors };
}

/** Picks files with the file input and waits until each has finished loading (ready or error). */
export async function loadFiles(page, files, { timeout = 120000 } = {}) {
  const before = await page.locator('[data-testid="snapshot-item"]').count();
  await page.locator('[data-testid="file-input"]').setInputFiles(files);
  await page.waitForFunction((n) => {
    const items = [...document.querySelectorAll('[data-testid="snapshot-item"]')];
    return items.length >= n && items.every((i) => i.dataset.status !== 'loading');
  }, before + files.length, { timeout });
}

/** Waits until a table (by data-testid) has no page in flight and shows at least one row. */
export async function settled(page, testid) {
  await page.waitForFunction((id) => {
    const table = document.querySelector(`[data-testid="${id}"]`);
    return table && !table.dataset.busy && table.querySelector('[data-testid="row"]');
  }, testid);
}

export function item(page, name) {
  return page.locator(`[data-testid="snapshot-item"][data-name="${name}"]`);
}

export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

/** Parses "1,234 bytes" (a size cell's tooltip) into a number. */
export function bytesOf(title) {
  return Number(String(title).replace(/[^0-9-]/g, ''));
}
