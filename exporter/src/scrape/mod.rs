//! Scraping a target: fetching its exposition within limits, and classifying failures.

pub mod error;
pub mod fetch;
pub mod process;

pub use error::ScrapeError;
pub use fetch::{fetch, FetchLimits, Fetched};
