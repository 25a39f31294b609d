#![no_main]
libfuzzer_sys::fuzz_target!(|data: smarthub_exporter_fuzz::ExpoInput| {
    smarthub_exporter_fuzz::exposition(&data)
});
