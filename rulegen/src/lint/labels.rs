//! Which labels the series of an expression's result can carry.
//!
//! Alert templates may only print labels that survive the expression: after
//! `sum by (namespace) (...)` there is no `service` label, and `{{ $labels.service }}` prints
//! nothing. The rules walked here, with what they approximate:
//! - a selector may carry any label (we do not know the series);
//! - `sum|avg|min|max|count|group|stddev|stdvar|quantile` keep exactly their `by` labels, or
//!   all but their `without` labels; `count_values` adds its label; `topk|bottomk|limitk|
//!   limit_ratio` keep the labels of their input;
//! - functions keep the labels of their vector argument, except: `vector`, `time`-like and
//!   scalar functions carry none; `label_replace`/`label_join` add their destination label;
//!   `absent`/`absent_over_time` carry the labels of their argument's equality matchers;
//!   `histogram_quantile` drops `le`;
//! - vector-to-vector arithmetic and comparisons keep the left side's labels; `on (..)` keeps
//!   only those labels (one-to-one), `ignoring (..)` drops them, `group_left (..)` /
//!   `group_right (..)` take the "one" side's labels and add the listed ones from the other;
//! - `and`/`unless` keep the left side's labels; `or` keeps labels that either side can carry
//!   (lenient: a label from one side only is empty on the other side's series).

use std::collections::BTreeSet;

use promql_parser::label::MatchOp;
use promql_parser::parser::token::{
    T_BOTTOMK, T_COUNT_VALUES, T_LAND, T_LIMITK, T_LIMIT_RATIO, T_LOR, T_LUNLESS, T_TOPK,
};
use promql_parser::parser::{Expr, LabelModifier, VectorMatchCardinality};

/// The labels an expression's result series can carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelSet {
    /// Any label except these (the expression keeps its selectors' unknown labels).
    AllExcept(BTreeSet<String>),
    /// Exactly these labels at most.
    Only(BTreeSet<String>),
}

impl LabelSet {
    fn none() -> LabelSet {
        LabelSet::Only(BTreeSet::new())
    }

    fn all() -> LabelSet {
        LabelSet::AllExcept(BTreeSet::new())
    }

    /// Whether a series of the result can carry `label`.
    pub fn contains(&self, label: &str) -> bool {
        match self {
            LabelSet::AllExcept(except) => !except.contains(label),
            LabelSet::Only(only) => only.contains(label),
        }
    }

    fn without(self, labels: &[String]) -> LabelSet {
        match self {
            LabelSet::AllExcept(mut except) => {
                except.extend(labels.iter().cloned());
                LabelSet::AllExcept(except)
            }
            LabelSet::Only(mut only) => {
                for label in labels {
                    only.remove(label);
                }
                LabelSet::Only(only)
            }
        }
    }

    fn with(self, labels: &[String]) -> LabelSet {
        match self {
            LabelSet::AllExcept(mut except) => {
                for label in labels {
                    except.remove(label);
                }
                LabelSet::AllExcept(except)
            }
            LabelSet::Only(mut only) => {
                only.extend(labels.iter().cloned());
                LabelSet::Only(only)
            }
        }
    }

    fn keep_only(self, labels: &[String]) -> LabelSet {
        LabelSet::Only(
            labels
                .iter()
                .filter(|l| self.contains(l))
                .cloned()
                .collect(),
        )
    }

    fn union(self, other: LabelSet) -> LabelSet {
        match (self, other) {
            (LabelSet::Only(a), LabelSet::Only(b)) => LabelSet::Only(&a | &b),
            (LabelSet::AllExcept(a), LabelSet::AllExcept(b)) => LabelSet::AllExcept(&a & &b),
            (LabelSet::AllExcept(except), LabelSet::Only(only))
            | (LabelSet::Only(only), LabelSet::AllExcept(except)) => {
                LabelSet::AllExcept(except.difference(&only).cloned().collect())
            }
        }
    }
}

/// The labels `expr`'s result can carry.
pub fn result_labels(expr: &Expr) -> LabelSet {
    match expr {
        Expr::VectorSelector(_) | Expr::MatrixSelector(_) => LabelSet::all(),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => LabelSet::none(),
        Expr::Paren(p) => result_labels(&p.expr),
        Expr::Unary(u) => result_labels(&u.expr),
        Expr::Subquery(s) => result_labels(&s.expr),
        Expr::Aggregate(aggregate) => {
            let op = aggregate.op.id();
            let inner = result_labels(&aggregate.expr);
            if matches!(op, T_TOPK | T_BOTTOMK | T_LIMITK | T_LIMIT_RATIO) {
                return inner;
            }
            let grouped = match &aggregate.modifier {
                Some(LabelModifier::Include(by)) => inner.keep_only(&by.labels),
                Some(LabelModifier::Exclude(without)) => inner.without(&without.labels),
                None => LabelSet::none(),
            };
            if op == T_COUNT_VALUES {
                if let Some(Expr::StringLiteral(label)) = aggregate.param.as_deref() {
                    return grouped.with(std::slice::from_ref(&label.val));
                }
            }
            grouped
        }
        Expr::Call(call) => call_labels(call),
        Expr::Binary(binary) => {
            let lhs = result_labels(&binary.lhs);
            let rhs = result_labels(&binary.rhs);
            let lhs_scalar = is_scalar(&binary.lhs);
            let rhs_scalar = is_scalar(&binary.rhs);
            let op = binary.op.id();
            if lhs_scalar && rhs_scalar {
                return LabelSet::none();
            }
            if lhs_scalar {
                return rhs;
            }
            if rhs_scalar {
                return lhs;
            }
            match op {
                T_LOR => return lhs.union(rhs),
                T_LAND | T_LUNLESS => return lhs,
                _ => {}
            }
            let Some(modifier) = &binary.modifier else {
                return lhs;
            };
            let matching = modifier.matching.as_ref();
            match &modifier.card {
                VectorMatchCardinality::ManyToOne(include) => lhs.with(&include.labels),
                VectorMatchCardinality::OneToMany(include) => rhs.with(&include.labels),
                _ => match matching {
                    Some(LabelModifier::Include(on)) => lhs.keep_only(&on.labels),
                    Some(LabelModifier::Exclude(ignoring)) => lhs.without(&ignoring.labels),
                    None => lhs,
                },
            }
        }
        Expr::Extension(_) => LabelSet::all(),
    }
}

fn call_labels(call: &promql_parser::parser::Call) -> LabelSet {
    let args = &call.args.args;
    let string_arg = |i: usize| match args.get(i).map(|a| a.as_ref()) {
        Some(Expr::StringLiteral(s)) => Some(s.val.clone()),
        _ => None,
    };
    match call.func.name {
        "vector" | "time" | "scalar" | "pi" | "day_of_month" | "day_of_week" | "day_of_year"
        | "days_in_month" | "hour" | "minute" | "month" | "year"
            if args.is_empty() || call.func.name == "vector" || call.func.name == "scalar" =>
        {
            LabelSet::none()
        }
        "label_replace" | "label_join" => {
            let inner = args.first().map_or(LabelSet::all(), |a| result_labels(a));
            match string_arg(1) {
                Some(destination) => inner.with(&[destination]),
                None => inner,
            }
        }
        "absent" | "absent_over_time" => {
            let selector = match args.first().map(|a| a.as_ref()) {
                Some(Expr::VectorSelector(vs)) => Some(vs),
                Some(Expr::MatrixSelector(ms)) => Some(&ms.vs),
                _ => None,
            };
            LabelSet::Only(
                selector
                    .map(|vs| {
                        vs.matchers
                            .matchers
                            .iter()
                            .filter(|m| matches!(m.op, MatchOp::Equal) && m.name != "__name__")
                            .map(|m| m.name.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        }
        "histogram_quantile" | "histogram_fraction" => args
            .iter()
            .rev()
            .find(|a| !is_scalar(a))
            .map_or(LabelSet::none(), |a| {
                result_labels(a).without(&["le".to_owned()])
            }),
        _ => args
            .iter()
            .find(|a| !is_scalar(a) && !matches!(a.as_ref(), Expr::StringLiteral(_)))
            .map_or(LabelSet::none(), |a| result_labels(a)),
    }
}

/// Whether `expr` evaluates to a scalar (number literal, `scalar()`, `time()`, or arithmetic
/// of those).
pub fn is_scalar(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(_) => true,
        Expr::Paren(p) => is_scalar(&p.expr),
        Expr::Unary(u) => is_scalar(&u.expr),
        Expr::Binary(b) => is_scalar(&b.lhs) && is_scalar(&b.rhs),
        Expr::Call(c) => {
            matches!(c.func.name, "scalar" | "time" | "pi")
                || (c.args.args.is_empty() && c.func.name != "vector")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(expr: &str) -> LabelSet {
        result_labels(&promql_parser::parser::parse(expr).unwrap())
    }

    #[test]
    fn aggregation_keeps_its_grouping() {
        let set = labels("sum by (namespace, service) (rate(x[5m]))");
        assert!(set.contains("service"));
        assert!(!set.contains("pod"));
        let set = labels("sum without (pod) (rate(x[5m]))");
        assert!(set.contains("service"));
        assert!(!set.contains("pod"));
        assert!(!labels("sum(x)").contains("service"));
        assert!(labels("topk(3, x)").contains("service"));
        assert!(labels("count_values(\"v\", sum by (a) (x))").contains("v"));
    }

    #[test]
    fn binary_matching_follows_prometheus() {
        let set = labels("sum by (a, b) (x) / on (a) group_left (c) sum by (a, c) (y)");
        assert!(set.contains("a") && set.contains("b") && set.contains("c"));
        let set = labels("sum by (a, b) (x) / on (a) sum by (a) (y)");
        assert!(set.contains("a") && !set.contains("b"));
        let set = labels("sum by (a, b) (x) / ignoring (b) sum by (a) (y)");
        assert!(set.contains("a") && !set.contains("b"));
        assert!(labels("sum by (a) (x) > 0.5").contains("a"));
        assert!(!labels("sum by (a) (x) and on () vector(1)").contains("b"));
        assert!(labels("sum by (a) (x) or sum by (b) (y)").contains("b"));
    }

    #[test]
    fn functions_keep_or_change_labels() {
        assert!(labels("rate(x[5m])").contains("pod"));
        assert!(!labels("vector(1)").contains("pod"));
        assert!(
            labels("label_replace(sum by (a) (x), \"b\", \"$1\", \"a\", \"(.*)\")").contains("b")
        );
        let set = labels("absent(up{job=\"x\", a=~\"y\"})");
        assert!(set.contains("job") && !set.contains("a"));
        let set = labels("histogram_quantile(0.9, sum by (le, a) (rate(x_bucket[5m])))");
        assert!(set.contains("a") && !set.contains("le"));
    }
}
