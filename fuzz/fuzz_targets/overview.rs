#![no_main]
libfuzzer_sys::fuzz_target!(|data: smarthub_exporter_fuzz::OverviewInput| {
    smarthub_exporter_fuzz::overview(&data)
});
