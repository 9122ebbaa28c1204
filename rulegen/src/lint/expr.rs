//! Checks on a parsed PromQL expression: rate windows and zero-traffic guards.
//!
//! promql-parser's syntax tree carries no positions, so each finding records the how-many-th
//! range (`[5m]`) or division (`/`) of the expression it is about; [`token_positions`] finds
//! the same one among the expression's tokens, which appear in the same left-to-right order.
//!
//! ## The zero-traffic rule
//! A division of two vectors yields NaN (0/0) or ±Inf (x/0) when the denominator is 0, as it
//! is for every service without traffic. NaN poisons `avg_over_time` and `sum_over_time` for
//! the whole window, so an error budget stops burning; Inf fires `>` alerts. A vector division
//! `a / b` is therefore *guarded* when any of these holds:
//! 1. the denominator cannot be 0: `clamp_min(b, c)` with c > 0, a filter `b > c` (c ≥ 0),
//!    `b >= c` (c > 0) or `b != 0` (filters without `bool`), `b and <filter>`, `count(...)`,
//!    `count_over_time(...)`, `vector(c)` with c ≠ 0, or a number;
//! 2. the division itself is the left side of an `and` whose right side is such a filter:
//!    `(a / b) and on (...) b > 0`;
//! 3. the denominator is a scalar (numbers, `scalar()`, `time()`): then it is not a vector
//!    division. (`scalar()` of an empty vector is NaN; that case is not judged.)
//!
//! Parentheses are looked through everywhere.

use std::time::Duration;

use promql_parser::parser::token::{T_DIV, T_GTE, T_GTR, T_LAND, T_NEQ};
use promql_parser::parser::{BinaryExpr, Expr};

use crate::lint::labels::is_scalar;

/// The functions whose range window must span at least two scrapes.
pub const RATE_FUNCTIONS: [&str; 3] = ["rate", "irate", "increase"];

/// A range `[w]` inside a rate function that is too short.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortWindow {
    /// The function (`rate`).
    pub function: &'static str,
    /// The window.
    pub window: Duration,
    /// Which range of the expression (0-based, in source order).
    pub range_index: usize,
}

/// An unguarded vector division.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnguardedDivision {
    /// Which `/` of the expression (0-based, in source order).
    pub division_index: usize,
}

/// Ranges shorter than `minimum` inside `rate`, `irate` and `increase`.
pub fn short_windows(expr: &Expr, minimum: Duration) -> Vec<ShortWindow> {
    let mut walker = Walker::default();
    walker.walk(expr, None);
    walker
        .ranges
        .into_iter()
        .enumerate()
        .filter_map(|(index, (window, function))| {
            let function = function?;
            (window < minimum).then_some(ShortWindow {
                function,
                window,
                range_index: index,
            })
        })
        .collect()
}

/// Vector divisions that are not guarded against a zero denominator.
pub fn unguarded_divisions(expr: &Expr) -> Vec<UnguardedDivision> {
    let mut walker = Walker::default();
    walker.walk(expr, None);
    walker
        .divisions
        .into_iter()
        .enumerate()
        .filter(|(_, guarded)| !guarded)
        .map(|(index, _)| UnguardedDivision {
            division_index: index,
        })
        .collect()
}

/// Walks the tree in source order, recording ranges (with the rate function directly around
/// them) and divisions (with whether each is guarded).
#[derive(Default)]
struct Walker {
    ranges: Vec<(Duration, Option<&'static str>)>,
    divisions: Vec<bool>,
}

impl Walker {
    /// `rate_function` is set while walking the direct argument of a rate function.
    fn walk(&mut self, expr: &Expr, rate_function: Option<&'static str>) {
        match expr {
            Expr::MatrixSelector(ms) => self.ranges.push((ms.range, rate_function)),
            Expr::Subquery(sq) => {
                self.walk(&sq.expr, None);
                self.ranges.push((sq.range, rate_function));
            }
            Expr::Paren(p) => self.walk(&p.expr, rate_function),
            Expr::Unary(u) => self.walk(&u.expr, None),
            Expr::Aggregate(a) => {
                if let Some(param) = &a.param {
                    self.walk(param, None);
                }
                self.walk(&a.expr, None);
            }
            Expr::Call(call) => {
                let function = RATE_FUNCTIONS
                    .iter()
                    .copied()
                    .find(|f| *f == call.func.name);
                for arg in &call.args.args {
                    self.walk(arg, function);
                }
            }
            Expr::Binary(binary) => self.binary(binary, false),
            Expr::VectorSelector(_)
            | Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::Extension(_) => {}
        }
    }

    /// `guarded_by_parent` is set when the parent is `<this> and <filter>`.
    fn binary(&mut self, binary: &BinaryExpr, guarded_by_parent: bool) {
        let op = binary.op.id();
        let filters_lhs = op == T_LAND && is_positive_filter(&binary.rhs);
        match unparen(&binary.lhs) {
            Expr::Binary(lhs) => self.binary(lhs, filters_lhs),
            lhs => self.walk(lhs, None),
        }
        if op == T_DIV {
            let vector_division = !is_scalar(&binary.lhs) || !is_scalar(&binary.rhs);
            let guarded = !vector_division
                || is_scalar(&binary.rhs)
                || guarded_by_parent
                || cannot_be_zero(&binary.rhs);
            self.divisions.push(guarded);
        }
        self.walk(&binary.rhs, None);
    }
}

fn unparen(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => unparen(&p.expr),
        other => other,
    }
}

fn number(expr: &Expr) -> Option<f64> {
    match unparen(expr) {
        Expr::NumberLiteral(n) => Some(n.val),
        Expr::Unary(u) => number(&u.expr).map(|n| -n),
        _ => None,
    }
}

/// `x > c` (c ≥ 0), `x >= c` (c > 0), `x != 0`, without `bool`, or `x and <such a filter>`.
fn is_positive_filter(expr: &Expr) -> bool {
    let Expr::Binary(binary) = unparen(expr) else {
        return false;
    };
    if binary.modifier.as_ref().is_some_and(|m| m.return_bool) {
        return false;
    }
    let threshold = number(&binary.rhs);
    match binary.op.id() {
        T_GTR => threshold.is_some_and(|c| c >= 0.0),
        T_GTE => threshold.is_some_and(|c| c > 0.0),
        T_NEQ => threshold == Some(0.0),
        T_LAND => is_positive_filter(&binary.rhs),
        _ => false,
    }
}

/// Whether a denominator can never evaluate to 0.
fn cannot_be_zero(expr: &Expr) -> bool {
    if is_positive_filter(expr) {
        return true;
    }
    match unparen(expr) {
        Expr::NumberLiteral(n) => n.val != 0.0,
        Expr::Call(call) => match call.func.name {
            "clamp_min" => call
                .args
                .args
                .get(1)
                .and_then(|a| number(a))
                .is_some_and(|c| c > 0.0),
            "count_over_time" => true,
            "vector" => call
                .args
                .args
                .first()
                .and_then(|a| number(a))
                .is_some_and(|c| c != 0.0),
            _ => false,
        },
        Expr::Aggregate(aggregate) => aggregate.op.id() == promql_parser::parser::token::T_COUNT,
        _ => false,
    }
}

/// Byte ranges (`(offset, len)`) in an expression.
pub type ByteRanges = Vec<(usize, usize)>;

/// Byte ranges of the expression's range brackets (`[5m]`, `[1h:5m]`) and of its `/`
/// operators, in source order.
pub fn token_positions(expr: &str) -> (ByteRanges, ByteRanges) {
    use lrpar::{Lexeme, Lexer};
    use promql_parser::parser::token::{T_LEFT_BRACKET, T_RIGHT_BRACKET};

    let Ok(lexer) = promql_parser::parser::lex::lexer(expr) else {
        return (Vec::new(), Vec::new());
    };
    let mut ranges = Vec::new();
    let mut divisions = Vec::new();
    let mut open = None;
    for lexeme in lexer.iter().filter_map(Result::ok) {
        let span = lexeme.span();
        match lexeme.tok_id() {
            T_LEFT_BRACKET => open = Some(span.start()),
            T_RIGHT_BRACKET => {
                if let Some(start) = open.take() {
                    ranges.push((start, span.end() - start));
                }
            }
            T_DIV => divisions.push((span.start(), span.len())),
            _ => {}
        }
    }
    (ranges, divisions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(expr: &str) -> Expr {
        promql_parser::parser::parse(expr).unwrap()
    }

    #[test]
    fn short_rate_windows_are_found_in_source_order() {
        let expr = "rate(a[1m]) + max_over_time(rate(b[30s])[1h:]) + increase(c[5m])";
        let short = short_windows(&parse(expr), Duration::from_secs(60));
        assert_eq!(short.len(), 1);
        assert_eq!(short[0].function, "rate");
        assert_eq!(short[0].range_index, 1);
        let (ranges, _) = token_positions(expr);
        let (start, len) = ranges[1];
        assert_eq!(&expr[start..start + len], "[30s]");
        assert!(short_windows(&parse("max_over_time(a[10s])"), Duration::from_secs(60)).is_empty());
    }

    #[test]
    fn divisions_need_a_guard() {
        for unguarded in [
            "sum(rate(a[5m])) / sum(rate(b[5m]))",
            "sum(rate(a[5m])) / sum(rate(b[5m])) > 0.05",
            "a / (b + 1)",
            "a / b > bool 0",
        ] {
            assert_eq!(
                unguarded_divisions(&parse(unguarded)).len(),
                1,
                "{unguarded}"
            );
        }
        for guarded in [
            "sum(rate(a[5m])) / (sum(rate(b[5m])) > 0)",
            "a / clamp_min(b, 1e-9)",
            "(a / b) and on () b > 0",
            "a / b and b > 0",
            "a / count(b)",
            "a / 60",
            "a / vector(2)",
            "time() / 3600",
            "a / (b != 0)",
        ] {
            assert!(unguarded_divisions(&parse(guarded)).is_empty(), "{guarded}");
        }
    }

    #[test]
    fn the_nth_division_is_the_nth_slash() {
        let expr = "(a / (b > 0)) / c";
        let unguarded = unguarded_divisions(&parse(expr));
        assert_eq!(unguarded, [UnguardedDivision { division_index: 1 }]);
        let (_, divisions) = token_positions(expr);
        assert_eq!(divisions[1].0, expr.rfind('/').unwrap());
    }
}
