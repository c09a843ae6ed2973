// Numbers oracle for sampling heap profiles: runs today's DevTools code for the
// Memory panel's "Allocation sampling" view (panels/profiler/HeapProfileView.ts:
// SamplingHeapProfileModel, and the BottomUpProfileDataGridTree /
// TopDownProfileDataGridTree the view builds on it) on a .heapprofile, every row
// expanded, and prints the trees as JSON.
//
//   node tests/oracle/devtools-heapprofile.mjs FILE [MIN_ORDINAL MAX_ORDINAL]
//
// The view's code needs a DOM, so it is bundled for the browser with esbuild
// (cached in tests/node_modules/.cache/heaplens-devtools-heapprofile/) and run in
// headless Chromium (/usr/bin/chromium, driven by playwright-core) on a blank
// page; the profile is handed to it as data.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { frontendDir, frontendVersion, generatedLocales, require, testsDir } from './devtools-today.mjs';

const profilerDir = join(frontendDir, 'front_end', 'panels', 'profiler');

/**
 * What the browser bundle cannot have besides the generated locales (see
 * devtools-today.mjs): CSS and image modules (only the view's looks), and Node
 * built-ins (DevTools' host runtime picks the browser one on a page).
 */
const browserStubs = {
  name: 'browser-stubs',
  setup(build) {
    build.onResolve({ filter: /(\.css\.js|Images\.js)$/ }, (args) => ({ path: args.path, namespace: 'empty' }));
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: "export default '';\n", loader: 'js' }));
    build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node' }));
    build.onLoad({ filter: /.*/, namespace: 'node' }, () => ({ contents: 'module.exports = {};\n', loader: 'js' }));
  },
};

/** Bundles the view's model and grid trees once per package version. */
async function bundle() {
  const cacheDir = join(testsDir, 'node_modules', '.cache', 'heaplens-devtools-heapprofile');
  const file = join(cacheDir, `heap-profile-view-${frontendVersion}.mjs`);
  if (!existsSync(file)) {
    const esbuild = require('esbuild');
    const result = await esbuild.build({
      stdin: {
        contents:
          "import * as i18n from '../../core/i18n/i18n.js';\n" +
          "import {SamplingHeapProfileModel} from './HeapProfileView.js';\n" +
          "import {BottomUpProfileDataGridTree} from './BottomUpProfileDataGrid.js';\n" +
          "import {TopDownProfileDataGridTree} from './TopDownProfileDataGrid.js';\n" +
          // DevTools' main entry point sets the locale up; the view's strings need it.
          "i18n.DevToolsLocale.DevToolsLocale.instance({create: true, data: {navigatorLanguage: 'en-US', " +
          "settingLanguage: 'en-US', lookupClosestDevToolsLocale: () => 'en-US'}});\n" +
          "i18n.i18n.registerLocaleDataForTest('en-US', {});\n" +
          'window.heapProfileView = {SamplingHeapProfileModel, BottomUpProfileDataGridTree, TopDownProfileDataGridTree};\n',
        resolveDir: profilerDir,
        sourcefile: 'heaplens-oracle-entry.js',
        loader: 'js',
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'chrome120',
      write: false,
      logLevel: 'error',
      plugins: [generatedLocales, browserStubs],
    });
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(file, result.outputFiles[0].text);
  }
  return readFileSync(file, 'utf8');
}

/** The two trees and the total of `profile`, as DevTools' view has them. */
function inPage({ profile, range }) {
  const { SamplingHeapProfileModel, BottomUpProfileDataGridTree, TopDownProfileDataGridTree } =
    window.heapProfileView;
  const model = range ?
    new SamplingHeapProfileModel(profile, range[0], range[1]) :
    new SamplingHeapProfileModel(profile);
  const formatter = { formatValue: String, formatValueAccessibleText: String, formatPercent: String };
  const dump = (entry) => {
    entry.populate();
    const frame = entry.profileNode.callFrame;
    return {
      functionName: entry.functionName,
      url: entry.url,
      scriptId: String(frame.scriptId),
      line: frame.lineNumber < 0 ? 0 : frame.lineNumber + 1,
      column: frame.columnNumber < 0 ? 0 : frame.columnNumber + 1,
      selfSize: entry.self,
      totalSize: entry.total,
      children: entry.children.map(dump),
    };
  };
  const bottomUp = new BottomUpProfileDataGridTree(formatter, {}, model.root, model.total);
  const topDown = new TopDownProfileDataGridTree(formatter, {}, model.root, model.total);
  return { total: model.total, bottomUp: bottomUp.children.map(dump), topDown: topDown.children.map(dump) };
}

async function main([file, min, max, ...rest]) {
  if (!file || rest.length || (min === undefined) !== (max === undefined)) {
    process.stderr.write('usage: node tests/oracle/devtools-heapprofile.mjs FILE [MIN_ORDINAL MAX_ORDINAL]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const code = await bundle();
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: code, type: 'module' });
    await page.waitForFunction(() => window.heapProfileView, null, { timeout: 20000 });
    const range = min === undefined ? null : [Number(min), Number(max)];
    const out = await page.evaluate(inPage, { profile, range });
    const text = JSON.stringify({ devtools: frontendVersion, ...out }, null, 1) + '\n';
    await new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write((e && e.stack) || String(e));
    process.stderr.write('\n');
    process.exit(1);
  });
}
