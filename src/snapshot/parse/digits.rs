//! Numbers read eight digits at a time (SWAR, "SIMD within a register"):
//! the fast path of the number arrays, for what V8 writes nearly always, a
//! value of 1 to 15 digits and then `,` or `\n,`. Anything else (a chunk
//! end, `]`, a sign, a leading zero, white space, a stray byte) is left to
//! the byte loop of [`super::numbers`], which owns every message about
//! malformed input: this reader only ever says "not here".
//!
//! Eight bytes are loaded as one little-endian `u64` (first byte lowest),
//! the first non-digit is found with carry tricks, and up to eight digits
//! are combined with three multiplications (Lemire, "SWAR explained:
//! parsing eight digits", 2022). Plain Rust on integers, so wasm32 gets it
//! too.

/// Bytes [`read`] looks at from where it starts: two words of digits,
/// then `\n,`.
const LOOKAHEAD: usize = 18;

const ZEROS: u64 = 0x3030_3030_3030_3030;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// `10^k` for the digits of a second word.
const POWERS: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// The eight bytes at `bytes[at..]` as one word, the first byte lowest.
#[inline(always)]
fn word(bytes: &[u8; LOOKAHEAD], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The word with each byte minus `'0'` (a digit's value for a digit), and
/// how many of its first bytes are digits (0 to 8).
#[inline(always)]
fn digits(word: u64) -> (u64, usize) {
    let x = word ^ ZEROS;
    // After the XOR a digit byte is 0..=9. Adding 0x76 sets the high bit of
    // any byte above 9, and `| x` that of bytes whose high bit was already
    // set. A carry only leaves a non-digit byte, into later bytes, so every
    // byte before the first non-digit is judged right.
    let non_digit = (x.wrapping_add(0x7676_7676_7676_7676) | x) & HIGH_BITS;
    (x, (non_digit.trailing_zeros() / 8) as usize)
}

/// The number the first `count` (1..=8) digit values of `x` make, the
/// first one the most significant.
#[inline(always)]
fn value(x: u64, count: usize) -> u64 {
    // The digits move to the top bytes, dropping the non-digits after
    // them; the emptied low bytes are leading zeros.
    let x = x << (8 * (8 - count));
    // Then pairs of digits, pairs of pairs, and the two halves.
    let x = x.wrapping_mul(10).wrapping_add(x >> 8);
    const LOW: u64 = 0x0000_00ff_0000_00ff;
    const PAIRS: u64 = 100 + (1_000_000 << 32);
    const HALVES: u64 = 1 + (10_000 << 32);
    ((x & LOW).wrapping_mul(PAIRS)).wrapping_add(((x >> 16) & LOW).wrapping_mul(HALVES)) >> 32
}

/// The value at the start of `bytes` and how many bytes it and its
/// separator (`,` or `\n,`) take; `None` when the bytes are anything else
/// or fewer than [`LOOKAHEAD`], for the byte loop to read (or refuse).
#[inline(always)]
pub(super) fn read(bytes: &[u8]) -> Option<(u64, usize)> {
    let bytes = bytes.first_chunk::<LOOKAHEAD>()?;
    let (x, count) = digits(word(bytes, 0));
    // No digit, or a leading zero (refused by the byte loop).
    if count == 0 || (count > 1 && x & 0xff == 0) {
        return None;
    }
    let (v, end) = if count < 8 {
        (value(x, count), count)
    } else {
        let (y, more) = digits(word(bytes, 8));
        match more {
            0 => (value(x, 8), 8),
            8 => return None,
            _ => (value(x, 8) * POWERS[more] + value(y, more), 8 + more),
        }
    };
    match (bytes[end], bytes[end + 1]) {
        (b',', _) => Some((v, end + 1)),
        (b'\n', b',') => Some((v, end + 2)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{read, LOOKAHEAD};

    /// `text` padded with `pad` to the length [`read`] needs.
    fn padded(text: &str, pad: u8) -> Vec<u8> {
        let mut bytes = text.as_bytes().to_vec();
        bytes.resize(bytes.len().max(LOOKAHEAD), pad);
        bytes
    }

    #[test]
    fn reads_every_digit_count_with_either_separator() {
        for digits in 1..=15 {
            let smallest = 10u64.pow(digits as u32 - 1);
            let mixed = "1029384756473829"[..digits].parse().unwrap();
            for n in [smallest, smallest * 10 - 1, mixed] {
                let text = n.to_string();
                assert_eq!(text.len(), digits);
                for (separator, pad) in [(",", b'9'), ("\n,", b'5'), (",", b']')] {
                    let got = read(&padded(&format!("{text}{separator}"), pad));
                    let want = Some((n, digits + separator.len()));
                    assert_eq!(got, want, "{text:?}{separator:?}");
                }
            }
        }
    }

    #[test]
    fn reads_every_u32_width_including_the_largest() {
        for n in [
            0u64,
            7,
            42,
            999,
            4_096,
            65_535,
            100_000,
            1_048_576,
            16_777_216,
            999_999_999,
            4_294_967_295,
            4_294_967_296,
        ] {
            let text = format!("{n},");
            assert_eq!(read(&padded(&text, b'0')), Some((n, text.len())), "{n}");
        }
    }

    #[test]
    fn leaves_anything_unusual_to_the_byte_loop() {
        for text in [
            "]",
            ",1,",
            "-1,",
            " 1,",
            "01,",
            "00,",
            "007,",
            "1]",
            "1 ,",
            "1\n\n,",
            "1\r\n,",
            "1.5,",
            "1e3,",
            "12345678]",
            "123456789.",
            "1234567890123456,",
            "12345678901234567890,",
            "\n,1,",
        ] {
            assert_eq!(read(&padded(text, b',')), None, "{text:?}");
        }
    }

    #[test]
    fn a_non_digit_past_a_carry_does_not_hide_the_first_one() {
        // 0xff bytes carry when 0x76 is added; the digits before them stay.
        let mut bytes = b"12\xff\xff,".to_vec();
        bytes.resize(LOOKAHEAD, 0xff);
        assert_eq!(read(&bytes), None);
        let mut bytes = b"12,\xff\xff".to_vec();
        bytes.resize(LOOKAHEAD, 0xff);
        assert_eq!(read(&bytes), Some((12, 3)));
        // Bytes just around the digits ('/' and ':') are not digits.
        assert_eq!(read(&padded("1/,", b',')), None);
        assert_eq!(read(&padded("1:,", b',')), None);
    }
}
