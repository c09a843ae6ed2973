//! A small deterministic random source (SplitMix64): every execution of a
//! fuzz target draws from a generator seeded by `(campaign seed, execution
//! number)`, so any finding replays from those two numbers alone.

/// SplitMix64: tiny, fast, and good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    /// The generator of execution `exec` in the campaign `seed`.
    pub fn for_exec(seed: u64, exec: u64) -> Rng {
        let mut r = Rng(seed ^ exec.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.next();
        r
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True once in `n` draws.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A size skewed towards small values but reaching `max`: half the
    /// draws are below 8, the rest spread over every power of two.
    pub fn size(&mut self, max: usize) -> usize {
        if self.one_in(2) {
            return self.below(8.min(max + 1));
        }
        let bits = usize::BITS - max.leading_zeros();
        let cap = 1usize
            .checked_shl(self.below(bits as usize + 1) as u32)
            .unwrap_or(max);
        self.below(cap.min(max) + 1)
    }
}
