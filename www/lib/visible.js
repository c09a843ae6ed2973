//! Snapshot text made visible: what would reorder or hide text is written as an escape,
//! the convention of the CLI's terminal-safe output (src/bin/heaplens.rs): C0 and C1
//! controls and DEL (`\x1b`, `\n`), and the Unicode format characters that reorder or
//! hide text (bidi embeddings, overrides and isolates such as `\u202e`, U+061C, U+200E
//! and U+200F, zero-width characters, line and paragraph separators). Names come from
//! the snapshotted program: shown raw, `\u202emoc.elgoog//:sptth` reads as a URL.
//! Isolation (`unicode-bidi: isolate`, style.css) keeps right-to-left text from
//! reordering its surroundings; this keeps the controls themselves from acting.

// The same set as terminal_safe in src/bin/heaplens.rs.
// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const SHORT = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(c) {
  const code = c.charCodeAt(0);
  return SHORT[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** `text` with every control or bidi/format character written as `\xNN` or `\uNNNN`. */
export function visible(text) {
  const s = String(text);
  HIDDEN.lastIndex = 0;
  return HIDDEN.test(s) ? s.replace(HIDDEN, escape) : s;
}
