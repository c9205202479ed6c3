//! Runs extraction over a JSON Lines file many times: a harness for profilers.
//!
//! cargo run --release --example extract_loop -- FILE [ROUNDS]
//!
//! One warm-up round compiles every lazy pattern first; `measure` holds only the steady state,
//! so `valgrind --tool=callgrind --toggle-collect=extract_loop::measure` counts just that.
use std::io::BufRead;

use leadgate::lead::{Conversation, Extractor, Role};

#[inline(never)]
fn measure(extractor: &Extractor, convs: &[Conversation], rounds: usize) -> usize {
    let mut visitor = 0usize;
    for _ in 0..rounds {
        for c in convs {
            visitor += c
                .messages
                .iter()
                .filter(|m| m.role == Role::Visitor)
                .count();
            std::hint::black_box(extractor.extract(c));
        }
    }
    visitor
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(100);
    let convs: Vec<Conversation> =
        std::io::BufReader::new(std::fs::File::open(&args[1]).expect("file"))
            .lines()
            .map(|l| serde_json::from_str(&l.expect("line")).expect("conversation"))
            .collect();
    let competitors: Vec<String> = ["Intercom", "Drift", "Tidio", "Zendesk", "LiveChat"]
        .map(String::from)
        .to_vec();
    let extractor = Extractor::new(&competitors);
    for c in &convs {
        std::hint::black_box(extractor.extract(c));
    }
    let start = std::time::Instant::now();
    let visitor = measure(&extractor, &convs, rounds);
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{visitor} visitor messages in {secs:.3} s = {:.0}/s",
        visitor as f64 / secs
    );
}
