//! `pycontainer-fuzz`: long fuzz runs and replays (scripts/fuzz.sh calls it).
//!
//!   pycontainer-fuzz run SECONDS [TARGET] [--seed N]   split SECONDS over the targets
//!   pycontainer-fuzz replay TARGET FILE...             run saved inputs once
//!   pycontainer-fuzz save TARGET FILE                  keep a crashing input in the corpus
//!   pycontainer-fuzz list

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pycontainer_fuzz::runner::{self, Budget, Failure};
use pycontainer_fuzz::targets::ALL;
use pycontainer_fuzz::{corpus, target, Target};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match words.as_slice() {
        ["list"] => {
            for t in ALL {
                println!("{}", t.name);
            }
            Ok(())
        }
        ["replay", name, files @ ..] if !files.is_empty() => find(name).and_then(|t| replay(t, files)),
        ["save", name, file] => find(name).and_then(|t| save(t, file)),
        ["run", seconds, rest @ ..] => parse_run(seconds, rest).and_then(|(secs, targets, seed)| run(secs, &targets, seed)),
        _ => Err("usage: pycontainer-fuzz run SECONDS [TARGET] [--seed N] | replay TARGET FILE... | list".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn find(name: &str) -> Result<&'static Target, String> {
    target(name).ok_or_else(|| format!("no target {name:?} (`pycontainer-fuzz list` shows them)"))
}

type RunArgs = (f64, Vec<&'static Target>, Option<u64>);

fn parse_run(seconds: &str, rest: &[&str]) -> Result<RunArgs, String> {
    let secs: f64 = seconds
        .parse()
        .ok()
        .filter(|s: &f64| *s > 0.0)
        .ok_or_else(|| format!("SECONDS: {seconds:?} is not a positive number"))?;
    let (seed, rest) = match rest {
        [.., "--seed", n] => {
            let n = n
                .parse()
                .map_err(|_| format!("--seed: {n:?} is not a number"))?;
            (Some(n), &rest[..rest.len() - 2])
        }
        _ => (None, rest),
    };
    let targets = match rest {
        [] => ALL.to_vec(),
        [name] => vec![find(name)?],
        _ => return Err(format!("unexpected arguments {rest:?}")),
    };
    Ok((secs, targets, seed))
}

fn run(seconds: f64, targets: &[&'static Target], seed: Option<u64>) -> Result<(), String> {
    let each = Duration::from_secs_f64(seconds / targets.len() as f64);
    println!(
        "{:<18} {:>20} {:>9} {:>7} {:>9} {:>10} {:>11}",
        "target", "seed", "cases", "secs", "cases/s", "slowest", "peak bytes"
    );
    let mut failed = Vec::new();
    for &target in targets {
        let seed = seed.unwrap_or_else(fresh_seed);
        let journal = journal(target, seed)?;
        match runner::run(target, seed, Budget::Time(each), Some(journal)) {
            Ok(r) => println!(
                "{:<18} {:>20} {:>9} {:>7.1} {:>9.0} {:>10.1?} {:>11}",
                r.target,
                r.seed,
                r.cases,
                r.elapsed.as_secs_f64(),
                r.per_second(),
                r.slowest,
                r.peak
            ),
            // The other targets still run: one finding should not hide the next.
            Err(failure) => {
                eprintln!("{}", report(target, &failure));
                failed.push(target.name);
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join(", ")))
    }
}

/// Saves the input and says how to run it again.
fn report(target: &Target, failure: &Failure) -> String {
    let saved = match corpus::save(target, &failure.input) {
        Ok(path) => format!(
            "saved to {}\nreplay: cargo run -p pycontainer-fuzz -- replay {} {}",
            path.display(),
            failure.target,
            path.display()
        ),
        Err(e) => format!("could not save the input: {e}"),
    };
    format!(
        "FAILED {} (seed {}, case {}): {}\ninput ({} bytes): {:?}\n{saved}\nor again from the seed: scripts/fuzz.sh SECONDS {} --seed {}",
        failure.target,
        failure.seed,
        failure.case,
        failure.what,
        failure.input.len(),
        String::from_utf8_lossy(failure.input.get(..400).unwrap_or(&failure.input)),
        failure.target,
        failure.seed
    )
}

fn save(target: &Target, file: &str) -> Result<(), String> {
    let input = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let path = corpus::save(target, &input)?;
    println!(
        "saved to {}\nreplay: cargo run -p pycontainer-fuzz -- replay {} {}",
        path.display(),
        target.name,
        path.display()
    );
    Ok(())
}

fn replay(target: &Target, files: &[&str]) -> Result<(), String> {
    for file in files {
        let input = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        runner::replay(target, &input).map_err(|e| format!("{file}: {e}"))?;
        println!("{file}: ok");
    }
    Ok(())
}

/// Where each input goes before it runs (`FILE`), and which target and seed
/// it belongs to (`FILE.target`), for scripts/fuzz.sh to save after a crash
/// that ends the process.
fn journal(target: &Target, seed: u64) -> Result<std::fs::File, String> {
    let path = std::env::temp_dir().join("pycontainer-fuzz.last");
    let about = path.with_extension("target");
    std::fs::write(&about, format!("{} {seed}\n", target.name))
        .map_err(|e| format!("{}: {e}", about.display()))?;
    std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))
}

fn fresh_seed() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    now ^ u64::from(std::process::id()).rotate_left(32)
}
