//! The bounded run of every target that `cargo test` does: each target's
//! `smoke_cases` cases (its seeds and saved failures first), from a fixed
//! seed so that a failure here is the same failure everywhere.

use std::time::Instant;

use pycontainer_fuzz::runner::{self, Budget};
use pycontainer_fuzz::targets::ALL;

#[test]
fn every_target_survives_its_smoke_run() {
    let start = Instant::now();
    let mut failures = Vec::new();
    for &target in ALL {
        match runner::run(target, 12, Budget::Cases(target.smoke_cases), None) {
            Ok(r) => eprintln!(
                "{:<18} {:>6} cases {:>6.2}s {:>7.0}/s slowest {:>8.1?} peak {:>9} bytes",
                r.target,
                r.cases,
                r.elapsed.as_secs_f64(),
                r.per_second(),
                r.slowest,
                r.peak
            ),
            Err(f) => failures.push(format!(
                "{} (case {}): {}\n  input: {:?}",
                f.target,
                f.case,
                f.what,
                String::from_utf8_lossy(f.input.get(..300).unwrap_or(&f.input))
            )),
        }
    }
    eprintln!("all targets: {:.1}s", start.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
