//! Exact decimals for thresholds that PromQL prints: `14.4 × 0.001` is `0.0144`, never
//! `0.014400000000000001`.

use std::fmt;

use crate::units::Ratio;

/// A non-negative decimal held exactly as `units / 10^scale`.
#[derive(Clone, Copy, Debug)]
pub struct Decimal {
    units: u128,
    scale: u32,
}

impl Decimal {
    /// `units / 10^scale`.
    pub const fn new(units: u128, scale: u32) -> Decimal {
        Decimal { units, scale }
    }

    /// A whole number.
    pub const fn whole(value: u64) -> Decimal {
        Decimal {
            units: value as u128,
            scale: 0,
        }
    }

    /// The exact value of a ratio.
    pub fn from_ratio(ratio: Ratio) -> Decimal {
        Decimal::new(u128::from(ratio.billionths()), 9).normalized()
    }

    /// The exact product.
    pub fn times(self, other: Decimal) -> Decimal {
        Decimal::new(self.units * other.units, self.scale + other.scale).normalized()
    }

    /// The exact sum.
    pub fn plus(self, other: Decimal) -> Decimal {
        let scale = self.scale.max(other.scale);
        let left = self.units * 10u128.pow(scale - self.scale);
        let right = other.units * 10u128.pow(scale - other.scale);
        Decimal::new(left + right, scale).normalized()
    }

    /// The exact difference; `None` below zero.
    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let left = self.units * 10u128.pow(scale - self.scale);
        let right = other.units * 10u128.pow(scale - other.scale);
        Some(Decimal::new(left.checked_sub(right)?, scale).normalized())
    }

    /// The value as a float, for test arithmetic.
    pub fn as_f64(self) -> f64 {
        // Parsing the printed form rounds once, correctly, which a division would not.
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// How many digits follow the decimal point.
    pub fn fraction_digits(self) -> u32 {
        self.normalized().scale
    }

    /// The value rescaled to exactly `scale` fraction digits; `None` if that loses digits.
    pub fn units_at(self, scale: u32) -> Option<u128> {
        let normal = self.normalized();
        if normal.scale > scale {
            return None;
        }
        normal.units.checked_mul(10u128.pow(scale - normal.scale))
    }

    /// Whether the value is zero.
    pub fn is_zero(self) -> bool {
        self.units == 0
    }

    /// Whether the value is above one.
    pub fn exceeds_one(self) -> bool {
        self.units > 10u128.pow(self.scale)
    }

    fn normalized(self) -> Decimal {
        let mut value = self;
        while value.scale > 0 && value.units.is_multiple_of(10) {
            value.units /= 10;
            value.scale -= 1;
        }
        value
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let scale = self.scale.max(other.scale);
        let left = self.units * 10u128.pow(scale - self.scale);
        let right = other.units * 10u128.pow(scale - other.scale);
        left.cmp(&right)
    }
}

impl fmt::Display for Decimal {
    /// The shortest exact form: `0.0144`, `3`, `1.44`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let normal = self.normalized();
        let divisor = 10u128.pow(normal.scale);
        let whole = normal.units / divisor;
        if normal.scale == 0 {
            return write!(f, "{whole}");
        }
        let fraction = normal.units % divisor;
        write!(
            f,
            "{whole}.{fraction:0width$}",
            width = normal.scale as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_print_without_float_noise() {
        let budget = Decimal::from_ratio("99.9%".parse::<Ratio>().unwrap().complement());
        assert_eq!(budget.to_string(), "0.001");
        assert_eq!(budget.times(Decimal::new(144, 1)).to_string(), "0.0144");
        assert_eq!(budget.times(Decimal::whole(6)).to_string(), "0.006");
        let big = Decimal::from_ratio("0.1".parse().unwrap()).times(Decimal::new(144, 1));
        assert_eq!(big.to_string(), "1.44");
        assert!(big.exceeds_one());
    }

    #[test]
    fn sums_and_differences_are_exact() {
        let a = Decimal::new(99, 2);
        assert_eq!(a.plus(Decimal::new(1, 3)).to_string(), "0.991");
        assert_eq!(
            a.checked_sub(Decimal::new(1, 3)).unwrap().to_string(),
            "0.989"
        );
        assert_eq!(Decimal::new(1, 3).checked_sub(a), None);
    }

    #[test]
    fn rescaling_and_ordering_are_exact() {
        let value = Decimal::new(144, 4);
        assert_eq!(value.units_at(6), Some(14_400));
        assert_eq!(value.units_at(3), None);
        assert!(Decimal::new(1, 1) > Decimal::new(99, 3));
        assert_eq!(
            Decimal::new(10, 1),
            Decimal::whole(1).times(Decimal::whole(1))
        );
        assert_eq!(Decimal::new(5, 3).fraction_digits(), 3);
    }
}
