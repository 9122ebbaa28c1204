//! The `meshward` command line.
fn main() {}
