//! Which metric vocabulary a proxy speaks.

use std::fmt;
use std::str::FromStr;

/// The metric vocabulary of a mesh proxy.
///
/// The lowercase names (`envoy`, `istio`, `linkerd`) are the values of the `mesh` label that
/// the exporter attaches to every derived series, and the values users write in configs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dialect {
    /// Plain Envoy: the admin `/stats/prometheus` endpoint with Envoy's default tag extractors.
    Envoy,
    /// An Istio sidecar: Envoy with Istio's stats filter (`istio_*`) and Istio's own tags.
    Istio,
    /// A linkerd2-proxy: `/metrics` on the proxy's admin port (4191).
    Linkerd,
}

impl Dialect {
    /// Every dialect, in a stable order.
    pub const ALL: [Dialect; 3] = [Dialect::Envoy, Dialect::Istio, Dialect::Linkerd];

    /// The lowercase name used in configs and in the `mesh` label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dialect::Envoy => "envoy",
            Dialect::Istio => "istio",
            Dialect::Linkerd => "linkerd",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A dialect name that is none of `envoy`, `istio` or `linkerd`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown mesh {:?}: expected one of envoy, istio, linkerd",
            self.0
        )
    }
}

impl std::error::Error for UnknownDialect {}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownDialect(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for dialect in Dialect::ALL {
            assert_eq!(dialect.as_str().parse::<Dialect>(), Ok(dialect));
        }
        assert_eq!(
            "consul".parse::<Dialect>(),
            Err(UnknownDialect("consul".into()))
        );
    }
}
