#!/usr/bin/env node
// Builds heaplens.html: the whole page in one file that works when opened from disk
// (file://), with no bundler — plain string assembly:
//   - style.css goes into a <style> element;
//   - app.js and every module it imports become one inline module script: each module
//     is wrapped in a function whose `import { a } from './x.js'` lines read the wrapped
//     module's returned exports, in dependency order;
//   - the worker (the wasm-bindgen glue with its `export`s stripped, then worker.js) and
//     the wasm module (base64) sit in two non-executed <script> elements; the page turns
//     them into one Blob URL, since a file:// page cannot start a worker from a file;
//   - a Content-Security-Policy allows only that inline script (by its sha256), wasm
//     compilation, Blob URL workers and no connection to anything.
// Usage: node scripts/build-single-file.mjs [WWW_DIR] [OUT_FILE]
//        (defaults: www, dist/heaplens.html)

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const www = resolve(process.argv[2] ?? join(repo, 'www'));
const out = resolve(process.argv[3] ?? join(repo, 'dist', 'heaplens.html'));

function fail(message) {
  console.error(`[single-file] ${message}`);
  process.exit(1);
}

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    fail(`cannot read ${relative(repo, path)}: ${error.message}${path.includes('pkg') ? ' (run scripts/build.sh first)' : ''}`);
  }
}

/** Replaces exactly one occurrence, so a change in the page's markup stops the build instead of breaking the file. */
function replaceOnce(text, pattern, replacement, what) {
  const matches = text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`));
  if (!matches || matches.length !== 1) fail(`expected one ${what} in index.html, found ${matches?.length ?? 0}`);
  return text.replace(pattern, () => replacement);
}

/** Text going inside a <script> or <style> element must not end it early. */
function inert(text, tag, what) {
  if (text.includes('<!--')) fail(`${what} contains "<!--", which HTML would misread inside <${tag}>`);
  return text.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`);
}

// ---------------------------------------------------------------- the app's modules

const IMPORT = /^import\s*(?:\{([^}]*)\}|\*\s*as\s+([\w$]+)|([\w$]+))\s*from\s*['"]([^'"]+)['"];?[ \t]*$/gm;
const EXPORT_DECLARATION = /^export\s+(?:(async\s+)?function\s*\*?\s*([\w$]+)|class\s+([\w$]+)|(?:const|let|var)\s+([\w$]+))/gm;
const EXPORT_LIST = /^export\s*\{([^}]*)\};?[ \t]*$/gm;

const modules = new Map(); // absolute path -> { name, code }
const order = [];

/** Wraps one module (after its dependencies) as `const name = (() => { …; return { exports }; })();`. */
function addModule(path, trail = []) {
  if (modules.has(path)) {
    if (!order.includes(path)) fail(`circular import: ${[...trail, path].map((p) => relative(www, p)).join(' -> ')}`);
    return modules.get(path).name;
  }
  const entry = { name: `heaplens$${modules.size}`, code: '' };
  modules.set(path, entry);
  let code = read(path);
  code = code.replace(IMPORT, (_, named, namespace, single, specifier) => {
    if (!specifier.startsWith('.')) fail(`${relative(www, path)} imports "${specifier}": only relative imports can be inlined`);
    const dependency = addModule(resolve(dirname(path), specifier), [...trail, path]);
    if (namespace) return `const ${namespace} = ${dependency};`;
    if (single) return `const ${single} = ${dependency}.default;`;
    const bindings = named.split(',').map((s) => s.trim()).filter(Boolean)
      .map((s) => s.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, '$1: $2'));
    return `const { ${bindings.join(', ')} } = ${dependency};`;
  });
  const exported = [];
  code = code.replace(EXPORT_DECLARATION, (match, async, fn, cls, variable) => {
    exported.push(fn ?? cls ?? variable);
    return match.replace(/^export\s+/, '');
  });
  code = code.replace(EXPORT_LIST, (_, list) => {
    for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [local, as = local] = item.split(/\s+as\s+/);
      exported.push(as === local ? local : `${as}: ${local}`);
    }
    return '';
  });
  const leftover = /^(import(\s+[\w{*'"]|\s*[{*'"])|export\b)/m.exec(code);
  if (leftover) fail(`${relative(www, path)}: cannot inline this import/export form: ${code.slice(leftover.index, leftover.index + 80).split('\n')[0]}`);
  entry.code = `// ---- ${relative(www, path)}\nconst ${entry.name} = (() => {\n${code}\nreturn { ${exported.join(', ')} };\n})();\n`;
  order.push(path);
  return entry.name;
}

const app = addModule(join(www, 'app.js'));
const bootstrap = `
// ---- start: workers come from one Blob URL holding the worker and the wasm module
{
  const { createApp } = ${app};
  const text = (id) => document.getElementById(id).textContent;
  const workerUrl = URL.createObjectURL(new Blob(
    ['self.heaplensWasmBase64 = "', text('heaplens-wasm').trim(), '";\\n', text('heaplens-worker')],
    { type: 'text/javascript' }));
  createApp(document, { deepLinks: true, createWorker: () => new Worker(workerUrl, { name: 'heaplens' }) });
}
`;
const moduleScript = inert(`\n${order.map((p) => modules.get(p).code).join('\n')}${bootstrap}`, 'script', 'the page script');

// ---------------------------------------------------------------- the worker

let glue = read(join(www, 'pkg', 'heaplens.js'));
const glueExports = [];
glue = glue.replace(/^export\s+(?:(?:async\s+)?function|class)\s+([\w$]+)/gm, (match, name) => {
  glueExports.push(name);
  return match.replace(/^export\s+/, '');
});
glue = replaceOnce(glue, /^export\s*\{\s*initSync\s*,\s*__wbg_init\s+as\s+default\s*\};?[ \t]*$/m, '', 'wasm-bindgen export list');
// The default wasm path (import.meta.url) is never used here (initSync gets the bytes), but
// import.meta is not valid in a classic worker script.
glue = glue.replace(/import\.meta\.url/g, 'self.location.href');
if (/^(import(\s+[\w{*'"]|\s*[{*'"])|export\b)/m.test(glue)) fail('www/pkg/heaplens.js has an import or export this builder does not know');
for (const name of ['SnapshotLoader', 'HeapSnapshot', 'warmUp']) {
  if (!glueExports.includes(name)) fail(`www/pkg/heaplens.js does not export ${name}`);
}

const workerScript = inert(`
// The wasm-bindgen glue, its exports stripped, inside a function so its names stay its own.
self.heaplensInlineAnalyzer = () => {
  const wasm = (() => {
${glue}
return { initSync, ${glueExports.join(', ')} };
  })();
  const binary = atob(self.heaplensWasmBase64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const exports = wasm.initSync({ module: bytes });
  return { wasm, memory: exports.memory ?? null };
};

// ---- worker.js
${read(join(www, 'worker.js'))}`, 'script', 'the worker script');

const wasmBase64 = readFileSync(join(www, 'pkg', 'heaplens_bg.wasm')).toString('base64');

// ---------------------------------------------------------------- the page

const styles = inert(read(join(www, 'style.css')), 'style', 'style.css');
const hash = createHash('sha256').update(moduleScript, 'utf8').digest('base64');
const csp = [
  "default-src 'none'",
  `script-src 'sha256-${hash}' 'wasm-unsafe-eval'`,
  'worker-src blob:',
  "style-src 'unsafe-inline'",
  'img-src data: blob:',
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

let html = read(join(www, 'index.html'));
html = replaceOnce(html, /<meta http-equiv="Content-Security-Policy" content="[^"]*">/, `<meta http-equiv="Content-Security-Policy" content="${csp}">`, 'CSP meta');
html = replaceOnce(html, /[ \t]*<link rel="stylesheet" href="style\.css">\n?/, `  <style>\n${styles}</style>\n`, 'stylesheet link');
html = replaceOnce(html, /[ \t]*<script type="module" src="main\.js"><\/script>\n?/, '', 'main.js script');
// The demo lives next to the hosted page; a file on disk has nothing next to it to fetch.
html = replaceOnce(html, /[ \t]*<button[^>]*id="demo-button"[^>]*>[^<]*<\/button>\n?/, '', 'demo button');
html = replaceOnce(html, /<\/body>/, `<script type="text/x-heaplens-worker" id="heaplens-worker">${workerScript}</script>
<script type="application/x-heaplens-wasm-base64" id="heaplens-wasm">
${wasmBase64}
</script>
<script type="module">${moduleScript}</script>
</body>`, '</body>');
html = html.replace('<title>heaplens', '<!-- Built by scripts/build-single-file.mjs: everything inlined, works from file://. -->\n  <title>heaplens');

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, html);
console.error(`[single-file] ${out}: ${(html.length / 1e6).toFixed(2)} MB, ${order.length} modules, wasm ${(wasmBase64.length / 1e6).toFixed(2)} MB as base64`);
