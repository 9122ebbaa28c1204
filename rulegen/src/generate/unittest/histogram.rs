//! Classic histograms whose `histogram_quantile` lands where a test needs it.
//!
//! To place quantile `q` at value `v` inside the bucket `(lo, hi]`, with `x = (v-lo)/(hi-lo)`:
//! put `q - x(1-q)` of the observations at or below `lo`, `1-q` inside the bucket and `x(1-q)`
//! above `hi`. Then the rank `q` falls inside the bucket at exactly the fraction `x`, and
//! Prometheus' linear interpolation returns `v`.

use crate::units::Ratio;

/// Observations per sampling step, one cumulative count per bucket bound, then `+Inf`.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// Cumulative counts, one per bound in the layout, then the `+Inf` count.
    pub cumulative: Vec<u64>,
    /// The quantile Prometheus will compute, in the layout's unit.
    pub value: f64,
}

/// Steps of `x` inside a bucket: thousandths.
const X_STEPS: u64 = 1000;

/// Designs per-step bucket counts with quantile `q` at the smallest reachable value at least
/// `at_least` (`above = true`) or the largest at most `at_most` (`above = false`).
///
/// Returns `None` when the target lies outside the finite buckets, or inside the first bucket
/// (nothing can sit below its lower bound there).
pub fn design(bounds: &[f64], q: Ratio, target: f64, above: bool) -> Option<Design> {
    let bucket = bounds.iter().position(|&b| target <= b)?;
    if bucket == 0 {
        return None;
    }
    let (lo, hi) = (bounds[bucket - 1], bounds[bucket]);
    let fraction = (target - lo) / (hi - lo) * X_STEPS as f64;
    let steps = if above {
        fraction.ceil().max(1.0)
    } else {
        fraction.floor().max(1.0)
    };
    let x_steps = (steps as u64).min(X_STEPS - 1);

    // Counts in units of (1-q)/X_STEPS of the total, with q in billionths.
    let rest = 1_000_000_000 - q.billionths();
    let inside = rest * X_STEPS;
    let above_hi = rest * x_steps;
    let below = q.billionths() * X_STEPS - above_hi;
    let divisor = gcd(gcd(inside, above_hi), below);
    let (below, inside, above_hi) = (below / divisor, inside / divisor, above_hi / divisor);

    let cumulative: Vec<u64> = bounds
        .iter()
        .enumerate()
        .map(|(i, _)| match i {
            i if i < bucket => below,
            _ => below + inside,
        })
        .chain(std::iter::once(below + inside + above_hi))
        .collect();
    let value = quantile(q.as_f64(), bounds, &cumulative)?;
    Some(Design { cumulative, value })
}

/// Prometheus' `histogram_quantile` over cumulative counts (one per bound, then `+Inf`).
pub fn quantile(q: f64, bounds: &[f64], cumulative: &[u64]) -> Option<f64> {
    let total = *cumulative.last()? as f64;
    if total == 0.0 {
        return None;
    }
    let rank = q * total;
    let b = cumulative.iter().position(|&c| c as f64 >= rank)?;
    if b == bounds.len() {
        return bounds.last().copied();
    }
    let (start, below) = match b {
        0 => (0.0, 0.0),
        _ => (bounds[b - 1], cumulative[b - 1] as f64),
    };
    let count = cumulative[b] as f64 - below;
    Some(start + (bounds[b] - start) * ((rank - below) / count))
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISTIO: [f64; 19] = meshward_signals::istio::REQUEST_DURATION_BUCKETS_MS;

    #[test]
    fn quantile_lands_on_the_target() {
        let q: Ratio = "0.99".parse().unwrap();
        let above = design(&ISTIO, q, 303.0, true).unwrap();
        assert!((above.value - 303.0).abs() < 1e-9, "{}", above.value);
        let below = design(&ISTIO, q, 297.0, false).unwrap();
        assert!((below.value - 297.0).abs() < 1e-9, "{}", below.value);
        assert!(below.cumulative.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn targets_outside_the_finite_buckets_are_refused() {
        let q: Ratio = "0.99".parse().unwrap();
        assert!(design(&ISTIO, q, 0.3, true).is_none());
        assert!(design(&ISTIO, q, 4_000_000.0, true).is_none());
    }
}
