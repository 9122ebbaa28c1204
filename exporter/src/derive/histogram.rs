//! Quantiles of a cumulative histogram, estimated the way PromQL's `histogram_quantile` does.

use std::collections::BTreeMap;

use super::series::Bound;

/// The `q`-quantile (0 ≤ q ≤ 1) of cumulative `buckets` (upper bound → observations at or
/// below it), by linear interpolation inside the bucket the rank falls in.
///
/// The lowest bucket is taken to start at 0 (latencies are never negative). When the rank falls
/// in the `+Inf` bucket, the highest finite bound is the answer: nothing better is known.
/// Counts that decrease from one bound to the next (buckets read at slightly different
/// moments) are raised to the running maximum first. `None` when there is no `+Inf` bucket, no
/// observation at all, or `q` is outside [0, 1].
// TODO: histograms of one target are summed bucket by bucket, which is exact only when they
// share one bucket layout (true for Envoy, Istio and Linkerd defaults). Series with different
// layouts would need interpolating onto common bounds first.
pub(crate) fn quantile(q: f64, buckets: &BTreeMap<Bound, f64>) -> Option<f64> {
    if !(0.0..=1.0).contains(&q) {
        return None;
    }
    let (last, _) = buckets.last_key_value()?;
    if last.0 != f64::INFINITY {
        return None;
    }

    let mut cumulative = Vec::with_capacity(buckets.len());
    let mut running = 0.0_f64;
    for (bound, count) in buckets {
        running = running.max(*count);
        cumulative.push((bound.0, running));
    }
    let total = running;
    if total <= 0.0 {
        return None;
    }

    let rank = q * total;
    let index = cumulative.iter().position(|(_, count)| *count >= rank)?;
    let (upper, count) = cumulative[index];
    if upper == f64::INFINITY {
        return Some(if index == 0 {
            0.0
        } else {
            cumulative[index - 1].0
        });
    }

    let (lower, below) = if index == 0 {
        (0.0, 0.0)
    } else {
        cumulative[index - 1]
    };
    if upper <= lower || count <= below {
        return Some(upper);
    }
    Some(lower + (upper - lower) * (rank - below) / (count - below))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buckets(pairs: &[(f64, f64)]) -> BTreeMap<Bound, f64> {
        pairs
            .iter()
            .map(|(le, count)| (Bound(*le), *count))
            .collect()
    }

    #[test]
    fn interpolates_inside_the_bucket() {
        // 10 observations ≤ 1, 20 more in (1, 5], none above.
        let b = buckets(&[(1.0, 10.0), (5.0, 30.0), (f64::INFINITY, 30.0)]);
        assert_eq!(quantile(0.5, &b), Some(1.0 + 4.0 * (15.0 - 10.0) / 20.0));
        assert_eq!(quantile(0.25, &b), Some(0.75));
        assert_eq!(quantile(1.0, &b), Some(5.0));
    }

    #[test]
    fn rank_in_infinity_bucket_gives_highest_finite_bound() {
        let b = buckets(&[(1.0, 1.0), (5.0, 2.0), (f64::INFINITY, 10.0)]);
        assert_eq!(quantile(0.99, &b), Some(5.0));
    }

    #[test]
    fn no_observations_no_quantile() {
        assert_eq!(
            quantile(0.5, &buckets(&[(1.0, 0.0), (f64::INFINITY, 0.0)])),
            None
        );
        assert_eq!(
            quantile(0.5, &buckets(&[(1.0, 3.0)])),
            None,
            "no +Inf bucket"
        );
        assert_eq!(quantile(0.5, &BTreeMap::new()), None);
        assert_eq!(quantile(1.5, &buckets(&[(f64::INFINITY, 3.0)])), None);
    }

    #[test]
    fn non_monotonic_counts_are_repaired() {
        let b = buckets(&[(1.0, 10.0), (5.0, 8.0), (f64::INFINITY, 10.0)]);
        assert_eq!(quantile(0.5, &b), Some(0.5));
    }
}
