//! Runs one target: makes each case's input from (seed, case number), runs
//! it on a worker thread under the allocation [`Meter`], and watches the
//! worker from the calling thread, so that a hang or a refused allocation is
//! reported with its input instead of stalling the run.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use arbitrary::Unstructured;

use crate::alloc::{self, Meter, HARD_CAP};
use crate::{corpus, mutate, Target};

/// No input of at most [`mutate::MAX_INPUT`] bytes may take longer, even in
/// a debug build on a busy machine: past it the input counts as a hang.
pub const CASE_LIMIT: Duration = Duration::from_secs(5);

/// How long a run goes on.
#[derive(Clone, Copy, Debug)]
pub enum Budget {
    Cases(u64),
    Time(Duration),
}

/// What a run that found nothing did.
#[derive(Clone, Debug)]
pub struct Report {
    pub target: &'static str,
    pub seed: u64,
    pub cases: u64,
    pub elapsed: Duration,
    pub slowest: Duration,
    /// The most any one input held at once, beyond what was live before it.
    pub peak: usize,
}

impl Report {
    pub fn per_second(&self) -> f64 {
        self.cases as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// An input that broke a property, and how to make it again.
#[derive(Clone, Debug)]
pub struct Failure {
    pub target: &'static str,
    pub seed: u64,
    pub case: u64,
    pub input: Vec<u8>,
    pub what: String,
}

/// What the worker and the watchdog share.
struct Shared {
    case: AtomicU64,
    /// Nanoseconds from the run's start to the current case's start.
    started: AtomicU64,
    input: Mutex<Vec<u8>>,
    done: AtomicBool,
}

/// The input of case `case` in the run seeded `seed`: the seeds themselves
/// first, then seeds mutated, grammar output (mutated or not) and splices.
pub fn input(target: &Target, seeds: &[Vec<u8>], seed: u64, case: u64) -> Vec<u8> {
    if let Some(s) = usize::try_from(case).ok().and_then(|c| seeds.get(c)) {
        return s.clone();
    }
    let entropy = random_bytes(seed ^ case.wrapping_mul(0x9e37_79b9_7f4a_7c15), 4096);
    let mut u = Unstructured::new(&entropy);
    // Running out of entropy is no failure: the input is what was made so far.
    make(target, seeds, &mut u).unwrap_or_default()
}

fn make(target: &Target, seeds: &[Vec<u8>], u: &mut Unstructured) -> arbitrary::Result<Vec<u8>> {
    let mut input = match (u.int_in_range(0..=9)?, target.grammar) {
        (0..=2, Some(grammar)) => grammar(u)?,
        _ if seeds.is_empty() => Vec::new(),
        _ => u.choose(seeds)?.clone(),
    };
    if u.ratio(7, 8)? {
        mutate::mutate(u, &mut input, seeds, target.dictionary)?;
    }
    Ok(input)
}

/// splitmix64: cheap, and a seed alone makes the run again.
fn random_bytes(mut state: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Runs `target` from `seed` until `budget` is spent or a case fails.
///
/// With a `journal`, each input is written there before it runs: a stack
/// overflow or an abort ends the process before any report, and the journal
/// still holds the input that did it (scripts/fuzz.sh saves it).
pub fn run(
    target: &'static Target,
    seed: u64,
    budget: Budget,
    journal: Option<File>,
) -> Result<Report, Failure> {
    let fail = |case, input, what| Failure {
        target: target.name,
        seed,
        case,
        input,
        what,
    };
    let seeds = corpus::seeds(target).map_err(|e| fail(0, Vec::new(), e))?;
    let shared = Arc::new(Shared {
        case: AtomicU64::new(0),
        started: AtomicU64::new(0),
        input: Mutex::new(Vec::new()),
        done: AtomicBool::new(false),
    });
    // One meter per run, for the life of the process: a worker stopped by an
    // over-cap request never returns to drop its meter.
    let meter: &'static Meter = Box::leak(Box::default());
    let start = Instant::now();
    let worker = {
        let shared = Arc::clone(&shared);
        thread::Builder::new()
            .name(format!("fuzz-{}", target.name))
            .spawn(move || {
                let run = Run {
                    target,
                    seeds: &seeds,
                    seed,
                    budget,
                    start,
                    shared: &shared,
                    meter,
                    journal,
                };
                let result = run.cases();
                shared.done.store(true, Ordering::Release);
                result
            })
            .map_err(|e| fail(0, Vec::new(), format!("cannot start the worker: {e}")))?
    };
    loop {
        thread::sleep(Duration::from_millis(20));
        if shared.done.load(Ordering::Acquire) {
            break;
        }
        let case = shared.case.load(Ordering::Acquire);
        let started = Duration::from_nanos(shared.started.load(Ordering::Acquire));
        let running = start.elapsed().saturating_sub(started);
        let refused = meter.refused();
        let what = if refused > 0 {
            format!("asked for {refused} more bytes, past the {HARD_CAP}-byte cap")
        } else if running > CASE_LIMIT {
            format!("still running after {running:?} (limit {CASE_LIMIT:?}): a hang")
        } else {
            continue;
        };
        // The worker is stuck; it is left behind, and the process ends soon.
        let input = shared
            .input
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        return Err(fail(case, input, what));
    }
    match worker.join() {
        Ok(result) => result.map_err(|(case, input, what)| fail(case, input, what)),
        Err(_) => Err(fail(0, Vec::new(), "the worker itself panicked".to_owned())),
    }
}

type CaseFailure = (u64, Vec<u8>, String);

/// What the worker thread works with.
struct Run<'a> {
    target: &'static Target,
    seeds: &'a [Vec<u8>],
    seed: u64,
    budget: Budget,
    start: Instant,
    shared: &'a Shared,
    meter: &'static Meter,
    journal: Option<File>,
}

impl Run<'_> {
    fn cases(&self) -> Result<Report, CaseFailure> {
        alloc::attach(self.meter);
        let mut report = Report {
            target: self.target.name,
            seed: self.seed,
            cases: 0,
            elapsed: Duration::ZERO,
            slowest: Duration::ZERO,
            peak: 0,
        };
        // Every seed runs once, whatever the budget.
        let minimum = self.seeds.len() as u64;
        for case in 0.. {
            let more = match self.budget {
                Budget::Cases(n) => case < n.max(minimum),
                Budget::Time(d) => case < minimum || self.start.elapsed() < d,
            };
            if !more {
                break;
            }
            let input = input(self.target, self.seeds, self.seed, case);
            let (took, held) = self.one(case, &input)?;
            report.cases += 1;
            report.slowest = report.slowest.max(took);
            report.peak = report.peak.max(held);
        }
        report.elapsed = self.start.elapsed();
        Ok(report)
    }

    /// Runs one input; returns how long it took and the most it held.
    fn one(&self, case: u64, input: &[u8]) -> Result<(Duration, usize), CaseFailure> {
        let failed = |what| (case, input.to_vec(), what);
        if let Some(journal) = &self.journal {
            write_journal(journal, input).map_err(|e| failed(format!("journal: {e}")))?;
        }
        {
            let mut shared = self
                .shared
                .input
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            shared.clear();
            shared.extend_from_slice(input);
        }
        let began = self.start.elapsed();
        self.shared
            .started
            .store(began.as_nanos() as u64, Ordering::Release);
        self.shared.case.store(case, Ordering::Release);
        let baseline = self.meter.reset_peak();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| (self.target.check)(input)));
        let took = self.start.elapsed().saturating_sub(began);
        let held = self.meter.peak().saturating_sub(baseline);
        let cap = self.target.memory.cap(input.len());
        match outcome {
            Err(payload) => Err(failed(format!("panicked: {}", panic_message(&*payload)))),
            Ok(Err(property)) => Err(failed(property)),
            Ok(Ok(())) if held > cap => Err(failed(format!(
                "held {held} bytes at once for a {}-byte input (cap {cap})",
                input.len()
            ))),
            Ok(Ok(())) if took > CASE_LIMIT => {
                Err(failed(format!("took {took:?} (limit {CASE_LIMIT:?})")))
            }
            Ok(Ok(())) => Ok((took, held)),
        }
    }
}

fn write_journal(mut journal: &File, input: &[u8]) -> std::io::Result<()> {
    journal.seek(SeekFrom::Start(0))?;
    journal.write_all(input)?;
    journal.set_len(input.len() as u64)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(not a string)".to_owned())
}

/// Runs one input, as a saved failure is replayed.
pub fn replay(target: &Target, input: &[u8]) -> Result<(), String> {
    match panic::catch_unwind(AssertUnwindSafe(|| (target.check)(input))) {
        Ok(result) => result,
        Err(payload) => Err(format!("panicked: {}", panic_message(&*payload))),
    }
}
