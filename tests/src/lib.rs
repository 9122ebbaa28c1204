//! Harness for end-to-end tests: real processes on loopback, stopped when the test ends.
