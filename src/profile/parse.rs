//! Reads a `.heapprofile` (V8's `SamplingHeapProfile` as JSON) into the
//! columns of [`HeapProfile`], without recursion: the call tree nests one
//! object and one array per frame, deeper than a recursive JSON parser
//! should go on untrusted input, so the walk keeps its own stack.

use super::{CallFrame, HeapProfile, Sample, NO_PARENT};
use crate::bail;
use crate::error::{Error, Result};

/// One JSON token; strings and numbers as their raw bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Token<'a> {
    Open(u8),
    Close(u8),
    String(&'a [u8]),
    Scalar(&'a [u8]),
    End,
}

/// Splits the text into tokens; `,` and `:` are separators only.
struct Lexer<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Result<Token<'a>> {
        let text = self.text;
        while self.at < text.len()
            && matches!(text[self.at], b' ' | b'\n' | b'\r' | b'\t' | b',' | b':')
        {
            self.at += 1;
        }
        let Some(&b) = text.get(self.at) else {
            return Ok(Token::End);
        };
        let start = self.at;
        self.at += 1;
        match b {
            b'{' | b'[' => Ok(Token::Open(b)),
            b'}' | b']' => Ok(Token::Close(b)),
            b'"' => {
                let mut escaped = false;
                while let Some(&c) = text.get(self.at) {
                    self.at += 1;
                    match c {
                        b'\\' if !escaped => escaped = true,
                        b'"' if !escaped => return Ok(Token::String(&text[start..self.at])),
                        _ => escaped = false,
                    }
                }
                bail!("byte {start}: a string that never ends: the profile is truncated")
            }
            _ => {
                while text.get(self.at).is_some_and(|c| {
                    !matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' | b':')
                }) {
                    self.at += 1;
                }
                Ok(Token::Scalar(&text[start..self.at]))
            }
        }
    }

    /// Passes over the rest of a container whose opening token was read.
    fn skip_container(&mut self) -> Result<()> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Token::Open(_) => depth += 1,
                Token::Close(_) => depth -= 1,
                Token::End => bail!("the profile ends inside a value: it is truncated"),
                _ => {}
            }
        }
        Ok(())
    }
}

/// What the walk is inside of.
#[derive(Debug, Clone, Copy)]
enum Within {
    Top,
    /// A call-tree node (its row).
    Node(u32),
    CallFrame(u32),
    /// The `children` array of a node.
    Children(u32),
    Samples,
    Sample,
}

fn number(raw: &[u8]) -> Result<f64> {
    std::str::from_utf8(raw)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            Error::new(format!(
                "{:?} is not a number where the profile needs one",
                String::from_utf8_lossy(raw)
            ))
        })
}

fn string(raw: &[u8]) -> Result<String> {
    serde_json::from_slice(raw)
        .map_err(|e| Error::new(format!("a string in the profile is not valid JSON: {e}")))
}

/// A whole number field (sizes, ids, ordinals): negative or fractional
/// values are refused.
fn whole(raw: &[u8]) -> Result<u64> {
    let v = number(raw)?;
    if v < 0.0 || v.fract() != 0.0 || v > u64::MAX as f64 {
        bail!("{v} is not a whole number where the profile needs one");
    }
    Ok(v as u64)
}

impl HeapProfile {
    /// Parses the text of a `.heapprofile`.
    pub fn parse(text: &[u8]) -> Result<HeapProfile> {
        let mut lexer = Lexer { text, at: 0 };
        let start = lexer.next()?;
        if start != Token::Open(b'{') {
            bail!("a .heapprofile is a JSON object; this file does not start with '{{'");
        }
        let mut p = HeapProfile::default();
        let mut stack = vec![Within::Top];
        let mut have_head = false;
        while let Some(&within) = stack.last() {
            let token = lexer.next()?;
            match (within, token) {
                (_, Token::End) => bail!("the profile ends early: it is truncated"),
                (_, Token::Close(_)) => {
                    stack.pop();
                }
                (Within::Children(parent), Token::Open(b'{')) => {
                    stack.push(Within::Node(p.new_node(parent)));
                }
                (Within::Samples, Token::Open(b'{')) => {
                    p.samples.push(Sample::default());
                    stack.push(Within::Sample);
                }
                (Within::Children(_) | Within::Samples, Token::Open(_)) => {
                    lexer.skip_container()?
                }
                (Within::Children(_) | Within::Samples, _) => {}
                (_, Token::String(key)) => {
                    let value = lexer.next()?;
                    if let Some(inner) = p.field(within, key, value, &mut have_head)? {
                        stack.push(inner);
                    } else if let Token::Open(_) = value {
                        lexer.skip_container()?;
                    }
                }
                (_, token) => bail!("unexpected {token:?} where the profile has a key"),
            }
        }
        if !have_head {
            bail!("the file has no \"head\": it is not a sampling heap profile (.heapprofile)");
        }
        Ok(p)
    }

    fn new_node(&mut self, parent: u32) -> u32 {
        let n = &mut self.nodes;
        n.id.push(0);
        n.frame.push(CallFrame::default());
        n.self_size.push(0);
        n.parent.push(parent);
        (n.id.len() - 1) as u32
    }

    /// Stores `key: value` of the object `within`; returns the context to
    /// enter when the value is a container the walk reads.
    fn field(
        &mut self,
        within: Within,
        key: &[u8],
        value: Token,
        have_head: &mut bool,
    ) -> Result<Option<Within>> {
        let scalar = match value {
            Token::String(raw) | Token::Scalar(raw) => raw,
            Token::Open(kind) => {
                return Ok(match (within, key, kind) {
                    (Within::Top, b"\"head\"", b'{') if !*have_head => {
                        *have_head = true;
                        Some(Within::Node(self.new_node(NO_PARENT)))
                    }
                    (Within::Top, b"\"samples\"", b'[') => Some(Within::Samples),
                    (Within::Node(n), b"\"callFrame\"", b'{') => Some(Within::CallFrame(n)),
                    (Within::Node(n), b"\"children\"", b'[') => Some(Within::Children(n)),
                    _ => None,
                })
            }
            _ => bail!("a key with no value in the profile"),
        };
        match (within, key) {
            (Within::Node(n), b"\"id\"") => self.nodes.id[n as usize] = whole(scalar)?,
            (Within::Node(n), b"\"selfSize\"") => self.nodes.self_size[n as usize] = whole(scalar)?,
            (Within::CallFrame(n), _) => {
                let frame = &mut self.nodes.frame[n as usize];
                match key {
                    b"\"functionName\"" => frame.function_name = string(scalar)?,
                    b"\"url\"" => frame.url = string(scalar)?,
                    // A string in the protocol; numbers are taken too.
                    b"\"scriptId\"" if scalar.first() == Some(&b'"') => {
                        frame.script_id = string(scalar)?
                    }
                    b"\"scriptId\"" => {
                        frame.script_id = String::from_utf8_lossy(scalar).into_owned()
                    }
                    b"\"lineNumber\"" => frame.line_number = number(scalar)? as i64,
                    b"\"columnNumber\"" => frame.column_number = number(scalar)? as i64,
                    _ => {}
                }
            }
            (Within::Sample, _) => {
                let sample = self.samples.last_mut().expect("a sample is open");
                match key {
                    b"\"size\"" => sample.size = whole(scalar)?,
                    b"\"nodeId\"" => sample.node_id = whole(scalar)?,
                    b"\"ordinal\"" => sample.ordinal = number(scalar)?,
                    _ => {}
                }
            }
            _ => {}
        }
        Ok(None)
    }
}
