#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| smarthub_exporter_fuzz::collectors(data));
