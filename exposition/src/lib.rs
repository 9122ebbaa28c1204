//! Placeholder replaced by the parser implementation.
