//! Deterministic pseudo-random numbers for the unit tests.

/// A stream of numbers in `[0, 1)` from a 64-bit LCG (Knuth's MMIX constants).
pub(crate) fn lcg(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*state >> 11) as f64 / (1u64 << 53) as f64
}
