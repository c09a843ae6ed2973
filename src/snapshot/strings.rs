//! The snapshot's string table: one byte arena plus end offsets.
//!
//! A snapshot holds millions of strings; keeping them as one `Vec<u8>` and a
//! `Vec<usize>` of ends avoids an allocation per string.

/// Index of a string in the table (the `strings` array position in the file).
pub type StringIndex = u32;

/// Longest string, in characters, that leaves heaplens whole (class names,
/// display names, edge names): a snapshot's strings are the snapshotted
/// program's data, and one of them can be hundreds of megabytes.
pub const NAME_LIMIT: usize = 1000;

/// `text` as it leaves the core: whole, or cut after [`NAME_LIMIT`]
/// characters with `…` appended; then also its full length in characters.
/// A cut costs at most [`NAME_LIMIT`] characters of copying.
pub fn bounded(text: &str) -> (std::borrow::Cow<'_, str>, Option<usize>) {
    match text.char_indices().nth(NAME_LIMIT) {
        None => (text.into(), None),
        Some((cut, _)) => (
            format!("{}\u{2026}", &text[..cut]).into(),
            Some(NAME_LIMIT + text[cut..].chars().count()),
        ),
    }
}

/// `text` with what a terminal or a page would act on written as escapes: C0 and C1
/// controls and DEL (`\x1b`, `\r`, `\n`, `\t`), and the Unicode format
/// characters that reorder or hide text (bidi overrides and isolates such as
/// `\u202e`, zero-width characters, line and paragraph separators). Strings
/// in a snapshot are the snapshotted program's data: shown raw they could
/// set the terminal title, erase lines, forge log lines or read backwards.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{061c}'
                    | '\u{180e}'
                    | '\u{200b}'..='\u{200f}'
                    | '\u{2028}'..='\u{202e}'
                    | '\u{2060}'..='\u{206f}'
                    | '\u{feff}'
                    | '\u{fff9}'..='\u{fffb}'
            )
    };
    if !text.contains(unsafe_char) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ if !unsafe_char(c) => out.push(c),
            _ if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            _ => out.push_str(&format!("\\u{:04x}", c as u32)),
        }
    }
    out.into()
}

/// All strings of a snapshot, UTF-8, in file order, plus any added later
/// (class names such as `(system)` or inferred `{a, b}` interfaces).
#[derive(Debug, Default)]
pub struct Strings {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Strings {
    /// Number of strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there is no string at all.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The string at `index`; empty when out of range (indexes are validated
    /// when the file is parsed, so this only guards against misuse).
    pub fn get(&self, index: StringIndex) -> &str {
        let i = index as usize;
        if i >= self.ends.len() {
            return "";
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let bytes = &self.bytes[start..self.ends[i]];
        // SAFETY: every string is checked to be UTF-8 when it is closed
        // (`close_checked`) or comes from a `&str` (`push`); this is the
        // hottest call in the analyses, so it is not checked again.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    /// Appends a string and returns its index.
    pub fn push(&mut self, s: &str) -> StringIndex {
        self.bytes.extend_from_slice(s.as_bytes());
        self.close_string()
    }

    /// Bytes of the string being written (the parser appends raw bytes).
    pub(crate) fn open_bytes(&mut self) -> &mut Vec<u8> {
        &mut self.bytes
    }

    fn open_start(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Ends the string being written, if it is UTF-8, and returns its index.
    pub(crate) fn close_checked(&mut self) -> Option<StringIndex> {
        std::str::from_utf8(&self.bytes[self.open_start()..]).ok()?;
        Some(self.close_string())
    }

    fn close_string(&mut self) -> StringIndex {
        self.ends.push(self.bytes.len());
        (self.ends.len() - 1) as StringIndex
    }

    /// Every string containing `needle`, in table order: one scan of the
    /// arena, not one search per string.
    pub fn containing(&self, needle: &str) -> Vec<StringIndex> {
        let mut found = Vec::new();
        // SAFETY: the arena is a concatenation of UTF-8 strings (see `get`).
        let hay = unsafe { std::str::from_utf8_unchecked(&self.bytes[..self.open_start()]) };
        let mut from = 0;
        while let Some(at) = hay.get(from..).and_then(|rest| rest.find(needle)) {
            let at = from + at;
            let i = self.ends.partition_point(|&end| end <= at);
            let Some(&end) = self.ends.get(i) else { break };
            if at + needle.len() <= end {
                found.push(i as StringIndex);
                from = end;
            } else {
                // A hit across two strings: look again one character on.
                from = (at + 1..=hay.len())
                    .find(|&b| hay.is_char_boundary(b))
                    .unwrap_or(hay.len());
            }
        }
        found
    }

    /// Bytes used by the arena and its offsets.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * std::mem::size_of::<usize>()
    }

    /// Makes room for `bytes` more bytes of strings at once, if the memory
    /// is there (else the arena grows as it goes).
    pub(crate) fn reserve(&mut self, bytes: usize) {
        let _ = self.bytes.try_reserve_exact(bytes);
    }

    /// Releases spare capacity once parsing is done.
    pub(crate) fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}
