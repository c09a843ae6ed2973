//! What a drop or the folder picker brings: folders are read through, so a folder
//! `heaplens record` wrote (1.heapsnapshot … N.heapsnapshot, *.heapprofile, heap-usage.json,
//! record.json) opens at once, its snapshots in capture order and its heap-usage log in
//! the Growth view.

/** What a folder gives: its snapshots and heap-usage logs. */
const FROM_FOLDER = /(\.heapsnapshot(\.gz)?|\.heapprofile|^heap-usage[^/]*\.(json|txt|log))$/i;
/** Entries read from one folder: a bound, so a drop of a huge tree cannot hang the tab. */
const MOST_ENTRIES = 10000;

/**
 * The entries of a drop, read while its event is dispatched (the browser forgets them
 * afterwards); null when nothing dropped is a folder, so the plain file list serves.
 */
export function droppedFolders(dataTransfer) {
  const entries = [...(dataTransfer?.items ?? [])]
    .map((item) => item.webkitGetAsEntry?.())
    .filter(Boolean);
  return entries.some((entry) => entry.isDirectory) ? entries : null;
}

const fileOf = (entry) => new Promise((resolve, reject) => entry.file(resolve, reject));

/** The files of dropped entries: files as they are, each folder's own files (not its subfolders'). */
export async function filesOf(entries) {
  const files = [];
  for (const entry of entries) {
    if (entry.isFile) {
      files.push(await fileOf(entry));
      continue;
    }
    const reader = entry.createReader();
    const found = [];
    // readEntries answers in batches until it answers none.
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length || found.length >= MOST_ENTRIES) break;
      found.push(...batch);
    }
    const children = [];
    for (const child of found) if (child.isFile) children.push(await fileOf(child));
    files.push(...fromFolder(children));
  }
  return inCaptureOrder(files);
}

/**
 * The files of a folder worth opening, in capture order: its snapshots and heap-usage
 * logs, not its other files (record.json) nor those of its subfolders (a picked folder
 * lists them all, with a webkitRelativePath).
 */
export function fromFolder(files) {
  const top = (file) => (file.webkitRelativePath || file.name).split('/').length <= 2;
  return inCaptureOrder(files.filter((file) => top(file) && FROM_FOLDER.test(file.name)));
}

/** The number a name starts with (record writes 1.heapsnapshot, 2.…), else none. */
const leadingNumber = (name) => {
  const digits = /^\d+/.exec(name);
  return digits ? Number(digits[0]) : Infinity;
};

/**
 * Files in capture order: by the number their names start with (10 after 9, unlike a
 * name sort), then by name.
 */
export function inCaptureOrder(files) {
  return [...files].sort((a, b) => leadingNumber(a.name) - leadingNumber(b.name)
    || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
