//! `meshward-exporter`: placeholder until the exporter lands.
fn main() {}
