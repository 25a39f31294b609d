fn main() {
    println!("smarthub-exporter {}", env!("CARGO_PKG_VERSION"));
}
