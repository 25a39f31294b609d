#![no_main]
libfuzzer_sys::fuzz_target!(|data: smarthub_exporter_fuzz::DeviceLists| {
    smarthub_exporter_fuzz::lan_lists(&data)
});
