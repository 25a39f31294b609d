#![no_main]
libfuzzer_sys::fuzz_target!(|data: smarthub_exporter_fuzz::ArbLit| {
    smarthub_exporter_fuzz::literal_round_trip(&data)
});
