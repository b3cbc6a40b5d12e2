#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::xlsx_cells(data));
