// Shared set-up for the browser tests: a static server for www/, headless Chromium,
// snapshots generated into a private temp dir, and the CLI as the reference.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(repo, 'tests', 'e2e', 'artifacts');
const require = createRequire(join(repo, 'tests', 'package.json'));
const { chromium } = require('playwright-core');

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

/** Serves `directory` (default www/) on a free 127.0.0.1 port; resolves to { origin, stop }. */
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

export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
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

/** The CLI's `summary FILE --json` (the reference numbers for the page). */
export function cliSummary(file) {
  const binary = join(repo, 'target', 'debug', 'heaplens');
  const out = existsSync(binary)
    ? execFileSync(binary, ['summary', file, '--json'], { maxBuffer: 1 << 28 })
    : execFileSync('cargo', ['run', '-q', '--', 'summary', file, '--json'], { cwd: repo, maxBuffer: 1 << 28 });
  return JSON.parse(out.toString());
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
