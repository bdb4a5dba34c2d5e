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
    // factor >= 1 and finite (validated); powi of a huge exponent is +inf,
    // which `min` folds back to max_delay. No NaN can arise.
    let exp = n.min(i32::MAX as u32) as i32;
    let nominal = min * cfg.factor.powi(exp);
    let hi = (nominal * (1.0 + cfg.jitter)).min(max).max(min);
    let lo = (hi * (1.0 - cfg.jitter)).max(min);
    // Back in integer space, bound again: f64 rounding of huge values must
    // not step outside the configured bounds. (`max`/`min` rather than
    // `clamp`, whose min <= max assertion would pull the formatting
    // machinery into the wasm build.)
    let lo = (lo as u64).max(cfg.min_delay).min(cfg.max_delay);
    let hi = (hi as u64).min(cfg.max_delay).max(lo);
    (lo, hi)
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
