//! Fuzzes `leadgate extract` end to end on arbitrary input lines: every line gets a lead or an
//! error line, never a panic.
//!
//! cargo +nightly fuzz run extract_json

#![no_main]

use leadgate::lead::{Extractor, ScoringRules};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let extractor = Extractor::new(&[]);
    let mut out = Vec::new();
    let _ = leadgate::cli::extract::run(data, &mut out, &extractor, &ScoringRules::default());
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        assert!(serde_json::from_slice::<serde_json::Value>(line).is_ok(), "output lines are JSON");
    }
});
