//! The `strings` array: each JSON string unescaped (`\uXXXX` and
//! surrogate pairs included) into the one byte arena of [`Strings`].
//!
//! [`Strings`]: crate::snapshot::Strings

use super::{is_space, show, Parser, State};
use crate::error::{Error, Result};

/// State of the `strings` array reader.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct StringState {
    in_string: bool,
    /// A separator is needed before the next string.
    need_comma: bool,
    escape: bool,
    /// Hex digits still expected after `\u` (0 when not in one).
    hex_left: u8,
    hex_value: u32,
    /// A high surrogate waiting for its low half.
    high_surrogate: u32,
}

impl Parser {
    /// Reads `strings` bytes from `chunk[i..]` until the array closes or the
    /// chunk ends; returns where it stopped. Long because it is the
    /// per-byte loop of the string table, with its fast path for plain runs.
    pub(super) fn strings_body(&mut self, chunk: &[u8], mut i: usize) -> Result<usize> {
        let base = self.offset;
        let fail = |i: usize, what: &str| -> Error {
            Error::new(format!("byte {}: in \"strings\": {what}", base + i as u64))
        };
        while i < chunk.len() {
            let s = &mut self.string;
            if !s.in_string {
                let b = chunk[i];
                match b {
                    b'"' if !s.need_comma => {
                        s.in_string = true;
                        s.need_comma = true;
                    }
                    b',' if s.need_comma => s.need_comma = false,
                    b']' if s.need_comma || self.strings.is_empty() => {
                        self.state = State::AfterValue;
                        return Ok(i + 1);
                    }
                    _ if is_space(b) => {}
                    _ => {
                        return Err(fail(
                            i,
                            &format!(
                                "expected a string, ',' or ']' after string {} but found {}",
                                self.strings.len(),
                                show(b)
                            ),
                        ))
                    }
                }
                i += 1;
                continue;
            }
            if s.hex_left > 0 || s.escape {
                let b = chunk[i];
                i += 1;
                let index = self.strings.len();
                self.escape_byte(b).map_err(|what| {
                    fail(
                        i - 1,
                        &format!("string {index} has an invalid escape: {what}"),
                    )
                })?;
                continue;
            }
            // Fast path: copy plain bytes up to the next quote, backslash or
            // control character.
            let rest = &chunk[i..];
            let stop = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            if self.string.high_surrogate != 0 && stop > 0 {
                self.flush_lone_surrogate();
            }
            self.strings.open_bytes().extend_from_slice(&rest[..stop]);
            i += stop;
            if i == chunk.len() {
                break;
            }
            match chunk[i] {
                b'"' => {
                    if self.string.high_surrogate != 0 {
                        self.flush_lone_surrogate();
                    }
                    let index = self.strings.len();
                    if self.strings.close_checked().is_none() {
                        return Err(fail(i, &format!("string {index} is not valid UTF-8")));
                    }
                    self.string.in_string = false;
                }
                b'\\' => self.string.escape = true,
                _ => {
                    let index = self.strings.len();
                    return Err(fail(
                        i,
                        &format!("string {index} has a raw control character (must be escaped)"),
                    ));
                }
            }
            i += 1;
        }
        Ok(i)
    }

    /// Handles one byte after a backslash or inside `\uXXXX`.
    fn escape_byte(&mut self, b: u8) -> std::result::Result<(), String> {
        if self.string.escape {
            self.string.escape = false;
            let out = match b {
                b'"' => b'"',
                b'\\' => b'\\',
                b'/' => b'/',
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'u' => {
                    self.string.hex_left = 4;
                    self.string.hex_value = 0;
                    return Ok(());
                }
                _ => return Err(format!("\\{}", b as char)),
            };
            if self.string.high_surrogate != 0 {
                self.flush_lone_surrogate();
            }
            self.strings.open_bytes().push(out);
            return Ok(());
        }
        let digit = (b as char)
            .to_digit(16)
            .ok_or_else(|| format!("\\u with non-hex digit {}", show(b)))?;
        self.string.hex_value = self.string.hex_value * 16 + digit;
        self.string.hex_left -= 1;
        if self.string.hex_left == 0 {
            let unit = self.string.hex_value;
            let high = std::mem::take(&mut self.string.high_surrogate);
            let code = if (0xDC00..0xE000).contains(&unit) && high != 0 {
                0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
            } else {
                if high != 0 {
                    self.push_char(char::REPLACEMENT_CHARACTER);
                }
                if (0xD800..0xDC00).contains(&unit) {
                    self.string.high_surrogate = unit;
                    return Ok(());
                }
                unit
            };
            // Lone low surrogates become U+FFFD, as they cannot be UTF-8.
            self.push_char(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        Ok(())
    }

    fn flush_lone_surrogate(&mut self) {
        self.string.high_surrogate = 0;
        self.push_char(char::REPLACEMENT_CHARACTER);
    }

    fn push_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.strings
            .open_bytes()
            .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}
