//! Panel expressions as PromQL: Grafana's variables substituted, then parsed.
//!
//! Grafana expands `$__rate_interval`, `$__interval`, `$__range` and the dashboard's own
//! `$var` / `${var}` / `${var:format}` before a query reaches Prometheus. To check a panel
//! expression without Grafana, the same expansion is done here with sample values and the
//! result is parsed with promql-parser.

use std::collections::BTreeMap;
use std::time::Duration;

use promql_parser::parser::{self, Expr};

/// What `$__rate_interval` becomes when checking a panel expression; also a window Prometheus
/// accepts when the substituted query is run for real.
pub const RATE_INTERVAL_SAMPLE: &str = "5m";

/// Grafana's built-in interval variables and the values used for them.
const BUILT_INS: [(&str, &str); 4] = [
    ("__rate_interval", RATE_INTERVAL_SAMPLE),
    ("__interval", "1m"),
    ("__range", "1h"),
    ("__range_s", "3600"),
];

/// Replaces every `$name`, `${name}` and `${name:format}` in `expr`: Grafana's built-ins with
/// sample durations, dashboard variables with `values[name]` (their own name when absent).
///
/// ```
/// use std::collections::BTreeMap;
/// use meshward_rulegen::dashboard::expr::substitute;
/// let values = BTreeMap::from([("namespace", "shop")]);
/// assert_eq!(
///     substitute(r#"rate(x{namespace=~"$namespace"}[$__rate_interval])"#, &values),
///     r#"rate(x{namespace=~"shop"}[5m])"#,
/// );
/// ```
pub fn substitute(expr: &str, values: &BTreeMap<&str, &str>) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let (name, consumed) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => {
                    let inner = &braced[..end];
                    (inner.split(':').next().unwrap_or(inner), end + 2)
                }
                None => ("", 0),
            }
        } else {
            let len = after
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            (&after[..len], len)
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
            continue;
        }
        let value = BUILT_INS
            .iter()
            .find(|(built_in, _)| *built_in == name)
            .map(|(_, value)| *value)
            .or_else(|| values.get(name).copied())
            .unwrap_or(name);
        out.push_str(value);
        rest = &after[consumed..];
    }
    out.push_str(rest);
    out
}

/// Parses an expression after [`substitute`].
pub fn parse(expr: &str, values: &BTreeMap<&str, &str>) -> Result<Expr, String> {
    parser::parse(&substitute(expr, values))
}

/// Functions whose range must be `$__rate_interval`.
const RANGE_FUNCTIONS: [&str; 3] = ["rate", "irate", "increase"];

/// The windows of `rate`/`irate`/`increase` calls in `expr` that are not `$__rate_interval`,
/// as the text Prometheus would print for them.
pub fn fixed_rate_windows(
    expr: &str,
    values: &BTreeMap<&str, &str>,
) -> Result<Vec<String>, String> {
    // A sentinel no one writes by hand marks where `$__rate_interval` stood.
    const SENTINEL_MS: u64 = 7_777_777;
    let marked = expr.replace("$__rate_interval", &format!("{SENTINEL_MS}ms"));
    let parsed = parse(&marked, values)?;
    let mut fixed = Vec::new();
    walk(&parsed, &mut |node| {
        if let Expr::Call(call) = node {
            if RANGE_FUNCTIONS.contains(&call.func.name) {
                for arg in &call.args.args {
                    let range = match arg.as_ref() {
                        Expr::MatrixSelector(matrix) => Some(matrix.range),
                        Expr::Subquery(subquery) => Some(subquery.range),
                        _ => None,
                    };
                    if let Some(range) = range.filter(|r| *r != Duration::from_millis(SENTINEL_MS))
                    {
                        fixed.push(format!("{}({:?})", call.func.name, range));
                    }
                }
            }
        }
    });
    Ok(fixed)
}

/// Visits every node of `expr`, parents first.
pub fn walk(expr: &Expr, visit: &mut dyn FnMut(&Expr)) {
    visit(expr);
    match expr {
        Expr::Aggregate(aggregate) => {
            walk(&aggregate.expr, visit);
            if let Some(param) = &aggregate.param {
                walk(param, visit);
            }
        }
        Expr::Unary(unary) => walk(&unary.expr, visit),
        Expr::Binary(binary) => {
            walk(&binary.lhs, visit);
            walk(&binary.rhs, visit);
        }
        Expr::Paren(paren) => walk(&paren.expr, visit),
        Expr::Subquery(subquery) => walk(&subquery.expr, visit),
        Expr::Call(call) => call.args.args.iter().for_each(|arg| walk(arg, visit)),
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::VectorSelector(_)
        | Expr::MatrixSelector(_)
        | Expr::Extension(_) => {}
    }
}

/// The metric names an expression selects, sorted and deduplicated.
pub fn selected_metrics(expr: &Expr) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    walk(expr, &mut |node| match node {
        Expr::VectorSelector(selector) => names.extend(selector.name.clone()),
        Expr::MatrixSelector(matrix) => names.extend(matrix.vs.name.clone()),
        _ => {}
    });
    names.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_handles_every_variable_form() {
        let values = BTreeMap::from([("workload", "api"), ("namespace", "shop")]);
        assert_eq!(
            substitute(
                "a{w=~\"${workload:regex}\",n=\"$namespace\"}[$__range] $",
                &values
            ),
            "a{w=~\"api\",n=\"shop\"}[1h] $"
        );
        assert_eq!(substitute("$unknown ${", &values), "unknown ${");
    }

    #[test]
    fn fixed_windows_are_found_and_rate_interval_is_not() {
        let none = BTreeMap::new();
        assert_eq!(
            fixed_rate_windows("sum(rate(a[$__rate_interval])) / sum(irate(b[5m]))", &none)
                .unwrap(),
            vec!["irate(300s)".to_owned()]
        );
        assert!(fixed_rate_windows("increase(a[$__rate_interval])", &none)
            .unwrap()
            .is_empty());
        assert!(fixed_rate_windows("rate(a[$__rate_interval]", &none).is_err());
    }
}
