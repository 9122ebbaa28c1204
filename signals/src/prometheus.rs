//! Conventions of the Prometheus exposition format that every proxy's histograms follow.

/// Suffix of a histogram's cumulative bucket series.
pub const BUCKET_SUFFIX: &str = "_bucket";
/// Label: a bucket's inclusive upper bound, `"0.5"` … `"+Inf"`.
pub const LE: &str = "le";
/// [`LE`] value of the bucket that counts every observation.
pub const LE_INF: &str = "+Inf";
/// Label that Kubernetes pod discovery is conventionally relabelled into: the pod's name.
pub const POD: &str = "pod";
