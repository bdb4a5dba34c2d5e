//! Capped, jittered exponential backoff.
//!
//! For the `n`-th consecutive failure (`n = 0` for the first one) the delay
//! is drawn as follows, with `r` uniform in `[0, 1)` from the seeded RNG:
//!
//! ```text
//! hi    = min(maxDelay, minDelay * factor^n * (1 + jitter))
//! lo    = max(minDelay, hi * (1 - jitter))
//! delay = lo + r * (hi - lo)            (rounded down to whole ms)
//! ```
//!
//! So `jitter = 0` gives exactly `min(maxDelay, minDelay * factor^n)`,
//! `jitter = 1` gives a uniform draw in `[minDelay, hi]` (full jitter), and
//! every delay lies within `[minDelay, maxDelay]`. The nominal delay is
//! stretched upwards by up to `jitter` rather than only downwards so that
//! even the first retry is spread out: after a server restart, clients do
//! not all come back in the same millisecond.

use super::rng::Rng;
use super::ReconnectConfig;

/// The bounds `[lo, hi]` of the delay after the `n`-th consecutive failure
/// (`n = 0` for the first), in ms. The delay is drawn uniformly within:
///
/// ```text
/// hi    = min(maxDelay, minDelay * factor^n * (1 + jitter))
/// lo    = max(minDelay, hi * (1 - jitter))
/// delay = lo + floor(r * (hi - lo)),   r uniform in [0, 1) from the seeded RNG
/// ```
///
/// `jitter = 0` gives exactly `min(maxDelay, minDelay * factor^n)`; `jitter
/// = 1` a uniform draw in `[minDelay, hi]` (full jitter). Every delay lies
/// within `[minDelay, maxDelay]`. The nominal delay is stretched upwards (by
/// up to `jitter`) as well as down, so even the first retry is spread out
/// and clients do not all return in the same millisecond after a restart.
pub fn delay_bounds(cfg: &ReconnectConfig, n: u32) -> (u64, u64) {
    let min = cfg.min_delay as f64;
    let max = cfg.max_delay as f64;
    // factor >= 1 and finite (validated); a huge power is +inf, which `min`
    // folds back to max_delay. No NaN can arise.
    let nominal = min * powi(cfg.factor, n.min(i32::MAX as u32));
    let hi = (nominal * (1.0 + cfg.jitter)).min(max).max(min);
    let lo = (hi * (1.0 - cfg.jitter)).max(min);
    // Back in integer space, bound again: f64 rounding of huge values must
    // not step outside the configured bounds. (`max`/`min` rather than
    // `clamp`, whose min <= max assertion is a panic: these must hold, and
    // never trap, whatever the config.)
    let lo = (lo as u64).max(cfg.min_delay).min(cfg.max_delay);
    let hi = (hi as u64).min(cfg.max_delay).max(lo);
    (lo, hi)
}

/// `base^exp` by binary exponentiation, the same multiplications in the same
/// order as `f64::powi` (LLVM's `powi` with a variable exponent is a call to
/// `__powidf2`, this loop in compiler-rt and libgcc alike), so the values
/// are bit for bit those of `powi`, which core lacks (it is std's).
fn powi(mut base: f64, mut exp: u32) -> f64 {
    let mut r = if exp & 1 == 1 { base } else { 1.0 };
    exp >>= 1;
    while exp != 0 {
        base *= base;
        if exp & 1 == 1 {
            r *= base;
        }
        exp >>= 1;
    }
    r
}

/// Draws the delay after the `n`-th consecutive failure.
pub(crate) fn draw(cfg: &ReconnectConfig, n: u32, rng: &mut Rng) -> u64 {
    let (lo, hi) = delay_bounds(cfg, n);
    if hi <= lo {
        return lo;
    }
    let span = (hi - lo) as f64;
    let d = lo.saturating_add((rng.next_unit() * span) as u64);
    d.min(hi).max(lo)
}

// Native only: `f64::powi` is std's, and the property tests need proptest.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Bit for bit what `f64::powi` gives, for any factor the config
        /// accepts (finite, >= 1) and beyond, over the whole exponent range.
        #[test]
        fn powi_is_f64_powi(
            base in prop_oneof![1.0f64..4.0, 1.0f64..1.000_001, any::<f64>()],
            exp in prop_oneof![0u32..64, 0u32..=i32::MAX as u32],
        ) {
            let want = base.powi(exp as i32);
            let got = super::powi(base, exp);
            prop_assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{base}^{exp}: {got} != {want}");
        }
    }

    #[test]
    fn powi_edges() {
        for base in [1.0, 1.5, 2.0, 10.0, f64::MAX, 0.5] {
            for exp in [0, 1, 2, 3, 31, 1_024, i32::MAX as u32] {
                assert_eq!(
                    super::powi(base, exp).to_bits(),
                    base.powi(exp as i32).to_bits()
                );
            }
        }
    }
}
